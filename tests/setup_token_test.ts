/**
 * The long-lived token's pure rules (lib/setup_token.ts): days left, when it
 * has run out or soon will, `--expires DATE`, and the shape a pasted token
 * must have. What commands do with it: tests/methods/setup_token_test.ts.
 */

import assert from "node:assert/strict";
import { SignInRequiredError, UsageError } from "../lib/errors.ts";
import {
  checkSetupTokenShape,
  daysLeft,
  describeSetupToken,
  parseExpiresDate,
  SETUP_TOKEN_PREFIX,
  SETUP_TOKEN_WARN_MS,
  setupTokenExpired,
  setupTokenExpiredError,
  setupTokenExpiresSoon,
} from "../lib/setup_token.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 2, 20, 3);

Deno.test("daysLeft, setupTokenExpired, setupTokenExpiresSoon at their boundaries", () => {
  assert.equal(daysLeft(NOW + 364 * DAY, NOW), 364);
  assert.equal(daysLeft(NOW + DAY - 1, NOW), 0);
  assert.equal(daysLeft(NOW - 1, NOW), -1);
  assert.equal(setupTokenExpired(NOW, NOW), true);
  assert.equal(setupTokenExpired(NOW + 1, NOW), false);
  assert.equal(setupTokenExpiresSoon(NOW + SETUP_TOKEN_WARN_MS, NOW), true);
  assert.equal(setupTokenExpiresSoon(NOW + SETUP_TOKEN_WARN_MS + 1, NOW), false);
});

Deno.test("describeSetupToken: days left or ago, with the exact time; within a day, hours", () => {
  assert.equal(
    describeSetupToken(NOW + 364 * DAY, NOW),
    "364 days left (expires 2027-12-01 20:03 UTC)",
  );
  assert.equal(describeSetupToken(NOW + DAY, NOW), "1 day left (expires 2026-12-03 20:03 UTC)");
  assert.equal(describeSetupToken(NOW - 3 * DAY, NOW), "expired 3 days ago (2026-11-29 20:03 UTC)");
  assert.match(describeSetupToken(NOW + 60 * 60 * 1000, NOW), /^expires in 1h 0m \(/);
  const error = setupTokenExpiredError(NOW - DAY, NOW);
  assert(error instanceof SignInRequiredError);
  assert.match(error.message, /expired 1 day ago .* cannot be refreshed/);
});

Deno.test("parseExpiresDate: a date (start of day, UTC) or a timestamp with a zone; anything else is a usage error", () => {
  assert.equal(parseExpiresDate("2027-12-02", NOW), Date.UTC(2027, 11, 2));
  assert.equal(parseExpiresDate("2027-12-02T10:00:00Z", NOW), Date.UTC(2027, 11, 2, 10));
  assert.equal(parseExpiresDate("2027-12-02T10:00+02:00", NOW), Date.UTC(2027, 11, 2, 8));
  for (const bad of ["2027-02-30", "2027-12-02T10:00:00", "tomorrow", "", "2026-12-01"]) {
    assert.throws(() => parseExpiresDate(bad, NOW), UsageError, bad);
  }
});

Deno.test("checkSetupTokenShape: API keys, refresh tokens, other prefixes and bad lengths are refused, without the token", () => {
  const good = `${SETUP_TOKEN_PREFIX}${"a".repeat(80)}`;
  checkSetupTokenShape(good, "the token");
  for (
    const bad of [
      `sk-ant-api03-${"b".repeat(80)}`,
      `sk-ant-ort01-${"c".repeat(80)}`,
      `xyz-${"d".repeat(80)}`,
      `${SETUP_TOKEN_PREFIX}short`,
      `${SETUP_TOKEN_PREFIX}${"e".repeat(100_000)}`,
    ]
  ) {
    assert.throws(
      () => checkSetupTokenShape(bad, "the token"),
      (error: unknown) => error instanceof UsageError && !error.message.includes(bad),
    );
  }
});

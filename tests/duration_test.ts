/**
 * Durations from flags (`--ahead 90s`): strict syntax and a maximum, exit 2
 * beyond it. (Milliseconds from the environment: tests/environment_test.ts.)
 */

import assert from "node:assert/strict";
import { formatDurationFlag, MAX_DURATION_MS, parseDuration } from "../lib/duration.ts";
import { UsageError } from "../lib/errors.ts";

Deno.test("parseDuration: positive whole numbers with s, m or h", () => {
  assert.equal(parseDuration("1s", "--ahead"), 1_000);
  assert.equal(parseDuration("90s", "--ahead"), 90_000);
  assert.equal(parseDuration("15m", "--every"), 900_000);
  assert.equal(parseDuration("2h", "--every"), 7_200_000);
  assert.equal(parseDuration("24h", "--ahead"), MAX_DURATION_MS);
  assert.equal(parseDuration("1440m", "--ahead"), MAX_DURATION_MS);
  assert.equal(parseDuration("86400s", "--ahead"), MAX_DURATION_MS);
});

Deno.test("parseDuration: anything else is a one-line usage error naming the flag (exit 2)", () => {
  const bad = [
    "0s",
    "0m",
    "000h",
    " 2h",
    "2h ",
    "2H",
    "2S",
    "1.5h",
    "-1m",
    "+1m",
    "",
    "h",
    "10",
    "1h30m",
    "1d",
    "１h",
    "2h\n",
    "0x10s",
    "1e3s",
  ];
  for (const text of bad) {
    assert.throws(
      () => parseDuration(text, "--ahead"),
      (error: Error) => {
        assert(error instanceof UsageError, text);
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /^--ahead needs a positive whole number with s, m or h/);
        return true;
      },
      JSON.stringify(text),
    );
  }
});

Deno.test("parseDuration: beyond 24h is a usage error saying the maximum", () => {
  for (const text of ["25h", "86401s", "1441m", "9999999999999999h", "9".repeat(400) + "s"]) {
    assert.throws(
      () => parseDuration(text, "--every"),
      (error: Error) =>
        error instanceof UsageError && /^--every must be at most 24h/.test(error.message) &&
        !error.message.includes("\n"),
      text,
    );
  }
});

Deno.test("formatDurationFlag is the inverse for whole values", () => {
  for (const text of ["1s", "90s", "15m", "2h", "24h", "61s", "59m"]) {
    assert.equal(formatDurationFlag(parseDuration(text, "--x")), text);
  }
  assert.equal(formatDurationFlag(120_000), "2m");
  assert.equal(formatDurationFlag(1_500), "2s");
});

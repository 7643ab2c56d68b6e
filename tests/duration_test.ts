/**
 * Durations from flags (`--ahead 90s`) and milliseconds from the environment
 * (`*_MS`): strict syntax and a maximum, exit 2 beyond it.
 */

import { envMilliseconds, MAX_TIMER_MS } from "../lib/environment.ts";
import assert from "node:assert/strict";
import { recordEnv } from "../lib/context.ts";
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

Deno.test("envMilliseconds: the variable's maximum from the table, else the largest timer", () => {
  const env = (value: string) => recordEnv({ CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS: value });
  assert.equal(envMilliseconds(env("600000"), "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS", 1), 600_000);
  assert.throws(
    () => envMilliseconds(env("600001"), "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS", 1),
    (error: Error) =>
      error instanceof UsageError && error.exitCode === 2 &&
      /^CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS must be at most 600000 milliseconds/.test(error.message),
  );
  // 2^31 would silently become a 1 ms timer: refused for any name, listed or not.
  for (const name of ["CLAUDE_CODE_AUTH_REFRESH_SKEW_MS", "SOME_UNLISTED_MS"]) {
    assert.throws(
      () => envMilliseconds(recordEnv({ [name]: String(2 ** 31) }), name, 1),
      (error: Error) => error instanceof UsageError && error.exitCode === 2,
      name,
    );
  }
  assert.equal(
    envMilliseconds(recordEnv({ X_MS: String(MAX_TIMER_MS) }), "X_MS", 1),
    MAX_TIMER_MS,
  );
  assert.throws(
    () => envMilliseconds(recordEnv({ X_MS: String(MAX_TIMER_MS + 1) }), "X_MS", 1),
    new RegExp(`X_MS must be at most ${MAX_TIMER_MS} milliseconds`),
  );
  // An explicit maximum wins, but never beyond the largest timer.
  assert.throws(() => envMilliseconds(recordEnv({ X_MS: "11" }), "X_MS", 1, 10), UsageError);
  assert.equal(envMilliseconds(recordEnv({ X_MS: "10" }), "X_MS", 1, 10), 10);
  assert.throws(
    () => envMilliseconds(recordEnv({ X_MS: String(2 ** 31) }), "X_MS", 1, 2 ** 40),
    UsageError,
  );
});

/**
 * The environment variables table (lib/environment.ts): lookups, and
 * milliseconds from the environment (`*_MS`): strict syntax and a maximum,
 * exit 2 beyond it. That code, help and docs agree: tests/project/docs_test.ts.
 */

import assert from "node:assert/strict";
import { recordEnv } from "../lib/context.ts";
import { envMilliseconds, envVar, MAX_TIMER_MS, refreshSkewMs } from "../lib/environment.ts";
import { UsageError } from "../lib/errors.ts";

Deno.test("envVar: a variable the tool reads has its entry; any other name has none", () => {
  assert.equal(envVar("CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS")?.maxMs, 600_000);
  assert.equal(envVar("SOME_UNLISTED_MS"), undefined);
});

Deno.test("envMilliseconds: unset or empty is the fallback; anything but digits is a usage error", () => {
  assert.equal(envMilliseconds(recordEnv({}), "X_MS", 7), 7);
  assert.equal(envMilliseconds(recordEnv({ X_MS: "" }), "X_MS", 7), 7);
  assert.equal(envMilliseconds(recordEnv({ X_MS: " 12 " }), "X_MS", 7), 12);
  for (const bad of ["-1", "1.5", "1e3", "ten", "0x10"]) {
    assert.throws(() => envMilliseconds(recordEnv({ X_MS: bad }), "X_MS", 7), UsageError, bad);
  }
});

Deno.test("refreshSkewMs: 60 s unless CLAUDE_CODE_AUTH_REFRESH_SKEW_MS says otherwise", () => {
  assert.equal(refreshSkewMs({ env: recordEnv({}) }), 60_000);
  assert.equal(
    refreshSkewMs({ env: recordEnv({ CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "5000" }) }),
    5_000,
  );
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

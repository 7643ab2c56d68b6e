/**
 * Numbers out of range: expiries beyond what a Date holds are named, not a
 * crash; `run` returns 128+N for every signal.
 */

import assert from "node:assert/strict";
import { signalExitCode } from "../lib/commands/run.ts";
import { formatExpiry } from "../lib/format.ts";
import { MAX_DATE_MS } from "../lib/credential_types.ts";

Deno.test("formatExpiry: any number, even outside the Date range, gives a line", () => {
  const now = Date.UTC(2026, 10, 27, 5, 8);
  assert.equal(
    formatExpiry(Date.UTC(2026, 10, 27, 13, 7), now),
    "expires in 7h 59m (2026-11-27 13:07 UTC)",
  );
  assert.equal(formatExpiry(now - 180_000, now), "expired 3m 0s ago (2026-11-27 05:05 UTC)");
  assert.match(
    formatExpiry(MAX_DATE_MS, now),
    /^expires in \d+h \d+m \(\+275760-09-13 00:00 UTC\)$/,
  );
  assert.match(formatExpiry(-MAX_DATE_MS, now), /^expired .* ago \(-271821-04-20 00:00 UTC\)$/);
  for (
    const bad of [MAX_DATE_MS + 1, -MAX_DATE_MS - 1, 1e300, -1e300, Number.MAX_VALUE, NaN, Infinity]
  ) {
    assert.equal(formatExpiry(bad, now), "expires at an invalid time", String(bad));
  }
});

Deno.test("signalExitCode: 128+N for every POSIX signal, numbered as the OS does", () => {
  const linux: [string, number][] = [
    ["SIGHUP", 1],
    ["SIGINT", 2],
    ["SIGQUIT", 3],
    ["SIGILL", 4],
    ["SIGTRAP", 5],
    ["SIGABRT", 6],
    ["SIGBUS", 7],
    ["SIGFPE", 8],
    ["SIGKILL", 9],
    ["SIGUSR1", 10],
    ["SIGSEGV", 11],
    ["SIGUSR2", 12],
    ["SIGPIPE", 13],
    ["SIGALRM", 14],
    ["SIGTERM", 15],
    ["SIGSTKFLT", 16],
    ["SIGCHLD", 17],
    ["SIGCONT", 18],
    ["SIGSTOP", 19],
    ["SIGTSTP", 20],
    ["SIGTTIN", 21],
    ["SIGTTOU", 22],
    ["SIGURG", 23],
    ["SIGXCPU", 24],
    ["SIGXFSZ", 25],
    ["SIGVTALRM", 26],
    ["SIGPROF", 27],
    ["SIGWINCH", 28],
    ["SIGIO", 29],
    ["SIGPWR", 30],
    ["SIGSYS", 31],
  ];
  for (const [name, n] of linux) assert.equal(signalExitCode(name, "linux"), 128 + n, name);
  const darwin: [string, number][] = [
    ["SIGBUS", 10],
    ["SIGSYS", 12],
    ["SIGUSR1", 30],
    ["SIGUSR2", 31],
    ["SIGCHLD", 20],
    ["SIGEMT", 7],
    ["SIGINFO", 29],
    ["SIGSEGV", 11],
    ["SIGTERM", 15],
  ];
  for (const [name, n] of darwin) assert.equal(signalExitCode(name, "darwin"), 128 + n, name);
  assert.equal(signalExitCode("SIGNOPE", "linux"), 128);
  assert.equal(signalExitCode("constructor", "linux"), 128);
});

Deno.test({
  name: "a real child ended by SIGSEGV, SIGUSR1, SIGPIPE: Deno's signal name maps to 128+N",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    for (const [signal, n] of [["SEGV", 11], ["USR1", 10], ["PIPE", 13], ["ALRM", 14]] as const) {
      const status = await new Deno.Command("sh", {
        args: ["-c", `kill -${signal} $$`],
      }).output();
      assert(status.signal, signal);
      const expected = Deno.build.os === "darwin" && signal === "USR1" ? 30 : n;
      assert.equal(signalExitCode(status.signal, Deno.build.os), 128 + expected, signal);
    }
  },
});

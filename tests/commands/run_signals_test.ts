/**
 * `run` returns 128+N for every signal, numbered as the OS does, also for a
 * real child ended by a signal. (Expiries out of the Date range:
 * tests/format_test.ts.)
 */

import assert from "node:assert/strict";
import { signalExitCode } from "../../lib/commands/run.ts";

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

/** `deno task soak`: its command line, how it reads a suite's failures, and its report. */

import assert from "node:assert/strict";
import { failedTests, parseSoakArgs, soakReport } from "../../scripts/soak.ts";
import { testArgs, testJobs } from "../../scripts/test.ts";

Deno.test("soak options: defaults 3 rounds, 2 side by side, no load; each can be set", () => {
  assert.deepEqual(parseSoakArgs([]), { rounds: 3, sideBySide: 2, load: 0 });
  assert.deepEqual(
    parseSoakArgs(["--rounds", "5", "--side-by-side", "3", "--load", "2"]),
    { rounds: 5, sideBySide: 3, load: 2 },
  );
  assert.deepEqual(parseSoakArgs(["--rounds=1"]), { rounds: 1, sideBySide: 2, load: 0 });
});

Deno.test("soak options: anything else is a usage error naming the option", () => {
  const cases: [string[], RegExp][] = [
    [["--rounds", "0"], /--rounds needs a whole number from 1 to 64, got '0'/],
    [["--rounds", "x"], /--rounds needs a whole number/],
    [["--side-by-side", "1.5"], /--side-by-side needs a whole number/],
    [["--load", "-1"], /--load/],
    [["--rounds", "65"], /--rounds needs a whole number from 1 to 64/],
    [["--fast"], /Unknown option '--fast'/],
    [["extra"], /extra/],
  ];
  for (const [args, message] of cases) {
    const parsed = parseSoakArgs(args);
    assert("error" in parsed, `${args.join(" ")} was accepted`);
    assert.match(parsed.error, message);
    assert.match(parsed.error, /usage: deno task soak/);
  }
});

const SUITE_OUTPUT =
  `\x1b[0m\x1b[38;5;245m./tests/a_test.ts => \x1b[0mbad one ... \x1b[0m\x1b[31mFAILED\x1b[0m (1ms)

\x1b[0m\x1b[1m\x1b[37m\x1b[41m ERRORS \x1b[0m

bad one \x1b[0m\x1b[38;5;245m=> ./tests/a_test.ts:2:6\x1b[0m
error: Error: x

\x1b[0m\x1b[1m\x1b[37m\x1b[41m FAILURES \x1b[0m

bad one \x1b[0m\x1b[38;5;245m=> ./tests/a_test.ts:2:6\x1b[0m
steps ... inner bad \x1b[0m\x1b[38;5;245m=> ./tests/a_test.ts:3:43\x1b[0m
a => b => c \x1b[0m\x1b[38;5;245m=> ./tests/b_test.ts:1:6\x1b[0m

\x1b[0m\x1b[31mFAILED\x1b[0m | 1 passed | 3 failed (1 step) (28ms)
`;

Deno.test("failedTests reads the FAILURES section of deno test's output", () => {
  assert.deepEqual(failedTests(SUITE_OUTPUT), [
    "bad one (./tests/a_test.ts:2:6)",
    "steps ... inner bad (./tests/a_test.ts:3:43)",
    "a => b => c (./tests/b_test.ts:1:6)",
  ]);
  assert.deepEqual(failedTests("ok | 735 passed | 0 failed (58s)\n"), []);
});

Deno.test("soakReport: one line per run, the green count, then the failures by run", () => {
  const runs = [
    { round: 1, copy: 1, passed: true, ms: 61_400, failed: [], log: "/t/r1c1.log" },
    {
      round: 1,
      copy: 2,
      passed: false,
      ms: 75_000,
      failed: ["x (./tests/x_test.ts:1:6)"],
      log: "/t/r1c2.log",
    },
    { round: 2, copy: 1, passed: false, ms: 9_000, failed: [], log: "/t/r2c1.log" },
  ];
  assert.deepEqual(soakReport(runs), [
    "round 1 copy 1: ok in 1 min 1 s",
    "round 1 copy 2: FAILED in 1 min 15 s",
    "round 2 copy 1: FAILED in 9 s",
    "1 of 3 runs green",
    "failed in round 1 copy 2 (log: /t/r1c2.log):",
    "  x (./tests/x_test.ts:1:6)",
    "failed in round 2 copy 1 (log: /t/r2c1.log):",
    "  (no failed test named: see the log)",
  ]);
});

Deno.test("the suite sizes itself: DENO_JOBS from the environment wins, else the cores, at least 2", () => {
  assert.equal(testJobs(undefined, 8), 8);
  assert.equal(testJobs(undefined, 1), 2);
  assert.equal(testJobs(undefined, NaN), 2);
  assert.equal(testJobs("3", 8), 3);
  assert.equal(testJobs("1", 8), 1);
  for (const bad of ["", " ", "0", "-2", "two", "1.5"]) assert.equal(testJobs(bad, 4), 4, bad);
});

Deno.test("the suite's deno test arguments: all of tests/, unless files are named", () => {
  const all = testArgs();
  assert.equal(all[0], "test");
  assert(all.includes("--parallel"));
  assert(!all.includes("-A") && !all.includes("--allow-all"));
  assert.equal(all.at(-1), "tests/");
  assert.deepEqual(testArgs(["tests/behaviour/races_test.ts"]).slice(-1), [
    "tests/behaviour/races_test.ts",
  ]);
  assert.equal(testArgs(["--filter", "race"]).at(-1), "tests/");
});

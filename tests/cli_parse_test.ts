/**
 * The command-line parser's decisions, each tested directly (lib/cli.ts):
 * reading one option word, refusing an option given twice, naming a command,
 * and what `help WORD` asks about. parseCommandLine, the loop over the words
 * that uses them, is tested in tests/cli_test.ts.
 */

import assert from "node:assert/strict";
import { checkRepeat, commandNamed, helpSubject, readOption } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";

/** Assert that `run` throws a UsageError whose message matches `message` and whose hint matches `hint`. */
function assertUsage(run: () => unknown, message: RegExp, hint: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert(error instanceof UsageError, String(error));
    assert.match(error.message, message);
    assert.match(error.hint ?? "", hint);
    return true;
  });
}

Deno.test("readOption: flags, values by = or by the next word, and -h", () => {
  const cases: [string, string | undefined, Parameters<typeof readOption>[2], unknown][] = [
    ["--json", "x", "status", { name: "json", value: true, tookNext: false }],
    ["-h", undefined, undefined, { name: "help", value: true, tookNext: false }],
    ["--debug", undefined, undefined, { name: "debug", value: true, tookNext: false }],
    ["--method=browser", "x", "login", { name: "method", value: "browser", tookNext: false }],
    ["--method", "api-key", "login", { name: "method", value: "api-key", tookNext: true }],
    ["--auth-file", "/a/auth.json", undefined, {
      name: "auth-file",
      value: "/a/auth.json",
      tookNext: true,
    }],
    // A value may start with one dash, and `=` keeps everything after it.
    ["--auth-file", "-", "status", { name: "auth-file", value: "-", tookNext: true }],
    ["--auth-file=a=b", undefined, "status", { name: "auth-file", value: "a=b", tookNext: false }],
  ];
  for (const [arg, next, command, expected] of cases) {
    assert.deepEqual(readOption(arg, next, command), expected, `${arg} ${next ?? ""}`);
  }
});

Deno.test("readOption: what it refuses, each with a hint", () => {
  const cases: [string, string | undefined, Parameters<typeof readOption>[2], RegExp, RegExp][] = [
    ["-x", undefined, undefined, /unknown option '-x'/, /see `\S+ --help`/],
    ["-x", undefined, "status", /unknown option '-x'/, /see `\S+ status --help`/],
    ["--jsno", undefined, "status", /unknown option '--jsno' for 'status'/, /did you mean --json/],
    // A command's option is unknown before the command is named.
    ["--json", undefined, undefined, /unknown option '--json'$/, /see `\S+ --help`/],
    ["--json=yes", undefined, "status", /'--json' takes no value/, /status --help/],
    ["--method", undefined, "login", /'--method' needs a value/, /expected one of: /],
    ["--method", "--debug", "login", /'--method' needs a value/, /expected one of: /],
    ["--auth-file=", undefined, "status", /'--auth-file' needs a value \(PATH\)/, /status --help/],
    ["--method", "password", "login", /invalid value 'password' for '--method'/, /browser/],
  ];
  for (const [arg, next, command, message, hint] of cases) {
    assertUsage(() => readOption(arg, next, command), message, hint);
  }
});

Deno.test("checkRepeat: the same value twice is fine, two different values are not", () => {
  checkRepeat("auth-file", undefined, "/a", "status");
  checkRepeat("auth-file", "/a", "/a", "status");
  checkRepeat("json", true, true, "status");
  assertUsage(
    () => checkRepeat("auth-file", "/a", "/b", "status"),
    /'--auth-file' was given twice, as '\/a' and '\/b'/,
    /give it once \(see `\S+ status --help`\)/,
  );
});

Deno.test("commandNamed: a command, or an error that suggests the closest one", () => {
  assert.equal(commandNamed("token"), "token");
  assert.equal(commandNamed("completions"), "completions");
  assertUsage(() => commandNamed("tokne"), /unknown command 'tokne'/, /did you mean 'token'/);
  assertUsage(() => commandNamed("zzzzzzzz"), /unknown command/, /^see `\S+ --help`$/);
  // Not an own property of the table, though every object has it.
  assertUsage(() => commandNamed("toString"), /unknown command 'toString'/, /--help/);
});

Deno.test("helpSubject: a command, a topic, nothing, or an error listing the topics", () => {
  assert.deepEqual(helpSubject(undefined), {});
  assert.deepEqual(helpSubject("login"), { command: "login" });
  assert.deepEqual(helpSubject("environment"), { topic: "environment" });
  assertUsage(() => helpSubject("nope"), /no help on 'nope'/, /topics: .*login.*environment/);
});

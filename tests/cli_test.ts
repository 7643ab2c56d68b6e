/**
 * The command line: parsing, usage errors and their hints, help texts, and the
 * CLI's exit codes for them (in-process through runCli). Spawned: only the
 * --help/--version test, whose point is the real process's stdout and exit.
 */

import assert from "node:assert/strict";
import { commandHelp, COMMANDS, globalHelp, parseCommandLine } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";
import { withSandbox } from "./helpers/sandbox.ts";

Deno.test("global options may come before or after the command; values by space or =", () => {
  const a = parseCommandLine(["--auth-file", "/x/auth.json", "status", "--json"]);
  assert.equal(a.command, "status");
  assert.deepEqual(a.values, { "auth-file": "/x/auth.json", json: true });
  const b = parseCommandLine(["login", "--method=browser", "--no-browser", "--debug"]);
  assert.deepEqual(b.values, { method: "browser", "no-browser": true, debug: true });
});

Deno.test("run takes everything after -- (or after the first word) as the command", () => {
  assert.deepEqual(parseCommandLine(["run", "--", "opencode", "--port", "4096"]).rest, [
    "opencode",
    "--port",
    "4096",
  ]);
  assert.deepEqual(parseCommandLine(["run", "opencode", "serve", "--debug"]).rest, [
    "opencode",
    "serve",
    "--debug",
  ]);
  assert.deepEqual(parseCommandLine(["--quiet", "run", "--", "x"]).values, { quiet: true });
});

Deno.test("bad command lines are usage errors with a hint", () => {
  const cases: [string[], RegExp][] = [
    [["statsu"], /unknown command 'statsu'/],
    [["status", "--jsno"], /unknown option '--jsno' for 'status'/],
    [["login", "--method"], /needs a value/],
    [["login", "--method", "password"], /invalid value 'password'/],
    [["status", "--json=yes"], /takes no value/],
    [["token", "extra"], /unexpected argument 'extra'/],
    [["run"], /needs a command/],
    [["run", "--"], /needs a command/],
    [["completions"], /exactly one SHELL/],
    [["completions", "tcsh"], /invalid SHELL 'tcsh'/],
    [["-x"], /unknown option '-x'/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseCommandLine(argv), (error: unknown) => {
      assert(error instanceof UsageError, String(error));
      assert.match(error.message, message);
      assert(error.hint, `no hint for ${argv.join(" ")}`);
      return true;
    });
  }
});

Deno.test("typos get a suggestion", () => {
  assert.throws(
    () => parseCommandLine(["tokne"]),
    (e: UsageError) => /did you mean 'token'/.test(e.hint!),
  );
  assert.throws(
    () => parseCommandLine(["status", "--chek"]),
    (e: UsageError) => /did you mean --check/.test(e.hint!),
  );
});

Deno.test("help texts list every command and option", () => {
  const help = globalHelp("1.2.3");
  for (const command of Object.keys(COMMANDS)) {
    assert.match(help, new RegExp(`^  ${command} `, "m"));
  }
  assert.match(commandHelp("login"), /--method METHOD/);
  assert.match(commandHelp("login"), /--create-api-key/);
  assert.deepEqual(parseCommandLine(["help", "login"]), {
    command: "login",
    values: { help: true },
    positional: undefined,
    rest: [],
    version: false,
  });
  assert.equal(parseCommandLine(["help", "environment"]).topic, "environment");
  assert.throws(() => parseCommandLine(["help", "nonsense"]), /no help on 'nonsense'/);
  assert.match(commandHelp("refresh"), /--ahead DURATION/);
  assert.match(commandHelp("service"), /--every DURATION/);
  assert.match(commandHelp("service"), /--dry-run/);
});

Deno.test("CLI: --help and COMMAND --help print on stdout with exit 0; --version prints deno.json's version", async () => {
  await withSandbox(async (box) => {
    const help = await box.run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Commands:/);
    const loginHelp = await box.run(["login", "--help"]);
    assert.equal(loginHelp.code, 0);
    assert.match(loginHelp.stdout, /Usage: opencode-claude-code-auth login/);
    const version = await box.run(["--version"]);
    const { default: meta } = await import("../deno.json", { with: { type: "json" } });
    assert.equal(version.stdout, `opencode-claude-code-auth ${meta.version}\n`);
  });
});

Deno.test("CLI: unknown command or flag is exit 2 with a one-line error and a hint", async () => {
  await withSandbox(async (box) => {
    for (const args of [["frobnicate"], ["status", "--bogus"], ["login", "--method", "sms"]]) {
      const result = await box.runInProcess(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "");
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0], /^error: /);
      assert.match(lines[1], /^hint: /);
    }
    const bare = await box.runInProcess([]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Usage:/);
  });
});

Deno.test("CLI: completions and help environment print on stdout with exit 0", async () => {
  await withSandbox(async (box) => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const result = await box.runInProcess(["completions", shell]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      for (const command of Object.keys(COMMANDS)) assert.match(result.stdout, new RegExp(command));
      assert.match(result.stdout, /claude-code/);
    }
    const environment = await box.runInProcess(["help", "environment"]);
    assert.equal(environment.code, 0, environment.stderr);
    assert.match(environment.stdout, /CLAUDE_CODE_AUTH_REFRESH_SKEW_MS/);
  });
});

/**
 * `completions bash|zsh|fish`: each script comes from the command table
 * (every command, the --method choices), is valid for its shell, and
 * completes what a user would expect. bash is always there; zsh and fish are
 * checked when installed (Debian: `apt-get install zsh fish`) and otherwise
 * skipped with a visible note.
 */

import assert from "node:assert/strict";
import { COMMANDS } from "../../lib/cli.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";

const PROGRAM = "opencode-claude-code-auth";
const METHODS = ["claude-code", "browser", "api-key"];
const COMMAND_NAMES = [
  "login",
  "status",
  "token",
  "refresh",
  "logout",
  "doctor",
  "run",
  "service",
  "completions",
];
const decoder = new TextDecoder();

/** Whether `shell` can be started. */
function installed(shell: string): boolean {
  try {
    new Deno.Command(shell, { args: ["-c", "exit 0"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

async function shell(
  name: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(name, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { HOME: Deno.env.get("HOME") ?? "/tmp", XDG_CONFIG_HOME: "/nonexistent", NO_COLOR: "1" },
    clearEnv: true,
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Generate the script with the CLI (under the start task's flags) into a file. */
async function script(box: Sandbox, name: "bash" | "zsh" | "fish"): Promise<string> {
  const result = await box.run(["completions", name]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const path = `${box.root}/completion.${name}`;
  await Deno.writeTextFile(path, result.stdout);
  return path;
}

Deno.test("the command table the scripts come from is the contract's", () => {
  assert.deepEqual(Object.keys(COMMANDS), COMMAND_NAMES);
  assert.deepEqual(COMMANDS.login.options.method.choices, METHODS);
});

for (const name of ["bash", "zsh", "fish"] as const) {
  Deno.test(`completions ${name}: names every command and every --method choice`, async () => {
    await withSandbox(async (box) => {
      const text = await Deno.readTextFile(await script(box, name));
      for (const command of COMMAND_NAMES) {
        assert.match(text, new RegExp(`\\b${command}\\b`), `${name} script lacks ${command}`);
      }
      for (const method of METHODS) assert(text.includes(method), `${name} script lacks ${method}`);
      for (const action of ["install", "uninstall"]) {
        assert(text.includes(action), `${name} script lacks service ${action}`);
      }
      for (
        const option of [
          "--json",
          "--check",
          "--no-browser",
          "--create-api-key",
          "--force",
          "--ahead",
          "--every",
          "--dry-run",
        ]
      ) {
        assert(text.includes(option.slice(2)), `${name} script lacks ${option}`);
      }
      assert(text.includes(PROGRAM));
    });
  });
}

Deno.test("completions: an unknown shell is a usage error", async () => {
  await withSandbox(async (box) => {
    const result = await box.run(["completions", "powershell"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
  });
});

Deno.test("bash: the script passes bash -n and completes commands, options and --method", async () => {
  await withSandbox(async (box) => {
    const path = await script(box, "bash");
    const syntax = await shell("bash", ["-n", path]);
    assert.equal(syntax.code, 0, syntax.stderr);
    const complete = (words: string[]) =>
      shell("bash", [
        "-c",
        `source '${path}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
          words.length - 1
        }; _opencode_claude_code_auth; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
    const lines = async (words: string[]) => {
      const result = await complete(words);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.split("\n").filter(Boolean);
    };
    assert.deepEqual(await lines([PROGRAM, ""]), [...COMMAND_NAMES, "--help", "--version"]);
    assert.deepEqual(await lines([PROGRAM, "lo"]), ["login", "logout"]);
    assert.deepEqual(await lines([PROGRAM, "login", "--method", ""]), METHODS);
    assert.deepEqual(await lines([PROGRAM, "--debug", "login", "--method", "b"]), ["browser"]);
    assert.deepEqual(await lines([PROGRAM, "status", "--"]), [
      "--json",
      "--check",
      "--auth-file",
      "--debug",
      "--quiet",
      "--help",
    ]);
    assert.deepEqual(await lines([PROGRAM, "completions", ""]), ["bash", "zsh", "fish"]);
    const registered = await shell("bash", ["-c", `source '${path}'; complete -p ${PROGRAM}`]);
    assert.equal(registered.stdout.trim(), `complete -F _opencode_claude_code_auth ${PROGRAM}`);
  });
});

Deno.test({
  name: "zsh: the script passes zsh -n and dispatches to _arguments, _describe and _normal",
  ignore: !installed("zsh"),
  fn: async () => {
    await withSandbox(async (box) => {
      const path = await script(box, "zsh");
      const syntax = await shell("zsh", ["-n", path]);
      assert.equal(syntax.code, 0, syntax.stderr);
      // The completion system's functions are stubbed to print what they get,
      // so the dispatch is checked without an interactive shell.
      const stubs = `
_arguments() { print -r -- "_arguments \${(j:,:)words} $CURRENT"; print -rl -- "$@" }
_describe() { print -r -- "_describe $1"; print -rl -- "\${(@P)2}" }
_normal() { print -r -- "_normal \${(j:,:)words} $CURRENT" }
compdef() { print -r -- "compdef $*" }
source '${path}'
`;
      const complete = async (words: string[]) => {
        const result = await shell("zsh", [
          "-f",
          "-c",
          `${stubs}\nwords=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}\n` +
          "_opencode_claude_code_auth",
        ]);
        assert.equal(result.code, 0, result.stderr);
        return result.stdout.split("\n").filter(Boolean);
      };
      const first = await complete([PROGRAM, ""]);
      assert.equal(first[0], `compdef _opencode_claude_code_auth ${PROGRAM}`);
      assert.equal(first[1], "_describe command");
      assert.deepEqual(first.slice(2).map((l) => l.split(":")[0]), COMMAND_NAMES);
      const login = await complete([PROGRAM, "login", "--method", ""]);
      // _arguments must see the words from the command's name on, as `login --method ...`.
      assert.equal(login[1], "_arguments login,--method, 3");
      assert(
        login.includes(
          `--method=[sign-in method (asked interactively when omitted on a terminal)]:METHOD:(${
            METHODS.join(" ")
          })`,
        ),
        login.join("\n"),
      );
      const status = await complete([PROGRAM, "status", "--"]);
      for (const option of ["--json[", "--check[", "--quiet[", "--auth-file=["]) {
        assert(status.some((l) => l.startsWith(option)), `${option}: ${status.join("\n")}`);
      }
      assert(!status.some((l) => l.startsWith("--method")));
      const shellArg = await complete([PROGRAM, "completions", ""]);
      assert(shellArg.includes("1:shell:(bash zsh fish)"), shellArg.join("\n"));
      // After `run --`, the command line to run is completed on its own.
      const run = await complete([PROGRAM, "run", "--", "open"]);
      assert.equal(run.at(-1), "_normal open 1");
    });
  },
});

Deno.test({
  name: "fish: the script passes fish --no-execute and completes commands and --method",
  ignore: !installed("fish"),
  fn: async () => {
    await withSandbox(async (box) => {
      const path = await script(box, "fish");
      const syntax = await shell("fish", ["--no-execute", path]);
      assert.equal(syntax.code, 0, syntax.stderr);
      const complete = async (line: string) => {
        const result = await shell("fish", [
          "--no-config",
          "-c",
          `source '${path}'; complete -C '${line}'`,
        ]);
        assert.equal(result.code, 0, result.stderr);
        return result.stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]);
      };
      assert.deepEqual((await complete(`${PROGRAM} `)).sort(), [...COMMAND_NAMES].sort());
      // Only the three methods: no file names mixed in.
      assert.deepEqual((await complete(`${PROGRAM} login --method `)).sort(), [...METHODS].sort());
      assert.deepEqual((await complete(`${PROGRAM} completions `)).sort(), ["bash", "fish", "zsh"]);
      const status = await complete(`${PROGRAM} status --`);
      for (const option of ["--json", "--check", "--auth-file", "--debug", "--quiet"]) {
        assert(status.includes(option), `${option}: ${status.join(" ")}`);
      }
    });
  },
});

for (const name of ["zsh", "fish"]) {
  if (!installed(name)) {
    console.warn(
      `note: ${name} is not installed, so its completion script was not run through ${name} ` +
        `(apt-get install ${name} to check it)`,
    );
  }
}

/**
 * `completions bash|zsh|fish|powershell`: each script comes from the command
 * table (every command, the --method choices), is valid for its shell, and
 * completes what a user would expect, driven through the real shell: global
 * options with a value before the command, a command's argument offered once,
 * `help` topics, the command line after `run --`. bash is always there; zsh,
 * fish and pwsh are run when installed (Debian: `apt-get install zsh fish`)
 * and otherwise skipped with a visible note; the PowerShell script then gets
 * a structural check (balanced brackets and quotes, the registration).
 */

import assert from "node:assert/strict";
import { COMMANDS } from "../../lib/cli.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";

const PROGRAM = "opencode-claude-code-auth";
const METHODS = ["claude-code", "browser", "api-key", "setup-token"];
const COMMAND_NAMES = [
  "login",
  "switch",
  "status",
  "token",
  "refresh",
  "logout",
  "doctor",
  "run",
  "service",
  "completions",
];
const GLOBALS = ["--auth-file", "--debug", "--quiet", "--help", "--version"];
const SHELLS = ["bash", "zsh", "fish", "powershell"];
const ACTIONS = ["install", "uninstall", "status"];
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
async function script(
  box: Sandbox,
  name: "bash" | "zsh" | "fish" | "powershell",
): Promise<string> {
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

for (const name of ["bash", "zsh", "fish", "powershell"] as const) {
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
          "--expires",
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
    const result = await box.run(["completions", "tcsh"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
  });
});

Deno.test("bash: the script passes bash -n and completes commands, options and --method", async () => {
  await withSandbox(async (box) => {
    const path = await script(box, "bash");
    const syntax = await shell("bash", ["-n", path]);
    assert.equal(syntax.code, 0, syntax.stderr);
    // A command only this sandbox has, for `run -- <TAB>`.
    await box.installExecutable("opencode-claude-code-fake-cmd", "#!/bin/sh\n");
    const complete = (words: string[]) =>
      shell("bash", [
        "-c",
        `PATH='${box.bin}':/usr/bin:/bin; source '${path}'; COMP_WORDS=(${
          words.map((w) => `'${w}'`).join(" ")
        }); COMP_CWORD=${
          words.length - 1
        }; _opencode_claude_code_auth; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
    const lines = async (words: string[]) => {
      const result = await complete(words);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.split("\n").filter(Boolean);
    };
    assert.deepEqual(await lines([PROGRAM, ""]), [...COMMAND_NAMES, "help"]);
    assert.deepEqual(await lines([PROGRAM, "-"]), GLOBALS);
    assert.deepEqual(await lines([PROGRAM, "lo"]), ["login", "logout"]);
    assert.deepEqual(await lines([PROGRAM, "login", "--method", ""]), METHODS);
    assert.deepEqual(await lines([PROGRAM, "--debug", "login", "--method", "b"]), ["browser"]);
    // bash splits `--method=b` at "=" (COMP_WORDBREAKS).
    assert.deepEqual(await lines([PROGRAM, "login", "--method", "=", "b"]), ["browser"]);
    assert.deepEqual(await lines([PROGRAM, "status", "--"]), [
      "--json",
      "--check",
      "--auth-file",
      "--debug",
      "--quiet",
      "--help",
    ]);
    assert.deepEqual(await lines([PROGRAM, "completions", ""]), SHELLS);
    // A global option's value before the command is not the command.
    for (const before of [["--auth-file", "/tmp/a b.json"], ["--auth-file", "=", "/x"]]) {
      assert.deepEqual(await lines([PROGRAM, ...before, ""]), [...COMMAND_NAMES, "help"]);
      assert.deepEqual(await lines([PROGRAM, ...before, "st"]), ["status"]);
      assert.deepEqual(await lines([PROGRAM, ...before, "login", "--method", ""]), METHODS);
      assert.deepEqual(await lines([PROGRAM, ...before, "service", ""]), ACTIONS);
    }
    // Its value is a file name.
    const dir = await Deno.makeTempDir({ dir: box.root });
    await Deno.writeTextFile(`${dir}/auth.json`, "{}");
    assert.deepEqual(await lines([PROGRAM, "--auth-file", `${dir}/au`]), [`${dir}/auth.json`]);
    // An argument is offered once: after `service install`, its options only.
    assert.deepEqual(await lines([PROGRAM, "service", ""]), ACTIONS);
    const afterInstall = await lines([PROGRAM, "service", "install", ""]);
    assert(!afterInstall.some((w) => ACTIONS.includes(w)), afterInstall.join(" "));
    assert(afterInstall.includes("--dry-run") && afterInstall.includes("--every"));
    assert.deepEqual(await lines([PROGRAM, "service", "install", "--every", ""]), []);
    // help: the commands and the topics; then nothing.
    assert.deepEqual(await lines([PROGRAM, "help", ""]), [...COMMAND_NAMES, "environment"]);
    assert.deepEqual(await lines([PROGRAM, "help", "env"]), ["environment"]);
    assert.deepEqual(await lines([PROGRAM, "help", "login", ""]), []);
    // run: `--`, then the command to run (a command name, then file names).
    assert.deepEqual(await lines([PROGRAM, "run", ""]), ["--"]);
    assert.deepEqual([...new Set(await lines([PROGRAM, "run", "--", "opencode-claude-cod"]))], [
      "opencode-claude-code-fake-cmd",
    ]);
    assert.deepEqual(await lines([PROGRAM, "run", "--", "ls", `${dir}/au`]), [`${dir}/auth.json`]);
    assert.deepEqual(await lines([PROGRAM, "run", "--", "ls", "--me"]), [], "not our --method");
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
      assert.deepEqual(first.slice(2).map((l) => l.split(":")[0]), [...COMMAND_NAMES, "help"]);
      // Global options with a value before the command are skipped.
      const after = await complete([
        PROGRAM,
        "--auth-file",
        "/tmp/a.json",
        "login",
        "--method",
        "",
      ]);
      assert.equal(after[1], "_arguments login,--method, 3");
      const atCommand = await complete([PROGRAM, "--auth-file", "/tmp/a.json", ""]);
      assert.equal(atCommand[1], "_describe command");
      const atValue = await complete([PROGRAM, "--auth-file", ""]);
      assert.match(atValue[1], /^_arguments /);
      assert(atValue.some((l) => l.startsWith("--auth-file=[") && l.endsWith(":_files")));
      const help = await complete([PROGRAM, "help", ""]);
      assert(
        help.includes(`1:topic:(${[...COMMAND_NAMES, "environment"].join(" ")})`),
        help.join("\n"),
      );
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
      assert(shellArg.includes("1:shell:(bash zsh fish powershell)"), shellArg.join("\n"));
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
      assert.deepEqual((await complete(`${PROGRAM} `)).sort(), [...COMMAND_NAMES, "help"].sort());
      assert.deepEqual(
        (await complete(`${PROGRAM} --auth-file /tmp/a.json `)).sort(),
        [...COMMAND_NAMES, "help"].sort(),
      );
      assert.deepEqual((await complete(`${PROGRAM} service `)).sort(), [...ACTIONS].sort());
      const afterInstall = await complete(`${PROGRAM} service install `);
      assert(!afterInstall.some((w) => ACTIONS.includes(w)), afterInstall.join(" "));
      assert.deepEqual(
        (await complete(`${PROGRAM} help `)).sort(),
        [...COMMAND_NAMES, "environment"].sort(),
      );
      assert.deepEqual(await complete(`${PROGRAM} help login `), []);
      assert.deepEqual(await complete(`${PROGRAM} run `), ["--"]);
      assert((await complete(`${PROGRAM} run -- ech`)).includes("echo"));
      // Only the three methods: no file names mixed in.
      assert.deepEqual((await complete(`${PROGRAM} login --method `)).sort(), [...METHODS].sort());
      assert.deepEqual((await complete(`${PROGRAM} completions `)).sort(), [...SHELLS].sort());
      const status = await complete(`${PROGRAM} status --`);
      for (const option of ["--json", "--check", "--auth-file", "--debug", "--quiet"]) {
        assert(status.includes(option), `${option}: ${status.join(" ")}`);
      }
    });
  },
});

for (const name of ["zsh", "fish", "pwsh"]) {
  if (!installed(name)) {
    console.warn(
      `note: ${name} is not installed, so its completion script was not run through ${name} ` +
        `(apt-get install ${name} to check it)`,
    );
  }
}

/**
 * The PowerShell script's structure, by PowerShell's lexical rules: brackets
 * balanced outside strings and comments, every string closed (a single
 * quote doubled inside single quotes, a backtick escaping inside double
 * quotes). Returns the problems found.
 */
function powershellProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "'") {
      for (i++;; i++) {
        if (i >= text.length) return [...problems, "unterminated '...' string"];
        if (text[i] === "'" && text[i + 1] === "'") i++;
        else if (text[i] === "'") break;
      }
    } else if (ch === '"') {
      for (i++;; i++) {
        if (i >= text.length) return [...problems, 'unterminated "..." string'];
        if (text[i] === "`") i++;
        else if (text[i] === '"') break;
      }
    } else if ("({[".includes(ch)) {
      stack.push(ch);
    } else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) problems.push(`unbalanced ${ch} at offset ${i}`);
    }
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join("")}`);
  return problems;
}

Deno.test("powershell: the script is well formed and registers a native completer from the table", async () => {
  await withSandbox(async (box) => {
    const text = await Deno.readTextFile(await script(box, "powershell"));
    assert.deepEqual(powershellProblems(text), []);
    // The checker itself finds what it must.
    assert.notDeepEqual(powershellProblems("@('a', 'b'"), []);
    assert.notDeepEqual(powershellProblems("'it''s"), []);
    assert.deepEqual(powershellProblems("'it''s' # )"), []);
    assert.match(
      text,
      new RegExp(
        `^Register-ArgumentCompleter -Native -CommandName @\\('${PROGRAM}', '${PROGRAM}\\.exe'\\) -ScriptBlock \\{$`,
        "m",
      ),
    );
    assert.match(text, /^ {2}param\(\$wordToComplete, \$commandAst, \$cursorPosition\)$/m);
    assert.match(text, /^ {4}'service' = @\('install', 'uninstall', 'status'\)$/m);
    assert.match(
      text,
      new RegExp(
        `^ {4}'help' = @\\(${
          [...COMMAND_NAMES, "environment"].map((w) => `'${w}'`).join(", ")
        }\\)$`,
        "m",
      ),
    );
    assert.match(
      text,
      new RegExp(`^ {4}'--method' = @\\(${METHODS.map((m) => `'${m}'`).join(", ")}\\)$`, "m"),
    );
    const valued = /^ {2}\$valued = @\((.*)\)$/m.exec(text)![1];
    for (const option of ["--auth-file", "--method", "--every", "--ahead"]) {
      assert(valued.includes(`'${option}'`), `${option} takes a value: ${valued}`);
    }
    assert.match(text, /^ {2}\$runners = @\('run'\)$/m);
    for (const command of COMMAND_NAMES) {
      assert.match(text, new RegExp(`^ {4}'${command}' = @\\(`, "m"));
    }
    // No bash-isms that PowerShell would read differently.
    assert.doesNotMatch(text, /\$\{|\[\[|compgen|\bfi\b|\besac\b/);
  });
});

/** PowerShell's own completion of `line` (TabExpansion2), when pwsh is installed. */
async function pwshComplete(path: string, line: string): Promise<string[]> {
  const command = `. '${path}'; (TabExpansion2 -inputScript '${line.replaceAll("'", "''")}' ` +
    `-cursorColumn ${line.length}).CompletionMatches | ForEach-Object { $_.CompletionText }`;
  const result = await shell("pwsh", ["-NoProfile", "-NonInteractive", "-Command", command]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split(/\r?\n/).filter(Boolean);
}

Deno.test({
  name:
    "powershell: pwsh completes commands, --method, global options before the command, help and run",
  ignore: !installed("pwsh"),
  fn: async () => {
    await withSandbox(async (box) => {
      const path = await script(box, "powershell");
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} `), [...COMMAND_NAMES, "help"]);
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} login --method `), METHODS);
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} --auth-file x.json st`), ["status"]);
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} service `), ACTIONS);
      const afterInstall = await pwshComplete(path, `${PROGRAM} service install --`);
      assert(!afterInstall.some((w) => ACTIONS.includes(w)));
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} help env`), ["environment"]);
      assert.deepEqual(await pwshComplete(path, `${PROGRAM} run `), ["--"]);
    });
  },
});

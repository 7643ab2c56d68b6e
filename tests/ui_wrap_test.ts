/**
 * Long lines (issue 18, item 13): on a terminal, human messages wrap at its
 * width on spaces, never inside a URL, a path or a `quoted command`, with
 * continuation lines indented; off a terminal every message stays one line
 * (scripts grep stderr). `wrapLine` and `Ui` in-process; then a first hour
 * run on a real pseudo-terminal 80 columns wide (`script`): the README's
 * commands in order, no line over the width.
 */

import assert from "node:assert/strict";
import { type Io, Ui, wrapLine } from "../lib/ui.ts";
import { registerSecret } from "../lib/redact.ts";
import { memoryIo } from "./helpers/context.ts";
import { CLI_FLAGS, MAIN, type Sandbox, withSandbox } from "./helpers/sandbox.ts";
import { freshTokens, writeClaudeFile } from "./helpers/claude_code_session.ts";

const LINK =
  "https://github.com/OWNER/opencode-claude-code-auth/blob/main/docs/usage.md#which-sign-in-method-should-i-use";

/** Columns of a line as a terminal shows it (colour codes take none). */
function width(line: string): number {
  // deno-lint-ignore no-control-regex
  return [...line.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/**
 * Every line fits in `max` columns, or is one unbreakable unit (a URL, a
 * path) after its lead and indentation.
 */
function assertFits(text: string, max: number, what: string): void {
  for (const line of text.split(/\r?\n/)) {
    if (width(line) <= max) continue;
    const unit = line.replace(/^(error:|warning:|hint:|✓)?\s*/, "");
    assert(
      /^([^\s`]*`[^`]*`|'[^']*'|\S)\S*$/.test(unit),
      `${what}: a line over ${max} columns:\n${line}\n---\n${text}`,
    );
  }
}

Deno.test("wrapLine: a line that fits is unchanged; a long one breaks at spaces within the width", () => {
  assert.deepEqual(wrapLine("short enough", 80), ["short enough"]);
  const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
  const lines = wrapLine(words, 40);
  assert(lines.length > 1);
  for (const line of lines) assert(line.length <= 40, line);
  assert.equal(lines.map((l) => l.trim()).join(" "), words, "no word lost or cut");
  for (const line of lines.slice(1)) assert.match(line, /^ {2}\S/, "continuations indented");
});

Deno.test("wrapLine: a URL, a path, a `command with spaces` and a 'quoted path' stay whole", () => {
  const text = `see ${LINK} or run \`opencode-claude-code-auth login --method api-key\` ` +
    `for '/Users/Jane Doe/My Folder/auth.json' and /very/long/path/${"x".repeat(70)}/auth.json`;
  const lines = wrapLine(text, 50, 9);
  const joined = lines.map((l) => l.trim()).join(" ");
  assert.equal(joined, text);
  assert(lines.some((l) => l.trim() === LINK), "the URL alone on its line");
  assert(lines.some((l) => l.includes("`opencode-claude-code-auth login --method api-key`")));
  assert(lines.some((l) => l.includes("'/Users/Jane Doe/My Folder/auth.json'")));
  // After a lead of 9 columns, continuations line up under the text.
  for (const line of lines.slice(1)) assert.match(line, /^ {9}\S/);
  const units = [LINK, "`opencode-claude-code-auth login --method api-key`"];
  for (const [i, line] of lines.entries()) {
    if ((i === 0 ? 9 : 0) + line.length > 50) {
      assert(units.includes(line.trim()) || !/\s/.test(line.trim()), `cut where it fits: ${line}`);
    }
  }
});

Deno.test("wrapLine: the message's own indentation is kept, continuations go two further", () => {
  const lines = wrapLine(`  wrote ${"/a/b".repeat(5)} and then some more words to wrap`, 30);
  assert.equal(lines[0].slice(0, 2), "  ");
  for (const line of lines.slice(1)) assert.match(line, /^ {4}\S/);
});

/** A Ui over recorded streams that say stderr is a terminal `columns` wide (or not one). */
function terminalUi(columns: number | undefined, color = false): { ui: Ui; err: () => string } {
  const io = memoryIo();
  const terminal: Io = {
    ...io,
    stderrIsTerminal: () => columns !== undefined,
    stderrColumns: () => columns,
    writeErr: (text) => io.writeErr(text),
  };
  return { ui: new Ui(terminal, { debug: true, quiet: false, color }), err: () => io.err };
}

const LONG_WARNING =
  "an oauth entry was stored, but no plugin in OpenCode's config consumes it: OpenCode 1.3 and " +
  "later use only an api entry natively; to make OpenCode work as it is, run " +
  `\`opencode-claude-code-auth login --method api-key\`, or see ${LINK}`;

Deno.test("Ui on an 80-column terminal: warnings, errors, hints and info wrap; debug does not", () => {
  const secret = "sk-ant-oat01-WRAP-SECRET-0123456789abcdefghij";
  registerSecret(secret);
  const { ui, err: recorded } = terminalUi(80, true);
  ui.warn(LONG_WARNING);
  ui.error(`the token ${secret} was refused by the server for reasons that take many words`);
  ui.hint(
    "sign in with a method that refreshes (`opencode-claude-code-auth login --method claude-code`" +
      " or `--method browser`), or install anyway",
  );
  ui.info(LONG_WARNING);
  ui.success(LONG_WARNING);
  ui.debug(LONG_WARNING);
  const err = recorded();
  assert(!err.includes(secret), "scrubbed before wrapping");
  const lines = err.split("\n");
  const debug = lines.find((l) => l.startsWith("debug: "))!;
  assert.equal(debug, `debug: ${LONG_WARNING}`, "debug stays one line");
  assertFits(err.replace(/^debug: .*$/m, ""), 80, "terminal");
  assert(err.includes("\x1b[33mwarning:\x1b[0m an oauth entry"), "the coloured lead");
  assert(err.includes("\x1b[31merror:\x1b[0m the token sk-ant-oat01-…"), "scrubbed");
  assert.match(err, /^hint: sign in with a method that refreshes$/m);
  assert.match(err, /^ {6}\(`opencode-claude-code-auth login --method claude-code` or$/m);
  // Continuations of "warning: " line up under its text.
  const warning = lines.findIndex((l) => l.includes("warning:"));
  assert.match(lines[warning + 1], /^ {9}\S/);
});

Deno.test("Ui off a terminal: every message stays one line, for scripts", () => {
  for (const { ui, err } of [terminalUi(undefined), terminalUi(undefined, true)]) {
    ui.warn(LONG_WARNING);
    ui.error(LONG_WARNING);
    ui.info(LONG_WARNING);
    assert.equal(err().split("\n").filter(Boolean).length, 3);
  }
  // A narrow terminal still gets lines of 40 columns, not one word each.
  const narrow = terminalUi(12);
  narrow.ui.warn(LONG_WARNING);
  assertFits(narrow.err(), 40, "narrow");
  assert(narrow.err().split("\n").some((l) => width(l) > 30));
});

// ---------------------------------------------------------------- a first hour on a terminal

/** sh-quoted. */
const sh = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Run `command` (a shell command line) on an 80x24 pseudo-terminal through
 * `script`. Unless `stdoutToo`, stdout is redirected to a file, so the
 * terminal shows stderr alone.
 */
async function onTerminal(
  box: Sandbox,
  command: string,
  options: { cwd?: string; stdoutToo?: boolean } = {},
): Promise<{ code: number; stderr: string; stdout: string }> {
  const out = `${box.root}/stdout.txt`;
  await Deno.writeTextFile(out, "");
  const redirect = options.stdoutToo ? "" : ` >${sh(out)}`;
  const cwd = options.cwd ?? box.root;
  const output = await new Deno.Command(SCRIPT!, {
    args: ["-q", "-e", "-c", `${STTY} cols 80 rows 24; ${command}${redirect}`, "/dev/null"],
    cwd,
    env: { TERM: "xterm", ...box.runEnv() },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stdout).replaceAll("\r\n", "\n");
  const stdout = await Deno.readTextFile(out).catch(() => "");
  return { code: output.code, stderr, stdout };
}

/** The first of `paths` that is a file. */
function findFile(...paths: string[]): string | undefined {
  return paths.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** util-linux `script` (runs a command on a new pseudo-terminal) and `stty`. */
const SCRIPT = findFile("/usr/bin/script", "/bin/script");
const STTY = findFile("/usr/bin/stty", "/bin/stty") ?? "stty";

Deno.test({
  name: "a first hour on an 80-column terminal: the README's commands in order, no line over 80",
  ignore: !SCRIPT || Deno.build.os !== "linux",
  fn: async () => {
    await withSandbox(async (box) => {
      const cli = [Deno.execPath(), "run", ...CLI_FLAGS, MAIN].map(sh).join(" ");
      const root = new URL("..", import.meta.url).pathname;
      const key = "sk-ant-api03-FIRST-HOUR-0123456789abcdefghij";
      box.plant(key);

      // The README's first command: no 600-character "Task start deno run …" echo.
      const first = await onTerminal(
        box,
        `${sh(Deno.execPath())} task -q start status </dev/null`,
        { cwd: root, stdoutToo: true },
      );
      assert.equal(first.code, 4, first.stderr);
      assert.doesNotMatch(first.stderr, /Task start|deno run/);
      assert.match(first.stderr, /^Not signed in/m, "the report, wrapped on the terminal");
      assertFits(first.stderr, 80, "status");

      // A Claude Code user signs in: the long "no plugin consumes an oauth entry" warning wraps.
      const tokens = freshTokens(box);
      await writeClaudeFile(box, tokens);
      const claude = await onTerminal(box, `${cli} login --method claude-code </dev/null`);
      assert.equal(claude.code, 0, claude.stderr);
      assertFits(claude.stderr, 80, "login --method claude-code");

      // The README's CI path: the key on stdin.
      const login = await onTerminal(
        box,
        `printf '%s' ${sh(key)} | ${cli} login --method api-key`,
      );
      assert.equal(login.code, 0, login.stderr);
      assertFits(login.stderr, 80, "login --method api-key");

      for (
        const [args, code] of [
          ["status", 0],
          ["status --json", 0],
          ["token", 0],
          ["refresh", 0],
          ["doctor", null],
          ["service install --dry-run", 2],
          ["help environment", 0],
          ["logout", 0],
        ] as const
      ) {
        const result = await onTerminal(box, `${cli} ${args} </dev/null`, {
          stdoutToo: args === "status",
        });
        if (code !== null) assert.equal(result.code, code, `${args}: ${result.stderr}`);
        assertFits(result.stderr, 80, args);
        assert.doesNotMatch(result.stderr, /unexpected error/, args);
        if (args !== "token") {
          assert(!result.stdout.includes(key) && !result.stderr.includes(key), args);
        }
      }
    });
  },
});

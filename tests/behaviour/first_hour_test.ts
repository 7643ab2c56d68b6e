/**
 * The first hour of a new user, as the README walks it: spawned under the
 * README's exact permission flags in a fresh sandbox (fake Anthropic server,
 * fake `claude` and `opencode`), each command in the order a user meets it.
 * Every output is checked for what makes a first hour rough: a line wider
 * than the terminal, and a warning that does not apply to what the user did.
 */

import assert from "node:assert/strict";
import { unwrapReport } from "../helpers/report.ts";
import { type RunResult, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { freshTokens, writeClaudeFile } from "../helpers/claude_code_session.ts";
import { claudePayload, installFakeClaude } from "../fakes/claude_code.ts";
import { driveBrowserLogin, findAuthorizeUrl, withFake } from "../helpers/browser_login.ts";

/**
 * The widest line any output may have. Human output is to wrap at 80 columns
 * (issue 18, item 13); tighten this once it does.
 */
export const MAX_COLUMNS = 100;

/**
 * Lines known to be wider, until human output wraps at the terminal's width
 * (issue 18, item 13, in lib/ui.ts): then this list is emptied.
 */

const KEY = "sk-ant-api03-FIRSTHOUR-abcdefghijklmnopqrstuvwxyz0123456789";
const README = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));

/**
 * A line as the user sees it: the sandbox's folders replaced by the usual
 * ones of a home called /home/me, so a long temporary path does not count.
 */
function asUserSees(box: Sandbox, line: string): string {
  return line
    .replaceAll(box.dataHome, "/home/me/.local/share")
    .replaceAll(box.configHome, "/home/me/.config")
    .replaceAll(box.home, "/home/me")
    .replaceAll(box.bin, "/usr/local/bin")
    .replaceAll(box.root, "/tmp/x");
}

/** One step of the walk: the command, what it should exit with, and the warnings that apply. */
interface Step {
  args: string[];
  code: number;
  stdin?: string;
  env?: Record<string, string>;
  /** Warning lines (`warning: …`, doctor's `warn …`) that apply here; any other fails. */
  warnings?: RegExp[];
  /** What the output must say. */
  says?: RegExp;
  allowOnStdout?: string[];
}

/** Fail on a line wider than MAX_COLUMNS and on any warning `step` does not expect. */
function assertFirstHourOutput(
  box: Sandbox,
  step: Pick<Step, "args" | "warnings">,
  result: RunResult,
) {
  const what = `\`${step.args.join(" ")}\``;
  const url = findAuthorizeUrl(result.stderr);
  for (const stream of [result.stdout, result.stderr]) {
    for (const raw of stream.split("\n")) {
      // The sign-in URL is one token: it cannot be wrapped and is not text to read.
      if ((url && raw.trim() === url)) continue;
      const line = asUserSees(box, raw);
      assert(
        [...line].length <= MAX_COLUMNS,
        `${what}: a line of ${[...line].length} columns (over ${MAX_COLUMNS}):\n${line}`,
      );
    }
  }
  const warnings = result.stderr.split("\n").filter((l) => /^(warning:|warn )/.test(l));
  for (const warning of warnings) {
    assert(
      (step.warnings ?? []).some((expected) => expected.test(warning)),
      `${what}: a warning that does not apply:\n${warning}`,
    );
  }
}

async function walk(box: Sandbox, steps: Step[], env: Record<string, string> = {}) {
  for (const step of steps) {
    const result = await box.run(step.args, {
      stdin: step.stdin,
      env: { ...env, ...step.env },
      allowOnStdout: step.allowOnStdout,
    });
    assert.equal(result.code, step.code, `\`${step.args.join(" ")}\`:\n${result.stderr}`);
    if (step.says) assert.match(result.stdout + unwrapReport(result.stderr), step.says);
    assertFirstHourOutput(box, step, result);
  }
}

/** A user's machine: OpenCode installed (its `--version`), nothing signed in. */
async function newUsersMachine(box: Sandbox): Promise<void> {
  await box.installExecutable(
    "opencode",
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo 1.18.33; exit 0; fi\nexit 1\n`,
  );
}

/** OpenCode's config with a plugin that consumes `oauth` entries. */
async function addOAuthPlugin(box: Sandbox): Promise<void> {
  await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
  await Deno.writeTextFile(
    `${box.configHome}/opencode/opencode.json`,
    JSON.stringify({ plugin: ["opencode-anthropic-auth"] }),
  );
}

Deno.test("the README names the commands this walk runs", () => {
  for (
    const command of ["status", "login --method api-key", "token", "doctor", "refresh", "logout"]
  ) {
    assert(README.includes(command), `the README no longer shows \`${command}\``);
  }
  assert(README.includes("login --from-env ANTHROPIC_API_KEY"), "the README's CI job changed");
});

Deno.test("first hour with an API key (the README's advice): no line too wide, no warning that does not apply", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    await newUsersMachine(box);
    await walk(box, [
      { args: ["--help"], code: 0 },
      { args: ["status"], code: 4, says: /Not signed in/ },
      { args: ["doctor"], code: 1, says: /auth file: .*does not exist/ },
      { args: ["login", "--help"], code: 0, says: /--from-env NAME/ },
      { args: ["login", "--method", "api-key"], code: 0, stdin: `${KEY}\n`, says: /Signed in/ },
      { args: ["status"], code: 0, says: /API key/ },
      { args: ["token"], code: 0, allowOnStdout: [KEY] },
      { args: ["doctor"], code: 0, says: /No check failed/ },
      { args: ["refresh"], code: 0 },
      // The README's CI job, on the next machine day.
      {
        args: ["login", "--from-env", "ANTHROPIC_API_KEY"],
        code: 0,
        env: { ANTHROPIC_API_KEY: KEY },
      },
      { args: ["help", "environment"], code: 0 },
      { args: ["logout"], code: 0 },
      { args: ["status"], code: 4 },
    ]);
  });
});

Deno.test("first hour with Claude Code and an OpenCode plugin: no line too wide, no warning that does not apply", async () => {
  await withSandbox(async (box) => {
    await newUsersMachine(box);
    await addOAuthPlugin(box);
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await installFakeClaude(box, { mode: "fail", next: claudePayload(tokens) });
    await walk(box, [
      { args: ["login", "--method", "claude-code"], code: 0, says: /Claude Code session/ },
      { args: ["status"], code: 0 },
      { args: ["token"], code: 0, allowOnStdout: [tokens.accessToken] },
      { args: ["doctor"], code: 0, says: /No check failed/ },
      { args: ["refresh", "--ahead", "15m"], code: 0 },
    ]);
  });
});

Deno.test("first hour with the browser sign-in and no plugin: the one warning is the one that applies", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await newUsersMachine(box);
      const login = await driveBrowserLogin(box, fake);
      assert.equal(login.code, 0, login.stderr);
      const notConsumed = /OpenCode 1\.3\+ ignores an `oauth` entry without a plugin/;
      assertFirstHourOutput(box, {
        args: ["login", "--method", "browser"],
        warnings: [notConsumed],
      }, login);
      assert.match(login.stderr, notConsumed);
      await walk(box, [
        { args: ["status"], code: 0 },
        { args: ["doctor"], code: 0, warnings: [/^warn +oauth entry use/] },
      ], fake.env());
    })
  );
});

/**
 * `login --method claude-code`, the interactive picker (on a real
 * pseudo-terminal), and `status` for a Claude Code session. In-process
 * (`box.runInProcess`). Spawned: the two picker tests (a real pty) and "no
 * spinner when stderr is not a terminal" (a real process's terminal detection).
 */

import assert from "node:assert/strict";
import { claudePayload, installFakeClaude } from "../fakes/claude_code.ts";
import { assertCleanError, modeOf, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import {
  assertStored,
  freshTokens,
  runOnPty,
  seedClaudeSession,
  staleClaudeSession,
  staleTokens,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";
import { OAUTH_NOT_CONSUMED } from "../../lib/opencode/config.ts";
import { onlyAuthJson } from "../helpers/stores.ts";
import { ReleaseFile } from "../helpers/wait.ts";

const LOGIN = ["login", "--method", "claude-code"];

Deno.test("login --method claude-code stores the oauth entry, records the source and warns once that OpenCode needs a plugin", async () => {
  await withSandbox(async (box) => {
    box.plant("sk-openai-PLANTED-keep-me-0123");
    await box.writeAuth({ openai: { type: "api", key: "sk-openai-PLANTED-keep-me-0123" } });
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    await assertStored(box, tokens);
    const auth = await box.readAuth();
    assert.deepEqual(auth.openai, { type: "api", key: "sk-openai-PLANTED-keep-me-0123" });
    assert.equal(await modeOf(box.authFile), 0o600);
    const state = JSON.parse(await Deno.readTextFile(box.stateFile));
    assert.equal(state.anthropic.source, "claude-code-session");
    assert.equal(await modeOf(box.stateFile), 0o600);
    assert.match(result.stderr, /Signed in with Claude Code session/);

    const warnings = result.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    assert.equal(warnings.length, 1, result.stderr);
    assert.equal(warnings[0], `warning: ${OAUTH_NOT_CONSUMED.warning}`);
    assert.match(warnings[0], /Anthropic API key is missing/);
    // The fix follows on its own line.
    const fix = result.stderr.split("\n").find((l) => l.startsWith("hint: "));
    assert.equal(fix, `hint: ${OAUTH_NOT_CONSUMED.fix}`);
    assert.match(fix, /--method api-key/);
    assert.match(fix, /--create-api-key/);
  });
});

for (
  const [name, file, content] of [
    ["opencode.json plugin list", "opencode.json", { plugin: ["opencode-anthropic-auth"] }],
    [
      "opencode.jsonc with comments and a versioned plugin",
      "opencode.jsonc",
      '{\n  // auth\n  "$schema": "https://opencode.ai/config.json",\n  "plugin": ["opencode-anthropic-auth@0.0.13",],\n}\n',
    ],
  ] as const
) {
  Deno.test(`login --method claude-code does not warn when OpenCode has a plugin for it (${name})`, async () => {
    await withSandbox(async (box) => {
      await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
      await Deno.writeTextFile(
        `${box.configHome}/opencode/${file}`,
        typeof content === "string" ? content : JSON.stringify(content),
      );
      await writeClaudeFile(box, freshTokens(box));
      const result = await box.runInProcess(LOGIN);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /warning:/);
    });
  });
}

Deno.test("login --method claude-code without Claude Code's sign-in: exit 4, nothing written", async () => {
  await withSandbox(async (box) => {
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(result, "no Claude Code sign-in found");
    assert.match(result.stderr, /claude auth login/);
    assert.equal(await box.readAuthText(), null);
    await assert.rejects(Deno.stat(box.stateFile));
  });
});

Deno.test("status and status --json for a Claude Code session: fresh, stale but refreshable (exit 0), not refreshable (exit 4)", async () => {
  await withSandbox(async (box) => {
    const fresh = freshTokens(box);
    await writeClaudeFile(box, fresh);
    const login = await box.runInProcess(LOGIN);
    assert.equal(login.code, 0, login.stderr);
    const claude = await installFakeClaude(box, { mode: "fail" });

    const json = await box.runInProcess(["status", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout.trim().split("\n").length, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      loggedIn: true,
      method: "claude-code",
      type: "oauth",
      authFile: box.authFile,
      expiresAt: fresh.expiresAt,
      fresh: true,
      account: null,
      stores: onlyAuthJson(box.authFile, {
        method: "claude-code",
        type: "oauth",
        expiresAt: fresh.expiresAt,
      }),
    });
    const human = await box.runInProcess(["status"]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stderr, "");
    assert.match(human.stdout, /Signed in with Claude Code session/);
    assert.match(human.stdout, /expires in/);

    // Stale in auth.json, but Claude Code's credentials are there: refreshable.
    const stale = staleTokens(box);
    await seedClaudeSession(box, stale);
    await writeClaudeFile(box, stale);
    const staleJson = await box.runInProcess(["status", "--json"]);
    assert.equal(staleJson.code, 0, staleJson.stderr);
    const parsed = JSON.parse(staleJson.stdout);
    assert.equal(parsed.fresh, false);
    assert.equal(parsed.loggedIn, true);
    assert.equal(parsed.method, "claude-code");
    assert.equal(parsed.expiresAt, stale.expiresAt);
    const staleHuman = await box.runInProcess(["status"]);
    assert.equal(staleHuman.code, 0, staleHuman.stderr);
    assert.match(staleHuman.stdout, /stale/);
    assert.match(staleHuman.stdout, /Claude Code/);
    // status never runs claude.
    assert.deepEqual(await claude.runs(), []);

    // Stale and Claude Code's credentials gone: sign-in required.
    await Deno.remove(`${box.home}/.claude`, { recursive: true });
    const gone = await box.runInProcess(["status", "--json"]);
    assert.equal(gone.code, 4, gone.stderr);
    assert.equal(JSON.parse(gone.stdout).fresh, false);
    const goneHuman = await box.runInProcess(["status"]);
    assert.equal(goneHuman.code, 4);
    assert.match(goneHuman.stdout, /not usable: Claude Code's credentials were not found/);
  });
});

Deno.test("login without --method and without a terminal is exit 2 naming --method, even with Claude Code signed in", async () => {
  await withSandbox(async (box) => {
    await writeClaudeFile(box, freshTokens(box));
    const result = await box.runInProcess(["login"]);
    assert.equal(result.code, 2, result.stderr);
    assertCleanError(result, "--method");
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("the picker on a terminal pre-selects Claude Code when its sign-in exists; Enter accepts (and refreshes with a spinner)", async () => {
  await withSandbox(async (box) => {
    // `claude` stays busy until the spinner has been seen on the terminal.
    const go = new ReleaseFile(`${box.root}/claude-go`);
    const { next, claude } = await staleClaudeSession(box, { waitForFile: go.path });
    const result = await runOnPty(box, ["login"], [
      { expect: "Choose 1-4 [1]: ", send: "\r" },
      { expect: " Refreshing the Claude Code session", touch: go.path },
    ], { NO_COLOR: undefined });
    assert.equal(result.failed, null, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.split(/\r?\n/);
    const marked = lines.filter((l) => l.startsWith(">"));
    assert.equal(marked.length, 1, result.stderr);
    assert.match(marked[0], /Claude Code session/);
    // The contract's table as guidance: each method with what it is best for.
    assert.match(result.stderr, /Browser sign-in/);
    assert.match(result.stderr, /API key/);
    assert.match(result.stderr, /Claude Code sign-in found/);
    // Without a plugin, each choice says whether OpenCode uses what it stores.
    assert.match(result.stderr, /Claude Code session.* - needs an OpenCode plugin/);
    assert.match(result.stderr, /API key - OpenCode uses it/);
    await assertStored(box, next);
    assert.equal((await claude.runs()).length, 1);
    // On a terminal a spinner shows while claude runs.
    assert.match(result.stderr, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Refreshing the Claude Code session/);
    const state = JSON.parse(await Deno.readTextFile(box.stateFile));
    assert.equal(state.anthropic.source, "claude-code-session");
  });
});

Deno.test("no spinner when stderr is not a terminal", async () => {
  await withSandbox(async (box) => {
    const file = await writeClaudeFile(box, staleTokens(box));
    await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(freshTokens(box)),
      delayMs: 400,
    });
    const result = await box.run(LOGIN);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏\r]/);
  });
});

/**
 * `login` on a terminal without Claude Code's sign-in: Enter on the picker
 * (pre-selected: `[default]`) or `choice`, then an API key typed at its prompt.
 */
async function pickOnPty(box: Sandbox, defaultChoice: number, choice: string) {
  const key = "sk-ant-api03-PICKER-abcdefghijklmnopqrstuvwxyz0123";
  box.plant(key);
  const result = await runOnPty(box, ["login"], [
    { expect: `Choose 1-4 [${defaultChoice}]: `, send: `${choice}\r` },
    { expect: "input is hidden", send: `${key}\r` },
  ]);
  assert.equal(result.failed, null, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key });
  const marked = result.stderr.split(/\r?\n/).filter((l) => l.startsWith(">"));
  assert.equal(marked.length, 1, result.stderr);
  return { stderr: result.stderr, marked: marked[0] };
}

Deno.test("the picker without Claude Code's sign-in or an OAuth plugin pre-selects the API key, which OpenCode uses", async () => {
  await withSandbox(async (box) => {
    const { stderr, marked } = await pickOnPty(box, 3, "");
    assert.match(marked, /API key - OpenCode uses it/);
    assert.match(stderr, /^ +\d\) Browser sign-in - needs an OpenCode plugin/m);
    assert.match(stderr, /No OpenCode plugin for Anthropic OAuth was found/);
  });
});

Deno.test("the picker with an OAuth plugin and no Claude Code pre-selects the browser sign-in; a number picks another", async () => {
  await withSandbox(async (box) => {
    await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
    await Deno.writeTextFile(
      `${box.configHome}/opencode/opencode.json`,
      JSON.stringify({ plugin: ["opencode-anthropic-auth"] }),
    );
    const { stderr, marked } = await pickOnPty(box, 2, "3");
    assert.match(marked, /Browser sign-in - OpenCode uses it/);
    assert.doesNotMatch(stderr, /needs an OpenCode plugin/);
  });
});

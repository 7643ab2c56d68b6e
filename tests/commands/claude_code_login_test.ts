/**
 * `login --method claude-code`, the interactive picker (on a real
 * pseudo-terminal), and `status` for a Claude Code session. In-process
 * (`box.runInProcess`). Spawned: the two picker tests (a real pty) and "no
 * spinner when stderr is not a terminal" (a real process's terminal detection).
 */

import assert from "node:assert/strict";
import { claudePayload, installFakeClaude } from "../fakes/claude_code.ts";
import { assertCleanError, modeOf, withSandbox } from "../helpers/sandbox.ts";
import {
  assertStored,
  freshTokens,
  runOnPty,
  seedClaudeSession,
  staleClaudeSession,
  staleTokens,
  writeClaudeFile,
} from "../claude_code/session_helpers.ts";
import { OAUTH_NOT_CONSUMED_WARNING } from "../../lib/opencode/config.ts";
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
    assert.equal(warnings[0], `warning: ${OAUTH_NOT_CONSUMED_WARNING}`);
    assert.match(warnings[0], /Anthropic API key is missing/);
    assert.match(warnings[0], /--method api-key/);
    assert.match(warnings[0], /--create-api-key/);
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
    });
    const human = await box.runInProcess(["status"]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, "");
    assert.match(human.stderr, /Signed in with Claude Code session/);
    assert.match(human.stderr, /expires in/);

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
    assert.match(staleHuman.stderr, /stale/);
    assert.match(staleHuman.stderr, /Claude Code/);
    // status never runs claude.
    assert.deepEqual(await claude.runs(), []);

    // Stale and Claude Code's credentials gone: sign-in required.
    await Deno.remove(`${box.home}/.claude`, { recursive: true });
    const gone = await box.runInProcess(["status", "--json"]);
    assert.equal(gone.code, 4, gone.stderr);
    assert.equal(JSON.parse(gone.stdout).fresh, false);
    const goneHuman = await box.runInProcess(["status"]);
    assert.equal(goneHuman.code, 4);
    assert.match(goneHuman.stderr, /not usable: Claude Code's credentials were not found/);
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
      { expect: "Choose 1-3 [1]: ", send: "\r" },
      { expect: " Refreshing the Claude Code session", touch: go.path },
    ]);
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

Deno.test("the picker without Claude Code's sign-in pre-selects the browser; a number picks another method", async () => {
  await withSandbox(async (box) => {
    const key = "sk-ant-api03-PICKER-abcdefghijklmnopqrstuvwxyz0123";
    box.plant(key);
    const result = await runOnPty(box, ["login"], [
      { expect: "Choose 1-3 [2]: ", send: "3\r" },
      { expect: "input is hidden", send: `${key}\r` },
    ]);
    assert.equal(result.failed, null, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const marked = result.stderr.split(/\r?\n/).filter((l) => l.startsWith(">"));
    assert.equal(marked.length, 1);
    assert.match(marked[0], /Browser sign-in/);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key });
  });
});

/**
 * Claude Code's refresh token stays in Claude Code's store (issue 9, item 1;
 * issue 10, class 2): the entry written for a Claude Code session carries
 * `"refresh": ""`; an older entry that holds the token is rewritten without
 * it by the next sync; and no command sends it anywhere, whatever the state
 * file or auth.json say. In-process runs through the CLI, with a real fake
 * `claude` and the fake token endpoint.
 */

import assert from "node:assert/strict";
import { fingerprint } from "../../lib/state.ts";
import { claudePayload, installFakeClaude } from "../fakes/claude_code.ts";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { withFake } from "../helpers/browser_login.ts";
import {
  assertStored,
  freshTokens,
  seedClaudeSession,
  staleClaudeSession,
  type Tokens,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";

/** Neither auth.json nor the state file holds `refreshToken`, and no request carried it. */
async function assertNowhere(box: Sandbox, refreshToken: string, fake?: FakeAnthropic) {
  assert(!(await box.readAuthText() ?? "").includes(refreshToken), "auth.json holds it");
  const state = await Deno.readTextFile(box.stateFile).catch(() => "");
  assert(!state.includes(refreshToken), "the state file holds it");
  for (const request of fake?.requests ?? []) {
    assert(!request.body.includes(refreshToken), `sent to ${request.path}`);
  }
  assert.equal(fake?.refreshRequests().length ?? 0, 0, "a refresh request was made");
}

/** Write the state file as given (it may lie). */
async function writeStateRecord(box: Sandbox, record: Record<string, unknown>): Promise<void> {
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  await Deno.writeTextFile(box.stateFile, JSON.stringify({ anthropic: record }));
}

/** An entry holding Claude Code's tokens the way version 0.1 wrote it (with the refresh token). */
async function writeLegacyEntry(box: Sandbox, tokens: Tokens): Promise<void> {
  await box.writeAuth({
    anthropic: {
      type: "oauth",
      refresh: tokens.refreshToken,
      access: tokens.accessToken,
      expires: tokens.expiresAt,
    },
  });
}

Deno.test('login --method claude-code stores refresh "": Claude Code\'s refresh token is nowhere', async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    const login = await box.runInProcess(["login", "--method", "claude-code"]);
    assert.equal(login.code, 0, login.stderr);
    await assertStored(box, tokens);
    await assertNowhere(box, tokens.refreshToken);
    const state = JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
    assert.equal(state.source, "claude-code-session");
    assert.equal(state.describes, await fingerprint(tokens.accessToken));
  });
});

Deno.test("sync: a token Claude Code renewed on its own is copied without its refresh token", async () => {
  await withSandbox(async (box) => {
    const old = freshTokens(box);
    await seedClaudeSession(box, old);
    const renewed = freshTokens(box);
    await writeClaudeFile(box, renewed);
    const token = await box.runInProcess(["token"], { allowOnStdout: [renewed.accessToken] });
    assert.equal(token.stdout, `${renewed.accessToken}\n`);
    await assertStored(box, renewed);
    await assertNowhere(box, renewed.refreshToken);
  });
});

for (const command of [["token"], ["refresh"], ["refresh", "--ahead", "4m"]]) {
  Deno.test(`an older entry holding Claude Code's refresh token is rewritten without it by \`${command.join(" ")}\``, async () => {
    await withSandbox(async (box) => {
      const tokens = freshTokens(box);
      await writeClaudeFile(box, tokens);
      await seedClaudeSession(box, tokens, { legacy: true });
      const result = await box.runInProcess(command, { allowOnStdout: [tokens.accessToken] });
      assert.equal(result.code, 0, result.stderr);
      await assertStored(box, tokens);
      await assertNowhere(box, tokens.refreshToken);
    });
  });
}

Deno.test("doctor fails an entry holding Claude Code's refresh token and names the fix; the fix works", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens, { legacy: true });
    const before = await box.runInProcess(["doctor", "--json"]);
    assert.equal(before.code, 1, before.stderr);
    const check = JSON.parse(before.stdout).checks.find((c: { name: string }) =>
      c.name === "Claude Code's refresh token"
    );
    assert.equal(check?.status, "fail");
    assert.match(check.fix, /opencode-claude-code-auth token/);
    assert(!before.stdout.includes(tokens.refreshToken));
    await box.runInProcess(["token"], { allowOnStdout: [tokens.accessToken] });
    const after = await box.runInProcess(["doctor", "--json"]);
    assert.equal(
      JSON.parse(after.stdout).checks.some((c: { name: string }) =>
        c.name === "Claude Code's refresh token"
      ),
      false,
    );
  });
});

/** Whatever the state file says, a stale entry holding Claude Code's tokens is never refreshed with them. */
const LIES: [string, (box: Sandbox, t: Tokens) => Promise<void>][] = [
  [
    "the state says browser-oauth, for this very entry",
    async (box, t) =>
      await writeStateRecord(box, {
        source: "browser-oauth",
        authFile: box.authFile,
        describes: await fingerprint(t.accessToken),
      }),
  ],
  [
    "the state claims this tool minted that refresh token",
    async (box, t) =>
      await writeStateRecord(box, {
        source: "browser-oauth",
        authFile: box.authFile,
        describes: await fingerprint(t.accessToken),
        mintedRefresh: await fingerprint(t.refreshToken),
      }),
  ],
  [
    "the state says api-key",
    (box) => writeStateRecord(box, { source: "api-key", authFile: box.authFile }),
  ],
  ["there is no state at all", () => Promise.resolve()],
  [
    "the state's source is an inherited key (constructor)",
    (box) => writeStateRecord(box, { source: "constructor", authFile: box.authFile }),
  ],
  [
    "the state describes another auth file",
    (box) => writeStateRecord(box, { source: "browser-oauth", authFile: "/elsewhere/auth.json" }),
  ],
];

for (const [lie, writeLie] of LIES) {
  Deno.test(`a stale entry holding Claude Code's tokens, ${lie}: renewed through claude, the refresh token is never sent`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const { stale, next, claude } = await staleClaudeSession(box);
        await writeLegacyEntry(box, stale); // as hand-written, or by an older version
        await writeLie(box, stale);
        const token = await box.runInProcess(["token"], {
          env: fake.env(),
          allowOnStdout: [next.accessToken],
        });
        assert.equal(token.code, 0, token.stderr);
        assert.equal(token.stdout, `${next.accessToken}\n`);
        assert.equal((await claude.runs()).length, 1);
        await assertStored(box, next);
        await assertNowhere(box, stale.refreshToken, fake);
        await assertNowhere(box, next.refreshToken, fake);
      })
    );
  });
}

Deno.test("Claude Code's store unreadable: an entry of unknown origin is not refreshed on a guess", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const { stale } = await staleClaudeSession(box);
      await writeLegacyEntry(box, stale);
      // The store becomes a folder: it cannot be read, so nobody can tell whose token it is.
      const file = `${box.home}/.claude/.credentials.json`;
      await Deno.remove(file);
      await Deno.mkdir(file);
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.notEqual(token.code, 0, token.stderr);
      assert.equal(fake.refreshRequests().length, 0);
      for (const request of fake.requests) assert(!request.body.includes(stale.refreshToken));
    })
  );
});

Deno.test("refresh --ahead on a Claude Code session outside Claude Code's window re-syncs, does not run claude, says when", async () => {
  await withSandbox(async (box) => {
    const tokens = { ...freshTokens(box), expiresAt: Date.now() + 10 * 60_000 };
    const file = await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(freshTokens(box)),
    });
    const result = await box.runInProcess(["refresh", "--ahead", "15m"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await claude.runs()).length, 0);
    assert.match(result.stderr, /renews its token only in its last 5m 0s/);
    await assertStored(box, tokens);
  });
});

Deno.test("refresh --ahead inside the window: claude runs; a token Claude Code keeps is exit 0 with when it is tried again", async () => {
  await withSandbox(async (box) => {
    const tokens = { ...freshTokens(box), expiresAt: Date.now() + 3 * 60_000 };
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    const claude = await installFakeClaude(box, { mode: "noop" });
    const result = await box.runInProcess(["refresh", "--ahead", "4m"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await claude.runs()).length, 1);
    assert.match(
      result.stderr,
      /Claude Code kept its token, which expires in \d+m \d+s; the next run tries again/,
    );
    // Plain `refresh` keeps the contract: the same token inside the skew is not stale yet.
    const plain = await box.runInProcess(["refresh"]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /still fresh/);
  });
});

Deno.test("a stale Claude Code session whose claude renews nothing: exit 4 with the contract's sentence, for every command", async () => {
  await withSandbox(async (box) => {
    const { stale } = await staleClaudeSession(box, { stored: true });
    await installFakeClaude(box, { mode: "noop" });
    for (const command of [["token"], ["refresh"], ["refresh", "--ahead", "4m"]]) {
      const result = await box.runInProcess(command);
      assert.equal(result.code, 4, `${command.join(" ")}: ${result.stderr}`);
      assert.match(
        result.stderr,
        /Claude session is still expired\. Run `claude auth login --claudeai` and try again\./,
      );
    }
    await assertNowhere(box, stale.refreshToken);
  });
});

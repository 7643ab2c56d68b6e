/**
 * Finding Claude Code's credentials: the Keychain first (through a fake
 * `security`), then the file, with every override variable; both payload
 * shapes; `security` exit codes. Through the CLI in-process (the fake
 * `security` and `claude` are still real children). Spawned: none.
 */

import assert from "node:assert/strict";
import { claudePayload, installFakeClaude, installFakeSecurity } from "../fakes/claude_code.ts";
import { assertCleanError, withSandbox } from "../helpers/sandbox.ts";
import {
  credentialsFilePath,
  DEFAULT_KEYCHAIN_SERVICE,
  keychainService,
  parseClaudePayload,
} from "../../lib/claude_code/credentials.ts";
import { sha256Hex } from "../../lib/hash.ts";
import {
  assertStored,
  defaultClaudeFile,
  freshTokens,
  seedClaudeSession,
  staleTokens,
  testContext,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";

const SERVICE = "Claude Code-credentials";
const LOGIN = ["login", "--method", "claude-code"];

/** SHA-256 hex computed independently of the code under test. */
async function expectedSuffix(dir: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dir));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
    .slice(0, 8);
}

// ---------------------------------------------------------------- unit tests

Deno.test("payload: the nested claudeAiOauth shape and the top-level shape both parse", () => {
  const tokens = {
    accessToken: "sk-ant-oat01-unit-access-0123456789",
    refreshToken: "sk-ant-ort01-unit-refresh-0123456789",
    expiresAt: 1_900_000_000_000,
  };
  const nested = parseClaudePayload(claudePayload(tokens), "here");
  assert.deepEqual(nested, {
    ...tokens,
    scopes: ["user:inference", "user:profile"],
    subscriptionType: "pro",
    origin: "here",
  });
  const top = parseClaudePayload(JSON.stringify(tokens), "there");
  assert.deepEqual(top, { ...tokens, origin: "there" });
});

Deno.test("payload: mcpOAuth only, empty objects and non-objects count as not found", () => {
  for (
    const text of [
      JSON.stringify({ mcpOAuth: { "server|1": { accessToken: "x", expiresAt: 1 } } }),
      "{}",
      JSON.stringify({ claudeAiOauth: {} }),
      JSON.stringify({ claudeAiOauth: { accessToken: "sk-ant-oat01-abcdefgh" } }),
      JSON.stringify({ claudeAiOauth: { accessToken: "", expiresAt: 5 } }),
      "[]",
      "null",
      '"text"',
    ]
  ) {
    assert.equal(parseClaudePayload(text, "x"), null, text);
  }
});

Deno.test("payload: text that is not JSON is a clear failure naming where it was", () => {
  assert.throws(
    () => parseClaudePayload("{not json", "/some/file"),
    (error: Error) => /\/some\/file.*not valid JSON/.test(error.message),
  );
});

Deno.test("keychain service: default on macOS, CLAUDE_CONFIG_DIR suffix, override, none on Linux", async () => {
  assert.equal(await keychainService(testContext({ HOME: "/h" }, "darwin")), SERVICE);
  assert.equal(DEFAULT_KEYCHAIN_SERVICE, SERVICE);
  for (const dir of ["/Users/me/.claude-work", "/tmp/claude config dir", "/Users/é/x"]) {
    const suffix = await expectedSuffix(dir);
    assert.match(suffix, /^[0-9a-f]{8}$/);
    assert.equal(
      await keychainService(testContext({ HOME: "/h", CLAUDE_CONFIG_DIR: dir }, "darwin")),
      `Claude Code-credentials-${suffix}`,
    );
  }
  // A known vector, so the hash itself is pinned (SHA-256 of "abc").
  assert.equal((await sha256Hex("abc")).slice(0, 8), "ba7816bf");
  // The override wins over the CLAUDE_CONFIG_DIR naming.
  assert.equal(
    await keychainService(
      testContext(
        { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "Mine", CLAUDE_CONFIG_DIR: "/x" },
        "darwin",
      ),
    ),
    "Mine",
  );
  // Elsewhere the Keychain is tried only when the service is set.
  assert.equal(await keychainService(testContext({ HOME: "/h" }, "linux")), null);
  assert.equal(
    await keychainService(testContext({ HOME: "/h", CLAUDE_CONFIG_DIR: "/x" }, "linux")),
    null,
  );
  assert.equal(
    await keychainService(testContext({ CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "S" }, "linux")),
    "S",
  );
});

Deno.test("credentials file: override, then CLAUDE_CONFIG_DIR, then ~/.claude", () => {
  assert.equal(
    credentialsFilePath(testContext({
      HOME: "/h",
      CLAUDE_CONFIG_DIR: "/cfg",
      CLAUDE_CODE_AUTH_CREDENTIALS_PATH: "/over/creds.json",
    })),
    "/over/creds.json",
  );
  assert.equal(
    credentialsFilePath(testContext({ HOME: "/h", CLAUDE_CONFIG_DIR: "/cfg" })),
    "/cfg/.credentials.json",
  );
  assert.equal(credentialsFilePath(testContext({ HOME: "/h" })), "/h/.claude/.credentials.json");
});

// ------------------------------------------------------------ through the CLI

Deno.test("the Keychain is read first (exact security arguments), the file only as fallback", async () => {
  await withSandbox(async (box) => {
    const inKeychain = freshTokens(box);
    const inFile = freshTokens(box);
    await writeClaudeFile(box, inFile);
    const security = await installFakeSecurity(box, {
      [SERVICE]: { payload: claudePayload(inKeychain) },
    });
    const claude = await installFakeClaude(box, { mode: "fail" });
    const result = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE },
    });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, inKeychain);
    assert.deepEqual(await security.calls(), [["find-generic-password", "-s", SERVICE, "-w"]]);
    assert.match(result.stderr, /Keychain item "Claude Code-credentials"/);
    assert.deepEqual(await claude.runs(), []);
  });
});

Deno.test("security exit 44 (not found) falls through to the file", async () => {
  await withSandbox(async (box) => {
    const inFile = freshTokens(box);
    await writeClaudeFile(box, inFile);
    const security = await installFakeSecurity(box, {}); // every service: exit 44
    const result = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "Other" },
    });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, inFile);
    assert.deepEqual(await security.calls(), [["find-generic-password", "-s", "Other", "-w"]]);
  });
});

Deno.test("a Keychain item with only mcpOAuth counts as not found: the file is used", async () => {
  await withSandbox(async (box) => {
    const inFile = freshTokens(box);
    await writeClaudeFile(box, inFile);
    await installFakeSecurity(box, {
      [SERVICE]: {
        payload: JSON.stringify({
          mcpOAuth: { "srv|abc": { accessToken: "mcp-PLANTED-0123456789", expiresAt: 1 } },
        }),
      },
    });
    box.plant("mcp-PLANTED-0123456789");
    const result = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE },
    });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, inFile);
  });
});

Deno.test("mcpOAuth only everywhere: not found, exit 4, both places named, nothing written", async () => {
  await withSandbox(async (box) => {
    const mcpOnly = JSON.stringify({
      mcpOAuth: { "srv|abc": { accessToken: "mcp-PLANTED-9876543210", expiresAt: 9e12 } },
    });
    box.plant("mcp-PLANTED-9876543210");
    const file = await writeClaudeFile(box, mcpOnly);
    await installFakeSecurity(box, { [SERVICE]: { payload: mcpOnly } });
    const result = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE },
    });
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(result, "no Claude Code sign-in found");
    assert(result.stderr.includes(file), result.stderr);
    assert(result.stderr.includes(`Keychain item "${SERVICE}"`), result.stderr);
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("the top-level payload shape works from the file and from the Keychain", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, JSON.stringify(tokens));
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, tokens);

    const keychain = freshTokens(box);
    await installFakeSecurity(box, { K: { payload: JSON.stringify(keychain) } });
    const again = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "K" },
    });
    assert.equal(again.code, 0, again.stderr);
    await assertStored(box, keychain);
  });
});

for (
  const [code, fragment, fix] of [
    [36, /Keychain .*is locked/, /security unlock-keychain/],
    [128, /access to the Keychain item .* was denied/, /Allow/],
  ] as const
) {
  Deno.test(`security exit ${code}: its own clear message and fix, no stack trace, file not used`, async () => {
    await withSandbox(async (box) => {
      // A file exists, but a locked or refused Keychain must be reported, not skipped.
      await writeClaudeFile(box, freshTokens(box));
      await installFakeSecurity(box, { [SERVICE]: { exitCode: code } });
      const result = await box.runInProcess(LOGIN, {
        env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE },
      });
      assert.equal(result.code, 1, result.stderr);
      assertCleanError(result, fragment);
      assert.match(result.stderr, /^hint: /m);
      assert.match(result.stderr.split("\n").find((l) => l.startsWith("hint:"))!, fix);
      assert.equal(result.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
      assert.equal(await box.readAuthText(), null);
    });
  });
}

Deno.test("the two Keychain failures have different messages", async () => {
  await withSandbox(async (box) => {
    await installFakeSecurity(box, { A: { exitCode: 36 }, B: { exitCode: 128 } });
    const locked = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "A" },
    });
    const denied = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "B" },
    });
    assert.notEqual(locked.stderr, denied.stderr);
    assert.doesNotMatch(locked.stderr, /denied/);
    assert.doesNotMatch(denied.stderr, /locked/);
  });
});

Deno.test("without CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE, Linux does not run security at all", async () => {
  await withSandbox(async (box) => {
    const inFile = freshTokens(box);
    await writeClaudeFile(box, inFile);
    const security = await installFakeSecurity(box, {
      [SERVICE]: { payload: claudePayload(freshTokens(box)) },
    });
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, inFile);
    assert.deepEqual(await security.calls(), []);
  });
});

Deno.test("file order: CLAUDE_CODE_AUTH_CREDENTIALS_PATH, then $CLAUDE_CONFIG_DIR, then ~/.claude", async () => {
  await withSandbox(async (box) => {
    const home = freshTokens(box);
    const configDir = freshTokens(box);
    const override = freshTokens(box);
    await writeClaudeFile(box, home);
    const dir = `${box.root}/claude config`;
    await writeClaudeFile(box, configDir, `${dir}/.credentials.json`);
    const overridePath = await writeClaudeFile(box, override, `${box.root}/elsewhere/creds.json`);

    const byDefault = await box.runInProcess(LOGIN);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    await assertStored(box, home);
    assert(byDefault.stderr.includes(defaultClaudeFile(box)), byDefault.stderr);

    const byDir = await box.runInProcess(LOGIN, { env: { CLAUDE_CONFIG_DIR: dir } });
    assert.equal(byDir.code, 0, byDir.stderr);
    await assertStored(box, configDir);

    const byOverride = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CONFIG_DIR: dir, CLAUDE_CODE_AUTH_CREDENTIALS_PATH: overridePath },
    });
    assert.equal(byOverride.code, 0, byOverride.stderr);
    await assertStored(box, override);

    // An override pointing nowhere does not silently fall back to the other files.
    const missing = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_CREDENTIALS_PATH: `${box.root}/nope.json` },
    });
    assert.equal(missing.code, 4, missing.stderr);
    assertCleanError(missing, `${box.root}/nope.json`);
  });
});

Deno.test("Claude Code's credentials file that is not JSON: exit 1 naming it, no stack trace", async () => {
  await withSandbox(async (box) => {
    const file = await writeClaudeFile(box, '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-');
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 1, result.stderr);
    assertCleanError(result, file);
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("`token` with a locked or refused Keychain: a fresh stored token is used with a warning, a stale one fails clearly", async () => {
  await withSandbox(async (box) => {
    await installFakeSecurity(box, { Locked: { exitCode: 36 }, Denied: { exitCode: 128 } });
    const claude = await installFakeClaude(box, { mode: "fail" });
    const fresh = freshTokens(box);
    await seedClaudeSession(box, fresh);
    for (const [service, word] of [["Locked", "locked"], ["Denied", "denied"]]) {
      const env = { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: service };
      const ok = await box.runInProcess(["token"], { env, allowOnStdout: [fresh.accessToken] });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, `${fresh.accessToken}\n`);
      assert.match(ok.stderr, new RegExp(`warning: .*${word}.*using the stored token`));
    }
    const stale = staleTokens(box);
    await seedClaudeSession(box, stale);
    const ko = await box.runInProcess(["token"], {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "Locked" },
    });
    assert.equal(ko.code, 1, ko.stderr);
    assertCleanError(ko, /is locked/);
    assert.equal(ko.stdout, "");
    assert.deepEqual(await claude.runs(), []);
  });
});

Deno.test("a Keychain payload that security prints as hex is decoded", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    const hex = Array.from(
      new TextEncoder().encode(claudePayload(tokens)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    await installFakeSecurity(box, { [SERVICE]: { payload: hex } });
    const result = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE },
    });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, tokens);
  });
});

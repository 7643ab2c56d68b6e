/** Hostile Claude Code credentials: in the (fake) macOS Keychain and in the file. */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens, installFakeSecurity } from "../fakes/claude_code.ts";
import type { Sandbox } from "../helpers/sandbox.ts";
import {
  AUTH,
  CLAUDE_FILE,
  type Fixture,
  type HostileCase,
  hostileCases,
  STATE,
  STATE_DIR,
  withAnthropic,
  writeAuthText,
  writeState,
} from "../helpers/hostile_corpus.ts";

const SERVICE = "Hostile Claude Code-credentials";
const LOGIN = ["login", "--method", "claude-code"];
const keychainEnv = () => ({ CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE });

function fresh(box: Sandbox) {
  const tokens = claudeTokens(Date.now() + 8 * 3600_000);
  box.plant(tokens.accessToken, tokens.refreshToken);
  return tokens;
}

function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

async function keychain(
  box: Sandbox,
  item: { payload: string } | { exitCode: number; stderr?: string },
) {
  await installFakeSecurity(box, { [SERVICE]: item });
}

async function claudeFile(box: Sandbox, text: string, path = `${box.root}/${CLAUDE_FILE}`) {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** A stored Claude Code session in auth.json (stale unless `freshStored`). */
async function storedSession(f: Fixture, freshStored: boolean) {
  const tokens = claudeTokens(Date.now() + (freshStored ? 8 * 3600_000 : -60_000));
  f.box.plant(tokens.accessToken, tokens.refreshToken);
  await writeAuthText(
    f.box,
    withAnthropic({
      type: "oauth",
      refresh: tokens.refreshToken,
      access: tokens.accessToken,
      expires: tokens.expiresAt,
    }),
  );
  await writeState(f.box, "claude-code-session");
  f.vars.access = tokens.accessToken;
}

/** login stored what Claude Code holds. */
function storedAccess(expected: (f: Fixture) => string) {
  return async (f: Fixture) => {
    const auth = JSON.parse(await Deno.readTextFile(f.box.authFile));
    assert.equal(auth.anthropic.access, expected(f));
    assert.equal(auth.anthropic.type, "oauth");
  };
}

const keychainCases: HostileCase[] = [
  {
    name: "keychain: truncated JSON",
    args: LOGIN,
    env: keychainEnv,
    setup: async ({ box }) => {
      const payload = claudePayload(fresh(box));
      await keychain(box, { payload: payload.slice(0, payload.length / 2) });
    },
    exit: 1,
    message: /Keychain item .* not valid JSON/,
  },
  {
    name: "keychain: hex-encoded payload (as `security -w` prints binary data) is decoded",
    args: LOGIN,
    env: keychainEnv,
    setup: async (f) => {
      const tokens = fresh(f.box);
      f.vars.access = tokens.accessToken;
      await keychain(f.box, { payload: hex(claudePayload(tokens)) });
    },
    exit: 0,
    changes: [AUTH, "data/opencode", "data", STATE, STATE_DIR],
    check: storedAccess((f) => f.vars.access),
  },
  {
    name: "keychain: hex that is not a JSON payload",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) => keychain(box, { payload: hex("not json at all, sorry") }),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "keychain: locked (security exit 36)",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) => keychain(box, { exitCode: 36 }),
    exit: 1,
    message: /locked/,
  },
  {
    name: "keychain: access denied (security exit 128)",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) => keychain(box, { exitCode: 128 }),
    exit: 1,
    message: /denied/,
  },
  {
    name: "keychain: unknown failure whose stderr holds a token and escape sequences",
    args: LOGIN,
    env: keychainEnv,
    setup: async ({ box }) => {
      const tokens = fresh(box);
      await keychain(box, {
        exitCode: 51,
        stderr: `\u001b[31msecurity: bad item ${tokens.accessToken}\u001b[0m\u0007`,
      });
    },
    exit: 1,
    message: /security exit 51/,
  },
  {
    name: "keychain: only mcpOAuth (no Claude tokens) and no file",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) =>
      keychain(box, {
        payload: JSON.stringify({ mcpOAuth: { "srv|1": { accessToken: "mcp-token-0123456789" } } }),
      }),
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "keychain: accessToken of the wrong type",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) =>
      keychain(box, {
        payload: JSON.stringify({
          claudeAiOauth: { accessToken: 12345, refreshToken: "r", expiresAt: Date.now() + 1e7 },
        }),
      }),
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "keychain: payload is JSON null",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) => keychain(box, { payload: "null" }),
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "keychain: a 4 MiB payload that is not JSON",
    args: LOGIN,
    env: keychainEnv,
    setup: ({ box }) => keychain(box, { payload: "{" + "x".repeat(4 * 1024 * 1024) }),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "keychain: item not found (exit 44) falls back to a corrupt file",
    args: LOGIN,
    env: keychainEnv,
    setup: async ({ box }) => {
      await installFakeSecurity(box, {});
      await claudeFile(box, '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-');
    },
    exit: 1,
    message: /credentials\.json are not valid JSON/,
  },
];

const fileCases: HostileCase[] = [
  {
    name: "file: truncated",
    args: LOGIN,
    setup: async ({ box }) => {
      const payload = claudePayload(fresh(box));
      await claudeFile(box, payload.slice(0, payload.indexOf("refreshToken")));
    },
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "file: empty",
    args: LOGIN,
    setup: ({ box }) => claudeFile(box, ""),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "file: accessToken is an object",
    args: LOGIN,
    setup: ({ box }) =>
      claudeFile(
        box,
        JSON.stringify({
          claudeAiOauth: { accessToken: { v: 1 }, refreshToken: "r", expiresAt: Date.now() + 1e7 },
        }),
      ),
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "file: expiresAt is a string",
    args: LOGIN,
    setup: ({ box }) => {
      const tokens = fresh(box);
      return claudeFile(
        box,
        JSON.stringify({ claudeAiOauth: { ...tokens, expiresAt: String(tokens.expiresAt) } }),
      );
    },
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "file: expiresAt in seconds (so long expired) and no claude CLI",
    args: LOGIN,
    setup: ({ box }) => {
      const tokens = fresh(box);
      return claudeFile(
        box,
        claudePayload({ ...tokens, expiresAt: Math.floor(tokens.expiresAt / 1000) }),
      );
    },
    exit: 4,
    message: /Claude session is still expired\. .*not found/,
    // The refresh ran under the lock beside auth.json, which needs its folder.
    changes: ["data/opencode"],
  },
  {
    name: "file: claudeAiOauth is an array, tokens nowhere",
    args: LOGIN,
    setup: ({ box }) => claudeFile(box, JSON.stringify({ claudeAiOauth: [1, 2, 3] })),
    exit: 4,
    message: /no Claude Code sign-in found/,
  },
  {
    name: "file: a 4 MiB file with valid tokens is read",
    args: LOGIN,
    setup: async (f) => {
      const tokens = fresh(f.box);
      f.vars.access = tokens.accessToken;
      await claudeFile(
        f.box,
        claudePayload(tokens, { padding: "x".repeat(4 * 1024 * 1024) }),
      );
    },
    exit: 0,
    changes: [AUTH, "data/opencode", "data", STATE, STATE_DIR],
    check: storedAccess((f) => f.vars.access),
  },
  {
    name: "file: a directory in its place (CLAUDE_CODE_AUTH_CREDENTIALS_PATH)",
    args: LOGIN,
    env: ({ box }) => ({ CLAUDE_CODE_AUTH_CREDENTIALS_PATH: box.home }),
    exit: 1,
    message: /home/,
  },
  {
    name: "file: a symlink loop in its place",
    args: LOGIN,
    setup: async ({ box }) => {
      await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
      await Deno.symlink(`${box.root}/${CLAUDE_FILE}`, `${box.root}/${CLAUDE_FILE}`);
    },
    exit: 1,
    message: /credentials\.json/,
  },
  {
    name: "token: stale stored session and a corrupt Claude Code file",
    args: ["token"],
    setup: async (f) => {
      await storedSession(f, false);
      await claudeFile(f.box, "{{{");
    },
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name:
      "token: fresh stored session, Claude Code's file has wrong types: the stored token is used",
    args: ["token"],
    setup: async (f) => {
      await storedSession(f, true);
      await claudeFile(f.box, JSON.stringify({ claudeAiOauth: { accessToken: false } }));
    },
    exit: 0,
    message: /warning: Claude Code's credentials were not found/,
    stdout: ({ vars }) => `${vars.access}\n`,
  },
];

hostileCases("Claude Code credentials", [...keychainCases, ...fileCases]);

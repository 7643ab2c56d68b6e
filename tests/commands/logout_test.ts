/**
 * `runLogout` in-process, table-driven like gh's `TestTokenRun`: each case
 * writes auth.json (as text, so "byte-for-byte" is exact), the state file and
 * Claude Code's store, runs logout one or more times, and states the exit
 * code, the message and every file afterwards. Spawned: none (a login/logout
 * smoke run stays spawned in tests/commands/api_key_test.ts).
 */

import assert from "node:assert/strict";
import { runLogout } from "../../lib/commands/logout.ts";
import { commandContext } from "../helpers/context.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { writeBrowserState } from "../helpers/browser_login.ts";
import { defaultClaudeFile, writeClaudeFile } from "../helpers/claude_code_session.ts";
import { claudePayload } from "../fakes/claude_code.ts";
import { assertOutcome } from "../helpers/run_tables.ts";

const KEY = "sk-ant-api03-logout-run-0123456789abcdef";
const ACCESS = "sk-ant-oat01-logout-run-access-0123456789";
const REFRESH = "sk-ant-ort01-logout-run-refresh-0123456789";
const OPENAI = "sk-openai-logout-run-0123456789";
const CC = {
  accessToken: "sk-ant-oat01-logout-cc-0123456789",
  refreshToken: "sk-ant-ort01-logout-cc-0123456789",
  expiresAt: Date.now() + 3600_000,
};

/** Other providers with odd spacing, unknown fields and number spellings that must survive. */
const OTHERS_HEAD = `{
  "openai": {
    "type": "api",
    "key": "${OPENAI}",
    "metadata": { "team": "x" }
  },
  "weird": {"type": "future-type", "nested": [1, 2.50, {"deep": null}], "big": 1e400},`;
const OTHERS_TAIL = `
  "zeta": {"type": "oauth", "refresh": "r", "access": "a", "expires": 12345678901234567890}
}
`;
const withAnthropic = (entry: string) => `${OTHERS_HEAD}\n  "anthropic": ${entry},${OTHERS_TAIL}`;
const WITHOUT = `${OTHERS_HEAD}${OTHERS_TAIL}`;
const API_ENTRY = `{"type": "api", "key": "${KEY}"}`;
const OAUTH_ENTRY = `{"type":"oauth","refresh":"${REFRESH}","access":"${ACCESS}","expires":1}`;

const SIGNED_OUT = /^✓ Signed out: removed the anthropic entry from .*auth\.json\n/;
const NOTHING = /^Not signed in: .*auth\.json has no anthropic entry\. Nothing to do\.\n$/;

interface LogoutCase {
  name: string;
  /** auth.json's text before (null: no file). */
  auth: string | null;
  /** The state file's `anthropic` record before (authFile filled in unless given). */
  state?: Record<string, unknown>;
  /** Claude Code's own credentials file before. */
  claudeCode?: boolean;
  /** How many times logout runs (default 1); the wants are for the last run. */
  runs?: number;
  wantCode: 0 | 1;
  /** stderr of the last run. */
  wantStderr?: RegExp;
  /** The thrown error's message. */
  wantError?: RegExp;
  /** auth.json's text after (null: no file). */
  wantAuth: string | null;
  /** Whether the state file still has an `anthropic` record after. */
  wantState: boolean;
}

const CASES: LogoutCase[] = [
  {
    name: "api entry: removed, every other provider byte-for-byte, state cleared",
    auth: withAnthropic(API_ENTRY),
    state: { source: "api-key" },
    wantCode: 0,
    wantStderr: SIGNED_OUT,
    wantAuth: WITHOUT,
    wantState: false,
  },
  {
    name: "browser entry: removed, others byte-for-byte",
    auth: withAnthropic(OAUTH_ENTRY),
    state: { source: "browser-oauth", email: "dev@example.com" },
    wantCode: 0,
    wantStderr: /Other providers' entries and Claude Code's own sign-in are untouched/,
    wantAuth: WITHOUT,
    wantState: false,
  },
  {
    name: "the only entry: an empty object is left",
    auth: `{"anthropic":${API_ENTRY}}`,
    wantCode: 0,
    wantStderr: SIGNED_OUT,
    wantAuth: "{}",
    wantState: false,
  },
  {
    name: "twice: the second run has nothing to do, exit 0, file unchanged",
    auth: withAnthropic(API_ENTRY),
    state: { source: "api-key" },
    runs: 2,
    wantCode: 0,
    wantStderr: NOTHING,
    wantAuth: WITHOUT,
    wantState: false,
  },
  {
    name: "no auth.json: nothing to do, no file or folder created",
    auth: null,
    wantCode: 0,
    wantStderr: NOTHING,
    wantAuth: null,
    wantState: false,
  },
  {
    name: "no auth.json but a state for it: the state is cleared",
    auth: null,
    state: { source: "browser-oauth" },
    wantCode: 0,
    wantStderr: NOTHING,
    wantAuth: null,
    wantState: false,
  },
  {
    name: "a state recorded for another auth file is kept",
    auth: null,
    state: { source: "browser-oauth", authFile: "/elsewhere/auth.json" },
    wantCode: 0,
    wantStderr: NOTHING,
    wantAuth: null,
    wantState: true,
  },
  {
    name: "other providers only: nothing to do, byte-for-byte",
    auth: WITHOUT,
    wantCode: 0,
    wantStderr: NOTHING,
    wantAuth: WITHOUT,
    wantState: false,
  },
  {
    name: "Claude Code session: the entry goes, Claude Code's own file stays",
    auth: withAnthropic(
      `{"type":"oauth","refresh":"","access":"${CC.accessToken}","expires":${CC.expiresAt}}`,
    ),
    state: { source: "claude-code-session" },
    claudeCode: true,
    wantCode: 0,
    wantStderr: SIGNED_OUT,
    wantAuth: WITHOUT,
    wantState: false,
  },
  {
    name: "corrupt auth.json: exit 1, untouched",
    auth: `{"anthropic": ${API_ENTRY}`,
    state: { source: "api-key" },
    wantCode: 1,
    wantError: /auth\.json.* is not valid JSON/,
    wantAuth: `{"anthropic": ${API_ENTRY}`,
    wantState: true,
  },
];

async function writeState(box: Sandbox, record: Record<string, unknown>): Promise<void> {
  if (record.source === "browser-oauth" && !record.authFile) {
    await writeBrowserState(box, record);
    return;
  }
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  await Deno.writeTextFile(
    box.stateFile,
    JSON.stringify({ anthropic: { authFile: box.authFile, ...record } }),
    { mode: 0o600 },
  );
}

for (const tc of CASES) {
  Deno.test(`runLogout: ${tc.name}`, async () => {
    await withSandbox(async (box) => {
      box.plant(KEY, ACCESS, REFRESH, OPENAI, CC.accessToken, CC.refreshToken);
      if (tc.auth !== null) await box.writeAuth(tc.auth);
      if (tc.state) await writeState(box, tc.state);
      if (tc.claudeCode) await writeClaudeFile(box, CC);

      let t = commandContext(box, { name: "logout" });
      let outcome = await t.settle(runLogout(t.ctx, {}));
      for (let run = 1; run < (tc.runs ?? 1); run++) {
        assert.equal(outcome.code, 0, t.err());
        t.assertNoLeak();
        t = commandContext(box, { name: "logout" });
        outcome = await t.settle(runLogout(t.ctx, {}));
      }

      assertOutcome(t, outcome, tc);
      if (tc.wantStderr) assert.match(t.err(), tc.wantStderr);
      assert.equal(t.out(), "");
      assert.equal(await box.readAuthText(), tc.wantAuth);
      if (tc.auth === null) {
        await assert.rejects(Deno.stat(`${box.dataHome}/opencode`), Deno.errors.NotFound);
      }
      const state = await Deno.readTextFile(box.stateFile).then(JSON.parse).catch(() => ({}));
      assert.equal(state.anthropic !== undefined, tc.wantState, JSON.stringify(state));
      if (tc.claudeCode) {
        assert.equal(await Deno.readTextFile(defaultClaudeFile(box)), claudePayload(CC));
      }
      t.assertNoLeak();
    });
  });
}

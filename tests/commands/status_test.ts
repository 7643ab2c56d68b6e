/**
 * `runStatus` in-process, table-driven like gh's `TestTokenRun`: each case
 * sets up auth.json, the state file and Claude Code's store, runs with a fixed
 * clock, and states the exit code, the exact `--json` object (the contract's
 * shape, ../shared/SPEC.md) or the human lines on stdout (warnings on stderr). Spawned: none (a
 * `status` smoke run stays spawned in tests/commands/api_key_test.ts).
 */

import assert from "node:assert/strict";
import { runStatus, type StatusJson } from "../../lib/commands/status.ts";
import { commandContext } from "../helpers/context.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { withFake, writeBrowserState } from "../helpers/browser_login.ts";
import {
  assertOutcome,
  browser,
  claudeSession,
  HOUR,
  namedClaudeTokens,
  NOW,
  type World,
} from "../helpers/run_tables.ts";
import { onlyAuthJson } from "../helpers/stores.ts";

const KEY = "sk-ant-api03-status-run-0123456789abcdef";

const cc = (name: string, expiresAt: number) => namedClaudeTokens("status", name, expiresAt);
const CC_FRESH = cc("fresh", NOW + 2 * HOUR);
const CC_STALE = cc("stale", NOW - 10 * 60_000);

interface StatusCase {
  name: string;
  setup(w: World): Promise<void>;
  /** `--json`. */
  json?: boolean;
  env?: Record<string, string>;
  wantCode: 0 | 1 | 4;
  /** The exact `--json` object (authFile is filled in). */
  wantJson?: Omit<StatusJson, "authFile" | "stores">;
  /** Patterns stdout must match, in this order (the human report). */
  wantStdout?: RegExp[];
  /** Patterns the report must not match. */
  notStdout?: RegExp[];
  /** Patterns stderr must match, in this order (warnings); default: stderr empty. */
  wantStderr?: RegExp[];
  /** The thrown error's message. */
  wantError?: RegExp;
}

const SIGNED_OUT = {
  loggedIn: false,
  method: null,
  type: null,
  expiresAt: null,
  fresh: null,
  account: null,
} as const;

const CASES: StatusCase[] = [
  {
    name: "--json, nothing stored: signed out, exit 4",
    setup: async () => {},
    json: true,
    wantCode: 4,
    wantJson: SIGNED_OUT,
  },
  {
    name: "nothing stored: says so and how to sign in",
    setup: async () => {},
    wantCode: 4,
    wantStdout: [
      /^Not signed in: no anthropic entry in .*auth\.json\.$/m,
      /Run `opencode-claude-code-auth login`/,
    ],
  },
  {
    name: "--json, unusable entry: signed out, exit 4",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api" } }),
    json: true,
    wantCode: 4,
    wantJson: SIGNED_OUT,
  },
  {
    name: "unusable entry: names the problem",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api" } }),
    wantCode: 4,
    wantStdout: [/^Not signed in: the anthropic entry in .*auth\.json is unusable \(.+\)\.$/m],
  },
  {
    name: "corrupt auth.json: failure naming the file",
    setup: ({ box }) => box.writeAuth("[1,"),
    wantCode: 1,
    wantError: /auth\.json.* is not valid JSON/,
  },
  {
    name: "--json, API key",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    json: true,
    wantCode: 0,
    wantJson: {
      loggedIn: true,
      method: "api-key",
      type: "api",
      expiresAt: null,
      fresh: null,
      account: null,
    },
  },
  {
    name: "API key: does not expire",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    wantCode: 0,
    wantStdout: [
      /^Signed in with API key \(api entry in .*auth\.json\)$/m,
      /^ {2}API key: does not expire$/m,
    ],
  },
  {
    name: "--json, fresh browser sign-in with its account",
    setup: browser(NOW + HOUR),
    json: true,
    wantCode: 0,
    wantJson: {
      loggedIn: true,
      method: "browser",
      type: "oauth",
      expiresAt: NOW + HOUR,
      fresh: true,
      account: { email: "dev@example.com", organization: "Example Org" },
    },
  },
  {
    name: "fresh browser sign-in: account, organization and expiry lines",
    setup: browser(NOW + HOUR),
    wantCode: 0,
    wantStdout: [
      /^Signed in with browser sign-in \(OAuth\) \(oauth entry in .*auth\.json\)$/m,
      /^ {2}account: dev@example\.com$/m,
      /^ {2}organization: Example Org$/m,
      /^ {2}token expires in 1h\b.*\(2026-01-15 13:00 UTC\)$/m,
    ],
    notStdout: [/stale/, /warning/],
  },
  {
    name: "account with an e-mail only: no organization line, --json has only the e-mail",
    setup: async ({ box }) => {
      await box.writeAuth({
        anthropic: {
          type: "oauth",
          refresh: "sk-ant-ort01-x-0123456789",
          access: "a",
          expires: NOW + HOUR,
        },
      });
      await writeBrowserState(box, { email: "solo@example.com" });
    },
    json: true,
    wantCode: 0,
    wantJson: {
      loggedIn: true,
      method: "browser",
      type: "oauth",
      expiresAt: NOW + HOUR,
      fresh: true,
      account: { email: "solo@example.com" },
    },
  },
  {
    name: "--json, stale browser sign-in with a refresh token: fresh false, still usable (exit 0)",
    setup: browser(NOW - 60_000),
    json: true,
    wantCode: 0,
    wantJson: {
      loggedIn: true,
      method: "browser",
      type: "oauth",
      expiresAt: NOW - 60_000,
      fresh: false,
      account: { email: "dev@example.com", organization: "Example Org" },
    },
  },
  {
    name: "stale browser sign-in: (stale), refreshed on next use",
    setup: browser(NOW - 60_000),
    wantCode: 0,
    wantStdout: [
      /^ {2}token expired 1m\b.* ago .*\(stale\)$/m,
      /^ {2}it is refreshed with its refresh token on next use$/m,
    ],
  },
  {
    name: "stale oauth entry without a refresh token: not usable, exit 4",
    setup: async ({ box }) => {
      await box.writeAuth({
        anthropic: { type: "oauth", refresh: "", access: "a", expires: NOW - 1 },
      });
      await writeBrowserState(box);
    },
    wantCode: 4,
    wantStdout: [/^ {2}not usable: it has no refresh token$/m, /sign in again/],
  },
  {
    name: "--json, stale Claude Code session, Claude Code stale too, no `claude` on PATH: exit 4",
    setup: claudeSession(CC_STALE),
    json: true,
    wantCode: 4,
    wantJson: {
      loggedIn: true,
      method: "claude-code",
      type: "oauth",
      expiresAt: CC_STALE.expiresAt,
      fresh: false,
      account: null,
    },
  },
  {
    name: "stale Claude Code session without `claude` on PATH: says why, exit 4",
    setup: claudeSession(CC_STALE),
    wantCode: 4,
    wantStdout: [
      /^Signed in with Claude Code session \(oauth entry in .*\)$/m,
      /\(stale\)$/m,
      /^ {2}not usable: the `claude` CLI, which renews a Claude Code session, was not found on PATH$/m,
    ],
  },
  {
    name: "stale Claude Code session with `claude` on PATH: renewable, exit 0",
    setup: claudeSession(CC_STALE, { claude: { mode: "noop" } }),
    wantCode: 0,
    wantStdout: [/^ {2}it is renewed through the claude CLI on next use$/m],
  },
  {
    name: "stale Claude Code session, Claude Code holds a fresher token: exit 0 without `claude`",
    setup: claudeSession(CC_STALE, { file: CC_FRESH }),
    wantCode: 0,
    wantStdout: [/^ {2}Claude Code holds a fresher token; it is copied on next use$/m],
  },
  {
    name: "OPENCODE_AUTH_CONTENT set: a warning that OpenCode ignores auth.json",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    env: { OPENCODE_AUTH_CONTENT: "{}" },
    wantCode: 0,
    wantStderr: [
      /^warning: OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth\.json while it is$/m,
    ],
    wantStdout: [/API key/],
  },
  {
    name: "--json with OPENCODE_AUTH_CONTENT: stdout stays one JSON object, no warning",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    json: true,
    env: { OPENCODE_AUTH_CONTENT: "{}" },
    wantCode: 0,
    wantJson: {
      loggedIn: true,
      method: "api-key",
      type: "api",
      expiresAt: null,
      fresh: null,
      account: null,
    },
  },
];

for (const tc of CASES) {
  Deno.test(`runStatus: ${tc.name}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        box.plant(KEY);
        for (const t of [CC_FRESH, CC_STALE]) box.plant(t.accessToken, t.refreshToken);
        await tc.setup({ box, fake });
        for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
        const before = await box.readAuthText();
        const t = commandContext(box, {
          env: { ...fake.env(), ...tc.env },
          now: () => NOW,
          name: "status",
        });

        const outcome = await t.settle(
          runStatus(t.ctx, { json: tc.json === true, check: false }),
        );

        assertOutcome(t, outcome, tc);
        if (tc.wantJson) {
          assert.equal(t.out().split("\n").length, 2, "one line of JSON");
          const { stores, ...rest } = JSON.parse(t.out());
          assert.deepEqual(rest, { ...tc.wantJson, authFile: box.authFile });
          // Without OpenCode 2's database, the one store is auth.json, and it is the one used.
          const { method, type, expiresAt } = tc.wantJson;
          assert.deepEqual(
            stores,
            onlyAuthJson(box.authFile, { method, type, expiresAt }).map((store) => ({
              ...store,
              problem: stores[0].problem,
            })),
          );
          assert.deepEqual(
            Object.keys(JSON.parse(t.out())).sort(),
            ["account", "authFile", "expiresAt", "fresh", "loggedIn", "method", "stores", "type"],
          );
        }
        assertInOrder(t.out(), tc.wantStdout ?? [], "stdout");
        for (const pattern of tc.notStdout ?? []) assert.doesNotMatch(t.out(), pattern);
        // The report is on stdout (like `gh auth status`); stderr has only warnings.
        if (tc.wantStderr) assertInOrder(t.err(), tc.wantStderr, "stderr");
        else assert.equal(t.err(), "");
        // status only reports: nothing is written, nothing is asked.
        assert.equal(await box.readAuthText(), before);
        assert.equal(fake.requests.length, 0);
        t.assertNoLeak();
      })
    );
  });
}

/** `text` matches each of `patterns`, each after the previous one's match. */
function assertInOrder(text: string, patterns: RegExp[], what: string): void {
  let from = 0;
  for (const pattern of patterns) {
    const match = pattern.exec(text.slice(from));
    assert(match, `${what} should match ${pattern} (after offset ${from}):\n${text}`);
    from += match.index + match[0].length;
  }
}

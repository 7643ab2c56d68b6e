/**
 * `runRefresh` in-process, table-driven like gh's `TestTokenRun`: each case
 * seeds a stored credential (and the fake token endpoint or fake `claude`),
 * runs with a fixed clock, and states the exit code, the one line said, the
 * requests and runs made, and the entry afterwards. `--ahead` has its own
 * table in tests/commands/refresh_ahead_test.ts. Spawned: none.
 */

import assert from "node:assert/strict";
import { runRefresh } from "../../lib/commands/refresh.ts";
import { claudePayload, claudeRunCount } from "../fakes/claude_code.ts";
import { commandContext } from "../helpers/context.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { withFake } from "../helpers/browser_login.ts";
import {
  assertOutcome,
  browser,
  claudeCodeEntry,
  claudeSession,
  HOUR,
  namedClaudeTokens,
  NOW,
  rotatedEntry,
  type World,
} from "../helpers/run_tables.ts";

const KEY = "sk-ant-api03-refresh-run-0123456789abcdef";

const cc = (name: string, expiresAt: number) => namedClaudeTokens("refresh", name, expiresAt);
const CC_FRESH = cc("fresh", NOW + 2 * HOUR);
const CC_NEXT = cc("next", NOW + 8 * HOUR);
const CC_STALE = cc("stale", NOW - 60_000);
const ccEntry = claudeCodeEntry;

interface RefreshCase {
  name: string;
  setup(w: World): Promise<void>;
  force?: boolean;
  wantCode: 0 | 1 | 4;
  /** Pattern of stderr. */
  wantStderr?: RegExp;
  /** The thrown error's message. */
  wantError?: RegExp;
  /** Refresh-grant requests to the fake. */
  wantRefreshes: number;
  /** Runs of the fake `claude` (when one is installed). */
  wantClaudeRuns?: number;
  /** The `anthropic` entry after; "unchanged": auth.json byte-for-byte. */
  wantEntry: "unchanged" | ((w: World) => unknown);
}

const CASES: RefreshCase[] = [
  {
    name: "API key: nothing to refresh, exit 0",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    wantCode: 0,
    wantStderr: /^An API key has nothing to refresh; it stays as it is\.\n$/,
    wantRefreshes: 0,
    wantEntry: "unchanged",
  },
  {
    name: "API key with --force: still nothing to refresh",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    force: true,
    wantCode: 0,
    wantStderr: /nothing to refresh/,
    wantRefreshes: 0,
    wantEntry: "unchanged",
  },
  {
    name: "fresh browser sign-in: still fresh, nothing to do",
    setup: browser(NOW + HOUR),
    wantCode: 0,
    wantStderr:
      /^The token is still fresh \(expires in 1h.*\); nothing to do\.\nUse --force to refresh anyway\.\n$/,
    wantRefreshes: 0,
    wantEntry: "unchanged",
  },
  {
    name: "fresh browser sign-in with --force: refreshed, rotatedEntry pair stored",
    setup: browser(NOW + HOUR),
    force: true,
    wantCode: 0,
    wantStderr: /^✓ Refreshed the browser sign-in \(OAuth\): the token expires in 8h/,
    wantRefreshes: 1,
    wantEntry: rotatedEntry,
  },
  {
    name: "stale browser sign-in: refreshed",
    setup: browser(NOW - 60_000),
    wantCode: 0,
    wantStderr: /^✓ Refreshed the browser sign-in \(OAuth\)/,
    wantRefreshes: 1,
    wantEntry: rotatedEntry,
  },
  {
    name: "stale browser sign-in whose refresh token is refused: exit 4, entry kept",
    setup: async (w) => {
      await browser(NOW - 60_000)(w);
      w.fake.script.push({
        status: 400,
        body: JSON.stringify({ error: "invalid_grant", error_description: "Invalid grant" }),
        headers: { "content-type": "application/json" },
      });
    },
    wantCode: 4,
    wantError: /invalid_grant/,
    wantRefreshes: 1,
    wantEntry: "unchanged",
  },
  {
    name: "nothing stored: sign-in required",
    setup: async () => {},
    wantCode: 4,
    wantError: /^not signed in/,
    wantRefreshes: 0,
    wantEntry: "unchanged",
  },
  {
    name: "corrupt auth.json: exit 1, untouched",
    setup: ({ box }) => box.writeAuth("{"),
    wantCode: 1,
    wantError: /auth\.json.* is not valid JSON/,
    wantRefreshes: 0,
    wantEntry: "unchanged",
  },
  {
    name: "fresh Claude Code session: nothing to do, no claude run",
    setup: claudeSession(CC_FRESH, { claude: { mode: "noop" } }),
    wantCode: 0,
    wantStderr: /still fresh/,
    wantRefreshes: 0,
    wantClaudeRuns: 0,
    wantEntry: "unchanged",
  },
  {
    name: "Claude Code session with --force, Claude Code keeps its token: says so, exit 0",
    setup: claudeSession(CC_FRESH, { claude: { mode: "noop" } }),
    force: true,
    wantCode: 0,
    wantStderr:
      /^The Claude Code session kept its current token, which expires in 2h.*\nClaude Code kept its token: it renews it only in its last minutes\.\n$/,
    wantRefreshes: 0,
    wantClaudeRuns: 1,
    wantEntry: "unchanged",
  },
  {
    name: "stale Claude Code session: claude runs once, its new token is stored",
    setup: claudeSession(CC_STALE, { claude: { mode: "refresh", next: claudePayload(CC_NEXT) } }),
    wantCode: 0,
    wantStderr: /^✓ Refreshed the Claude Code session: the token expires in 8h/,
    wantRefreshes: 0,
    wantClaudeRuns: 1,
    wantEntry: () => ccEntry(CC_NEXT),
  },
  {
    name: "stale Claude Code session claude cannot renew: exit 4",
    setup: claudeSession(CC_STALE, { claude: { mode: "fail", stderr: "Error: offline" } }),
    wantCode: 4,
    wantError: /^Claude session is still expired\./,
    wantRefreshes: 0,
    wantClaudeRuns: 1,
    wantEntry: "unchanged",
  },
];

for (const tc of CASES) {
  Deno.test(`runRefresh: ${tc.name}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        box.plant(KEY);
        for (const t of [CC_FRESH, CC_NEXT, CC_STALE]) box.plant(t.accessToken, t.refreshToken);
        const w = { box, fake };
        await tc.setup(w);
        const before = await box.readAuthText();
        const t = commandContext(box, { env: fake.env(), now: () => NOW, name: "refresh" });

        const outcome = await t.settle(runRefresh(t.ctx, { force: tc.force === true }));

        for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
        assertOutcome(t, outcome, tc);
        if (tc.wantStderr) assert.match(t.err(), tc.wantStderr);
        assert.equal(t.out(), "");
        assert.equal(fake.refreshRequests().length, tc.wantRefreshes);
        if (tc.wantClaudeRuns !== undefined) {
          assert.equal(await claudeRunCount(box), tc.wantClaudeRuns);
        }
        if (tc.wantEntry === "unchanged") assert.equal(await box.readAuthText(), before);
        else assert.deepEqual((await box.readAuth()).anthropic, tc.wantEntry(w));
        t.assertNoLeak();
      })
    );
  });
}

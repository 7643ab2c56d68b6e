/**
 * `runToken` in-process, table-driven like gh's `TestTokenRun`: each case
 * sets up files and fakes, runs the command with a fixed clock, and states
 * the stdout, stderr, exit code (or thrown CliError's `exitCode`) and the
 * `anthropic` entry it wants afterwards. Spawned: none (one `token` smoke run
 * stays spawned in tests/commands/api_key_test.ts).
 */

import assert from "node:assert/strict";
import { commandHelp } from "../../lib/cli.ts";
import { runToken, type TokenOptions } from "../../lib/commands/token.ts";
import { claudePayload, claudeRunCount } from "../fakes/claude_code.ts";
import { commandContext } from "../helpers/context.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { seedBrowserEntry, withFake } from "../helpers/browser_login.ts";
import { seedClaudeSession } from "../helpers/claude_code_session.ts";
import {
  assertOutcome,
  claudeCodeEntry,
  claudeSession,
  HOUR,
  namedClaudeTokens,
  NOW,
  rotatedEntry,
  type World,
} from "../helpers/run_tables.ts";

const KEY = "sk-ant-api03-token-run-0123456789abcdef";
const OTHERS = { openai: { type: "api", key: "sk-openai-token-run-0123456789" } };

const cc = (name: string, expiresAt: number) => namedClaudeTokens("cc", name, expiresAt);
const CC_OLD = cc("old", NOW + 2 * HOUR);
const CC_NEW = cc("new", NOW + 8 * HOUR);
const CC_STALE = cc("stale", NOW - 60_000);
const ccEntry = claudeCodeEntry;

interface TokenCase {
  name: string;
  /** `--json` / `--header` (default: the bare secret). */
  options?: TokenOptions;
  /** Files and fakes before the run. */
  setup(w: World): Promise<void>;
  /** Exit code: returned, or the thrown CliError's. */
  wantCode: 0 | 1 | 4;
  /** Exact stdout. */
  wantStdout: (w: World) => string;
  /** stderr pattern (default: empty stderr). */
  wantStderr?: RegExp;
  /** The thrown error's message. */
  wantError?: RegExp;
  /** The `anthropic` entry afterwards; "unchanged": auth.json byte-for-byte as before. */
  wantEntry: "unchanged" | ((w: World) => unknown);
  /** Refresh-grant requests to the fake token endpoint. */
  wantRefreshes?: number;
  /** Runs of the fake `claude`. */
  wantClaudeRuns?: number;
}

const CASES: TokenCase[] = [
  {
    name: "api entry: the key as is",
    setup: ({ box }) => box.writeAuth({ ...OTHERS, anthropic: { type: "api", key: KEY } }),
    wantCode: 0,
    wantStdout: () => `${KEY}\n`,
    wantEntry: "unchanged",
  },
  {
    name: "api entry --header: the x-api-key line",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    options: { format: "header" },
    wantCode: 0,
    wantStdout: () => `x-api-key: ${KEY}\n`,
    wantEntry: "unchanged",
  },
  {
    name: "api entry --json: type api, no expiry, the x-api-key header",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "api", key: KEY } }),
    options: { format: "json" },
    wantCode: 0,
    wantStdout: () =>
      JSON.stringify({
        type: "api",
        token: KEY,
        expires: null,
        header: { name: "x-api-key", value: KEY },
      }) + "\n",
    wantEntry: "unchanged",
  },
  {
    name: "fresh browser entry --header: the Authorization Bearer line",
    setup: async (w) => {
      w.seeded = await seedBrowserEntry(w.box, w.fake, { expires: NOW + HOUR });
    },
    options: { format: "header" },
    wantCode: 0,
    wantStdout: (w) => `Authorization: Bearer ${w.seeded!.access}\n`,
    wantEntry: "unchanged",
    wantRefreshes: 0,
  },
  {
    name: "expired browser entry --json: refreshed first, the new token and its expiry",
    setup: async (w) => {
      w.seeded = await seedBrowserEntry(w.box, w.fake, { expires: NOW - 60_000 });
    },
    options: { format: "json" },
    wantCode: 0,
    wantStdout: (w) =>
      JSON.stringify({
        type: "oauth",
        token: w.fake.issued[1].access,
        expires: NOW + w.fake.expiresIn * 1000,
        header: { name: "Authorization", value: `Bearer ${w.fake.issued[1].access}` },
      }) + "\n",
    wantEntry: rotatedEntry,
    wantRefreshes: 1,
  },
  {
    name: "no auth.json --json: sign-in required, nothing on stdout",
    setup: async () => {},
    options: { format: "json" },
    wantCode: 4,
    wantStdout: () => "",
    wantError: /^not signed in/,
    wantEntry: "unchanged",
  },
  {
    name: "fresh browser entry: its access token, no request",
    setup: async (w) => {
      w.seeded = await seedBrowserEntry(w.box, w.fake, { expires: NOW + HOUR });
    },
    wantCode: 0,
    wantStdout: (w) => `${w.seeded!.access}\n`,
    wantEntry: "unchanged",
    wantRefreshes: 0,
  },
  {
    name: "expired browser entry: refreshed against the token endpoint, rotated pair stored",
    setup: async (w) => {
      w.seeded = await seedBrowserEntry(w.box, w.fake, {
        expires: NOW - 60_000,
        otherProviders: OTHERS,
      });
    },
    wantCode: 0,
    wantStdout: (w) => `${w.fake.issued[1].access}\n`,
    wantEntry: rotatedEntry,
    wantRefreshes: 1,
  },
  {
    name: "browser entry inside the 60 s skew counts as stale and is refreshed",
    setup: async (w) => {
      w.seeded = await seedBrowserEntry(w.box, w.fake, { expires: NOW + 59_000 });
    },
    wantCode: 0,
    wantStdout: (w) => `${w.fake.issued[1].access}\n`,
    wantEntry: rotatedEntry,
    wantRefreshes: 1,
  },
  {
    name: "no auth.json: sign-in required",
    setup: async () => {},
    wantCode: 4,
    wantStdout: () => "",
    wantError: /^not signed in \(no anthropic entry in .*\/opencode\/auth\.json\)$/,
    wantEntry: "unchanged",
  },
  {
    name: "auth.json with other providers only: sign-in required, file untouched",
    setup: ({ box }) => box.writeAuth(OTHERS),
    wantCode: 4,
    wantStdout: () => "",
    wantError: /^not signed in/,
    wantEntry: "unchanged",
  },
  {
    name: "unusable entry (oauth without tokens): sign-in required naming the problem",
    setup: ({ box }) => box.writeAuth({ anthropic: { type: "oauth", expires: NOW + HOUR } }),
    wantCode: 4,
    wantStdout: () => "",
    wantError: /^the anthropic entry in .*auth\.json is unusable: /,
    wantEntry: "unchanged",
  },
  {
    name: "corrupt auth.json: failure naming the file, left untouched",
    setup: ({ box }) => box.writeAuth('{"anthropic": {"type": "api", "key": "x"'),
    wantCode: 1,
    wantStdout: () => "",
    wantError: /auth\.json.* is not valid JSON/,
    wantEntry: "unchanged",
  },
  {
    name: "Claude Code session: a token Claude Code renewed itself is synced, no claude run",
    setup: claudeSession(CC_OLD, { file: CC_NEW, claude: { mode: "noop" } }),
    wantCode: 0,
    wantStdout: () => `${CC_NEW.accessToken}\n`,
    wantEntry: () => ccEntry(CC_NEW),
    wantClaudeRuns: 0,
  },
  {
    name: "Claude Code session, fresh and in sync: the stored token",
    setup: claudeSession(CC_OLD, { claude: { mode: "noop" } }),
    wantCode: 0,
    wantStdout: () => `${CC_OLD.accessToken}\n`,
    wantEntry: "unchanged",
    wantClaudeRuns: 0,
  },
  {
    name: "stale Claude Code session: claude runs once, the renewed token is stored",
    setup: claudeSession(CC_STALE, { claude: { mode: "refresh", next: claudePayload(CC_NEW) } }),
    wantCode: 0,
    wantStdout: () => `${CC_NEW.accessToken}\n`,
    wantEntry: () => ccEntry(CC_NEW),
    wantClaudeRuns: 1,
  },
  {
    name: "stale Claude Code session claude cannot renew: the contract's sentence, exit 4",
    setup: claudeSession(CC_STALE, { claude: { mode: "noop" } }),
    wantCode: 4,
    wantStdout: () => "",
    wantError:
      /^Claude session is still expired\. Run `claude auth login --claudeai` and try again\./,
    wantEntry: "unchanged",
    wantClaudeRuns: 1,
  },
  {
    name: "Claude Code's store gone, stored token fresh: used, with a warning",
    setup: ({ box }) => seedClaudeSession(box, CC_OLD),
    wantCode: 0,
    wantStdout: () => `${CC_OLD.accessToken}\n`,
    wantStderr: /^warning: Claude Code's credentials were not found .*using the stored token/m,
    wantEntry: "unchanged",
  },
];

for (const tc of CASES) {
  Deno.test(`runToken: ${tc.name}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const w: World = { box, fake };
        box.plant(KEY, OTHERS.openai.key);
        for (const t of [CC_OLD, CC_NEW, CC_STALE]) box.plant(t.accessToken, t.refreshToken);
        await tc.setup(w);
        const before = await box.readAuthText();
        const t = commandContext(box, { env: fake.env(), now: () => NOW, name: "token" });

        const outcome = await t.settle(runToken(t.ctx, tc.options ?? {}));

        for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
        assertOutcome(t, outcome, tc);
        assert.equal(t.out(), tc.wantStdout(w));
        if (tc.wantStderr) assert.match(t.err(), tc.wantStderr);
        else assert.equal(t.err(), "");
        if (tc.wantEntry === "unchanged") {
          assert.equal(await box.readAuthText(), before);
        } else {
          const after = await box.readAuth();
          assert.deepEqual(after.anthropic, tc.wantEntry(w));
          if (before?.includes("openai")) assert.deepEqual(after.openai, OTHERS.openai);
        }
        if (tc.wantRefreshes !== undefined) {
          assert.equal(fake.refreshRequests().length, tc.wantRefreshes);
        }
        if (tc.wantClaudeRuns !== undefined) {
          assert.equal(await claudeRunCount(box), tc.wantClaudeRuns);
        }
        const printed = printedSecret(t.out(), tc.options?.format ?? "plain");
        t.assertNoLeak(printed ? [printed] : []);
      })
    );
  });
}

/** The one secret `token` printed in `format` (allowed on stdout), or "" when nothing was. */
function printedSecret(out: string, format: "plain" | "json" | "header"): string {
  if (out === "") return "";
  if (format === "json") return JSON.parse(out).token;
  if (format === "header") return out.trim().replace(/^(x-api-key: |Authorization: Bearer )/, "");
  return out.trim();
}

Deno.test("token --json --header: a usage error (exit 2), nothing printed, nothing read", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    await box.writeAuth({ anthropic: { type: "api", key: KEY } });
    const result = await box.runInProcess(["token", "--json", "--header"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^error: --json and --header cannot be used together$/m);
    box.assertNoLeak(["token"], result);
  });
});

Deno.test("token --help and docs/usage.md show the same header per kind", async () => {
  const help = commandHelp("token");
  const usage = await Deno.readTextFile(new URL("../../docs/usage.md", import.meta.url));
  const section = usage.slice(usage.indexOf("**token**"), usage.indexOf("**refresh**"));
  for (const text of [help, section]) {
    assert.match(text, /x-api-key: KEY/);
    assert.match(text, /Authorization: Bearer TOKEN/);
    assert.match(text, /anthropic-beta: oauth-2025-04-20/);
    assert.match(text, /token --header/);
    assert.match(text, /--json/);
    // The old one-size example (a bearer for everything) is gone from both.
    assert.doesNotMatch(text, /authorization: Bearer \$\(/i);
    assert.doesNotMatch(text, /x-api-key: \$\(/);
  }
});

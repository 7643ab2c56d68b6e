/**
 * Ownership by proof (issue 16): a refresh token is spent only when this
 * tool's state records, for this auth file, that this tool obtained that very
 * token. Every foreign entry below holds tokens the fake token endpoint would
 * accept, so a refresh sent by mistake would succeed and be counted: each
 * sends none, changes no file, and says what to do. A sign-in of ours
 * refreshes whatever Claude Code's store says or fails to say. In-process
 * against the fake server, with real fake `claude` and `security`.
 */

import assert from "node:assert/strict";
import { fingerprint } from "../lib/state.ts";
import { claudePayload, installFakeSecurity } from "./fakes/claude_code.ts";
import type { FakeAnthropic } from "./fakes/anthropic_server.ts";
import { type Sandbox, withSandbox } from "./helpers/sandbox.ts";
import {
  plantFakeSecrets,
  seedBrowserEntry,
  snapshotFiles,
  withFake,
  writeBrowserState,
} from "./helpers/browser_login.ts";
import { defaultClaudeFile, writeClaudeFile } from "./helpers/claude_code_session.ts";

const HOUR = 3600_000;
const EXPIRED = () => Date.now() - 60_000;

/** Tokens the fake accepts, as Claude Code's store would hold them. */
function claudeHeld(fake: FakeAnthropic, expiresAt: number) {
  const pair = fake.issueTokens();
  return { accessToken: pair.access, refreshToken: pair.refresh, expiresAt };
}

/** Store `pair` as the anthropic entry (no state unless the case writes one). */
async function storeEntry(
  box: Sandbox,
  pair: { access: string; refresh: string },
  expires: number,
): Promise<void> {
  box.plant(pair.access, pair.refresh);
  await box.writeAuth({ anthropic: { type: "oauth", ...pair, expires } });
}

/** A Keychain that cannot answer: `security` sleeps past the time limit. */
async function installSlowSecurity(box: Sandbox): Promise<void> {
  await box.installExecutable("security", "#!/bin/sh\nexec /bin/sleep 30\n");
}

/** One foreign origin: how the entry got there, the environment, the message expected. */
interface ForeignCase {
  name: string;
  setup(box: Sandbox, fake: FakeAnthropic): Promise<void>;
  env?: Record<string, string>;
  message: RegExp;
}

const NOT_CREATED_HERE =
  /not created here \(copied from Claude Code or another tool, or written by hand\)/;

const FOREIGN: ForeignCase[] = [
  {
    name: "an older version's sign-in (state without mintedRefresh)",
    setup: async (box, fake) => {
      await seedBrowserEntry(box, fake, { minted: false });
    },
    message: /no record that this tool obtained its refresh token \(older versions kept none\)/,
  },
  {
    name: "copied from Claude Code, which has rotated since",
    setup: async (box, fake) => {
      const copied = claudeHeld(fake, EXPIRED());
      await storeEntry(
        box,
        { access: copied.accessToken, refresh: copied.refreshToken },
        copied.expiresAt,
      );
      await writeClaudeFile(box, claudePayload(claudeHeld(fake, Date.now() + 8 * HOUR)));
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "copied from Claude Code, whose store is absent",
    setup: async (box, fake) => {
      const pair = fake.issueTokens();
      await storeEntry(box, pair, EXPIRED());
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "hand-written, with a state of this tool for another auth file",
    setup: async (box, fake) => {
      const pair = fake.issueTokens();
      await storeEntry(box, pair, EXPIRED());
      await writeBrowserState(box, {
        authFile: `${box.root}/elsewhere/auth.json`,
        mintedRefresh: await fingerprint(pair.refresh),
      });
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "Claude Code's store is empty (no claudeAiOauth)",
    setup: async (box, fake) => {
      await storeEntry(box, fake.issueTokens(), EXPIRED());
      await writeClaudeFile(box, JSON.stringify({ mcpOAuth: {} }));
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "Claude Code's store is elsewhere (a CLAUDE_CONFIG_DIR this process lacks)",
    setup: async (box, fake) => {
      const held = claudeHeld(fake, EXPIRED());
      await storeEntry(box, { access: held.accessToken, refresh: held.refreshToken }, EXPIRED());
      await writeClaudeFile(box, claudePayload(held), `${box.root}/other-claude/.credentials.json`);
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "Claude Code's store is unreadable (a folder in its place)",
    setup: async (box, fake) => {
      await storeEntry(box, fake.issueTokens(), EXPIRED());
      await Deno.mkdir(defaultClaudeFile(box), { recursive: true });
    },
    message: NOT_CREATED_HERE,
  },
  {
    name: "Claude Code's Keychain is locked (security exit 36)",
    setup: async (box, fake) => {
      await storeEntry(box, fake.issueTokens(), EXPIRED());
      await installFakeSecurity(box, { K: { exitCode: 36 } });
    },
    env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "K" },
    message: NOT_CREATED_HERE,
  },
  {
    name: "Claude Code's Keychain is slow (no answer within its time limit)",
    setup: async (box, fake) => {
      await storeEntry(box, fake.issueTokens(), EXPIRED());
      await installSlowSecurity(box);
    },
    env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "K", CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS: "300" },
    message: NOT_CREATED_HERE,
  },
  {
    name: "a sign-in of ours that an OpenCode plugin refreshed meanwhile",
    setup: async (box, fake) => {
      const ours = await seedBrowserEntry(box, fake, { expires: Date.now() + HOUR });
      // The plugin spends our refresh token itself and stores what it got.
      await storeEntry(box, await fake.spendElsewhere(ours.refresh), 1);
    },
    message:
      /a sign-in made here that another program \(an OAuth plugin inside OpenCode\) refreshed: its new refresh token was not minted here/,
  },
];

for (const origin of FOREIGN) {
  Deno.test(`foreign entry, ${origin.name}: token, refresh, refresh --force and status --check send no refresh; exit 4 naming login`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await origin.setup(box, fake);
        const refreshesBefore = fake.refreshRequests().length;
        plantFakeSecrets(box, fake);
        const before = await snapshotFiles(box);
        const env = { ...fake.env(), ...origin.env };
        for (
          const args of [["token"], ["refresh"], ["refresh", "--force"], ["status", "--check"]]
        ) {
          const result = await box.runInProcess(args, { env });
          assert.equal(result.code, 4, `${args.join(" ")}: ${result.stderr}`);
          // status reports on stdout (like `gh auth status`); the others print no data.
          const said = args[0] === "status" ? result.stdout + result.stderr : result.stderr;
          if (args[0] !== "status") {
            assert.equal(result.stdout, "");
            assert.match(result.stderr, /cannot be refreshed here: /, args.join(" "));
          }
          assert.match(said, origin.message, args.join(" "));
          assert.match(said, /login/);
        }
        assert.equal(fake.refreshRequests().length - refreshesBefore, 0, "a refresh was sent");
        assert.deepEqual(await snapshotFiles(box), before, "a file changed");
        // status names it without a live check: not usable now it is stale, and why.
        const status = await box.runInProcess(["status"], { env });
        assert.equal(status.code, 4, status.stderr);
        assert.match(status.stdout, /not usable: /);
        assert.match(status.stdout, origin.message);
      })
    );
  });
}

Deno.test("a fresh foreign entry is used as it is, and status and doctor name it without calling it broken", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const pair = fake.issueTokens();
      await storeEntry(box, pair, Date.now() + HOUR);
      const token = await box.runInProcess(["token"], {
        env: fake.env(),
        allowOnStdout: [pair.access],
      });
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${pair.access}\n`);
      const status = await box.runInProcess(["status"], { env: fake.env() });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^ {2}not created here \(copied from Claude Code/m);
      assert.doesNotMatch(status.stderr, /not usable/);
      const doctor = await box.runInProcess(["doctor", "--json"], { env: fake.env() });
      const entry = JSON.parse(doctor.stdout).checks.find((c: { name: string }) =>
        c.name === "anthropic entry"
      );
      assert.equal(entry.status, "warn");
      assert.match(entry.message, /not created here/);
      assert.match(entry.fix, /login/);
      assert.equal(fake.refreshRequests().length, 0);
    })
  );
});

/** Claude Code's store, made unreadable in each way an unreadable store happens. */
const UNREADABLE: {
  name: string;
  setup(box: Sandbox): Promise<void>;
  env?: Record<string, string>;
}[] = [
  {
    name: "a folder in place of its file",
    setup: (box) => Deno.mkdir(defaultClaudeFile(box), { recursive: true }),
  },
  {
    name: "a locked Keychain",
    setup: async (box) => void await installFakeSecurity(box, { K: { exitCode: 36 } }),
    env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "K" },
  },
  {
    name: "a Keychain that does not answer",
    setup: installSlowSecurity,
    env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "K", CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS: "300" },
  },
];

for (const store of UNREADABLE) {
  Deno.test(`a browser sign-in of ours with Claude Code's store unreadable (${store.name}) refreshes once and keeps its account`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const ours = await seedBrowserEntry(box, fake);
        await store.setup(box);
        const env = { ...fake.env(), ...store.env };
        const token = await box.runInProcess(["token"], {
          env,
          allowOnStdout: [fake.issued[fake.issued.length - 1].access],
          skipLeakCheck: true,
        });
        plantFakeSecrets(box, fake);
        const fresh = fake.issued[fake.issued.length - 1];
        box.assertNoLeak(["token"], token, [fresh.access]);
        assert.equal(token.code, 0, token.stderr);
        assert.equal(token.stdout, `${fresh.access}\n`);
        assert.equal(fake.refreshRequests().length, 1);
        assert.equal(JSON.parse(fake.refreshRequests()[0].body).refresh_token, ours.refresh);
        const entry = (await box.readAuth()).anthropic as Record<string, unknown>;
        assert.equal(entry.access, fresh.access);
        assert.equal(entry.refresh, fresh.refresh);
        const state = JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
        assert.equal(state.source, "browser-oauth");
        assert.equal(state.email, "dev@example.com");
        assert.equal(state.organization, "Example Org");
        assert.equal(state.mintedRefresh, await fingerprint(fresh.refresh));
      })
    );
  });
}

Deno.test("the proof is about the refresh token: another program rewriting expires and adding fields changes nothing", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const ours = await seedBrowserEntry(box, fake);
      // OpenCode (or a plugin) rewrites the entry: another expiry, an unknown field.
      await box.writeAuth({
        anthropic: { type: "oauth", ...ours, expires: 5, accountId: "acc-from-a-plugin" },
      });
      const token = await box.runInProcess(["token"], { env: fake.env(), skipLeakCheck: true });
      assert.equal(token.code, 0, token.stderr);
      assert.equal(fake.refreshRequests().length, 1);
      assert.equal(JSON.parse(fake.refreshRequests()[0].body).refresh_token, ours.refresh);
      const entry = (await box.readAuth()).anthropic as Record<string, unknown>;
      assert.equal(entry.access, fake.issued[1].access);
      assert.equal(entry.accountId, "acc-from-a-plugin", "unknown fields are kept");
    })
  );
});

Deno.test("login takes a foreign entry over: the refresh token it obtains is then refreshed here", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await storeEntry(box, fake.issueTokens(), EXPIRED());
      const { driveBrowserLogin } = await import("./helpers/browser_login.ts");
      const login = await driveBrowserLogin(box, fake);
      assert.equal(login.code, 0, login.stderr);
      const signedIn = (await box.readAuth()).anthropic as Record<string, unknown>;
      const state = JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
      assert.equal(state.mintedRefresh, await fingerprint(String(signedIn.refresh)));
      // Expired later: the token obtained at the code exchange is ours to spend.
      await box.writeAuth({ anthropic: { ...signedIn, expires: 1 } });
      const token = await box.runInProcess(["token"], { env: fake.env(), skipLeakCheck: true });
      assert.equal(token.code, 0, token.stderr);
      assert.equal(fake.refreshRequests().length, 1);
      assert.equal(JSON.parse(fake.refreshRequests()[0].body).refresh_token, signedIn.refresh);
    })
  );
});

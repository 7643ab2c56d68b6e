/**
 * Browser sign-in refresh: rotation, invalid_grant, bad answers, retries,
 * network errors and redirects, in-process against the fake token endpoint.
 * Spawned: only the two stampedes (30 and 12 processes at once), which need
 * real processes racing for the cross-process lock.
 */

import assert from "node:assert/strict";
import { fingerprint } from "../../lib/state.ts";
import { assertCleanError, type RunResult, withSandbox } from "../helpers/sandbox.ts";
import {
  BAD_TOKEN_RESPONSES,
  ClosingServer,
  errorLines,
  plantFakeSecrets,
  SCRIPTED_TOKENS,
  seedBrowserEntry,
  snapshotFiles,
  withFake,
} from "../helpers/browser_login.ts";

const OTHER = { openai: { type: "api", key: "sk-openai-PLANTED-0123456789" } };

Deno.test("token on an expired browser sign-in refreshes once, rotates the tokens, prints the new one", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(OTHER.openai.key);
      const old = await seedBrowserEntry(box, fake, { otherProviders: OTHER });
      const stateBefore = (await snapshotFiles(box)).state;
      const before = Date.now();
      const token = await box.runInProcess(["token"], {
        env: fake.env(),
        allowOnStdout: [fake.issued[0].access],
      });
      plantFakeSecrets(box, fake);
      const fresh = fake.issued[1];
      box.assertNoLeak(["token"], token, [fresh.access]);
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${fresh.access}\n`);
      assert.equal(token.stderr, "");

      const requests = fake.refreshRequests();
      assert.equal(requests.length, 1);
      assert.deepEqual(JSON.parse(requests[0].body), {
        grant_type: "refresh_token",
        refresh_token: old.refresh,
        client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
      });
      const auth = await box.readAuth();
      assert.deepEqual(auth.openai, OTHER.openai);
      const entry = auth.anthropic as Record<string, number | string>;
      assert.equal(entry.access, fresh.access);
      assert.equal(entry.refresh, fresh.refresh);
      assert(entry.expires as number >= before + 28_800_000);
      // The account recorded at sign-in is kept; the state now describes the new
      // entry and records the refresh (for the minimum interval) and that we minted it.
      const state = JSON.parse((await snapshotFiles(box)).state ?? "{}").anthropic;
      const recorded = JSON.parse(stateBefore ?? "{}").anthropic;
      assert.equal(state.email, recorded.email);
      assert.equal(state.organization, recorded.organization);
      assert.equal(state.source, "browser-oauth");
      assert.equal(state.describes, await fingerprint(fresh.access));
      assert.equal(state.mintedRefresh, await fingerprint(fresh.refresh));
      assert(state.lastRefresh.at >= before && state.lastRefresh.lifetimeMs > 28_000_000);
      assert(!JSON.stringify(state).includes(fresh.refresh), "no token in the state file");

      // The old refresh token is dead now: the rotation really happened.
      await box.writeAuth({ anthropic: { ...old, type: "oauth" } });
      const reuse = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(reuse.code, 4, reuse.stderr);
    })
  );
});

Deno.test("token and refresh on a fresh entry make no request; refresh --force does", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      const token = await box.runInProcess(["token"], {
        env: fake.env(),
        allowOnStdout: [seeded.access],
      });
      assert.equal(token.stdout, `${seeded.access}\n`);
      const refresh = await box.runInProcess(["refresh"], { env: fake.env() });
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.match(refresh.stderr, /still fresh/);
      assert.equal(fake.tokenRequests().length, 0);

      const forced = await box.runInProcess(["refresh", "--force"], { env: fake.env() });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["refresh", "--force"], forced);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stderr, /Refreshed the browser sign-in \(OAuth\): the token expires in/);
      assert.equal(forced.stdout, "");
      assert.equal(fake.refreshRequests().length, 1);
      assert.equal(
        (await box.readAuth() as { anthropic: { access: string } }).anthropic.access,
        fake.issued[1].access,
      );
    })
  );
});

Deno.test("refresh on a stale entry refreshes once; a second refresh finds it fresh", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      // Within the 60 s skew counts as stale.
      await seedBrowserEntry(box, fake, { expires: Date.now() + 30_000 });
      const refresh = await box.runInProcess(["refresh"], { env: fake.env() });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["refresh"], refresh);
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.match(refresh.stderr, /Refreshed/);
      const again = await box.runInProcess(["refresh"], { env: fake.env() });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /still fresh/);
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("invalid_grant on refresh: exit 4, says to run login again, the entry is NOT deleted", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(OTHER.openai.key);
      const seeded = await seedBrowserEntry(box, fake, { otherProviders: OTHER });
      // Someone else spends the refresh token first (it rotates and dies).
      await fake.spendElsewhere(seeded.refresh);
      plantFakeSecrets(box, fake);

      const before = await snapshotFiles(box);
      for (const args of [["token"], ["refresh"], ["refresh", "--force"]]) {
        const result = await box.runInProcess(args, { env: fake.env() });
        assert.equal(result.code, 4, `${args.join(" ")}: ${result.stderr}`);
        assert.equal(result.stdout, "");
        assertCleanError(result, /expired or was revoked \(invalid_grant\)/);
        assert.match(result.stderr, /stored entry was kept/);
        assert.match(result.stderr, /login --method browser/);
        assert.equal(errorLines(result).length, 1);
        assert.equal((await snapshotFiles(box)).auth, before.auth, "the entry must stay as it was");
      }
      // The spend elsewhere, the refusal seen by `token`, then only `refresh --force` asks
      // again: the state file remembers the refused token's fingerprint, never the token.
      assert.equal(fake.refreshRequests().length, 3);
      const state = JSON.parse((await snapshotFiles(box)).state!);
      assert.match(state.anthropic.rejectedRefresh, /^[0-9a-f]{16}$/);
      assert.equal(state.anthropic.source, "browser-oauth");
      const status = await box.runInProcess(["status", "--json"], { env: fake.env() });
      assert.equal(status.code, 4, "a refused refresh token is not refreshable");
      assert.equal(JSON.parse(status.stdout).loggedIn, true);
      const human = await box.runInProcess(["status"], { env: fake.env() });
      assert.match(human.stdout, /refresh token was refused/);
      // A new sign-in replaces the state, and with it the marker.
      const relogin = await box.runInProcess(["login", "--method", "api-key"], {
        stdin: "sk-ant-api03-relogin-0123456789",
      });
      assert.equal(relogin.code, 0, relogin.stderr);
      assert.equal(
        JSON.parse((await snapshotFiles(box)).state!).anthropic.rejectedRefresh,
        undefined,
      );
    })
  );
});

for (const bad of BAD_TOKEN_RESPONSES) {
  Deno.test(`refresh with a bad token response (${bad.name}): exit ${bad.code}, one clear line, entry kept`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        box.plant(...SCRIPTED_TOKENS, OTHER.openai.key);
        await seedBrowserEntry(box, fake, { otherProviders: OTHER });
        const before = await snapshotFiles(box);
        for (const args of [["token"], ["refresh", "--force"]]) {
          fake.script.push(bad.response);
          const result = await box.runInProcess(args, { env: fake.env() });
          assert.equal(result.code, bad.code, `${args.join(" ")}: ${result.stderr}`);
          assert.equal(result.stdout, "");
          assertCleanError(result, bad.message);
          const errors = errorLines(result);
          assert.equal(errors.length, 1, result.stderr);
          assert.match(errors[0], bad.message);
          const after = await snapshotFiles(box);
          assert.equal(after.auth, before.auth, "the entry is kept");
          // Only a refusal (invalid_grant) is remembered, as a fingerprint in the state file.
          if (bad.name !== "invalid_grant") assert.equal(after.state, before.state);
          else assert.match(JSON.parse(after.state!).anthropic.rejectedRefresh, /^[0-9a-f]{16}$/);
        }
        assert.equal(fake.tokenRequests().length, 2, "one request per run, no retries");
      })
    );
  });
}

Deno.test("5xx answers are retried with backoff, then success", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push(
        {
          status: 503,
          body: "<html>Service Unavailable</html>",
          headers: { "content-type": "text/html" },
        },
        { status: 500, body: '{"error":"server_error"}' },
        { status: 502, body: "" },
      );
      const token = await box.runInProcess(["token", "--debug"], {
        env: fake.env(),
        skipLeakCheck: true,
      });
      plantFakeSecrets(box, fake);
      const fresh = fake.issued[1];
      box.assertNoLeak(["token"], token, [fresh.access]);
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${fresh.access}\n`);
      assert.equal(fake.tokenRequests().length, 4);
      assert.match(token.stderr, /token refresh: HTTP 503; retrying in 20 ms/);
      assert.match(token.stderr, /token refresh: HTTP 500; retrying in 40 ms/);
      assert.match(token.stderr, /token refresh: HTTP 502; retrying in 80 ms/);
    })
  );
});

Deno.test("5xx that never ends: bounded attempts, then a clear failure (exit 1), entry kept", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const before = await snapshotFiles(box);
      for (let i = 0; i < 10; i++) fake.script.push({ status: 503, body: "busy" });
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(token, /HTTP 503/);
      assert.equal(errorLines(token).length, 1);
      assert.equal(fake.tokenRequests().length, 4);
      assert.deepEqual(await snapshotFiles(box), before);
    })
  );
});

Deno.test("429 with Retry-After is honoured, then success", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push({
        status: 429,
        body: '{"error":"rate_limited"}',
        headers: { "retry-after": "1" },
      });
      const token = await box.runInProcess(["token", "--debug"], {
        env: fake.env(),
        skipLeakCheck: true,
      });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["token"], token, [fake.issued[1].access]);
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${fake.issued[1].access}\n`);
      assert.match(token.stderr, /rate limited; waiting 1000 ms as Retry-After asks/);
      assert.equal(fake.tokenRequests().length, 2);
    })
  );
});

Deno.test("429 with a Retry-After beyond the bound fails clearly at once (exit 1), entry kept", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const before = await snapshotFiles(box);
      // Default bound (30 s), and a configured one.
      for (
        const [retryAfter, env] of [
          ["3600", {}],
          ["31", {}],
          ["5", { CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS: "1000" }],
        ] as const
      ) {
        fake.script.push({ status: 429, body: "", headers: { "retry-after": retryAfter } });
        const token = await box.runInProcess(["token"], { env: { ...fake.env(), ...env } });
        assert.equal(token.code, 1, token.stderr);
        assertCleanError(token, `rate limiting requests (HTTP 429, retry after ${retryAfter} s)`);
        assert.match(token.stderr, /not a sign-in problem/);
        assert.equal(errorLines(token).length, 1);
      }
      assert.equal(fake.tokenRequests().length, 3, "no request after an over-long Retry-After");
      assert.deepEqual(await snapshotFiles(box), before);
    })
  );
});

Deno.test("429 over and over: bounded attempts, then a clear failure", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      for (let i = 0; i < 10; i++) {
        fake.script.push({ status: 429, body: "", headers: { "retry-after": "0" } });
      }
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(token, /rate limiting requests \(HTTP 429/);
      assert.equal(fake.tokenRequests().length, 3);
    })
  );
});

Deno.test("network errors (the server closes every connection): bounded retries, then exit 1", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const before = await snapshotFiles(box);
      const closing = ClosingServer.start();
      try {
        const token = await box.runInProcess(["token"], {
          env: { ...fake.env(), ANTHROPIC_TOKEN_URL: `${closing.url}/v1/oauth/token` },
        });
        assert.equal(token.code, 1, token.stderr);
        assertCleanError(
          token,
          /token refresh failed: cannot reach 127\.0\.0\.1:\d+ \(.+\) after 4 attempts/,
        );
        assert.match(token.stderr, /check your network connection/);
        assert.equal(errorLines(token).length, 1);
        assert.equal(closing.connections, 4);
      } finally {
        closing.close();
      }
      assert.deepEqual(await snapshotFiles(box), before);
    })
  );
});

Deno.test("network errors (connection refused): bounded retries, then exit 1 naming the cause", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      listener.close();
      const token = await box.runInProcess(["token", "--debug"], {
        env: { ...fake.env(), ANTHROPIC_TOKEN_URL: `http://127.0.0.1:${port}/v1/oauth/token` },
      });
      assert.equal(token.code, 1, token.stderr);
      // (--debug adds the stack of the error, so no assertCleanError here.)
      assert.match(
        token.stderr,
        /error: .*cannot reach 127\.0\.0\.1:\d+ \(.*[Cc]onnection refused.*\) after 4 attempts/,
      );
      // --debug shows each attempt: four in all.
      assert.equal(token.stderr.match(/debug: POST /g)?.length, 4);
    })
  );
});

Deno.test("a server that does not answer in time: bounded retries, then exit 1 naming the timeout", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      // The fake never answers: only the client's own time limit ends each attempt.
      for (let i = 0; i < 4; i++) fake.script.push({ status: 200, body: "{}", stall: true });
      const token = await box.runInProcess(["token"], {
        env: { ...fake.env(), CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS: "150" },
      });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(token, /no answer within 150 ms\) after 4 attempts/);
      assert.equal(fake.tokenRequests().length, 4);
    })
  );
});

Deno.test("a redirect from the token endpoint is not followed (the refresh token is not re-sent)", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push({
        status: 307,
        headers: { location: `${fake.url}/elsewhere/token?secret=x` },
      });
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(
        token,
        /redirected \(HTTP 307\) to .*\/elsewhere\/token; redirects are not followed/,
      );
      assert.doesNotMatch(token.stderr, /secret=x/);
      assert.equal(fake.requests.length, 1);
    })
  );
});

Deno.test("an entry without a refresh token cannot be refreshed: exit 4, entry kept", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake);
      await box.writeAuth({
        anthropic: { type: "oauth", refresh: "", access: seeded.access, expires: seeded.expires },
      });
      const before = await snapshotFiles(box);
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(token.code, 4, token.stderr);
      assertCleanError(token, /no refresh token/);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(await snapshotFiles(box), before);
      const status = await box.runInProcess(["status"], { env: fake.env() });
      assert.equal(status.code, 4);
    })
  );
});

async function stampede(
  box: Parameters<Parameters<typeof withSandbox>[0]>[0],
  env: Record<string, string>,
  commands: string[][],
): Promise<RunResult[]> {
  return await Promise.all(
    commands.map((args) => box.run(args, { env, skipLeakCheck: true })),
  );
}

Deno.test("30 concurrent `token` processes on an expired entry: exactly one refresh, all print the same new token", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(OTHER.openai.key);
      await seedBrowserEntry(box, fake, { otherProviders: OTHER });
      fake.refreshDelayMs = 400;
      const results = await stampede(box, fake.env(), Array.from({ length: 30 }, () => ["token"]));
      plantFakeSecrets(box, fake);
      assert.equal(fake.refreshRequests().length, 1);
      assert.equal(fake.issued.length, 2);
      const fresh = fake.issued[1];
      for (const result of results) {
        box.assertNoLeak(["token"], result, [fresh.access]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${fresh.access}\n`);
      }
      const auth = await box.readAuth();
      assert.equal((auth.anthropic as { access: string }).access, fresh.access);
      assert.deepEqual(auth.openai, OTHER.openai);
    })
  );
});

Deno.test("concurrent `token` and `refresh` calls on an expired entry: still exactly one refresh", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.refreshDelayMs = 300;
      const commands = [
        ...Array.from({ length: 8 }, () => ["token"]),
        ...Array.from({ length: 4 }, () => ["refresh"]),
      ];
      const results = await stampede(box, fake.env(), commands);
      plantFakeSecrets(box, fake);
      assert.equal(fake.refreshRequests().length, 1);
      const fresh = fake.issued[1];
      results.forEach((result, i) => {
        box.assertNoLeak(commands[i], result, [fresh.access]);
        assert.equal(result.code, 0, result.stderr);
        if (commands[i][0] === "token") assert.equal(result.stdout, `${fresh.access}\n`);
        else assert.equal(result.stdout, "");
      });
    })
  );
});

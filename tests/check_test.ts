/**
 * `status --check` against the fake API: headers per credential type, the one
 * forced refresh on a 401, and the exit codes. All in-process; spawned: none
 * (nothing here needs a real process).
 */

import assert from "node:assert/strict";
import { fingerprint } from "../lib/state.ts";
import { assertCleanError, withSandbox } from "./helpers/sandbox.ts";
import {
  plantFakeSecrets,
  seedBrowserEntry,
  snapshotFiles,
  withFake,
  writeBrowserState,
} from "./helpers/browser_login.ts";

const KEY = "sk-ant-api03-CHECKKEY-abcdefghijklmnopqrstuvwxyz0123456789";
const MODELS = "/v1/models";

const refused401 = {
  status: 401,
  body: JSON.stringify({
    type: "error",
    error: { type: "authentication_error", message: "invalid token" },
  }),
  headers: { "content-type": "application/json" },
};

Deno.test("status --check with an accepted API key: x-api-key, no bearer, exit 0", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(KEY);
      await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
      fake.acceptApiKey(KEY);
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /Checked: the API accepts the API key \(HTTP 200\)/);
      const models = fake.requests.filter((r) => r.path === MODELS);
      assert.equal(models.length, 1);
      assert.equal(models[0].method, "GET");
      assert.equal(models[0].headers["x-api-key"], KEY);
      assert.equal(models[0].headers.authorization, undefined);
      assert.equal(models[0].headers["anthropic-beta"], undefined);
      assert.equal(models[0].headers["anthropic-version"], "2023-06-01");
    })
  );
});

Deno.test("status --check with a refused API key: exit 4 with the API-key advice, no refresh", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(KEY);
      await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
      const before = await snapshotFiles(box);
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 4, check.stderr);
      assert.match(check.stdout, /The API refused the API key \(HTTP 401\)/);
      assert.match(
        check.stdout,
        /create a new key in the Console and run `login --method api-key`/,
      );
      assert.equal(fake.tokenRequests().length, 0);
      assert.deepEqual(await snapshotFiles(box), before);
      const json = await box.runInProcess(["status", "--check", "--json"], { env: fake.env() });
      assert.equal(json.code, 4);
      assert.equal(JSON.parse(json.stdout).method, "api-key");
    })
  );
});

Deno.test("status --check with a fresh browser sign-in: bearer and the OAuth beta header, exit 0", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /the API accepts the browser sign-in \(OAuth\)/);
      const models = fake.requests.filter((r) => r.path === MODELS);
      assert.equal(models.length, 1);
      assert.equal(models[0].headers.authorization, `Bearer ${seeded.access}`);
      assert.equal(models[0].headers["anthropic-beta"], "oauth-2025-04-20");
      assert.equal(models[0].headers["x-api-key"], undefined);
      assert.equal(fake.tokenRequests().length, 0);
    })
  );
});

Deno.test("status --check: a 401 that one forced refresh cures gives exit 0 and the new token is stored", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      fake.revoke(seeded.access);
      const check = await box.runInProcess(["status", "--check", "--debug"], {
        env: fake.env(),
        skipLeakCheck: true,
      });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["status"], check);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stderr, /refused the token \(HTTP 401\); refreshing once/);
      assert.match(check.stdout, /accepts the browser sign-in/);
      assert.equal(fake.refreshRequests().length, 1);
      const models = fake.requests.filter((r) => r.path === MODELS);
      assert.equal(models.length, 2);
      assert.equal(models[1].headers.authorization, `Bearer ${fake.issued[1].access}`);
      const entry = (await box.readAuth()).anthropic as { access: string };
      assert.equal(entry.access, fake.issued[1].access);
    })
  );
});

Deno.test("status --check: a 401 that a refresh does not cure gives exit 4 with the browser advice", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      fake.modelsScript.push(refused401, { ...refused401, status: 403 });
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["status"], check);
      assert.equal(check.code, 4, check.stderr);
      assert.match(
        check.stdout,
        /The API refused the browser sign-in \(OAuth\) \(HTTP 403\): run `opencode-claude-code-auth login --method browser` again/,
      );
      assert.equal(fake.refreshRequests().length, 1, "exactly one forced refresh");
      assert.equal(fake.requests.filter((r) => r.path === MODELS).length, 2, "one retry");
    })
  );
});

Deno.test("status --check: a 401 whose refresh fails with invalid_grant gives exit 4 and the advice, entry kept", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      fake.revoke(seeded.access);
      fake.script.push({
        status: 400,
        body: JSON.stringify({ error: "invalid_grant" }),
        headers: { "content-type": "application/json" },
      });
      const before = await snapshotFiles(box);
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 4, check.stderr);
      assert.match(check.stdout, /refreshing failed: .*invalid_grant/);
      assert.match(check.stdout, /login --method browser/);
      assert.equal((await snapshotFiles(box)).auth, before.auth, "the entry is kept");

      // The refused refresh token is remembered: the next check does not send it again.
      const json = await box.runInProcess(["status", "--check", "--json"], { env: fake.env() });
      assert.equal(json.code, 4, json.stderr);
      assert.equal(JSON.parse(json.stdout).loggedIn, true);
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("status --check --json on a stale entry refreshes first and reports the refreshed token", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const check = await box.runInProcess(["status", "--check", "--json"], { env: fake.env() });
      plantFakeSecrets(box, fake);
      box.assertNoLeak(["status"], check);
      assert.equal(check.code, 0, check.stderr);
      const json = JSON.parse(check.stdout);
      const entry = (await box.readAuth()).anthropic as { access: string; expires: number };
      assert.equal(entry.access, fake.issued[1].access);
      assert.equal(json.expiresAt, entry.expires);
      assert.equal(json.fresh, true);
      assert.deepEqual(json.account, { email: "dev@example.com", organization: "Example Org" });
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("status --check --json on a stale entry whose refresh token is dead: exit 4 and still one JSON object", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake);
      await box.writeAuth({
        anthropic: {
          type: "oauth",
          refresh: "sk-ant-ort01-unknown-to-the-server-0123",
          access: seeded.access,
          expires: seeded.expires,
        },
      });
      box.plant("sk-ant-ort01-unknown-to-the-server-0123");
      // Ours (the state has the proof), but the server no longer knows it.
      await writeBrowserState(box, {
        mintedRefresh: await fingerprint("sk-ant-ort01-unknown-to-the-server-0123"),
      });
      const json = await box.runInProcess(["status", "--check", "--json"], { env: fake.env() });
      assert.equal(json.code, 4, json.stderr);
      assert.equal(json.stdout.trim().split("\n").length, 1);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.loggedIn, true);
      assert.equal(parsed.fresh, false);
      // Once refused, the token is known dead: status says so without asking the server again.
      const human = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(human.code, 4, human.stderr);
      assert.doesNotMatch(human.stderr, /^\s+at /m);
      assert.match(human.stdout, /refresh token was refused \(invalid_grant\)/);
      assert.match(human.stdout, /login/);
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("status --check: a server error from /v1/models is a failure (exit 1), not a sign-in problem", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      for (let i = 0; i < 4; i++) fake.modelsScript.push({ status: 500, body: "oops" });
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 1, check.stderr);
      assertCleanError(check, /HTTP 500/);
      assert.equal(fake.tokenRequests().length, 0);
    })
  );
});

Deno.test("status without --check makes no request; an oauth entry without recorded source is a browser sign-in", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      await writeBrowserState(box);
      const status = await box.runInProcess(["status", "--json"], { env: fake.env() });
      assert.equal(status.code, 0);
      assert.equal(JSON.parse(status.stdout).account, null);
      await Deno.remove(box.stateFile);
      const unknown = await box.runInProcess(["status", "--json"], { env: fake.env() });
      assert.equal(JSON.parse(unknown.stdout).method, "browser");
      assert.equal(fake.requests.length, 0);
    })
  );
});

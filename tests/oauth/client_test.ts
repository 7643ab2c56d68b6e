/**
 * Anthropic's live sign-in as of 2026 (issue 16, REFERENCE.md §2 drift),
 * in-process against the fake server playing both token endpoints: a refresh
 * answer without refresh_token keeps the stored one; a 404 or an edge refusal
 * (429/403 without an OAuth error body) is tried once at the alternate
 * endpoint; a real OAuth error never is; a lost answer is named; and
 * `status --check` / `doctor --check` tell each failure apart in one line.
 */

import assert from "node:assert/strict";
import { fingerprint } from "../../lib/state.ts";
import { ALT_TOKEN_PATH, type ScriptedResponse, TOKEN_PATH } from "../fakes/anthropic_server.ts";
import { assertCleanError, withSandbox } from "../helpers/sandbox.ts";
import {
  ageLastRefresh,
  plantFakeSecrets,
  seedBrowserEntry,
  snapshotFiles,
  withFake,
} from "../helpers/browser_login.ts";

/** A scripted answer with an HTML page, as an edge or a proxy sends. */
const html = (status: number, text: string): ScriptedResponse => ({
  status,
  body: `<!DOCTYPE html><html><body>${text}</body></html>`,
  headers: { "content-type": "text/html; charset=utf-8" },
});
/** A scripted JSON answer. */
const json = (status: number, body: unknown): ScriptedResponse => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const edge429 = html(429, "Too many requests");
const edge403 = html(403, "Access denied");
const notFound = html(404, "Not Found");
const apiRateLimit429 = json(429, {
  type: "error",
  error: { type: "rate_limit_error", message: "Rate" },
});
const invalidGrant = json(400, {
  error: "invalid_grant",
  error_description: "Refresh token revoked",
});

/** Refresh requests the fake saw at `path`. */
const at = (requests: { path: string }[], path: string) =>
  requests.filter((r) => r.path === path).length;

Deno.test("a refresh answer without refresh_token keeps the stored one (a non-rotating server); it stays ours", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const seeded = await seedBrowserEntry(box, fake);
      fake.keepRefreshToken = true;
      const token = await box.runInProcess(["token"], { env: fake.env(), skipLeakCheck: true });
      plantFakeSecrets(box, fake);
      assert.equal(token.code, 0, token.stderr);
      const entry = (await box.readAuth()).anthropic as Record<string, string>;
      assert.equal(entry.access, fake.issued[1].access);
      assert.equal(entry.refresh, seeded.refresh, "the stored refresh token is kept");
      const state = JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
      assert.equal(state.mintedRefresh, await fingerprint(seeded.refresh));
      // Still ours: the next refresh spends it again.
      await ageLastRefresh(box);
      const again = await box.runInProcess(["refresh", "--force"], { env: fake.env() });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(fake.refreshRequests().length, 2);
      for (const request of fake.refreshRequests()) {
        assert.equal(JSON.parse(request.body).refresh_token, seeded.refresh);
      }
    })
  );
});

for (
  const [name, first] of [
    ["a 429 HTML page from the edge", edge429],
    ["a 429 in the API's error shape (no OAuth error)", apiRateLimit429],
    ["a 403 HTML page from the edge", edge403],
    ["a 404 (the endpoint moved)", notFound],
  ] as const
) {
  Deno.test(`${name} at the token endpoint: the grant is tried once at the alternate, which succeeds`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await seedBrowserEntry(box, fake);
        fake.script.push(first);
        const env = { ...fake.env(), ...fake.altEnv() };
        const token = await box.runInProcess(["token"], { env, skipLeakCheck: true });
        plantFakeSecrets(box, fake);
        box.assertNoLeak(["token"], token, [fake.issued[1].access]);
        assert.equal(token.code, 0, token.stderr);
        assert.equal(token.stdout, `${fake.issued[1].access}\n`);
        assert.equal(at(fake.requests, TOKEN_PATH), 1, "one try at the first endpoint, no wait");
        assert.equal(at(fake.requests, ALT_TOKEN_PATH), 1);
        const entry = (await box.readAuth()).anthropic as Record<string, string>;
        assert.equal(entry.access, fake.issued[1].access);
        assert.equal(entry.refresh, fake.issued[1].refresh);
      })
    );
  });
}

Deno.test("invalid_grant is never retried elsewhere: one request, exit 4, the entry kept", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push(invalidGrant);
      const before = await snapshotFiles(box);
      const token = await box.runInProcess(["token"], { env: { ...fake.env(), ...fake.altEnv() } });
      assert.equal(token.code, 4, token.stderr);
      assertCleanError(token, /expired or was revoked \(invalid_grant\)/);
      assert.equal(at(fake.requests, TOKEN_PATH), 1);
      assert.equal(at(fake.requests, ALT_TOKEN_PATH), 0);
      assert.equal((await snapshotFiles(box)).auth, before.auth);
    })
  );
});

Deno.test("both endpoints refuse: exit 1, one line naming both and what they answered", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push(edge429);
      fake.altScript.push(edge403);
      const env = { ...fake.env(), ...fake.altEnv() };
      const token = await box.runInProcess(["token"], { env });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(token, /refused the request at its edge, before looking at the sign-in/);
      assert.match(token.stderr, new RegExp(`${TOKEN_PATH} answered HTTP 429 \\(an HTML page`));
      assert.match(token.stderr, new RegExp(`${ALT_TOKEN_PATH} answered HTTP 403`));
      assert.match(token.stderr, /waiting does not cure it/);
      assert.equal(fake.tokenRequests().length, 2);
    })
  );
});

Deno.test("without an alternate (ANTHROPIC_TOKEN_URL overridden alone), a 404 fails at once naming the one endpoint", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.script.push(notFound);
      const token = await box.runInProcess(["token"], { env: fake.env() });
      assert.equal(token.code, 1, token.stderr);
      assertCleanError(token, /the token endpoint was not found: .* answered HTTP 404/);
      assert.match(token.stderr, /point ANTHROPIC_TOKEN_URL at the current one/);
      assert.equal(fake.tokenRequests().length, 1);
    })
  );
});

Deno.test("a lost answer (the server rotated, then 502) and a retry refused: says the answer was lost and login is needed", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.loseAnswers = 1;
      const before = await snapshotFiles(box);
      const token = await box.runInProcess(["token"], { env: fake.env() });
      plantFakeSecrets(box, fake);
      assert.equal(token.code, 4, token.stderr);
      assertCleanError(
        token,
        /the answer to the token refresh was lost \(HTTP 502\) and the retry was refused \(invalid_grant\): the server most likely rotated the refresh token on the first try/,
      );
      assert.match(token.stderr, /login --method browser/);
      assert.doesNotMatch(token.stderr, /expired or was revoked/);
      assert.equal(fake.refreshRequests().length, 2);
      assert.equal((await snapshotFiles(box)).auth, before.auth);
    })
  );
});

/** One `--check` classification: what the servers answer, the exit code and the line. */
interface Classification {
  name: string;
  arrange(fake: import("../fakes/anthropic_server.ts").FakeAnthropic): void;
  /** Whether the stored token is expired (the check refreshes first). */
  stale: boolean;
  code: number;
  line: RegExp;
}

const refusal = (status: number, message: string): ScriptedResponse =>
  json(status, { type: "error", error: { type: "permission_error", message } });

const CLASSIFICATIONS: Classification[] = [
  {
    name: "endpoint moved (404 at both)",
    arrange: (fake) => {
      fake.script.push(notFound);
      fake.altScript.push(notFound);
    },
    stale: true,
    code: 1,
    line: /the token endpoint was not found: .*HTTP 404.*HTTP 404/,
  },
  {
    name: "blocked at the edge (429 HTML at both)",
    arrange: (fake) => {
      fake.script.push(edge429);
      fake.altScript.push(edge429);
    },
    stale: true,
    code: 1,
    line: /refused the request at its edge/,
  },
  {
    name: "token dead (invalid_grant)",
    arrange: (fake) => void fake.script.push(invalidGrant),
    stale: true,
    code: 4,
    line: /expired or was revoked \(invalid_grant\)/,
  },
  {
    name: "only authorized for use with Claude Code",
    arrange: (fake) =>
      void fake.modelsScript.push(
        refusal(403, "This credential is only authorized for use with Claude Code"),
      ),
    stale: false,
    code: 4,
    line: /refuses this subscription token outside Claude Code .*use an API key instead/,
  },
  {
    name: "extra usage",
    arrange: (fake) =>
      void fake.modelsScript.push(
        refusal(400, "Third-party apps draw from your extra usage, which is not enabled"),
      ),
    stale: false,
    code: 4,
    line: /refused the request as "extra usage".*turn extra usage on/,
  },
];

for (const c of CLASSIFICATIONS) {
  Deno.test(`status --check and doctor --check tell apart: ${c.name}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const env = { ...fake.env(), ...fake.altEnv() };
        await seedBrowserEntry(box, fake, { expires: c.stale ? undefined : Date.now() + 3600_000 });
        c.arrange(fake);
        const status = await box.runInProcess(["status", "--check"], { env });
        assert.equal(status.code, c.code, status.stderr);
        // The verdict is on stdout with the report; an error would be on stderr.
        assert.match(status.stdout + status.stderr, c.line);
        assert.doesNotMatch(status.stdout + status.stderr, /^\s+at /m);
        const refreshesAfterStatus = fake.refreshRequests().length;
        if (!c.stale) assert.equal(refreshesAfterStatus, 0, "a policy refusal forces no refresh");

        c.arrange(fake);
        const doctor = await box.runInProcess(["doctor", "--check", "--json"], { env });
        assert.equal(doctor.code, 1, doctor.stderr);
        const api = JSON.parse(doctor.stdout).checks.find((check: { name: string }) =>
          check.name === "API check"
        );
        assert.equal(api?.status, "fail", doctor.stdout);
        assert.match(`${api.message} ${api.fix ?? ""}`, c.line);
      })
    );
  });
}

Deno.test("doctor --check on a working sign-in: the API check is ok; without --check no request is made", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 3600_000 });
      const plain = await box.runInProcess(["doctor", "--json"], { env: fake.env() });
      assert.equal(fake.requests.length, 0);
      assert(
        !JSON.parse(plain.stdout).checks.some((c: { name: string }) => c.name === "API check"),
      );
      const checked = await box.runInProcess(["doctor", "--check", "--json"], { env: fake.env() });
      const api = JSON.parse(checked.stdout).checks.find((c: { name: string }) =>
        c.name === "API check"
      );
      assert.equal(api.status, "ok");
      assert.match(api.message, /the API accepts the browser sign-in/);
    })
  );
});

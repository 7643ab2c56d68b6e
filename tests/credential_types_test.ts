/**
 * The minimum interval between refreshes protects against storms, not
 * against the user (issue 16): `refreshNotBefore` as a pure function, then
 * through the CLI in-process against the fake token endpoint: a record in the
 * future or damaged counts as none, `refresh --force` and the retry after a
 * 401 need only 30 s, a held-back refresh says until when, and a forced one
 * that could not happen exits 1.
 */

import assert from "node:assert/strict";
import { MIN_REFRESH_INTERVAL_MS, refreshNotBefore } from "../lib/credential_types.ts";
import { type Sandbox, withSandbox } from "./helpers/sandbox.ts";
import { seedBrowserEntry, snapshotFiles, withFake } from "./helpers/browser_login.ts";

const NOW = 1_800_000_000_000;
/** A clock `ms` ahead of the real one (as if that long had passed since a refresh). */
const ahead = (ms: number) => () => Date.now() + ms;
const HOUR = 3600_000;
const TOKEN_8H = 8 * HOUR;

Deno.test("refreshNotBefore: automatic waits half the lifetime, urgent 30 s, an impossible record counts as none", () => {
  const last = (agoMs: number, lifetimeMs = TOKEN_8H) => ({ at: NOW - agoMs, lifetimeMs });
  const cases: [string, Parameters<typeof refreshNotBefore>[0], boolean, number | null][] = [
    ["no record", undefined, false, null],
    ["automatic, 10 s after an 8 h token", last(10_000), false, NOW - 10_000 + 4 * HOUR],
    ["automatic, 4 h after an 8 h token", last(4 * HOUR), false, null],
    [
      "automatic, 10 s after a 20 s token: the 30 s floor",
      last(10_000, 20_000),
      false,
      NOW + 20_000,
    ],
    ["urgent, 10 s after an 8 h token: 30 s only", last(10_000), true, NOW + 20_000],
    ["urgent, 30 s after: allowed", last(MIN_REFRESH_INTERVAL_MS), true, null],
    ["urgent, 29.999 s after: held", last(29_999), true, NOW + 1],
    ["a record 1 h in the future (clock set back, damaged file)", last(-HOUR), false, null],
    ["a record 1 ms in the future", last(-1), true, null],
    ["a lifetime of a thousand years", last(10_000, 1000 * 365 * 24 * HOUR), false, null],
    ["a NaN time", { at: NaN, lifetimeMs: TOKEN_8H }, false, null],
  ];
  for (const [name, record, urgent, expected] of cases) {
    assert.equal(refreshNotBefore(record, NOW, urgent), expected, name);
  }
});

/** Record the last refresh as `record` (as a damaged or clock-skewed state file would hold it). */
async function recordLastRefresh(box: Sandbox, record: unknown): Promise<void> {
  const data = JSON.parse(await Deno.readTextFile(box.stateFile));
  data.anthropic.lastRefresh = record;
  await Deno.writeTextFile(box.stateFile, JSON.stringify(data), { mode: 0o600 });
}

for (
  const [name, record] of [
    ["in the future (a clock set back)", { at: Date.now() + 6 * HOUR, lifetimeMs: TOKEN_8H }],
    ["damaged (not numbers)", { at: "yesterday", lifetimeMs: -1 }],
    ["impossible (a lifetime of a thousand years)", {
      at: Date.now() - 60_000,
      lifetimeMs: 1000 * 365 * 24 * HOUR,
    }],
  ] as const
) {
  Deno.test(`a last refresh recorded ${name} counts as none: an expired token is refreshed, status says so`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await seedBrowserEntry(box, fake);
        await recordLastRefresh(box, record);
        const status = await box.runInProcess(["status"], { env: fake.env() });
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /refreshed with its refresh token on next use/);
        const token = await box.runInProcess(["token"], {
          env: fake.env(),
          skipLeakCheck: true,
        });
        assert.equal(token.code, 0, token.stderr);
        assert.equal(fake.refreshRequests().length, 1);
      })
    );
  });
}

Deno.test("refresh --force 31 s after a refresh of an 8 h token refreshes; 10 s after, exit 1 saying until when", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const first = await box.runInProcess(["refresh"], { env: fake.env() });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(fake.refreshRequests().length, 1);
      const before = await snapshotFiles(box);

      const soon = await box.runInProcess(["refresh", "--force"], {
        env: fake.env(),
        now: ahead(10_000),
      });
      assert.equal(soon.code, 1, soon.stderr);
      assert.match(
        soon.stderr,
        /^error: not refreshed: the browser sign-in \(OAuth\) was refreshed 10s ago; not again before \d\d:\d\d:\d\d UTC \(in 2\ds\) \(the minimum interval between refreshes\)$/m,
      );
      assert.equal(fake.refreshRequests().length, 1);
      assert.deepEqual(await snapshotFiles(box), before, "nothing written");

      // Plain `refresh` is automatic: fresh token, nothing to do, exit 0.
      const plain = await box.runInProcess(["refresh"], {
        env: fake.env(),
        now: ahead(10_000),
      });
      assert.equal(plain.code, 0, plain.stderr);

      const later = await box.runInProcess(["refresh", "--force"], {
        env: fake.env(),
        now: ahead(31_000),
        skipLeakCheck: true,
      });
      assert.equal(later.code, 0, later.stderr);
      assert.match(later.stderr, /Refreshed the browser sign-in/);
      assert.equal(fake.refreshRequests().length, 2);
    })
  );
});

Deno.test("an automatic refresh held back says until when, and status says the same", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.expiresIn = 20; // always inside the 60 s skew: due at once, the 30 s floor holds it
      const first = await box.runInProcess(["token"], { env: fake.env(), skipLeakCheck: true });
      assert.equal(first.code, 0, first.stderr);
      const refresh = await box.runInProcess(["refresh"], { env: fake.env(), now: ahead(10_000) });
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.match(refresh.stderr, /not again before \d\d:\d\d:\d\d UTC \(in 20s\)/);
      const status = await box.runInProcess(["status"], { env: fake.env(), now: ahead(10_000) });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /next refresh is held back until \d\d:\d\d:\d\d UTC \(in 20s\)/);
      // Expired and still held back: a clear failure (exit 1) saying until when, no request.
      const token = await box.runInProcess(["token"], { env: fake.env(), now: ahead(25_000) });
      assert.equal(token.code, 1, token.stderr);
      assert.match(
        token.stderr,
        /the token has expired, but it was refreshed 25s ago; not again before .* \(in 5s\)/,
      );
      const expired = await box.runInProcess(["status"], { env: fake.env(), now: ahead(25_000) });
      assert.equal(expired.code, 4, expired.stderr);
      assert.match(expired.stdout, /not usable: .*held back until .* \(in 5s\)/);
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("401 recovery: status --check refreshes once when the last refresh is 40 s old, whatever the lifetime", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const first = await box.runInProcess(["token"], { env: fake.env(), skipLeakCheck: true });
      assert.equal(first.code, 0, first.stderr);
      fake.revoke(fake.issued[1].access); // the server revokes the 8 h token
      const soon = await box.runInProcess(["status", "--check"], {
        env: fake.env(),
        now: ahead(10_000),
      });
      assert.equal(soon.code, 4, soon.stderr);
      assert.match(
        soon.stdout,
        /The API refused the browser sign-in \(OAuth\) \(HTTP 401\), and it was refreshed 10s ago; not again before .* UTC \(in 20s\)/,
      );
      assert.equal(fake.refreshRequests().length, 1);
      const later = await box.runInProcess(["status", "--check"], {
        env: fake.env(),
        now: ahead(40_000),
        skipLeakCheck: true,
      });
      assert.equal(later.code, 0, later.stderr);
      assert.match(later.stdout, /Checked: the API accepts the browser sign-in/);
      assert.equal(fake.refreshRequests().length, 2);
      const entry = (await box.readAuth()).anthropic as { access: string };
      assert.equal(entry.access, fake.issued[2].access);
    })
  );
});

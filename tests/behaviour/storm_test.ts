/**
 * No refresh storm, whatever `expires_in` the server grants: no path refreshes
 * the same credential more often than once per 30 s, or half the token's
 * lifetime when that is longer. Against the fake token endpoint, with a
 * simulated clock (in-process) and with real time (`run -- CMD`).
 */

import assert from "node:assert/strict";
import { ensureUsable } from "../../lib/usable.ts";
import { CliError } from "../../lib/errors.ts";
import { memoryIo, testContext } from "../helpers/context.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { seedBrowserEntry, withFake } from "../helpers/browser_login.ts";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";

/** An in-process context over the sandbox whose clock is `clock.now`. */
function clockedContext(box: Sandbox, fake: FakeAnthropic, clock: { now: number }) {
  const ctx = testContext(box.runEnv(fake.env()), "linux", memoryIo(), {
    authFile: box.authFile,
    stateFile: box.stateFile,
  });
  return { ...ctx, now: () => clock.now };
}

/**
 * Call `token`'s ensureUsable once per simulated second for `seconds`, as an
 * editor polling `token` would; returns how many refreshes reached the server.
 */
async function pollFor(
  box: Sandbox,
  fake: FakeAnthropic,
  expiresInS: number,
  seconds: number,
): Promise<{ refreshes: number; refusedExpired: number; start: number }> {
  const clock = { now: Date.now() };
  await seedBrowserEntry(box, fake, { expires: clock.now - 1_000 });
  fake.expiresIn = expiresInS;
  const ctx = clockedContext(box, fake, clock);
  let refusedExpired = 0;
  const start = clock.now;
  for (let t = 0; t <= seconds; t++) {
    clock.now = start + t * 1_000;
    try {
      await ensureUsable(ctx);
    } catch (error) {
      // Expired, and refreshed too recently to refresh again: a clear failure, not a request.
      if (!(error instanceof CliError) || !/minimum interval/.test(error.message)) throw error;
      refusedExpired++;
    }
  }
  return { refreshes: fake.refreshRequests().length, refusedExpired, start };
}

const STORMS = [
  // [expires_in granted, simulated seconds, refreshes expected]
  { expiresIn: 20, seconds: 120, expected: 5 }, // 30 s floor: at 0, 30, 60, 90, 120
  { expiresIn: 0.5, seconds: 120, expected: 5 }, // a token that is dead on arrival: same floor
  { expiresIn: 1, seconds: 59, expected: 2 }, // at 0 and 30
  { expiresIn: 200, seconds: 300, expected: 3 }, // half-life 100 s: at 0, 140 (200-60), 280
  { expiresIn: 8 * 3600, seconds: 600, expected: 1 }, // an ordinary token: one refresh
];

for (const storm of STORMS) {
  Deno.test(`no storm: expires_in ${storm.expiresIn} s, polled every second for ${storm.seconds} s → ${storm.expected} refreshes`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const { refreshes } = await pollFor(box, fake, storm.expiresIn, storm.seconds);
        assert.equal(refreshes, storm.expected);
      })
    );
  });
}

Deno.test("no storm: a 200 s token is refreshed automatically once per half-life; --force needs only 30 s", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const clock = { now: Date.now() };
      await seedBrowserEntry(box, fake, { expires: clock.now - 1_000 });
      fake.expiresIn = 200;
      const ctx = clockedContext(box, fake, clock);
      await ensureUsable(ctx);
      assert.equal(fake.refreshRequests().length, 1);
      clock.now += 20_000; // forced, inside the 30 s floor: held back, and it says until when
      const kept = await ensureUsable(ctx, { force: true });
      assert.equal(kept.refreshed, false);
      assert.equal(kept.heldBack, true);
      assert.match(kept.note ?? "", /not again before \d\d:\d\d:\d\d UTC \(in 10s\)/);
      assert.match(kept.note ?? "", /minimum interval/);
      assert.equal(fake.refreshRequests().length, 1);
      clock.now += 11_000; // forced, past 30 s though far inside half of 200 s
      const forced = await ensureUsable(ctx, { force: true });
      assert.equal(forced.refreshed, true);
      assert.equal(fake.refreshRequests().length, 2);
      clock.now += 60_000; // automatic (--ahead makes it due): half the lifetime applies
      const early = await ensureUsable(ctx, { aheadMs: 300_000 });
      assert.equal(early.refreshed, false);
      assert.equal(early.heldBack, true);
      assert.equal(fake.refreshRequests().length, 2);
      clock.now += 41_000; // 101 s after the last refresh
      const automatic = await ensureUsable(ctx, { aheadMs: 300_000 });
      assert.equal(automatic.refreshed, true);
      assert.equal(fake.refreshRequests().length, 3);
    })
  );
});

Deno.test("no storm: an expired token refreshed moments ago is a clear failure (exit 1), not a request", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const { refreshes, refusedExpired, start } = await pollFor(box, fake, 0.5, 10);
      assert.equal(refreshes, 1);
      assert.equal(refusedExpired, 10);
      // The same through the CLI, 15 simulated seconds after that refresh: exit 1, one clear line.
      const result = await box.runInProcess(["token"], {
        env: fake.env(),
        now: () => start + 15_000,
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^error: the token has expired, but it was refreshed .* ago/m);
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

for (const expiresIn of [20, 0.5]) {
  Deno.test(`no storm: run -- CMD for 2.5 s against ${expiresIn} s tokens refreshes once (it used to refresh every second)`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await seedBrowserEntry(box, fake, { expires: Date.now() - 1_000 });
        fake.expiresIn = expiresIn;
        const result = await box.runInProcess(["run", "--", "/bin/sleep", "2.5"], {
          env: fake.env(),
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(fake.refreshRequests().length, 1);
      })
    );
  });
}

/**
 * `refresh --ahead DURATION` (issue 9, item 2): its boundaries, its bad
 * values, the API-key case, `--quiet` for schedulers, and the run record
 * `service status` reads. In-process, against the fake token endpoint, with
 * the clock set exactly.
 */

import assert from "node:assert/strict";
import { readLastRun, serviceLogPath } from "../../lib/service/record.ts";
import { memoryIo, testContext } from "../helpers/context.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { seedBrowserEntry, withFake } from "../helpers/browser_login.ts";

const EXPIRES = Date.UTC(2026, 10, 27, 12, 0, 0);

const BOUNDARIES = [
  // [--ahead, now relative to expiry, refreshed?]
  { ahead: "4m", before: 240_000, refreshed: true }, // exactly at the margin: due
  { ahead: "4m", before: 240_001, refreshed: false }, // one ms earlier: not yet
  { ahead: "90s", before: 90_000, refreshed: true },
  { ahead: "90s", before: 91_000, refreshed: false },
  { ahead: "2h", before: 7_199_000, refreshed: true },
  { ahead: "1s", before: 30_000, refreshed: false }, // --ahead replaces the 60 s skew
  { ahead: "1s", before: -5_000, refreshed: true }, // already expired
];

for (const { ahead, before, refreshed } of BOUNDARIES) {
  Deno.test(`refresh --ahead ${ahead}, ${before} ms before expiry: ${refreshed ? "refreshes" : "does nothing"}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await seedBrowserEntry(box, fake, { expires: EXPIRES });
        const result = await box.runInProcess(["refresh", "--ahead", ahead], {
          env: fake.env(),
          now: () => EXPIRES - before,
        });
        for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(fake.refreshRequests().length, refreshed ? 1 : 0);
        assert.match(
          result.stderr,
          refreshed ? /^✓ Refreshed the browser sign-in/m : /still fresh/,
        );
      })
    );
  });
}

for (
  const bad of ["0s", "4", "4M", "1.5h", "-1m", " 4m", "25h", "4mm", "m", "99999999999999999999s"]
) {
  Deno.test(`refresh --ahead '${bad}' is a usage error (exit 2), nothing requested or recorded`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        await seedBrowserEntry(box, fake, { expires: Date.now() + 60_000 });
        const before = await Deno.readTextFile(box.stateFile);
        const result = await box.runInProcess(["refresh", "--ahead", bad], { env: fake.env() });
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
        assert.match(result.stderr, /^error: --ahead /);
        assert.equal(fake.requests.length, 0);
        assert.equal(await Deno.readTextFile(box.stateFile), before);
      })
    );
  });
}

Deno.test("refresh --ahead on an API key: exit 0, nothing to refresh; --quiet prints nothing", async () => {
  await withSandbox(async (box) => {
    const key = "sk-ant-api03-ahead-0123456789abcdef";
    box.plant(key);
    await box.runInProcess(["login", "--method", "api-key"], { stdin: key });
    const loud = await box.runInProcess(["refresh", "--ahead", "4m"]);
    assert.equal(loud.code, 0);
    assert.match(loud.stderr, /nothing to refresh/);
    const quiet = await box.runInProcess(["refresh", "--ahead", "4m", "--quiet"]);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, "");
    assert.equal(quiet.stdout, "");
  });
});

Deno.test("refresh --ahead --quiet: silent on success, and the run is recorded for `service status`", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 60_000 });
      const result = await box.runInProcess(["refresh", "--ahead", "4m", "--quiet"], {
        env: fake.env(),
      });
      for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(fake.refreshRequests().length, 1);
      const ctx = testContext({}, "linux", memoryIo(), {
        authFile: box.authFile,
        stateFile: box.stateFile,
      });
      const last = readLastRun(ctx);
      assert.equal(last?.ok, true);
      assert.match(last?.message ?? "", /Refreshed the browser sign-in/);
    })
  );
});

Deno.test("refresh --ahead failing: exit 4, one error line, the failure recorded and logged once per run", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 60_000 });
      // The server refuses the refresh token (invalid_grant): sign-in required.
      fake.script.push({
        status: 400,
        body: JSON.stringify({ error: "invalid_grant", error_description: "revoked" }),
        headers: { "content-type": "application/json" },
      });
      const ctx = testContext({}, "linux", memoryIo(), {
        authFile: box.authFile,
        stateFile: box.stateFile,
      });
      for (let run = 1; run <= 2; run++) {
        const result = await box.runInProcess(["refresh", "--ahead", "4m", "--quiet"], {
          env: fake.env(),
        });
        assert.equal(result.code, 4, result.stderr);
        assert.equal(result.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
        assert.equal(readLastRun(ctx)?.ok, false);
        const log = await Deno.readTextFile(serviceLogPath(box.stateFile));
        assert.equal(log.trim().split("\n").length, run, log);
      }
      // The second run did not send the refused token again.
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

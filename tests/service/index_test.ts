/** The table: each OS gets its manager; any other OS the crontab fallback. */

import assert from "node:assert/strict";
import { recordEnv } from "../../lib/context.ts";
import { CliError } from "../../lib/errors.ts";
import { fileOwner, serviceManager } from "../../lib/service/index.ts";
import { withTempDir } from "../helpers/temp_dir.ts";

Deno.test("serviceManager picks by OS: systemd, launchd, Task Scheduler; anything else has none", () => {
  const place = (os: typeof Deno.build.os) => ({
    env: recordEnv({ HOME: "/home/u" }),
    os,
    stateFile: "/home/u/.config/opencode-claude-code-auth/state.json",
  });
  const cases: [typeof Deno.build.os, RegExp, boolean][] = [
    ["linux", /^systemd user timer /, true],
    ["darwin", /^LaunchAgent /, true],
    ["windows", /^Scheduled Task /, false],
    ["freebsd", /^scheduled job$/, true],
    ["android", /^scheduled job$/, true],
  ];
  for (const [os, what, cron] of cases) {
    const manager = serviceManager(place(os), () => 0);
    assert.match(manager.what, what, os);
    assert.equal(manager.cronFallback, cron, os);
  }
});

Deno.test("fileOwner: the uid from a path's metadata; a missing path is a failure naming it", async () => {
  await withTempDir("occa-service-", async (dir) => {
    assert.equal(fileOwner(dir), Deno.statSync(dir).uid);
    assert.throws(
      () => fileOwner(`${dir}/missing`),
      (error) => error instanceof CliError && error.message.includes(`${dir}/missing`),
    );
    await Promise.resolve();
  });
});

/** The crontab fallback: the script beside the state, the short line, and the manager of an OS without one. */

import assert from "node:assert/strict";
import {
  CRON_LINE_TARGET,
  cronFallback,
  cronLine,
  cronManager,
  cronScript,
  cronScriptPath,
} from "../../lib/service/cron.ts";
import { JOB, placeOn, SCHEDULE } from "../helpers/service.ts";

const SCRIPT = "/home/u/.config/opencode-claude-code-auth/service-refresh.sh";

Deno.test("cronFallback: the script (0700) beside the state and the line calling it; a long path is flagged", () => {
  assert.equal(cronScriptPath(placeOn("linux")), SCRIPT);
  assert.deepEqual(cronFallback(JOB, SCHEDULE, SCRIPT), {
    file: { path: SCRIPT, content: cronScript(JOB, SCHEDULE), mode: 0o700 },
    line: cronLine(SCRIPT, SCHEDULE.every),
    tooLong: false,
  });
  const deep = `/${"d".repeat(CRON_LINE_TARGET)}/service-refresh.sh`;
  assert.equal(cronFallback(JOB, SCHEDULE, deep).tooLong, true);
});

Deno.test("cronManager: nothing to install (saying which OS), uninstall or ask", () => {
  const manager = cronManager(placeOn("freebsd"));
  assert.deepEqual(manager.files, []);
  assert.equal(manager.cronFallback, true);
  assert.deepEqual(manager.install(JOB, SCHEDULE), {
    kind: "none",
    reason: "freebsd has no systemd user units, LaunchAgents or Task Scheduler",
  });
  const plan = manager.uninstall(true);
  assert.deepEqual([plan.probe, plan.steps, plan.afterRemoval], [null, [], []]);
  assert.equal(manager.statusStep(), null);
  assert.deepEqual(manager.readBack([]), { every: null, ahead: null });
});

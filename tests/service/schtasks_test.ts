/** The Task Scheduler manager's plans: the wrapper, /Create, uninstall asking first, the answer read. */

import assert from "node:assert/strict";
import { JOB_NAME } from "../../lib/service/job.ts";
import {
  cmdWrapper,
  createArgs,
  deleteArgs,
  queryArgs,
  schtasksManager,
  wrapperPath,
} from "../../lib/service/schtasks.ts";
import { JOB, placeOn, ran, SCHEDULE } from "../helpers/service.ts";

const WRAPPER = "/home/u/.config/opencode-claude-code-auth/service-refresh.cmd";

Deno.test("schtasks install: the wrapper beside the state (0600), one /Create; no crontab to fall back on", () => {
  const place = placeOn("windows");
  assert.equal(wrapperPath(place), WRAPPER);
  const manager = schtasksManager(place);
  assert.equal(manager.what, `Scheduled Task ${JOB_NAME}`);
  assert.equal(manager.quoting, "cmd");
  assert.equal(manager.cronFallback, false);
  const plan = manager.install(JOB, SCHEDULE);
  assert(plan.kind === "manager");
  assert.deepEqual(plan.files, [{
    path: WRAPPER,
    content: cmdWrapper(JOB, SCHEDULE),
    mode: 0o600,
  }]);
  assert.deepEqual(plan.steps, [["schtasks", ...createArgs(WRAPPER, SCHEDULE.every)]]);
  assert.equal(plan.tolerates(plan.steps[0]), false);
});

Deno.test("schtasks uninstall: asks whether the task exists first, deletes it whatever files are left", () => {
  const manager = schtasksManager(placeOn("windows"));
  for (const present of [true, false]) {
    assert.deepEqual(manager.uninstall(present), {
      probe: ["schtasks", ...queryArgs()],
      steps: [["schtasks", ...deleteArgs()]],
      afterRemoval: [],
      failureExpected: false,
    });
  }
});

Deno.test("schtasks status: asked even without the wrapper; present, disabled or no such task", () => {
  const manager = schtasksManager(placeOn("windows"));
  assert.equal(manager.queriedWhenAbsent, true);
  assert.deepEqual(manager.statusStep(), ["schtasks", ...queryArgs()]);
  assert.deepEqual(manager.readBack([cmdWrapper(JOB, SCHEDULE)]), {
    every: SCHEDULE.every,
    ahead: "4m",
  });
  assert.deepEqual(manager.readAnswer(ran(0, { stdout: "Status: Ready\n" })), {
    enabled: true,
    note: "task present",
  });
  assert.deepEqual(manager.readAnswer(ran(0, { stdout: "Scheduled Task State: Disabled\n" })), {
    enabled: false,
    note: "task disabled",
  });
  assert.deepEqual(manager.readAnswer(ran(1, { stderr: "ERROR: not found" })), {
    enabled: false,
    note: "no such task",
  });
});

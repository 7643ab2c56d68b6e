/** The launchd manager's plans: the plist, bootout then bootstrap, the GUI domain looked up only when needed. */

import assert from "node:assert/strict";
import { CliError } from "../../lib/errors.ts";
import { LAUNCHD_LABEL } from "../../lib/service/job.ts";
import {
  launchAgentPath,
  launchAgentPlist,
  launchdDomain,
  launchdManager,
} from "../../lib/service/launchd.ts";
import { JOB, placeOn, ran, SCHEDULE } from "../helpers/service.ts";

const PLIST = `/home/u/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`;

Deno.test("launchd: the plist in ~/Library/LaunchAgents; the domain is the home owner's GUI session", () => {
  assert.equal(launchAgentPath(placeOn("darwin")), PLIST);
  const place = placeOn("darwin", () => 502);
  assert.equal(launchdDomain(place), "gui/502");
  assert.deepEqual(place.ownerAsked, ["/home/u"]);
  assert.throws(
    () => launchdDomain(placeOn("darwin", () => null)),
    (error) =>
      error instanceof CliError && /cannot tell which user owns \/home\/u/.test(error.message),
  );
});

Deno.test("launchd install: the plist (0644), bootout (may fail: not loaded) then bootstrap", () => {
  const manager = launchdManager(placeOn("darwin"));
  assert.deepEqual(manager.files, [PLIST]);
  const plan = manager.install(JOB, SCHEDULE);
  assert(plan.kind === "manager");
  assert.deepEqual(plan.files, [
    { path: PLIST, content: launchAgentPlist(JOB, SCHEDULE.every), mode: 0o644 },
  ]);
  assert.deepEqual(plan.steps, [
    ["launchctl", "bootout", `gui/501/${LAUNCHD_LABEL}`],
    ["launchctl", "bootstrap", "gui/501", PLIST],
  ]);
  assert.deepEqual(plan.steps.map((step) => plan.tolerates(step)), [true, false]);
  assert.deepEqual(plan.afterFailure, []);
});

Deno.test("launchd: the owner is read only by a plan that names the domain", () => {
  const place = placeOn("darwin");
  const manager = launchdManager(place);
  assert.equal(manager.uninstall(false).steps.length, 0);
  manager.readBack([null]);
  assert.deepEqual(place.ownerAsked, [], "nothing named the domain yet");
  assert.deepEqual(manager.uninstall(true), {
    probe: null,
    steps: [["launchctl", "bootout", `gui/501/${LAUNCHD_LABEL}`]],
    afterRemoval: [],
    failureExpected: true,
  });
  assert.deepEqual(manager.statusStep(), ["launchctl", "print", `gui/501/${LAUNCHD_LABEL}`]);
  assert.equal(place.ownerAsked.length, 2);
});

Deno.test("launchd status: the schedule read back from the plist; print's exit code is loaded or not", () => {
  const manager = launchdManager(placeOn("darwin"));
  assert.deepEqual(manager.readBack([launchAgentPlist(JOB, SCHEDULE.every)]), {
    every: SCHEDULE.every,
    ahead: "4m",
  });
  assert.deepEqual(manager.readAnswer(ran(0)), { enabled: true, note: "loaded" });
  assert.deepEqual(manager.readAnswer(ran(113)), { enabled: false, note: "not loaded" });
});

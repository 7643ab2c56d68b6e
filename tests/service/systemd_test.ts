/** The systemd manager's plans: the units and `systemctl --user` steps, read-back, the answer read. */

import assert from "node:assert/strict";
import {
  SERVICE_UNIT,
  serviceUnit,
  systemdManager,
  systemdUserDir,
  TIMER_UNIT,
  timerUnit,
} from "../../lib/service/systemd.ts";
import { recordEnv } from "../../lib/context.ts";
import { JOB, placeOn, ran, SCHEDULE } from "../helpers/service.ts";

const DIR = "/home/u/.config/systemd/user";

Deno.test("systemdUserDir: under XDG_CONFIG_HOME when set, else ~/.config", () => {
  assert.equal(systemdUserDir(placeOn("linux")), DIR);
  const env = recordEnv({ HOME: "/home/u", XDG_CONFIG_HOME: "/cfg" });
  assert.equal(systemdUserDir({ env, os: "linux" }), "/cfg/systemd/user");
});

Deno.test("systemd install: both units (0644), reload then enable --now; a failure reloads again", () => {
  const manager = systemdManager(placeOn("linux"));
  assert.deepEqual(manager.files, [`${DIR}/${SERVICE_UNIT}`, `${DIR}/${TIMER_UNIT}`]);
  assert.equal(manager.what, `systemd user timer ${TIMER_UNIT}`);
  assert.equal(manager.cronFallback, true);
  const plan = manager.install(JOB, SCHEDULE);
  assert(plan.kind === "manager");
  assert.deepEqual(plan.files, [
    { path: `${DIR}/${SERVICE_UNIT}`, content: serviceUnit(JOB, SCHEDULE), mode: 0o644 },
    { path: `${DIR}/${TIMER_UNIT}`, content: timerUnit(SCHEDULE.every), mode: 0o644 },
  ]);
  assert.deepEqual(plan.steps, [
    ["systemctl", "--user", "daemon-reload"],
    ["systemctl", "--user", "enable", "--now", TIMER_UNIT],
  ]);
  assert.equal(plan.steps.some((step) => plan.tolerates(step)), false);
  assert.deepEqual(plan.afterFailure, [["systemctl", "--user", "daemon-reload"]]);
});

Deno.test("systemd uninstall: disable --now, then reload after the files go; nothing when nothing is there", () => {
  const manager = systemdManager(placeOn("linux"));
  assert.deepEqual(manager.markers, [`${DIR}/timers.target.wants/${TIMER_UNIT}`]);
  assert.deepEqual(manager.uninstall(true), {
    probe: null,
    steps: [["systemctl", "--user", "disable", "--now", TIMER_UNIT]],
    afterRemoval: [["systemctl", "--user", "daemon-reload"]],
    failureExpected: false,
  });
  const none = manager.uninstall(false);
  assert.deepEqual([none.probe, none.steps, none.afterRemoval], [null, [], []]);
});

Deno.test("systemd status: the schedule read back from the units; is-enabled's first line is its word", () => {
  const manager = systemdManager(placeOn("linux"));
  const texts = [serviceUnit(JOB, SCHEDULE), timerUnit(SCHEDULE.every)];
  assert.deepEqual(manager.readBack(texts), { every: SCHEDULE.every, ahead: "4m" });
  assert.deepEqual(manager.readBack([null, null]), { every: null, ahead: null });
  assert.equal(manager.queriedWhenAbsent, false);
  assert.deepEqual(manager.statusStep(), ["systemctl", "--user", "is-enabled", TIMER_UNIT]);
  assert.deepEqual(manager.readAnswer(ran(0, { stdout: "enabled\n" })), {
    enabled: true,
    note: "enabled",
  });
  assert.deepEqual(manager.readAnswer(ran(1, { stdout: "disabled\nmore\n" })), {
    enabled: false,
    note: "disabled",
  });
  assert.deepEqual(manager.readAnswer(ran(1, { stderr: "Unit not found.\n" })), {
    enabled: false,
    note: "Unit not found.",
  });
});

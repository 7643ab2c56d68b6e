/**
 * systemd user units for the job: a oneshot `.service` running the job and a
 * `.timer` starting it every so often; their text, read-back, and the
 * `ServiceManager` that installs them with `systemctl --user`. Pure.
 *
 * @module
 */

import { configHome } from "../context.ts";
import { formatDurationFlag } from "../duration.ts";
import { join } from "../fs/path.ts";
import { lastLine } from "../ui.ts";
import { type Job, JOB_NAME, WRITTEN_BY } from "./job.ts";
import {
  NO_USER_BUS,
  NOTHING_TO_UNINSTALL,
  type ServiceManager,
  type ServicePlace,
  type Step,
} from "./manager.ts";

const decoder = new TextDecoder();

/** The service unit's file name. */
export const SERVICE_UNIT = `${JOB_NAME}.service`;

/** The timer unit's file name. */
export const TIMER_UNIT = `${JOB_NAME}.timer`;

/** The job's own time limit under systemd (a `claude` run takes at most 60 s by default). */
export const JOB_TIMEOUT_SECONDS = 300;

const HEADER = `# ${WRITTEN_BY}`;

/**
 * One word of a unit file's command line or Environment= assignment, double
 * quoted: `\` and `"` backslash-escaped, `%` (specifiers) doubled, and in a
 * command line `$` (variable expansion) doubled.
 */
export function systemdQuote(word: string, kind: "exec" | "environment" = "exec"): string {
  let out = word.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("%", "%%");
  if (kind === "exec") out = out.replaceAll("$", "$$$$");
  return `"${out}"`;
}

/** The `.service` unit: Type=oneshot, the carried environment, the job's command line. */
export function serviceUnit(job: Job, schedule: { every: number; ahead: number }): string {
  const lines = [
    HEADER,
    "[Unit]",
    `Description=Keep OpenCode's Anthropic sign-in fresh (refresh --ahead ${
      formatDurationFlag(schedule.ahead)
    }, every ${formatDurationFlag(schedule.every)})`,
    "",
    "[Service]",
    "Type=oneshot",
    ...Object.entries(job.env).map(([name, value]) =>
      `Environment=${systemdQuote(`${name}=${value}`, "environment")}`
    ),
    `ExecStart=${[job.program, ...job.args].map((word) => systemdQuote(word)).join(" ")}`,
    `TimeoutStartSec=${JOB_TIMEOUT_SECONDS}`,
    "",
  ];
  return lines.join("\n");
}

/**
 * The `.timer` unit. A period of whole minutes that divides an hour is a
 * calendar timer (`OnCalendar=*:0/2`), for which `Persistent=true` runs a
 * missed run (the machine slept) at once on wake-up; any other period is a
 * monotonic one (`every` after boot, then after each run), where systemd
 * ignores `Persistent=` (and the suspended time does not count either).
 */
export function timerUnit(every: number): string {
  const seconds = Math.ceil(every / 1000);
  const minutes = every / 60_000;
  const calendar = Number.isInteger(minutes) && minutes >= 1 && 60 % minutes === 0;
  return [
    HEADER,
    "[Unit]",
    `Description=Run ${SERVICE_UNIT} every ${formatDurationFlag(every)}`,
    "",
    "[Timer]",
    ...(calendar
      ? [`OnCalendar=*-*-* *:${minutes === 60 ? "00" : `00/${minutes}`}:00`]
      : [`OnBootSec=${seconds}s`, `OnUnitActiveSec=${seconds}s`]),
    // The default (1 min) could stretch a 2-minute period towards 3.
    "AccuracySec=5s",
    "Persistent=true",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** The period read back from a timer unit, in milliseconds, or null. */
export function timerEvery(text: string): number | null {
  const calendar = /^OnCalendar=\*-\*-\* \*:00(?:\/(\d+))?:00$/m.exec(text);
  if (calendar) return (calendar[1] ? Number(calendar[1]) : 60) * 60_000;
  const match = /^OnUnitActiveSec=(\d+)s$/m.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** The `--ahead` value read back from a service unit, or null. */
export function serviceAhead(text: string): string | null {
  const match = /^ExecStart=.*"--ahead" "(\d+[smh])"/m.exec(text);
  return match ? match[1] : null;
}

/** The systemd user unit folder: `$XDG_CONFIG_HOME/systemd/user` (default ~/.config/…). */
export function systemdUserDir(place: Pick<ServicePlace, "env" | "os">): string {
  return join(configHome(place.env, place.os), "systemd", "user");
}

const systemctl = (...args: string[]): Step => ["systemctl", "--user", ...args];

/** systemd user units (Linux): a service and a timer, enabled with `systemctl --user`. */
export function systemdManager(place: ServicePlace): ServiceManager {
  const dir = systemdUserDir(place);
  const files = [join(dir, SERVICE_UNIT), join(dir, TIMER_UNIT)];
  return {
    what: `systemd user timer ${TIMER_UNIT}`,
    files,
    markers: [join(dir, "timers.target.wants", TIMER_UNIT)],
    cronFallback: true,
    queriedWhenAbsent: false,
    quoting: "sh",
    saysNoManager: (output) => NO_USER_BUS.test(output),
    install: (job, schedule) => ({
      kind: "manager",
      files: [
        { path: files[0], content: serviceUnit(job, schedule), mode: 0o644 },
        { path: files[1], content: timerUnit(schedule.every), mode: 0o644 },
      ],
      steps: [systemctl("daemon-reload"), systemctl("enable", "--now", TIMER_UNIT)],
      tolerates: () => false,
      // The units are put back: systemd must read them again.
      afterFailure: [systemctl("daemon-reload")],
    }),
    uninstall: (present) =>
      present
        ? {
          probe: null,
          steps: [systemctl("disable", "--now", TIMER_UNIT)],
          afterRemoval: [systemctl("daemon-reload")],
          failureExpected: false,
        }
        : NOTHING_TO_UNINSTALL,
    readBack: ([service, timer]) => ({
      every: timer ? timerEvery(timer) : null,
      ahead: service ? serviceAhead(service) : null,
    }),
    statusStep: () => systemctl("is-enabled", TIMER_UNIT),
    readAnswer: (result) => ({
      enabled: result.code === 0,
      note: decoder.decode(result.stdout).trim().split("\n")[0] || lastLine(result.stderr, 200),
    }),
  };
}

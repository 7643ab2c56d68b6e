/**
 * The crontab fallback, for systems without a user service manager (no
 * systemd user bus, another init): a small sh script, written next to the
 * state, that sets the carried variables and runs the job, and the short
 * crontab line that calls it. A line with every variable and flag inline ran
 * to over 1000 characters, which cron implementations cut. Pure text
 * generation, and the `ServiceManager` of an OS without any manager.
 *
 * @module
 */

import { formatDurationFlag } from "../duration.ts";
import { FailureError, quote } from "../errors.ts";
import { dirname, join } from "../fs/path.ts";
import { type Job, WRITTEN_BY } from "./job.ts";
import {
  NO_USER_BUS,
  NOTHING_TO_UNINSTALL,
  type PlannedFile,
  type Schedule,
  type ServiceManager,
  type ServicePlace,
} from "./manager.ts";

/** The script's file name, in the state file's folder. */
export const CRON_SCRIPT_NAME = "service-refresh.sh";

/** The line length the crontab line is kept under (cron implementations cut near 1000). */
export const CRON_LINE_TARGET = 200;

/** The line's period in whole minutes (cron counts minutes), rounded up, at most 60. */
export function cronMinutes(every: number): number {
  return Math.min(60, Math.max(1, Math.ceil(every / 60_000)));
}

/** `word` single-quoted for sh. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `word` single-quoted for sh, with `%` escaped for cron (which turns a bare
 * `%` into a newline, even inside quotes, and drops the backslash of `\%`).
 */
export function cronQuote(word: string): string {
  if (word.includes("\\%")) {
    throw new FailureError(
      `cannot write a crontab line: ${quote(word, 40)} holds \\% (cron has no way to spell it)`,
    );
  }
  return shQuote(word).replaceAll("%", "\\%");
}

/** The script cron runs: the carried variables exported, then the job in its place (`exec`). */
export function cronScript(job: Job, schedule: { every: number; ahead: number }): string {
  return [
    "#!/bin/sh",
    `# ${WRITTEN_BY}`,
    `# Run by cron: every ${cronMinutes(schedule.every)}m, ahead ${
      formatDurationFlag(schedule.ahead)
    }`,
    ...Object.entries(job.env).map(([name, value]) => `${name}=${shQuote(value)}; export ${name}`),
    `exec ${[job.program, ...job.args].map(shQuote).join(" ")}`,
    "",
  ].join("\n");
}

/**
 * `*\/N * * * * '/path/service-refresh.sh' >/dev/null 2>&1`. Output is
 * discarded: the job records each run's outcome in the state file, and
 * failures in its bounded log, so cron has nothing to mail.
 */
export function cronLine(script: string, every: number): string {
  const minutes = cronMinutes(every);
  const schedule = minutes >= 60 ? "0 * * * *" : `*/${minutes} * * * *`;
  return `${schedule} ${cronQuote(script)} >/dev/null 2>&1`;
}

/** The crontab fallback's script, in the state file's folder. */
export function cronScriptPath(place: Pick<ServicePlace, "stateFile">): string {
  return join(dirname(place.stateFile), CRON_SCRIPT_NAME);
}

/** What the fallback leaves to the user: the script to write and the line to add. */
export interface CronFallback {
  /** The script, beside the state file. */
  file: PlannedFile;
  /** The crontab line that runs it. */
  line: string;
  /** Whether the line is longer than cron implementations are sure to keep. */
  tooLong: boolean;
}

/** The crontab fallback for `job`: the script at `script` and the short line calling it. */
export function cronFallback(job: Job, schedule: Schedule, script: string): CronFallback {
  const line = cronLine(script, schedule.every);
  return {
    file: { path: script, content: cronScript(job, schedule), mode: 0o700 },
    line,
    tooLong: line.length > CRON_LINE_TARGET,
  };
}

/**
 * Any other OS (FreeBSD, …): no user service manager at all. Nothing to
 * install, uninstall or ask; `service install` offers the crontab fallback.
 */
export function cronManager(place: Pick<ServicePlace, "os">): ServiceManager {
  return {
    what: "scheduled job",
    files: [],
    markers: [],
    cronFallback: true,
    queriedWhenAbsent: false,
    quoting: "sh",
    saysNoManager: (output) => NO_USER_BUS.test(output),
    install: () => ({
      kind: "none",
      reason: `${place.os} has no systemd user units, LaunchAgents or Task Scheduler`,
    }),
    uninstall: () => NOTHING_TO_UNINSTALL,
    readBack: () => ({ every: null, ahead: null }),
    statusStep: () => null,
    readAnswer: () => ({ enabled: null, note: "" }),
  };
}

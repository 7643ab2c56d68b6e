/**
 * The crontab fallback, for systems without a user service manager (no
 * systemd user bus, another init): a small sh script, written next to the
 * state, that sets the carried variables and runs the job, and the short
 * crontab line that calls it. A line with every variable and flag inline ran
 * to over 1000 characters, which cron implementations cut. Pure text generation.
 */

import { formatDurationFlag } from "../duration.ts";
import { FailureError, quote } from "../errors.ts";
import { type Job, WRITTEN_BY } from "./job.ts";

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

/**
 * A crontab line that does the job, for systems without a user service
 * manager (no systemd user bus, another init). Pure text generation.
 */

import { FailureError, quote } from "../errors.ts";
import type { Job } from "./job.ts";

/** The line's period in whole minutes (cron counts minutes), rounded up, at most 60. */
export function cronMinutes(every: number): number {
  return Math.min(60, Math.max(1, Math.ceil(every / 60_000)));
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
  return `'${word.replaceAll("'", `'\\''`).replaceAll("%", "\\%")}'`;
}

/**
 * `*\/N * * * * NAME='value'... 'program' 'arg'... >/dev/null 2>&1`: the
 * carried variables as assignments before the command. Output is discarded:
 * the job records each run's outcome in the state file, and failures in its
 * bounded log, so cron has nothing to mail.
 */
export function cronLine(job: Job, every: number): string {
  const minutes = cronMinutes(every);
  const schedule = minutes >= 60 ? "0 * * * *" : `*/${minutes} * * * *`;
  const env = Object.entries(job.env).map(([name, value]) => `${name}=${cronQuote(value)}`);
  const command = [job.program, ...job.args].map(cronQuote);
  return [schedule, ...env, ...command, ">/dev/null 2>&1"].join(" ");
}

/**
 * A Windows Scheduled Task for the job. Task Scheduler cannot set environment
 * variables (and /TR holds at most 261 characters), so the task runs a small
 * .cmd wrapper, kept in this tool's state folder, that sets them and runs the
 * program. Pure text and argument generation, read-back, and the
 * `ServiceManager` that registers the task with `schtasks`.
 *
 * @module
 */

import { durationMs, formatDurationFlag } from "../duration.ts";
import { FailureError, quote } from "../errors.ts";
import { dirname, join } from "../fs/path.ts";
import { type Job, JOB_NAME, WRITTEN_BY } from "./job.ts";
import {
  NO_USER_BUS,
  NOTHING_TO_UNINSTALL,
  type ServiceManager,
  type ServicePlace,
} from "./manager.ts";

/** The wrapper's file name, in the state file's folder. */
export const WRAPPER_NAME = "service-refresh.cmd";

/** The task's period in whole minutes (Task Scheduler counts minutes), rounded up. */
export function everyMinutes(every: number): number {
  return Math.max(1, Math.ceil(every / 60_000));
}

function refuseQuote(text: string, what: string): void {
  if (text.includes('"')) {
    throw new FailureError(
      `cannot write the Windows task: ${what} holds a double quote (${quote(text, 40)})`,
    );
  }
}

/**
 * One argument of the wrapper's command line, quoted for the program's
 * argument parser (CommandLineToArgvW rules: backslashes before the closing
 * quote doubled) and for cmd.exe (`%` doubled; `&|<>^` are literal inside
 * quotes). A double quote cannot be carried safely through both and is refused.
 */
export function cmdQuote(word: string): string {
  refuseQuote(word, "an argument");
  const escaped = word.replaceAll("%", "%%");
  const trailing = escaped.slice(escaped.replace(/\\+$/, "").length);
  return `"${escaped}${trailing}"`;
}

/**
 * The .cmd wrapper: switches cmd.exe to UTF-8 (the file is UTF-8; under the
 * OEM code page a profile path such as `C:\Users\José` would be read wrong
 * and every run would fail silently), sets the carried variables, runs the
 * job, exits with its code.
 */
export function cmdWrapper(job: Job, schedule: { every: number; ahead: number }): string {
  const lines = [
    "@echo off",
    "chcp 65001 >nul",
    `rem ${WRITTEN_BY}`,
    `rem Task ${JOB_NAME}: every ${everyMinutes(schedule.every)}m, ahead ${
      formatDurationFlag(schedule.ahead)
    }`,
    "setlocal",
    ...Object.entries(job.env).map(([name, value]) => {
      refuseQuote(value, name);
      return `set "${name}=${value.replaceAll("%", "%%")}"`;
    }),
    [job.program, ...job.args].map(cmdQuote).join(" "),
    "exit /b %ERRORLEVEL%",
    "",
  ];
  return lines.join("\r\n");
}

/** `schtasks` arguments that create (or with /F replace) the task running `wrapper`. */
export function createArgs(wrapper: string, every: number): string[] {
  refuseQuote(wrapper, "the wrapper's path");
  return [
    "/Create",
    "/F",
    "/SC",
    "MINUTE",
    "/MO",
    String(everyMinutes(every)),
    "/TN",
    JOB_NAME,
    "/TR",
    `"${wrapper}"`,
  ];
}

/** `schtasks` arguments that delete the task. */
export function deleteArgs(): string[] {
  return ["/Delete", "/F", "/TN", JOB_NAME];
}

/** `schtasks` arguments that describe the task. */
export function queryArgs(): string[] {
  return ["/Query", "/TN", JOB_NAME, "/FO", "LIST", "/V"];
}

/** The period read back from the wrapper's comment, in milliseconds, or null. */
export function wrapperEvery(text: string): number | null {
  const match = /^rem Task \S+: every (\d+[smh]),/m.exec(text);
  return match ? durationMs(match[1]) : null;
}

/** The `--ahead` value read back from the wrapper's command line, or null. */
export function wrapperAhead(text: string): string | null {
  const match = /"--ahead" "(\d+[smh])"/.exec(text);
  return match ? match[1] : null;
}

/** The Windows task's .cmd wrapper, in the state file's folder. */
export function wrapperPath(place: Pick<ServicePlace, "stateFile">): string {
  return join(dirname(place.stateFile), WRAPPER_NAME);
}

/**
 * A Scheduled Task (Windows) running the wrapper. There is no crontab to
 * fall back on, and the task is asked about even without its wrapper (it
 * outlives a deleted file).
 */
export function schtasksManager(place: ServicePlace): ServiceManager {
  const wrapper = wrapperPath(place);
  return {
    what: `Scheduled Task ${JOB_NAME}`,
    files: [wrapper],
    markers: [],
    cronFallback: false,
    queriedWhenAbsent: true,
    quoting: "cmd",
    saysNoManager: (output) => NO_USER_BUS.test(output),
    install: (job, schedule) => ({
      kind: "manager",
      files: [{ path: wrapper, content: cmdWrapper(job, schedule), mode: 0o600 }],
      steps: [["schtasks", ...createArgs(wrapper, schedule.every)]],
      tolerates: () => false,
      afterFailure: [],
    }),
    uninstall: () => ({
      ...NOTHING_TO_UNINSTALL,
      probe: ["schtasks", ...queryArgs()],
      steps: [["schtasks", ...deleteArgs()]],
    }),
    readBack: ([text]) => ({
      every: text ? wrapperEvery(text) : null,
      ahead: text ? wrapperAhead(text) : null,
    }),
    statusStep: () => ["schtasks", ...queryArgs()],
    readAnswer: (result) => {
      const enabled = result.code === 0 &&
        !/\bDisabled\b/i.test(new TextDecoder().decode(result.stdout).trim());
      return {
        enabled,
        note: result.code !== 0 ? "no such task" : enabled ? "task present" : "task disabled",
      };
    },
  };
}

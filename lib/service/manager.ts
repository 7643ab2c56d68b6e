/**
 * The one interface each platform's scheduler sits behind (`ServiceManager`):
 * what `service install` writes and runs, what `service uninstall` runs, how
 * `service status` asks and reads the answer. One implementation per
 * platform (systemd.ts, launchd.ts, schtasks.ts, and cron.ts where there is no
 * user service manager), picked by the table in index.ts, so that no caller
 * asks which OS it is. Also the pure decisions shared by every platform:
 * how a command is shown, why a step failed, the `--dry-run` text.
 *
 * lib/service/ is the job of `service install`: its command line (job.ts),
 * the managers' plans and files as text, the status report (report.ts),
 * whether a job makes sense for what is stored (eligibility.ts), and the
 * job's run records (record.ts). All of it is pure but record.ts and the
 * owner lookup in index.ts; lib/commands/service.ts writes the files and
 * runs the steps. It sits below the methods and the store: never commands/,
 * methods/, oauth/, store.ts or usable.ts (tests/project/architecture_test.ts).
 *
 * @module
 */

import type { EnvReader } from "../environment.ts";
import { formatDuration } from "../format.ts";
import type { BoundedResult } from "../process.ts";
import { lastLine } from "../ui.ts";
import type { Job } from "./job.ts";

/** A file the service writes. */
export interface PlannedFile {
  /** Where. */
  path: string;
  /** What. */
  content: string;
  /** Its permission bits. */
  mode: number;
}

/** A service-manager command: the program, then its arguments. */
export type Step = [command: string, ...args: string[]];

/** How often the job runs and its `refresh --ahead` window, in milliseconds. */
export interface Schedule {
  /** The period. */
  every: number;
  /** The window. */
  ahead: number;
}

/** How a command is quoted for a person to read or paste: POSIX sh or cmd.exe. */
export type Quoting = "sh" | "cmd";

/** What `service install` does with a manager: write these files, then run these steps. */
export interface InstallPlan {
  /** There is a manager to ask. */
  kind: "manager";
  /** The files, written before any step (and put back when a step fails). */
  files: PlannedFile[];
  /** The steps, in order. */
  steps: Step[];
  /** Whether a failure of `step` is expected and fine (booting out a job that is not loaded). */
  tolerates(step: Step): boolean;
  /** Run after the files were put back, when a step had already changed the manager. */
  afterFailure: Step[];
}

/** This OS has no user service manager at all: the crontab fallback is all there is. */
export interface NoManager {
  /** There is none. */
  kind: "none";
  /** Why, for the one-line error. */
  reason: string;
}

/** What `service uninstall` runs around removing the files. */
export interface UninstallPlan {
  /** Asked first (not under `--dry-run`): the steps run only when it succeeds (the task exists). */
  probe: Step | null;
  /** Run before the files are removed. */
  steps: Step[];
  /** Run after the files are removed. */
  afterRemoval: Step[];
  /** A failed step is expected (already unloaded) unless its program is missing or not allowed. */
  failureExpected: boolean;
}

/** The schedule read back from the installed files. */
export interface ReadBack {
  /** The period, in milliseconds. */
  every: number | null;
  /** The `--ahead` value as written. */
  ahead: string | null;
}

/** Whether the manager has the job enabled, and its word for it. */
export interface EnabledAnswer {
  /** Enabled / loaded; null when the manager could not be asked. */
  enabled: boolean | null;
  /** Why `enabled` is null, or the manager's own word. */
  note: string;
}

/** What `service status` found. */
export interface ServiceStatus {
  /** Whether the service's files exist. */
  installed: boolean;
  /** Whether the manager has it enabled / loaded; null when it could not be asked. */
  enabled: boolean | null;
  /** Why `enabled` is null, or the manager's own word. */
  enabledNote: string;
  /** The period read back from the installed file, in ms. */
  every: number | null;
  /** The `--ahead` value read back from the installed file. */
  ahead: string | null;
}

/** Where the service lives: what its paths are made from. */
export interface ServicePlace {
  /** The environment in force (home and config folders). */
  env: EnvReader;
  /** The OS, for its path conventions. */
  os: string;
  /** This tool's state file in force: the Windows wrapper and the crontab script sit beside it. */
  stateFile: string;
  /** The uid that owns `path` (launchd's GUI domain is the home folder owner's), read when asked. */
  ownerOf(path: string): number | null;
}

/** One platform's scheduler: pure plans over paths fixed when it was made. */
export interface ServiceManager {
  /** The service described for messages (`systemd user timer …`). */
  readonly what: string;
  /** The files the service consists of (none for the crontab fallback, which has no manager). */
  readonly files: readonly string[];
  /** Paths that, besides the files, show the service still registered (systemd's wants link). */
  readonly markers: readonly string[];
  /** Whether the crontab script is the fallback where the manager cannot be reached. */
  readonly cronFallback: boolean;
  /** Whether `status` asks the manager even when the files are missing (a task outlives its wrapper). */
  readonly queriedWhenAbsent: boolean;
  /** How its commands are shown. */
  readonly quoting: Quoting;
  /** Whether a failed step's output says there is no per-user manager (no user bus, no GUI domain). */
  saysNoManager(output: string): boolean;
  /** What install writes and runs for `job`. */
  install(job: Job, schedule: Schedule): InstallPlan | NoManager;
  /** What uninstall runs; `present`: a file or marker of the service exists. */
  uninstall(present: boolean): UninstallPlan;
  /** The schedule read back from the files' texts (in the order of `files`; null: missing). */
  readBack(texts: readonly (string | null)[]): ReadBack;
  /** The command that asks whether the job is enabled, or null when there is no one to ask. */
  statusStep(): Step | null;
  /** The manager's answer to `statusStep` (it ran, was allowed and found a manager). */
  readAnswer(result: BoundedResult): EnabledAnswer;
}

/** Time limit of one systemctl / launchctl / schtasks run. */
export const MANAGER_TIMEOUT_MS = 30_000;

const decoder = new TextDecoder();

/**
 * What systemctl (and, as before the table, every manager but launchd) says
 * when there is no per-user manager: no user bus, no systemd, no session.
 */
export const NO_USER_BUS =
  /Failed to connect to (user scope )?bus|Failed to get D-Bus connection|No medium found|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR|not been booted with systemd|Host is down/i;

/** A command as a user would type it (for messages and --dry-run). */
export function displayCommand(step: readonly string[], quoting: Quoting): string {
  return step.map((word) => {
    if (quoting === "cmd") {
      return /^[A-Za-z0-9_@%+=:,./\\-]+$/.test(word) ? word : `"${word.replaceAll('"', '\\"')}"`;
    }
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  }).join(" ");
}

/** Why a step failed, in a few words. */
export function stepFailure(step: Step, result: BoundedResult, quoting: Quoting): string {
  const shown = `\`${displayCommand(step, quoting)}\``;
  if (result.notFound) return `\`${step[0]}\` was not found on PATH`;
  if (result.notAllowed) return `Deno's permissions do not allow starting \`${step[0]}\``;
  if (result.timedOut) {
    return `${shown} did not finish within ${formatDuration(MANAGER_TIMEOUT_MS)}`;
  }
  const detail = lastLine(result.stderr, 200) || lastLine(result.stdout, 200);
  return `${shown} failed (exit ${result.code})${detail ? `: ${detail}` : ""}`;
}

/** Whether a failed step means there is no per-user service manager to talk to. */
export function isNoManager(result: BoundedResult, manager: ServiceManager): boolean {
  if (result.notFound || result.notAllowed) return true;
  return manager.saysNoManager(decoder.decode(result.stderr) + decoder.decode(result.stdout));
}

/** Whether a failed step may be passed over: expected, and its program was there and allowed. */
export function failureIsFine(result: BoundedResult, expected: boolean): boolean {
  return expected && !result.notFound && !result.notAllowed;
}

/** What `service status` makes of the status step's result. */
export function enabledAnswer(
  manager: ServiceManager,
  step: Step,
  result: BoundedResult,
): EnabledAnswer {
  if (result.notFound || result.notAllowed || result.timedOut || isNoManager(result, manager)) {
    return { enabled: null, note: stepFailure(step, result, manager.quoting) };
  }
  return manager.readAnswer(result);
}

/** What a `--dry-run` shows. */
export interface DryRun {
  /** `install` or `uninstall`. */
  verb: string;
  /** Files that would be written. */
  files: readonly PlannedFile[];
  /** Files that would be removed. */
  removed: readonly string[];
  /** Commands that would run. */
  steps: readonly Step[];
  /** The crontab line to add by hand (the fallback). */
  crontab?: string;
}

/** The `--dry-run` text: every file with its mode and content, then the commands. */
export function dryRunText(plan: DryRun, quoting: Quoting): string {
  const out: string[] = [`# service ${plan.verb} --dry-run: nothing was written or run.`];
  for (const file of plan.files) {
    out.push(
      "",
      `# file ${file.path} (mode ${file.mode.toString(8).padStart(4, "0")})`,
      file.content.replaceAll("\r\n", "\n").trimEnd(),
    );
  }
  for (const path of plan.removed) out.push("", `# remove ${path}`);
  if (plan.steps.length > 0) {
    out.push("", "# commands");
    for (const step of plan.steps) out.push(displayCommand(step, quoting));
  }
  if (plan.crontab) out.push("", "# crontab line (add it with `crontab -e`)", plan.crontab);
  return out.join("\n") + "\n";
}

/** An uninstall that does nothing (no manager, or nothing of the service left). */
export const NOTHING_TO_UNINSTALL: UninstallPlan = {
  probe: null,
  steps: [],
  afterRemoval: [],
  failureExpected: false,
};

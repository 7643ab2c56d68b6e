/**
 * `service install|uninstall|status`: a per-user scheduled job that runs
 * `refresh --ahead` with the same program, permissions, files and overrides
 * in force. systemd user units on Linux, a LaunchAgent on macOS, a Scheduled
 * Task on Windows; a crontab line where there is no user service manager.
 */

import meta from "../../deno.json" with { type: "json" };
import type { ParsedArgs } from "../cli.ts";
import { configHome, type Context, homeDir } from "../context.ts";
import { formatDurationFlag, parseDuration } from "../duration.ts";
import {
  CliError,
  type ExitCode,
  FailureError,
  fileFailure,
  PROGRAM,
  UsageError,
} from "../errors.ts";
import { pathExists, readTextOrNull, writeFileAtomic } from "../fs/atomic.ts";
import { lastLine } from "../ui.ts";
import { dirname, join } from "../fs/path.ts";
import { formatDuration, formatExpiry } from "../format.ts";
import { type BoundedResult, runBounded } from "../process.ts";
import {
  CRON_LINE_TARGET,
  CRON_SCRIPT_NAME,
  cronLine,
  cronMinutes,
  cronScript,
} from "../service/cron.ts";
import {
  buildJob,
  currentRuntime,
  type Job,
  JOB_NAME,
  type JobRuntime,
  LAUNCHD_LABEL,
} from "../service/job.ts";
import { launchAgentPlist, PLIST_NAME, plistAhead, plistEvery } from "../service/launchd.ts";
import { readLastRun, serviceLogPath } from "../service/record.ts";
import {
  cmdWrapper,
  createArgs,
  deleteArgs,
  queryArgs,
  WRAPPER_NAME,
  wrapperAhead,
  wrapperEvery,
} from "../service/schtasks.ts";
import {
  SERVICE_UNIT,
  serviceAhead,
  serviceUnit,
  TIMER_UNIT,
  timerEvery,
  timerUnit,
} from "../service/systemd.ts";
import { startTaskFlags } from "../service/task_flags.ts";
import { ENVIRONMENT, envMilliseconds } from "../environment.ts";
import { loadOAuthConfig } from "../oauth/config.ts";
import { userAgent } from "../oauth/http.ts";
import { loadStored } from "../store.ts";

/** What `service` does. */
export type ServiceAction = "install" | "uninstall" | "status";

/** Options of `service`. */
export interface ServiceOptions {
  /** install, uninstall or status. */
  action: ServiceAction;
  /** How often the job runs, in milliseconds. */
  every: number;
  /** The job's `refresh --ahead` window, in milliseconds. */
  ahead: number;
  /** Print the files and commands instead of writing and running them. */
  dryRun: boolean;
  /** Install even over a credential that has nothing to refresh (an API key, a long-lived token). */
  force?: boolean;
  /** The program the job runs (default: this process's own; tests pass another). */
  runtime?: JobRuntime;
}

/** Default period: with the default window, a Claude Code session's last minutes are always hit. */
export const DEFAULT_EVERY_MS = 2 * 60_000;
/** Default `refresh --ahead` window. */
export const DEFAULT_AHEAD_MS = 4 * 60_000;
/** Shortest period: cron and Task Scheduler count in minutes. */
export const MIN_EVERY_MS = 60_000;
/** Longest period: what a crontab line can spell (every N minutes, N up to 60). */
export const MAX_EVERY_MS = 60 * 60_000;
/** Time allowed for one run of the job itself (a `claude` run, a token request). */
export const AHEAD_MARGIN_MS = 60_000;
/** Time limit of one systemctl / launchctl / schtasks run. */
export const MANAGER_TIMEOUT_MS = 30_000;

/**
 * Check that the job cannot miss its window: two runs are at most `every`
 * (rounded up to whole minutes, as cron and Task Scheduler run) apart, and a
 * run takes up to AHEAD_MARGIN_MS, so `ahead` must cover both.
 */
export function checkSchedule(every: number, ahead: number): void {
  if (every < MIN_EVERY_MS) {
    throw new UsageError(
      `--every must be at least 1m (got ${formatDurationFlag(every)}): ` +
        "cron and Task Scheduler count in minutes",
    );
  }
  if (every > MAX_EVERY_MS) {
    throw new UsageError(`--every must be at most 60m (got ${formatDurationFlag(every)})`);
  }
  const period = cronMinutes(every) * 60_000;
  const least = period + AHEAD_MARGIN_MS;
  if (ahead < least) {
    throw new UsageError(
      `--ahead ${formatDurationFlag(ahead)} is too short for --every ${
        formatDurationFlag(every)
      }: runs ${formatDurationFlag(period)} apart, each taking up to ${
        formatDurationFlag(AHEAD_MARGIN_MS)
      }, would miss a token that expires in between`,
      `use --ahead ${formatDurationFlag(least)} or more, or a shorter --every`,
    );
  }
}

/** A file the service writes. */
interface PlannedFile {
  path: string;
  content: string;
  mode: number;
}

/** A service-manager command. */
type Step = [command: string, ...args: string[]];

/** Where the job's pieces live on this OS. */
interface Layout {
  /** The files the service consists of. */
  files: string[];
  /** Describe the service for messages. */
  what: string;
}

/** The systemd user unit folder: `$XDG_CONFIG_HOME/systemd/user` (default ~/.config/…). */
export function systemdUserDir(ctx: Pick<Context, "env" | "os">): string {
  return join(configHome(ctx.env, ctx.os), "systemd", "user");
}

/** The LaunchAgent plist path: `~/Library/LaunchAgents/<label>.plist`. */
export function launchAgentPath(ctx: Pick<Context, "env" | "os">): string {
  return join(homeDir(ctx.env, ctx.os), "Library", "LaunchAgents", PLIST_NAME);
}

/** The Windows task's .cmd wrapper, in the state file's folder. */
export function wrapperPath(ctx: Pick<Context, "stateFile">): string {
  return join(dirname(ctx.stateFile), WRAPPER_NAME);
}

/** The crontab fallback's script, in the state file's folder. */
export function cronScriptPath(ctx: Pick<Context, "stateFile">): string {
  return join(dirname(ctx.stateFile), CRON_SCRIPT_NAME);
}

function layout(ctx: Context): Layout {
  switch (ctx.os) {
    case "linux": {
      const dir = systemdUserDir(ctx);
      return {
        files: [join(dir, SERVICE_UNIT), join(dir, TIMER_UNIT)],
        what: `systemd user timer ${TIMER_UNIT}`,
      };
    }
    case "darwin":
      return { files: [launchAgentPath(ctx)], what: `LaunchAgent ${LAUNCHD_LABEL}` };
    case "windows":
      return { files: [wrapperPath(ctx)], what: `Scheduled Task ${JOB_NAME}` };
    default:
      return { files: [], what: "scheduled job" };
  }
}

/** The uid of the GUI session's launchd domain: the owner of the home folder (no --allow-sys needed). */
function launchdDomain(ctx: Context): string {
  const home = homeDir(ctx.env, ctx.os);
  let uid: number | null;
  try {
    uid = Deno.statSync(home).uid;
  } catch (error) {
    throw fileFailure("read", home, error);
  }
  if (uid === null) throw new FailureError(`cannot tell which user owns ${home}`);
  return `gui/${uid}`;
}

// ------------------------------------------------------------ running

const decoder = new TextDecoder();

/** Run a service-manager command, bounded in time and output. */
function runStep(ctx: Context, step: Step): Promise<BoundedResult> {
  ctx.ui.debug(`running ${displayCommand(step, ctx.os)}`);
  return runBounded(ctx, {
    command: step[0],
    args: step.slice(1),
    timeoutMs: MANAGER_TIMEOUT_MS,
  });
}

/** Why a step failed, in a few words. */
function failure(step: Step, result: BoundedResult, os: string): string {
  const shown = `\`${displayCommand(step, os)}\``;
  if (result.notFound) return `\`${step[0]}\` was not found on PATH`;
  if (result.notAllowed) return `Deno's permissions do not allow starting \`${step[0]}\``;
  if (result.timedOut) {
    return `${shown} did not finish within ${formatDuration(MANAGER_TIMEOUT_MS)}`;
  }
  const detail = lastLine(result.stderr, 200) || lastLine(result.stdout, 200);
  return `${shown} failed (exit ${result.code})${detail ? `: ${detail}` : ""}`;
}

const NO_USER_BUS =
  /Failed to connect to (user scope )?bus|Failed to get D-Bus connection|No medium found|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR|not been booted with systemd|Host is down/i;
const NO_GUI_DOMAIN = /Domain does not support|Could not find domain|Bootstrap failed: 125/i;

/** Whether a failed step means there is no per-user service manager to talk to. */
function noManager(result: BoundedResult, os: string): boolean {
  if (result.notFound || result.notAllowed) return true;
  const text = decoder.decode(result.stderr) + decoder.decode(result.stdout);
  return os === "darwin" ? NO_GUI_DOMAIN.test(text) : NO_USER_BUS.test(text);
}

/** A command as a user would type it (for messages and --dry-run). */
export function displayCommand(step: readonly string[], os: string): string {
  return step.map((word) => {
    if (os === "windows") {
      return /^[A-Za-z0-9_@%+=:,./\\-]+$/.test(word) ? word : `"${word.replaceAll('"', '\\"')}"`;
    }
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  }).join(" ");
}

// ------------------------------------------------------------ files

/** The files as they were before an install, to put back when it fails. */
interface Backup {
  restore(): Promise<void>;
}

async function writeFiles(files: PlannedFile[]): Promise<Backup> {
  const previous = files.map((file) => readTextOrNull(file.path));
  const created: string[] = [];
  for (const file of files) {
    for (let dir = dirname(file.path); !pathExists(dir); dir = dirname(dir)) {
      if (created.includes(dir) || dirname(dir) === dir) break;
      created.push(dir);
    }
  }
  const written: PlannedFile[] = [];
  const backup: Backup = {
    async restore() {
      for (const file of written) {
        const before = previous[files.indexOf(file)];
        if (before === null) await Deno.remove(file.path).catch(() => {});
        else await writeFileAtomic(file.path, before, file.mode).catch(() => {});
      }
      // Deepest first; a folder that is not empty (someone else's files) stays.
      for (const dir of created) await Deno.remove(dir).catch(() => {});
    },
  };
  try {
    for (const file of files) {
      written.push(file);
      await writeFileAtomic(file.path, file.content, file.mode);
    }
  } catch (error) {
    await backup.restore();
    throw error;
  }
  return backup;
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw fileFailure("remove", path, error);
  }
}

function printPlan(
  ctx: Context,
  verb: string,
  files: PlannedFile[],
  removed: string[],
  steps: Step[],
  crontab?: string,
): ExitCode {
  const out: string[] = [`# service ${verb} --dry-run: nothing was written or run.`];
  for (const file of files) {
    out.push(
      "",
      `# file ${file.path} (mode ${file.mode.toString(8).padStart(4, "0")})`,
      file.content.replaceAll("\r\n", "\n").trimEnd(),
    );
  }
  for (const path of removed) out.push("", `# remove ${path}`);
  if (steps.length > 0) {
    out.push("", "# commands");
    for (const step of steps) out.push(displayCommand(step, ctx.os));
  }
  if (crontab) out.push("", "# crontab line (add it with `crontab -e`)", crontab);
  ctx.ui.data(out.join("\n") + "\n");
  return 0;
}

// ------------------------------------------------------------ install

/** The job this process would schedule. */
export function jobFor(ctx: Context, options: ServiceOptions): Job {
  const runtime = options.runtime ?? currentRuntime();
  return buildJob({
    ...runtime,
    flags: runtime.standalone ? [] : startTaskFlags(meta.tasks.start),
    env: ctx.env,
    os: ctx.os,
    authFile: ctx.authFile,
    stateFile: ctx.stateFile,
    cwd: ctx.cwd(),
    ahead: options.ahead,
  });
}

/**
 * No user service manager: write the crontab script next to the state, then
 * exit 1 with one line saying why, and on stdout the short crontab line that
 * calls the script.
 */
async function withoutManager(
  ctx: Context,
  reason: string,
  job: Job,
  schedule: { every: number; ahead: number },
): Promise<ExitCode> {
  if (ctx.os === "windows") {
    ctx.ui.error(`no user service manager: ${reason}; nothing was installed`);
    return 1;
  }
  const script = cronScriptPath(ctx);
  const line = cronLine(script, schedule.every);
  await writeFileAtomic(script, cronScript(job, schedule), 0o700);
  ctx.ui.error(`no user service manager: ${reason}; nothing was scheduled`);
  ctx.ui.hint(`add the crontab line on stdout with \`crontab -e\`: it runs ${script}`);
  if (line.length > CRON_LINE_TARGET) {
    ctx.ui.warn(
      `the line is ${line.length} characters long (the state folder's path is long); ` +
        "cron implementations cut lines near 1000",
    );
  }
  ctx.ui.data(line + "\n");
  return 1;
}

/**
 * Check the values the job would carry as they are checked at use, before
 * anything is written: a value refused at every run (an endpoint URL with a
 * password, a malformed time limit) must not be scheduled, nor written in
 * clear into a unit file.
 */
function checkCarried(ctx: Context): void {
  try {
    loadOAuthConfig(ctx.env);
    userAgent(ctx);
    for (const variable of ENVIRONMENT) {
      if (variable.carried && variable.maxMs !== undefined) {
        envMilliseconds(ctx.env, variable.name, 0);
      }
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new UsageError(
      `cannot schedule the job: ${error.message}`,
      "fix or unset it, then run `service install` again (nothing was written)",
      { cause: error },
    );
  }
}

/** Methods whose credential has nothing a job could refresh. */
const NOTHING_TO_REFRESH: ReadonlySet<string> = new Set(["api-key", "setup-token"]);

/**
 * What is stored decides whether a job makes sense: nothing stored gets a
 * warning (the job fails until `login`); an API key or a long-lived token
 * (an `oauth` entry without a refresh token that is not a Claude Code
 * session) has nothing to refresh, and is refused unless `force`.
 */
async function checkStoredForJob(ctx: Context, force: boolean): Promise<void> {
  let stored;
  try {
    stored = await loadStored(ctx);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    ctx.ui.warn(error.message);
    return;
  }
  const { entry, method } = stored;
  if (!entry) {
    ctx.ui.warn(
      `not signed in yet (${stored.used.path} has no usable anthropic entry): ` +
        `the job fails until you run \`${PROGRAM} login\``,
    );
    return;
  }
  const what = entry.type === "api" || method === "api-key"
    ? "an API key, which never expires"
    : (method !== null && NOTHING_TO_REFRESH.has(method)) ||
        (entry.refresh === "" && method !== "claude-code")
    ? "a token without a refresh token (a long-lived token), which no job can renew"
    : null;
  if (!what) return;
  if (!force) {
    throw new UsageError(
      `nothing to refresh: ${stored.used.path} holds ${what}, so the job could never do anything`,
      `sign in with a method that refreshes (\`${PROGRAM} login --method claude-code\` or ` +
        "`--method browser`), or install anyway with `service install --force`",
    );
  }
  ctx.ui.warn(`installing anyway (--force): ${stored.used.path} holds ${what}`);
}

async function install(ctx: Context, options: ServiceOptions): Promise<ExitCode> {
  checkSchedule(options.every, options.ahead);
  checkCarried(ctx);
  const job = jobFor(ctx, options);
  const schedule = { every: options.every, ahead: options.ahead };
  await checkStoredForJob(ctx, options.force === true);
  let files: PlannedFile[];
  let steps: Step[];
  let tolerated: (step: Step) => boolean = () => false;
  switch (ctx.os) {
    case "linux": {
      const [service, timer] = layout(ctx).files;
      files = [
        { path: service, content: serviceUnit(job, schedule), mode: 0o644 },
        { path: timer, content: timerUnit(options.every), mode: 0o644 },
      ];
      steps = [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", TIMER_UNIT],
      ];
      break;
    }
    case "darwin": {
      const domain = launchdDomain(ctx);
      const plist = launchAgentPath(ctx);
      files = [{ path: plist, content: launchAgentPlist(job, options.every), mode: 0o644 }];
      steps = [
        ["launchctl", "bootout", `${domain}/${LAUNCHD_LABEL}`],
        ["launchctl", "bootstrap", domain, plist],
      ];
      // Booting out a job that is not loaded fails ("No such process"): that is fine.
      tolerated = (step) => step[1] === "bootout";
      break;
    }
    case "windows": {
      const wrapper = wrapperPath(ctx);
      files = [{ path: wrapper, content: cmdWrapper(job, schedule), mode: 0o600 }];
      steps = [["schtasks", ...createArgs(wrapper, options.every)]];
      break;
    }
    default: {
      if (options.dryRun) {
        const script = cronScriptPath(ctx);
        const file = { path: script, content: cronScript(job, schedule), mode: 0o700 };
        return printPlan(ctx, "install", [file], [], [], cronLine(script, options.every));
      }
      return await withoutManager(
        ctx,
        `${ctx.os} has no systemd user units, LaunchAgents or Task Scheduler`,
        job,
        schedule,
      );
    }
  }
  if (options.dryRun) return printPlan(ctx, "install", files, [], steps);

  const backup = await writeFiles(files);
  let changedManager = false;
  for (const step of steps) {
    const result = await runStep(ctx, step);
    if (result.code === 0) {
      changedManager = true;
      continue;
    }
    if (tolerated(step) && !result.notFound && !result.notAllowed) continue;
    await backup.restore();
    if (changedManager && ctx.os === "linux") {
      await runStep(ctx, ["systemctl", "--user", "daemon-reload"]);
    }
    const reason = failure(step, result, ctx.os);
    if (noManager(result, ctx.os)) return await withoutManager(ctx, reason, job, schedule);
    throw new FailureError(`${reason}; nothing was installed`);
  }
  const what = layout(ctx).what;
  ctx.ui.success(
    `Installed the ${what}: every ${
      formatDurationFlag(options.every)
    }, it refreshes a credential ` +
      `that expires within ${formatDurationFlag(options.ahead)}.`,
  );
  for (const file of files) ctx.ui.info(`  wrote ${file.path}`);
  ctx.ui.info(`Check on it with \`${PROGRAM} service status\`.`);
  return 0;
}

// ------------------------------------------------------------ uninstall

async function uninstall(ctx: Context, options: ServiceOptions): Promise<ExitCode> {
  const cron = ctx.os === "windows" ? [] : [cronScriptPath(ctx)].filter(pathExists);
  const files = [...layout(ctx).files.filter(pathExists), ...cron];
  let steps: Step[] = [];
  let afterRemoval: Step[] = [];
  switch (ctx.os) {
    case "linux": {
      const wants = join(systemdUserDir(ctx), "timers.target.wants", TIMER_UNIT);
      if (files.length > 0 || pathExists(wants)) {
        steps = [["systemctl", "--user", "disable", "--now", TIMER_UNIT]];
        afterRemoval = [["systemctl", "--user", "daemon-reload"]];
      }
      break;
    }
    case "darwin":
      if (files.length > 0) {
        steps = [["launchctl", "bootout", `${launchdDomain(ctx)}/${LAUNCHD_LABEL}`]];
      }
      break;
    case "windows": {
      if (options.dryRun) {
        steps = [["schtasks", ...deleteArgs()]];
        break;
      }
      const query = await runStep(ctx, ["schtasks", ...queryArgs()]);
      if (query.code === 0) steps = [["schtasks", ...deleteArgs()]];
      else if (query.notFound || query.notAllowed) {
        ctx.ui.warn(failure(["schtasks", ...queryArgs()], query, ctx.os));
      }
      break;
    }
  }
  if (options.dryRun) {
    return printPlan(ctx, "uninstall", [], files, [...steps, ...afterRemoval]);
  }
  if (files.length === 0 && steps.length === 0) {
    ctx.ui.info("The service is not installed; nothing to do.");
    return 0;
  }
  for (const step of steps) {
    const result = await runStep(ctx, step);
    if (result.code === 0) continue;
    // Already unloaded, or no manager to ask: removing the files is what is left.
    if (ctx.os === "darwin" && !result.notFound && !result.notAllowed) continue;
    ctx.ui.warn(failure(step, result, ctx.os));
  }
  for (const path of files) {
    if (await removeFile(path)) ctx.ui.info(`  removed ${path}`);
  }
  for (const step of afterRemoval) {
    const result = await runStep(ctx, step);
    if (result.code !== 0) ctx.ui.warn(failure(step, result, ctx.os));
  }
  ctx.ui.success(
    `Uninstalled the ${cron.length === files.length ? "crontab script" : layout(ctx).what}.`,
  );
  if (cron.length > 0) {
    ctx.ui.info("If you added its line to your crontab, remove it with `crontab -e`.");
  }
  return 0;
}

// ------------------------------------------------------------ status

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

async function inspect(ctx: Context): Promise<ServiceStatus> {
  const files = layout(ctx).files;
  const texts = files.map((path) => readTextOrNull(path));
  const installed = files.length > 0 && texts.every((text) => text !== null);
  const status: ServiceStatus = {
    installed,
    enabled: null,
    enabledNote: "",
    every: null,
    ahead: null,
  };
  let step: Step | null = null;
  switch (ctx.os) {
    case "linux":
      status.ahead = texts[0] ? serviceAhead(texts[0]) : null;
      status.every = texts[1] ? timerEvery(texts[1]) : null;
      step = ["systemctl", "--user", "is-enabled", TIMER_UNIT];
      break;
    case "darwin":
      status.every = texts[0] ? plistEvery(texts[0]) : null;
      status.ahead = texts[0] ? plistAhead(texts[0]) : null;
      step = ["launchctl", "print", `${launchdDomain(ctx)}/${LAUNCHD_LABEL}`];
      break;
    case "windows":
      status.every = texts[0] ? wrapperEvery(texts[0]) : null;
      status.ahead = texts[0] ? wrapperAhead(texts[0]) : null;
      step = ["schtasks", ...queryArgs()];
      break;
  }
  if (!step || (!installed && ctx.os !== "windows")) {
    status.enabled = installed ? null : false;
    return status;
  }
  const result = await runStep(ctx, step);
  const out = decoder.decode(result.stdout).trim();
  if (result.notFound || result.notAllowed || result.timedOut || noManager(result, ctx.os)) {
    status.enabledNote = failure(step, result, ctx.os);
  } else if (ctx.os === "linux") {
    status.enabled = result.code === 0;
    status.enabledNote = out.split("\n")[0] || lastLine(result.stderr, 200);
  } else if (ctx.os === "darwin") {
    status.enabled = result.code === 0;
    status.enabledNote = result.code === 0 ? "loaded" : "not loaded";
  } else {
    status.enabled = result.code === 0 && !/\bDisabled\b/i.test(out);
    status.enabledNote = result.code !== 0
      ? "no such task"
      : status.enabled
      ? "task present"
      : "task disabled";
  }
  return status;
}

/**
 * Report on the job, one fact per line, on stdout (like `status`). Exit 0
 * only when it is installed, not known to be disabled, and its last run
 * succeeded; 1 otherwise (not installed, disabled, no run recorded yet, or
 * the last run failed), the first line saying which.
 */
async function status(ctx: Context): Promise<ExitCode> {
  const found = await inspect(ctx);
  const where = layout(ctx);
  const cron = ctx.os !== "windows" && !found.installed && pathExists(cronScriptPath(ctx));
  const last = readLastRun(ctx);
  const lines: string[] = [];
  let healthy = false;
  if (found.installed) {
    const enabled = found.enabled === null
      ? `unknown (${found.enabledNote})`
      : found.enabled
      ? "yes"
      : `no${
        found.enabledNote && found.enabledNote !== "disabled" ? ` (${found.enabledNote})` : ""
      }`;
    lines.push(`Service: installed, ${where.what}`);
    lines.push(`  enabled: ${enabled}`);
    for (const file of where.files) lines.push(`  file: ${file}`);
    lines.push(`  schedule: every ${found.every ? formatDurationFlag(found.every) : "?"}`);
    lines.push(`  refreshes: a credential expiring within ${found.ahead ?? "?"}`);
    healthy = found.enabled !== false && last?.ok === true;
  } else if (cron) {
    lines.push("Service: installed as a crontab script (cron itself is not asked)");
    lines.push(`  file: ${cronScriptPath(ctx)}`);
    lines.push("  check its line with `crontab -l`");
    healthy = last?.ok === true;
  } else {
    lines.push("Service: not installed");
    if (found.enabled) lines.push(`  still registered: the ${where.what}`);
    lines.push(`  install it with \`${PROGRAM} service install\``);
  }
  if (last) {
    const when = new Date(last.at).toISOString().slice(0, 19).replace("T", " ") + " UTC";
    const ago = formatDuration(Math.max(0, ctx.now() - last.at));
    lines.push(`  last run: ${when} (${ago} ago)`);
    lines.push(
      `  last outcome: ${last.ok ? "ok" : "FAILED"}${last.message ? `: ${last.message}` : ""}`,
    );
    if (!last.ok) lines.push(`  failures are logged in ${serviceLogPath(ctx.stateFile)}`);
  } else {
    lines.push("  last run: none recorded yet");
  }
  lines.push(`  credential: ${await credentialLine(ctx)}`);
  for (const line of lines) ctx.ui.report(line);
  return healthy ? 0 : 1;
}

async function credentialLine(ctx: Context): Promise<string> {
  try {
    // The store OpenCode uses: OpenCode 2's database when it exists, else auth.json.
    const stored = await loadStored(ctx);
    const entry = stored.entry;
    const where = stored.used.path;
    if (!entry) {
      return stored.used.problem
        ? `the anthropic entry in ${where} is unusable (${stored.used.problem})`
        : `not signed in (no anthropic entry in ${where})`;
    }
    if (entry.type === "api") return "an API key does not expire";
    return `the token ${formatExpiry(entry.expires, ctx.now())}`;
  } catch (error) {
    if (error instanceof CliError) return error.message;
    throw error;
  }
}

// ------------------------------------------------------------ entry points

/** Install, uninstall or report on the scheduled job. */
export function runService(ctx: Context, options: ServiceOptions): Promise<ExitCode> {
  switch (options.action) {
    case "install":
      return install(ctx, options);
    case "uninstall":
      return uninstall(ctx, options);
    case "status":
      return status(ctx);
  }
}

/** Entry point used by main.ts. */
export async function run(ctx: Context, args: ParsedArgs<"service">): Promise<ExitCode> {
  const action = args.positional;
  if (action !== "install" && action !== "uninstall" && action !== "status") {
    throw new UsageError(
      "'service' needs install, uninstall or status",
      `see \`${PROGRAM} service --help\``,
    );
  }
  const { every, ahead, force } = args.values;
  if (action !== "install" && (every !== undefined || ahead !== undefined || force)) {
    throw new UsageError("--every, --ahead and --force are options of `service install`");
  }
  return await runService(ctx, {
    action,
    every: typeof every === "string" ? parseDuration(every, "--every") : DEFAULT_EVERY_MS,
    ahead: typeof ahead === "string" ? parseDuration(ahead, "--ahead") : DEFAULT_AHEAD_MS,
    dryRun: args.values["dry-run"] === true,
    force: force === true,
  });
}

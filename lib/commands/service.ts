/**
 * `service install|uninstall|status`: a per-user scheduled job that runs
 * `refresh --ahead` with the same program, permissions, files and overrides
 * in force. systemd user units on Linux, a LaunchAgent on macOS, a Scheduled
 * Task on Windows; a crontab line where there is no user service manager.
 * The thin command: which platform does what is lib/service/'s table; here
 * the options are checked, the files written and the steps run.
 *
 * @module
 */

import meta from "../../deno.json" with { type: "json" };
import type { ParsedArgs } from "../cli.ts";
import type {
  Context,
  EnvContext,
  FilesContext,
  OutputContext,
  ProcessContext,
} from "../context.ts";
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
import { dirname } from "../fs/path.ts";
import { formatExpiry } from "../format.ts";
import { type BoundedResult, runBounded } from "../process.ts";
import { cronFallback, cronMinutes, cronScriptPath } from "../service/cron.ts";
import { serviceManager } from "../service/index.ts";
import { buildJob, currentRuntime, type Job, type JobRuntime } from "../service/job.ts";
import {
  displayCommand,
  type DryRun,
  dryRunText,
  enabledAnswer,
  failureIsFine,
  type InstallPlan,
  isNoManager,
  MANAGER_TIMEOUT_MS,
  type PlannedFile,
  type Schedule,
  type ServiceManager,
  type ServiceStatus,
  type Step,
  stepFailure,
  type UninstallPlan,
} from "../service/manager.ts";
import { nothingToRefresh } from "../service/eligibility.ts";
import { readLastRun, serviceLogPath } from "../service/record.ts";
import { statusReport } from "../service/report.ts";
import { startTaskFlags } from "../service/task_flags.ts";
import { ENVIRONMENT, envMilliseconds } from "../environment.ts";
import { loadOAuthConfig, userAgent } from "../oauth/config.ts";
import { loadStored, type StoreContext } from "../store.ts";

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

// ------------------------------------------------------------ running

/** What running a service manager's step uses: child processes, and debug output. */
type StepContext = ProcessContext & OutputContext;

/** Run a service-manager command, bounded in time and output. */
function runStep(ctx: StepContext, manager: ServiceManager, step: Step): Promise<BoundedResult> {
  ctx.ui.debug(`running ${displayCommand(step, manager.quoting)}`);
  return runBounded(ctx, {
    command: step[0],
    args: step.slice(1),
    timeoutMs: MANAGER_TIMEOUT_MS,
  });
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

function printPlan(ctx: OutputContext, manager: ServiceManager, plan: DryRun): ExitCode {
  ctx.ui.data(dryRunText(plan, manager.quoting));
  return 0;
}

// ------------------------------------------------------------ install

/** The job this process would schedule. */
export function jobFor(ctx: EnvContext & FilesContext, options: ServiceOptions): Job {
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
 * calls the script (nothing at all where there is no crontab: Windows).
 */
async function withoutManager(
  ctx: OutputContext & FilesContext,
  manager: ServiceManager,
  reason: string,
  job: Job,
  schedule: Schedule,
): Promise<ExitCode> {
  if (!manager.cronFallback) {
    ctx.ui.error(`no user service manager: ${reason}; nothing was installed`);
    return 1;
  }
  const fallback = cronFallback(job, schedule, cronScriptPath(ctx));
  await writeFileAtomic(fallback.file.path, fallback.file.content, fallback.file.mode);
  ctx.ui.error(`no user service manager: ${reason}; nothing was scheduled`);
  ctx.ui.hint(
    `add the crontab line on stdout with \`crontab -e\`: it runs ${fallback.file.path}`,
  );
  if (fallback.tooLong) {
    ctx.ui.warn(
      `the line is ${fallback.line.length} characters long (the state folder's path is long); ` +
        "cron implementations cut lines near 1000",
    );
  }
  ctx.ui.data(fallback.line + "\n");
  return 1;
}

/**
 * Check the values the job would carry as they are checked at use, before
 * anything is written: a value refused at every run (an endpoint URL with a
 * password, a malformed time limit) must not be scheduled, nor written in
 * clear into a unit file.
 */
function checkCarried(ctx: EnvContext): void {
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

/**
 * What is stored decides whether a job makes sense: nothing stored gets a
 * warning (the job fails until `login`); an API key or a long-lived token
 * (an `oauth` entry without a refresh token that is not a Claude Code
 * session) has nothing to refresh, and is refused unless `force`.
 */
async function checkStoredForJob(ctx: StoreContext, force: boolean): Promise<void> {
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
  const what = nothingToRefresh(entry, method);
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

/** The step that failed and its result, and whether an earlier step had changed the manager. */
interface FailedStep {
  step: Step;
  result: BoundedResult;
  changedManager: boolean;
}

/** Run the plan's steps in order, up to the first failure it does not tolerate. */
async function runInstallSteps(
  ctx: StepContext,
  manager: ServiceManager,
  plan: InstallPlan,
): Promise<FailedStep | null> {
  let changedManager = false;
  for (const step of plan.steps) {
    const result = await runStep(ctx, manager, step);
    if (result.code === 0) {
      changedManager = true;
      continue;
    }
    if (failureIsFine(result, plan.tolerates(step))) continue;
    return { step, result, changedManager };
  }
  return null;
}

/** After a failed step (the files already put back): the crontab fallback, or a failure. */
async function afterFailedInstall(
  ctx: StepContext & FilesContext,
  manager: ServiceManager,
  plan: InstallPlan,
  failed: FailedStep,
  job: Job,
  schedule: Schedule,
): Promise<ExitCode> {
  if (failed.changedManager) {
    for (const step of plan.afterFailure) await runStep(ctx, manager, step);
  }
  const reason = stepFailure(failed.step, failed.result, manager.quoting);
  if (!isNoManager(failed.result, manager)) {
    throw new FailureError(`${reason}; nothing was installed`);
  }
  return await withoutManager(ctx, manager, reason, job, schedule);
}

async function install(ctx: Context, options: ServiceOptions): Promise<ExitCode> {
  checkSchedule(options.every, options.ahead);
  checkCarried(ctx);
  const job = jobFor(ctx, options);
  const schedule: Schedule = { every: options.every, ahead: options.ahead };
  await checkStoredForJob(ctx, options.force === true);
  const manager = serviceManager(ctx);
  const plan = manager.install(job, schedule);
  if (plan.kind === "none") {
    if (!options.dryRun) return await withoutManager(ctx, manager, plan.reason, job, schedule);
    const fallback = cronFallback(job, schedule, cronScriptPath(ctx));
    const dryRun = { files: [fallback.file], removed: [], steps: [], crontab: fallback.line };
    return printPlan(ctx, manager, { verb: "install", ...dryRun });
  }
  if (options.dryRun) {
    return printPlan(ctx, manager, { verb: "install", ...plan, removed: [] });
  }
  const backup = await writeFiles(plan.files);
  const failed = await runInstallSteps(ctx, manager, plan);
  if (failed) {
    await backup.restore();
    return await afterFailedInstall(ctx, manager, plan, failed, job, schedule);
  }
  ctx.ui.success(
    `Installed the ${manager.what}: every ${formatDurationFlag(options.every)}, ` +
      `it refreshes a credential that expires within ${formatDurationFlag(options.ahead)}.`,
  );
  for (const file of plan.files) ctx.ui.info(`  wrote ${file.path}`);
  ctx.ui.info(`Check on it with \`${PROGRAM} service status\`.`);
  return 0;
}

// ------------------------------------------------------------ uninstall

/** The plan's steps that still apply: all of them, or none when its probe finds no task. */
async function stepsAfterProbe(
  ctx: StepContext,
  manager: ServiceManager,
  plan: UninstallPlan,
): Promise<Step[]> {
  if (!plan.probe) return plan.steps;
  const query = await runStep(ctx, manager, plan.probe);
  if (query.code === 0) return plan.steps;
  if (query.notFound || query.notAllowed) {
    ctx.ui.warn(stepFailure(plan.probe, query, manager.quoting));
  }
  return [];
}

/** Run `steps`, warning on each failure that is not expected. */
async function runWarning(
  ctx: StepContext,
  manager: ServiceManager,
  steps: Step[],
  failureExpected: boolean,
): Promise<void> {
  for (const step of steps) {
    const result = await runStep(ctx, manager, step);
    if (result.code === 0 || failureIsFine(result, failureExpected)) continue;
    ctx.ui.warn(stepFailure(step, result, manager.quoting));
  }
}

async function uninstall(
  ctx: StepContext & EnvContext & FilesContext,
  options: ServiceOptions,
): Promise<ExitCode> {
  const manager = serviceManager(ctx);
  const cron = manager.cronFallback ? [cronScriptPath(ctx)].filter(pathExists) : [];
  const files = [...manager.files.filter(pathExists), ...cron];
  const plan = manager.uninstall(files.length > 0 || manager.markers.some(pathExists));
  if (options.dryRun) {
    const steps = [...plan.steps, ...plan.afterRemoval];
    return printPlan(ctx, manager, { verb: "uninstall", files: [], removed: files, steps });
  }
  const steps = await stepsAfterProbe(ctx, manager, plan);
  if (files.length === 0 && steps.length === 0) {
    ctx.ui.info("The service is not installed; nothing to do.");
    return 0;
  }
  // Already unloaded, or no manager to ask: removing the files is what is left.
  await runWarning(ctx, manager, steps, plan.failureExpected);
  for (const path of files) {
    if (await removeFile(path)) ctx.ui.info(`  removed ${path}`);
  }
  await runWarning(ctx, manager, plan.afterRemoval, false);
  ctx.ui.success(
    `Uninstalled the ${cron.length === files.length ? "crontab script" : manager.what}.`,
  );
  if (cron.length > 0) {
    ctx.ui.info("If you added its line to your crontab, remove it with `crontab -e`.");
  }
  return 0;
}

// ------------------------------------------------------------ status

/** The service's files and the manager's answer (asked only when it can know something). */
async function inspect(ctx: StepContext, manager: ServiceManager): Promise<ServiceStatus> {
  const texts = manager.files.map((path) => readTextOrNull(path));
  const installed = manager.files.length > 0 && texts.every((text) => text !== null);
  const readBack = manager.readBack(texts);
  const step = manager.statusStep();
  if (!step || (!installed && !manager.queriedWhenAbsent)) {
    return { installed, enabled: installed ? null : false, enabledNote: "", ...readBack };
  }
  const answer = enabledAnswer(manager, step, await runStep(ctx, manager, step));
  return { installed, enabled: answer.enabled, enabledNote: answer.note, ...readBack };
}

/**
 * Report on the job, one fact per line, on stdout (like `status`). Exit 0
 * only when it is installed, not known to be disabled, and its last run
 * succeeded; 1 otherwise (not installed, disabled, no run recorded yet, or
 * the last run failed), the first line saying which.
 */
async function status(ctx: Context): Promise<ExitCode> {
  const manager = serviceManager(ctx);
  const found = await inspect(ctx, manager);
  const script = cronScriptPath(ctx);
  const cron = manager.cronFallback && !found.installed && pathExists(script);
  const report = statusReport({
    found,
    what: manager.what,
    files: manager.files,
    cronScript: cron ? script : null,
    last: readLastRun(ctx),
    now: ctx.now(),
    logPath: serviceLogPath(ctx.stateFile),
    credential: await credentialLine(ctx),
  });
  for (const line of report.lines) ctx.ui.report(line);
  return report.healthy ? 0 : 1;
}

async function credentialLine(ctx: StoreContext): Promise<string> {
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

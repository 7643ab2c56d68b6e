/**
 * What the scheduled job runs: the same program with the same permissions,
 * the files in force and the overrides in force. Pure: every input is a
 * parameter (currentRuntime() reads this process's own, for the command).
 *
 * @module
 */

import { defaultStateFile } from "../context.ts";
import type { EnvReader } from "../environment.ts";
import { formatDurationFlag } from "../duration.ts";
import { ENVIRONMENT } from "../environment.ts";
import { FailureError, PROGRAM, quote } from "../errors.ts";
import { basename, dirname, isAbsolute } from "../fs/path.ts";
import { scrub } from "../redact.ts";

/** The systemd unit name (without `.service` / `.timer`) and the Task Scheduler task name. */
export const JOB_NAME = `${PROGRAM}-refresh`;

/** The launchd label (and plist file name without `.plist`). */
export const LAUNCHD_LABEL = `dev.${PROGRAM}.refresh`;

/** The note at the top of every file `service install` writes (in the file's comment syntax). */
export const WRITTEN_BY =
  `Written by \`${PROGRAM} service install\`; \`${PROGRAM} service uninstall\` removes it.`;

/** The program the job runs, as this process was started. */
export interface JobRuntime {
  /** `Deno.execPath()`: the compiled binary, or the `deno` running main.ts. */
  execPath: string;
  /** `Deno.build.standalone`: a compiled binary. */
  standalone: boolean;
  /** `Deno.mainModule`: a file:// URL (turned into a path) or a remote URL (kept). */
  mainModule: string;
}

/** Everything the job's command line and environment are made from. */
export interface JobInputs extends JobRuntime {
  /** The start task's flags (`deno run FLAGS main.ts`), used under `deno run`. */
  flags: readonly string[];
  /** The environment in force: the carried variables that are set are copied. */
  env: EnvReader;
  /** The OS the job runs on (path conventions). */
  os: string;
  /** OpenCode's auth.json in force (made absolute against `cwd`). */
  authFile: string;
  /** This tool's state file in force. */
  stateFile: string;
  /** The working directory, for a relative `--auth-file`. */
  cwd?: string;
  /** The job's `refresh --ahead` window in milliseconds. */
  ahead: number;
}

/** The job: a program, its arguments and its environment (in the table's order). */
export interface Job {
  /** Absolute path of the program. */
  program: string;
  /** Its arguments. */
  args: string[];
  /** The environment variables the job sets. */
  env: Record<string, string>;
}

/** This process's own runtime (what a job must run to be "the same program"). */
export function currentRuntime(): JobRuntime {
  return {
    execPath: Deno.execPath(),
    standalone: Deno.build.standalone === true,
    mainModule: Deno.mainModule,
  };
}

/** A module URL as the program argument: a file:// URL becomes a path, a remote URL stays. */
export function modulePath(mainModule: string, os: string): string {
  if (!mainModule.startsWith("file:")) return mainModule;
  const url = new URL(mainModule);
  const path = decodeURIComponent(url.pathname);
  if (os !== "windows") return path;
  const local = /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
  const unc = url.hostname ? `//${url.hostname}${local}` : local;
  return unc.replaceAll("/", "\\");
}

/** The arguments of this tool the job runs: the file in force, then `refresh --ahead D --quiet`. */
export function toolArgs(authFile: string, ahead: number): string[] {
  return ["--auth-file", authFile, "refresh", "--ahead", formatDurationFlag(ahead), "--quiet"];
}

/**
 * What no value carried into a scheduler's file may hold: C0 and C1
 * controls, DEL, the bidi controls (which reorder what a reader of the unit
 * file, the `--dry-run` output or the crontab line sees) and the Unicode line
 * and paragraph separators.
 */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/**
 * The job for `inputs`. Throws a FailureError when a value cannot be written
 * into a scheduler's file (a control character, a relative path).
 */
export function buildJob(inputs: JobInputs): Job {
  const authFile = absolute(inputs.authFile, inputs.cwd, inputs.os, "--auth-file");
  const tail = toolArgs(authFile, inputs.ahead);
  const job: Job = inputs.standalone
    ? { program: inputs.execPath, args: tail, env: jobEnv(inputs) }
    : {
      program: inputs.execPath,
      args: ["run", ...inputs.flags, modulePath(inputs.mainModule, inputs.os), ...tail],
      env: jobEnv(inputs),
    };
  if (!isAbsolute(job.program, inputs.os)) {
    throw new FailureError(`cannot schedule ${quote(job.program)}: not an absolute path`);
  }
  for (const word of [job.program, ...job.args]) {
    if (UNSAFE.test(word)) {
      throw new FailureError(
        `cannot schedule the job: an argument holds a control or bidi character (${
          quote(escapeUnsafe(word), 60)
        })`,
        "use a path without control characters",
      );
    }
  }
  for (const [name, value] of Object.entries(job.env)) {
    if (UNSAFE.test(value)) {
      throw new FailureError(
        `cannot carry ${name} into the job: its value holds a control or bidi character`,
        `unset ${name} or fix its value, then run \`service install\` again`,
      );
    }
  }
  for (const [name, value] of [...Object.entries(job.env), ["--auth-file", authFile]]) {
    // A registered secret, or anything shaped like a token or key (what scrub hides).
    if (scrub(value) !== value) {
      throw new FailureError(
        `cannot carry ${name} into the job: its value holds what looks like a secret`,
        "a job's files are readable by others: keep secrets out of its settings",
      );
    }
  }
  return job;
}

/** `text` with each unsafe character shown as an escape (for the message that refuses it). */
function escapeUnsafe(text: string): string {
  return text.replace(
    new RegExp(UNSAFE.source, "g"),
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function absolute(path: string, cwd: string | undefined, os: string, what: string): string {
  if (isAbsolute(path, os)) return path;
  if (!cwd) {
    throw new FailureError(
      `cannot schedule the job: ${what} ${quote(path)} is relative and the working folder is gone`,
      "give an absolute path",
    );
  }
  const sep = os === "windows" ? "\\" : "/";
  return cwd.endsWith(sep) ? cwd + path : cwd + sep + path;
}

/**
 * The carried variables that are set, in the table's order; plus
 * XDG_CONFIG_HOME when the state file in force is not the one the carried
 * environment would give (so the job records its runs where `status` looks).
 */
export function jobEnv(
  inputs: Pick<JobInputs, "env" | "os" | "stateFile" | "cwd">,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of ENVIRONMENT) {
    if (!variable.carried) continue;
    let value = inputs.env.get(variable.name);
    if (variable.name === "PATH" && value) value = withoutDenoShims(value, inputs.os);
    if (value !== undefined && value !== "") env[variable.name] = value;
  }
  const carried = { get: (name: string) => env[name] };
  let expected: string | undefined;
  try {
    expected = defaultStateFile(carried, inputs.os);
  } catch {
    expected = undefined;
  }
  if (expected !== inputs.stateFile) {
    const folder = dirname(inputs.stateFile);
    if (basename(inputs.stateFile) === "state.json" && basename(folder) === PROGRAM) {
      env.XDG_CONFIG_HOME = absolute(dirname(folder), inputs.cwd, inputs.os, "the state folder");
    }
  }
  return env;
}

/**
 * PATH without the folder of `node` shims that Deno puts first on the PATH of
 * the processes it starts (`…/deno/node_compat_bin`): not the user's, and a
 * cache folder the job must not depend on.
 */
export function withoutDenoShims(path: string, os: string): string {
  const separator = os === "windows" ? ";" : ":";
  return path.split(separator).filter((entry) => !/[\\/]node_compat_bin[\\/]?$/.test(entry))
    .join(separator);
}

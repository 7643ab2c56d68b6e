/**
 * Everything a command needs from the outside world, passed in explicitly:
 * the environment, the process streams, the clock, the OS, child processes and
 * `fetch`. Tests hand in their own, so a command runs in-process against a
 * sandbox; this is also the one place that calls the global `fetch`.
 *
 * @module
 */

import type { EnvReader } from "./environment.ts";
import { FailureError, PROGRAM } from "./errors.ts";
import { dirname, isAbsolute, join } from "./fs/path.ts";
import type { Io, Ui } from "./ui.ts";

/** The real process environment. */
export function processEnv(): EnvReader {
  return { get: (name) => Deno.env.get(name) };
}

/** An EnvReader backed by a plain record (tests, sub-environments). */
export function recordEnv(values: Record<string, string | undefined>): EnvReader {
  return { get: (name) => values[name] };
}

/** The run-wide context handed to every command. */
export interface Context {
  /** Environment variables. */
  readonly env: EnvReader;
  /** The raw process streams. */
  readonly io: Io;
  /** Messages and data output. */
  readonly ui: Ui;
  /** The operating system (`Deno.build.os`). */
  readonly os: typeof Deno.build.os;
  /** Current time in epoch milliseconds. */
  now(): number;
  /** OpenCode's credential file for this run. */
  readonly authFile: string;
  /** This tool's state file. */
  readonly stateFile: string;
  /** The working directory, or undefined when it no longer exists. */
  cwd(): string | undefined;
  /**
   * Start a child process: the only door to one, so tests can replace it.
   * Use `runBounded` (lib/process.ts) for anything that must end on its own.
   */
  spawn(command: string, options: Deno.CommandOptions): Deno.ChildProcess;
  /**
   * Send an HTTP request: the only door to the network (lib/oauth/http.ts
   * uses it), so tests can answer without a server.
   */
  fetch(input: string, init: RequestInit): Promise<Response>;
  /** When aborted, work in progress stops: bounded children are ended with their group. */
  readonly signal?: AbortSignal;
}

/** What writes messages and data: the Ui (and the streams beneath it). */
export type OutputContext = Pick<Context, "ui">;

/** What reads the clock. */
export type ClockContext = Pick<Context, "now">;

/** What reads its surroundings: environment variables, the OS and the working directory. */
export type EnvContext = Pick<Context, "env" | "os" | "cwd">;

/** What starts child processes: the door, the OS, and what ends them (as `runBounded` takes). */
export type ProcessContext = Pick<Context, "spawn" | "os" | "signal">;

/** What sends HTTP requests: the one door to the network. */
export type NetworkContext = Pick<Context, "fetch">;

/** What talks with the user: the raw streams (to read a paste) and the Ui. */
export type TerminalContext = Pick<Context, "io" | "ui">;

/** What finds this run's two files: OpenCode's auth.json and this tool's state. */
export type FilesContext = Pick<Context, "authFile" | "stateFile">;

/**
 * A context like `ctx` with the fields `overrides` names replaced. Every other
 * field is carried, including ones added to Context later; the lazy
 * `authFile`/`stateFile` getters are copied as getters, so a path not yet
 * needed is still not resolved (and resolving it through either context
 * resolves it once, for both).
 */
export function deriveContext(ctx: Context, overrides: Partial<Context>): Context {
  const derived = Object.defineProperties({}, Object.getOwnPropertyDescriptors(ctx));
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(derived, key, { value, enumerable: true, configurable: true });
  }
  return derived as Context;
}

/** The real working directory, or undefined when it was removed. */
export function processCwd(): string | undefined {
  try {
    return Deno.cwd();
  } catch {
    return undefined;
  }
}

/** Start a real child process. */
export function processSpawn(command: string, options: Deno.CommandOptions): Deno.ChildProcess {
  return new Deno.Command(command, options).spawn();
}

/** Send a real HTTP request (the global `fetch`). */
export function processFetch(input: string, init: RequestInit): Promise<Response> {
  return fetch(input, init);
}

/** The user's home directory: HOME, or USERPROFILE on Windows. */
export function homeDir(env: EnvReader, os: string): string {
  const home = os === "windows"
    ? env.get("USERPROFILE") || env.get("HOME")
    : env.get("HOME") || env.get("USERPROFILE");
  if (!home) {
    throw new FailureError(
      "cannot find your home directory",
      os === "windows" ? "set USERPROFILE" : "set HOME",
    );
  }
  return home;
}

/**
 * OpenCode's auth.json: `$XDG_DATA_HOME/opencode/auth.json`, else
 * `~/.local/share/opencode/auth.json` (OpenCode uses the same path on Windows).
 */
export function defaultAuthFile(env: EnvReader, os: string): string {
  const dataHome = env.get("XDG_DATA_HOME") ||
    join(homeDir(env, os), ".local", "share");
  return join(dataHome, "opencode", "auth.json");
}

/**
 * OpenCode 2's database: `$OPENCODE_DB` when set, else `opencode.db` beside
 * auth.json. For the default auth.json that is OpenCode 2's own default
 * (`$XDG_DATA_HOME/opencode/opencode.db`, else `~/.local/share/opencode/`);
 * with `--auth-file` it is the database of that data folder, so a scheduled
 * job, which always names its auth.json, keeps writing the same two stores.
 */
export function databaseFileFor(env: EnvReader, authFile: string): string {
  return env.get("OPENCODE_DB") || join(dirname(authFile), "opencode.db");
}

/** `$XDG_CONFIG_HOME`, default `~/.config`: where this tool's state and systemd user units live. */
export function configHome(env: EnvReader, os: string): string {
  return env.get("XDG_CONFIG_HOME") || join(homeDir(env, os), ".config");
}

/** This tool's state file under `$XDG_CONFIG_HOME` (default `~/.config`). */
export function defaultStateFile(env: EnvReader, os: string): string {
  return join(configHome(env, os), PROGRAM, "state.json");
}

/** A context whose file paths are resolved on first use. */
export function createContext(options: {
  env: EnvReader;
  io: Io;
  ui: Ui;
  os?: typeof Deno.build.os;
  authFile?: string;
  stateFile?: string;
  now?: () => number;
  cwd?: () => string | undefined;
  spawn?: (command: string, options: Deno.CommandOptions) => Deno.ChildProcess;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}): Context {
  const os = options.os ?? Deno.build.os;
  const cwd = options.cwd ?? processCwd;
  // A relative --auth-file is made absolute once, against the working folder:
  // messages, the state's record and a scheduled job then all name the same file.
  let authFile = options.authFile;
  const here = authFile && !isAbsolute(authFile, os) ? cwd() : undefined;
  if (authFile && here) authFile = join(here, authFile);
  let stateFile = options.stateFile;
  return {
    env: options.env,
    io: options.io,
    ui: options.ui,
    os,
    now: options.now ?? Date.now,
    get authFile() {
      return authFile ??= defaultAuthFile(options.env, os);
    },
    get stateFile() {
      return stateFile ??= defaultStateFile(options.env, os);
    },
    cwd,
    spawn: options.spawn ?? processSpawn,
    fetch: options.fetch ?? processFetch,
  };
}

/** Whether a boolean-ish environment variable is switched on (1, true, yes, on). */
export function envFlag(env: EnvReader, name: string): boolean {
  const value = env.get(name);
  // Unset is the usual case: no regular expression then (see isPrintableToken).
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

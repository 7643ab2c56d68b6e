/**
 * `run -- CMD`: start CMD with a fresh credential and keep it fresh while CMD
 * runs (for `opencode serve` and other long sessions); signals are forwarded
 * and CMD's exit code is returned.
 *
 * @module
 */

import { MAX_TIMER_MS, refreshSkewMs } from "../environment.ts";
import type { ParsedArgs } from "../cli.ts";
import { type Context, deriveContext } from "../context.ts";
import { ensureUsable } from "../usable.ts";
import { FailureError, PROGRAM, UsageError } from "../errors.ts";
import { formatExpiry } from "../format.ts";
import { onStopSignals } from "../process.ts";
import { Ui } from "../ui.ts";
import type { AnthropicEntry, Usable } from "../credential_types.ts";

/** Options of `run`. */
export interface RunOptions {
  /** The command and its arguments. */
  command: string[];
}

/** Retry delay after a failed background refresh. */
const RETRY_AFTER_FAILURE_MS = 30_000;

/**
 * POSIX signal numbers as Linux and macOS number them (null: no such signal
 * there), for the shell's 128+N exit code of a child ended by a signal.
 */
const SIGNAL_NUMBERS: Record<string, [linux: number | null, darwin: number | null]> = {
  SIGHUP: [1, 1],
  SIGINT: [2, 2],
  SIGQUIT: [3, 3],
  SIGILL: [4, 4],
  SIGTRAP: [5, 5],
  SIGABRT: [6, 6],
  SIGIOT: [6, 6],
  SIGBUS: [7, 10],
  SIGEMT: [null, 7],
  SIGFPE: [8, 8],
  SIGKILL: [9, 9],
  SIGUSR1: [10, 30],
  SIGSEGV: [11, 11],
  SIGUSR2: [12, 31],
  SIGPIPE: [13, 13],
  SIGALRM: [14, 14],
  SIGTERM: [15, 15],
  SIGSTKFLT: [16, null],
  SIGCHLD: [17, 20],
  SIGCONT: [18, 19],
  SIGSTOP: [19, 17],
  SIGTSTP: [20, 18],
  SIGTTIN: [21, 21],
  SIGTTOU: [22, 22],
  SIGURG: [23, 16],
  SIGXCPU: [24, 24],
  SIGXFSZ: [25, 25],
  SIGVTALRM: [26, 26],
  SIGPROF: [27, 27],
  SIGWINCH: [28, 28],
  SIGIO: [29, 23],
  SIGPOLL: [29, 23],
  SIGINFO: [null, 29],
  SIGPWR: [30, null],
  SIGSYS: [31, 12],
  SIGUNUSED: [31, null],
};

/**
 * The exit code a shell reports for a child ended by `signal`: 128+N, with
 * N as numbered on `os` (Linux numbering elsewhere). An unknown name gives 128.
 */
export function signalExitCode(signal: string, os: string): number {
  if (!Object.hasOwn(SIGNAL_NUMBERS, signal)) return 128;
  const [linux, darwin] = SIGNAL_NUMBERS[signal];
  return 128 + ((os === "darwin" ? darwin ?? linux : linux ?? darwin) ?? 0);
}

/**
 * Milliseconds until the credential should be refreshed, or null when it never
 * expires: `skewMs` before expiry, but never before `notBefore` (the minimum
 * interval since the last refresh: a server granting 20 s tokens must not
 * make this loop refresh every second).
 */
export function refreshDelay(
  usable: { entry: AnthropicEntry; notBefore?: number },
  now: number,
  skewMs: number,
): number | null {
  const entry = usable.entry;
  if (entry.type !== "oauth") return null;
  const due = Math.max(entry.expires - skewMs, usable.notBefore ?? 0);
  return Math.min(MAX_TIMER_MS, Math.max(1_000, due - now));
}

/**
 * Keep the credential fresh in the background until the returned stop is
 * called; stopping cancels a refresh in progress (a running `claude` is ended
 * with its group and its temporary folder removed) and waits for it. The
 * child owns the terminal (OpenCode's TUI): no spinner and no progress lines,
 * only warnings when a refresh fails (and `--debug` lines).
 */
function startRefresher(ctx: Context, first: Usable): () => Promise<void> {
  // A long-lived token has nothing to refresh: no loop waking before its expiry.
  if (first.method === "setup-token") return () => Promise.resolve();
  const cancel = new AbortController();
  let inFlight: Promise<void> = Promise.resolve();
  // Everything as the run's, but quiet, and ended with the refresher.
  const background = deriveContext(ctx, {
    ui: new Ui(ctx.io, { ...ctx.ui.options, quiet: true }),
    signal: cancel.signal,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = (delay: number | null) => {
    if (stopped || delay === null) return;
    ctx.ui.debug(`next refresh in ${Math.round(delay / 1000)} s`);
    timer = setTimeout(() => inFlight = tick(), delay);
  };
  const tick = async () => {
    try {
      const usable = await ensureUsable(background);
      const entry = usable.entry;
      if (usable.refreshed && entry.type === "oauth") {
        ctx.ui.debug(`refreshed the token; it ${formatExpiry(entry.expires, ctx.now())}`);
      }
      schedule(refreshDelay(usable, ctx.now(), refreshSkewMs(ctx)));
    } catch (error) {
      if (stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      ctx.ui.warn(
        `${PROGRAM}: background refresh failed (${message}); retrying in ${
          RETRY_AFTER_FAILURE_MS / 1000
        } s`,
      );
      schedule(RETRY_AFTER_FAILURE_MS);
    }
  };
  schedule(refreshDelay(first, ctx.now(), refreshSkewMs(ctx)));
  return async () => {
    stopped = true;
    clearTimeout(timer);
    cancel.abort();
    await inFlight;
  };
}

/** Run the command with inherited stdio and return its exit code. */
export async function runRun(ctx: Context, options: RunOptions): Promise<number> {
  const [command, ...args] = options.command;
  const first = await ensureUsable(ctx);
  // Listen before the child exists, so no signal that arrives around the
  // spawn kills this process and orphans the child.
  let child: Deno.ChildProcess | undefined;
  let early: Deno.Signal | undefined;
  const unlisten = onStopSignals((signal) => {
    if (!child) {
      early ??= signal;
      return;
    }
    try {
      child.kill(signal);
    } catch { /* the child is already gone */ }
  });
  let stopRefresher = () => Promise.resolve();
  try {
    try {
      child = ctx.spawn(command, {
        args,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new FailureError(
          `command not found: ${command}`,
          "check the name, and that it is on PATH",
        );
      }
      if (error instanceof Deno.errors.NotCapable) {
        throw new UsageError(
          `the permission flags do not allow starting '${command}'`,
          `add it to --allow-run (for example --allow-run=claude,security,opencode,${command}); the release binaries allow opencode`,
        );
      }
      throw error;
    }
    if (early) {
      try {
        child.kill(early);
      } catch { /* the child is already gone */ }
    }
    stopRefresher = startRefresher(ctx, first);
    const status = await child.status;
    if (status.signal) return signalExitCode(status.signal, ctx.os);
    return status.code;
  } finally {
    await stopRefresher();
    unlisten();
  }
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"run">): Promise<number> {
  return runRun(ctx, { command: args.rest });
}

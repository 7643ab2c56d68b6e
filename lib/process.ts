/**
 * The bounded subprocess runner: every child this tool waits for has a time
 * limit and capped output, and is ended with its whole process group on
 * timeout or interrupt (a `claude` leaves no helper behind).
 *
 * @module
 */

import type { Context, ProcessContext } from "./context.ts";
import { CancelledError } from "./errors.ts";
import { addStopListener, claimSignals } from "./interrupt.ts";
import { concat } from "./stream.ts";

/** Default cap of each captured stream. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
/** Grace between SIGTERM and SIGKILL for a child that overran its time or was interrupted. */
export const KILL_GRACE_MS = 2_000;
/** How long pipes are still read after the child exited (a grandchild may hold them open). */
const PIPE_GRACE_MS = 200;

/** What to run and within which bounds. stdin is always closed. */
export interface BoundedRun {
  /** The program (looked up on PATH). */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Working directory (default: ours). */
  cwd?: string;
  /** Time limit; then the process group gets SIGTERM, and SIGKILL 2 s later. */
  timeoutMs: number;
  /**
   * Cap of each captured stream (default 64 KiB). stdout keeps its HEAD (the
   * data asked for; reading stops there), stderr its TAIL (the last lines
   * name the error; it is read to the end so the child never blocks on it).
   */
  maxOutputBytes?: number;
  /** Capture stdout ("piped", the default) or discard it. */
  stdout?: "piped" | "null";
  /** Capture stderr ("piped", the default) or discard it. */
  stderr?: "piped" | "null";
}

/** How a bounded run ended. */
export interface BoundedResult {
  /** Exit code; null when it never started. A child ended by a signal has 128+N here. */
  code: number | null;
  /** The signal that ended it, if one did. */
  signal: Deno.Signal | null;
  /** Whether it was stopped at its time limit. */
  timedOut: boolean;
  /** The program was not found (nothing ran). */
  notFound: boolean;
  /** The permission flags do not allow running it (nothing ran). */
  notAllowed: boolean;
  /** The first `maxOutputBytes` of stdout (empty when not captured). */
  stdout: Uint8Array;
  /** The last `maxOutputBytes` of stderr (empty when not captured). */
  stderr: Uint8Array;
  /** Whether stdout went past the cap (what is kept is cut). */
  stdoutTruncated: boolean;
  /** Whether stderr went past the cap (its start is missing). */
  stderrTruncated: boolean;
}

/** A stream being read into a bounded buffer; `finish` stops shortly after exit. */
interface Capture {
  finish(): Promise<{ bytes: Uint8Array; truncated: boolean }>;
}

const EMPTY_CAPTURE: Capture = {
  finish: () => Promise.resolve({ bytes: new Uint8Array(0), truncated: false }),
};

/**
 * Read `stream` keeping at most `limit` bytes: the head (then stop reading,
 * and the child gets EPIPE if it writes on) or the tail (read to the end).
 */
function capture(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  keep: "head" | "tail",
): Capture {
  let chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        if (keep === "head") {
          const room = limit - size;
          if (value.length > room) {
            truncated = true;
            chunks.push(value.subarray(0, room));
            size += room;
            // Close our end now: a child that writes on gets EPIPE instead of blocking.
            await reader.cancel().catch(() => {});
            return;
          }
          chunks.push(value);
          size += value.length;
        } else {
          chunks.push(value);
          size += value.length;
          if (size > 2 * limit) {
            // Compact now and then, so an endless stream costs bounded memory.
            const joined = concat(chunks, size);
            chunks = [joined.slice(joined.length - limit)];
            size = limit;
            truncated = true;
          }
        }
      }
    } catch {
      // Cancelled after exit, or the pipe broke: keep what arrived.
    }
  })();
  return {
    async finish() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise((resolve) => timer = setTimeout(resolve, PIPE_GRACE_MS));
      await Promise.race([done, grace]);
      clearTimeout(timer);
      await reader.cancel().catch(() => {});
      let bytes = concat(chunks, size);
      if (bytes.length > limit) {
        bytes = bytes.slice(bytes.length - limit);
        truncated = true;
      }
      return { bytes, truncated };
    },
  };
}

/**
 * Call `handler` with SIGINT, SIGTERM or SIGHUP when one arrives, until the
 * returned function is called. Listening replaces the default action (the
 * end of this process), so a caller starts it before spawning a child: a
 * signal arriving around the spawn then cannot orphan the child. While it
 * listens, the program's own Ctrl-C handler (lib/interrupt.ts) stands back.
 * Signals the OS does not have are skipped (Windows has SIGINT and SIGBREAK only).
 */
export function onStopSignals(
  handler: (signal: "SIGINT" | "SIGTERM" | "SIGHUP") => void,
): () => void {
  const release = claimSignals();
  const remove = addStopListener(handler);
  return () => {
    remove();
    release();
  };
}

/**
 * Run `spec.command` to its end, within `spec.timeoutMs`, with stdin closed
 * and output capped. Never hangs on a child that ignores its stdin, its pipes
 * or SIGTERM. A missing or forbidden program is reported in the result, not
 * thrown. SIGINT, SIGTERM or SIGHUP while it runs ends the child's process
 * group and then throws `CancelledError` (`cancelled`, exit 128+N in main.ts).
 *
 * On POSIX the child leads its own process group (`detached`), so a timeout
 * or interrupt reaches its helpers too. Signalling a group needs `Deno.kill`,
 * which Deno allows only with unrestricted `--allow-run`; without it the
 * group is signalled through a `kill` program when `--allow-run` lists one,
 * else only the child itself is signalled.
 */
export async function runBounded(
  ctx: ProcessContext,
  spec: BoundedRun,
): Promise<BoundedResult> {
  const limit = spec.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const posix = ctx.os !== "windows";
  // Listen before the child exists: a signal that arrives around the spawn must
  // not end this process (default action) and leave the child's group running.
  let interrupted: "SIGINT" | "SIGTERM" | "SIGHUP" | null = null;
  let stop = () => {};
  const unlisten = onStopSignals((signal) => {
    interrupted ??= signal;
    stop();
  });
  let child: Deno.ChildProcess;
  try {
    child = ctx.spawn(spec.command, spawnOptions(spec, posix));
  } catch (error) {
    unlisten();
    const failure = startFailure(error);
    if (failure) return failure;
    throw error;
  }
  const stdout = spec.stdout !== "null" ? capture(child.stdout, limit, "head") : EMPTY_CAPTURE;
  const stderr = spec.stderr !== "null" ? capture(child.stderr, limit, "tail") : EMPTY_CAPTURE;
  const stopper = groupStopper((signal) => killGroup(ctx, child, posix, signal));
  stop = stopper.stop;
  // A signal that came while the child was being started ends it now.
  if (interrupted) stop();
  // The caller no longer wants the result (run -- CMD ended while a refresh ran).
  const cancel = () => stop();
  ctx.signal?.addEventListener("abort", cancel);
  if (ctx.signal?.aborted) stop();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, spec.timeoutMs);
  let status: Deno.CommandStatus;
  try {
    // Wait for the process, not its pipes: a grandchild may hold them open.
    status = await child.status;
    clearTimeout(timer);
    if (stopper.stopping()) await stopper.killRest();
  } finally {
    clearTimeout(timer);
    stopper.dispose();
    unlisten();
    ctx.signal?.removeEventListener("abort", cancel);
  }
  const [out, err] = await Promise.all([stdout.finish(), stderr.finish()]);
  if (interrupted) throw new CancelledError(interrupted);
  return finishedResult(status, timedOut, out, err);
}

/** How the child is started: stdin closed, each stream piped or discarded, its own group on POSIX. */
export function spawnOptions(spec: BoundedRun, posix: boolean): Deno.CommandOptions {
  return {
    args: spec.args,
    cwd: spec.cwd,
    stdin: "null",
    stdout: spec.stdout ?? "piped",
    stderr: spec.stderr ?? "piped",
    ...(posix ? { detached: true } : {}),
  };
}

/**
 * The result of a child that could not be started because of `error`: a
 * missing program, or one the permission flags do not allow; undefined for
 * any other error (the caller throws it).
 */
export function startFailure(error: unknown): BoundedResult | undefined {
  const notFound = error instanceof Deno.errors.NotFound;
  if (!notFound && !(error instanceof Deno.errors.NotCapable)) return undefined;
  return {
    code: null,
    signal: null,
    timedOut: false,
    notFound,
    notAllowed: !notFound,
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}

/** The result of a child that ran and ended with `status`, with what was captured of its streams. */
export function finishedResult(
  status: Pick<Deno.CommandStatus, "code" | "signal">,
  timedOut: boolean,
  out: { bytes: Uint8Array; truncated: boolean },
  err: { bytes: Uint8Array; truncated: boolean },
): BoundedResult {
  return {
    code: status.code,
    signal: status.signal,
    timedOut,
    notFound: false,
    notAllowed: false,
    stdout: out.bytes,
    stderr: err.bytes,
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
  };
}

/**
 * Ending a child's group: `stop` sends SIGTERM, then SIGKILL once the grace is
 * over or (`killRest`, once the child is gone) at once, since whatever of its
 * group ignored SIGTERM must not outlive it; `dispose` drops a pending SIGKILL.
 */
function groupStopper(signalGroup: (signal: "SIGTERM" | "SIGKILL") => Promise<void>): {
  stop(): void;
  stopping(): boolean;
  killRest(): Promise<void>;
  dispose(): void;
} {
  let stopping = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    stop() {
      if (stopping) return;
      stopping = true;
      void signalGroup("SIGTERM");
      killTimer = setTimeout(() => void signalGroup("SIGKILL"), KILL_GRACE_MS);
    },
    stopping: () => stopping,
    killRest() {
      clearTimeout(killTimer);
      return signalGroup("SIGKILL");
    },
    dispose() {
      clearTimeout(killTimer);
    },
  };
}

/** Whether `Deno.kill` was refused once (restricted `--allow-run`): then it is not tried again. */
let denoKillRefused = false;

/**
 * Send `signal` to the child's process group (POSIX) or the child (Windows).
 * Errors are swallowed: the group may be gone already.
 */
async function killGroup(
  ctx: Pick<Context, "spawn">,
  child: Deno.ChildProcess,
  posix: boolean,
  signal: "SIGTERM" | "SIGKILL",
): Promise<void> {
  if (posix && !denoKillRefused) {
    try {
      Deno.kill(-child.pid, signal);
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotCapable)) return;
      denoKillRefused = true;
    }
  }
  if (posix) {
    // `kill -s TERM -- -PGID` reaches the whole group where --allow-run lists `kill`.
    try {
      const killer = ctx.spawn("kill", {
        args: ["-s", signal.slice(3), "--", `-${child.pid}`],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      });
      if ((await killer.status).success) return;
    } catch {
      // No `kill` program, or not allowed: signal the child alone.
    }
  }
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}

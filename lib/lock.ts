/**
 * Cross-process lock on a lock file, using the OS file lock (flock /
 * LockFileEx), which the kernel releases when the holder dies. Refresh tokens
 * rotate, so every refresh and every write of auth.json happens under it.
 */

import { FailureError, fileFailure } from "./errors.ts";
import { ensurePrivateDir, resolveSymlinkSync } from "./fs/atomic.ts";
import { basename, dirname, join } from "./fs/path.ts";
import { readBoundedText } from "./fs/read.ts";
import { sanitize } from "./ui.ts";

/** Default wait for the lock: longer than a `claude` refresh (60 s) plus a token request. */
export const DEFAULT_LOCK_TIMEOUT_MS = 150_000;
/** How long a waiter waits before saying so (`onWait`). */
export const LOCK_WAIT_NOTICE_MS = 2_000;
/** Longest holder description shown to a waiter. */
const MAX_HOLDER_CHARS = 200;

/**
 * The lock file that guards `file`, derived from the file it finally names:
 * a symlink and its target (also through a linked folder) share one lock, so
 * two paths to one auth.json cannot refresh at once. A dangling link gives
 * its missing target's lock; a path that cannot be resolved keeps its own.
 */
export function lockPathFor(file: string): string {
  let target = file;
  try {
    target = resolveSymlinkSync(file);
    target = join(Deno.realPathSync(dirname(target)), basename(target));
  } catch {
    // A loop or an unreadable or missing folder: the write that follows reports it.
  }
  return `${target}.lock`;
}

/** Options of `withLock`. */
export interface LockOptions {
  /** Give up after this long (default DEFAULT_LOCK_TIMEOUT_MS). */
  timeoutMs?: number;
  /**
   * Called once when the lock is still held by another after about 2 s, with
   * what that holder wrote (sanitised, one line), or null when unknown.
   */
  onWait?: (holder: string | null) => void;
  /** What this holder is doing ("refresh"), written after `pid N: ` into the lock file. */
  holder?: string;
}

const encoder = new TextEncoder();

/** The description the current holder wrote, sanitised, or null when none can be read. */
function readHolder(lockPath: string): string | null {
  let text: string | null;
  try {
    text = readBoundedText(lockPath, { maxBytes: 4096, what: "lock file" });
  } catch {
    // Windows refuses reads of a locked range: the holder stays unknown.
    return null;
  }
  const line = text?.split("\n")[0].trim() ?? "";
  if (line === "") return null;
  const chars = [...line];
  const short = chars.length > MAX_HOLDER_CHARS
    ? chars.slice(0, MAX_HOLDER_CHARS).join("") + "…"
    : line;
  return sanitize(short, true);
}

/** Replace the lock file's content with `text` (best effort: the lock works without it). */
async function describe(file: Deno.FsFile, text: string): Promise<void> {
  try {
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
  } catch {
    // A read-only or full file system: waiters just see no description.
  }
}

/**
 * Run `fn` while holding the exclusive lock on `lockPath`. The third argument
 * is the options, or (older callers) the timeout in milliseconds. While held,
 * the lock file says who holds it (`pid 1234: refresh`), for waiters' notices.
 */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions | number = {},
): Promise<T> {
  const { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onWait, holder } = typeof options === "number"
    ? { timeoutMs: options }
    : options;
  let file: Deno.FsFile;
  try {
    await ensurePrivateDir(dirname(lockPath));
    file = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    throw fileFailure("open the lock file", lockPath, error);
  }
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let noticeTimer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FailureError(
              `another process has held the lock ${lockPath} for over ${
                Math.round(timeoutMs / 1000)
              } s`,
              "wait for it to finish, or stop it and try again",
            ),
          ),
        timeoutMs,
      );
    });
    if (onWait && timeoutMs > LOCK_WAIT_NOTICE_MS) {
      noticeTimer = setTimeout(() => onWait(readHolder(lockPath)), LOCK_WAIT_NOTICE_MS);
    }
    try {
      await Promise.race([file.lock(true), timedOut]);
    } finally {
      clearTimeout(timer);
      clearTimeout(noticeTimer);
    }
    try {
      await describe(file, `pid ${Deno.pid}${holder ? `: ${holder}` : ""}\n`);
      return await fn();
    } finally {
      // Emptied before release, so no waiter reads a finished holder's line.
      await file.truncate(0).catch(() => {});
      await file.unlock().catch(() => {});
    }
  } finally {
    file.close();
  }
}

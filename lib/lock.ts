/**
 * Cross-process lock on a lock file, using the OS file lock (flock /
 * LockFileEx), which the kernel releases when the holder dies. Refresh tokens
 * rotate, so every refresh and every write of auth.json happens under it.
 *
 * @module
 */

import { FailureError, fileFailure } from "./errors.ts";
import { ensurePrivateDir, resolveSymlinkSync } from "./fs/atomic.ts";
import { basename, dirname, fitName, join } from "./fs/path.ts";
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
 * A name near the file-name limit gets a shortened lock name (`fitName`).
 */
export function lockPathFor(file: string): string {
  let target = file;
  try {
    target = resolveSymlinkSync(file);
    target = join(Deno.realPathSync(dirname(target)), basename(target));
  } catch {
    // A loop or an unreadable or missing folder: the write that follows reports it.
  }
  const name = fitName(basename(target), ".lock");
  return name === `${basename(target)}.lock` ? `${target}.lock` : join(dirname(target), name);
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
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1;; attempt++) {
    let file: Deno.FsFile;
    try {
      file = await openLockFile(lockPath);
    } catch (error) {
      throw fileFailure("open the lock file", lockPath, error);
    }
    try {
      await acquire(file, lockPath, Math.max(0, deadline - Date.now()), timeoutMs, onWait);
      // Another process may have replaced the lock file (a link it found there)
      // between our open and our lock: then ours locks nothing; start over.
      if (!isLockFileOf(file, lockPath)) {
        await file.unlock().catch(() => {});
        if (attempt < MAX_LOCK_REOPENS) continue;
        throw new FailureError(
          `the lock file ${lockPath} keeps being replaced by another program`,
          "stop whatever rewrites it, then try again",
        );
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
}

/** Times the lock file is opened again when it was replaced under us. */
const MAX_LOCK_REOPENS = 5;

/** Wait for the OS lock on `file`, failing after `waitMs` (reported as `timeoutMs`). */
async function acquire(
  file: Deno.FsFile,
  lockPath: string,
  waitMs: number,
  timeoutMs: number,
  onWait: ((holder: string | null) => void) | undefined,
): Promise<void> {
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
      waitMs,
    );
  });
  if (onWait && waitMs > LOCK_WAIT_NOTICE_MS) {
    noticeTimer = setTimeout(() => onWait(readHolder(lockPath)), LOCK_WAIT_NOTICE_MS);
  }
  try {
    await Promise.race([file.lock(true), timedOut]);
  } finally {
    clearTimeout(timer);
    clearTimeout(noticeTimer);
  }
}

/**
 * Open the lock file, never through a symbolic link: a link found there
 * (dangling, which made every open fail with "no such file", or naming some
 * other file that the holder line would overwrite) is not ours, since
 * `lockPathFor` already resolved the links to the guarded file. It is
 * replaced by a new empty file renamed over it, so the link's target is
 * never created or touched.
 */
async function openLockFile(lockPath: string): Promise<Deno.FsFile> {
  await ensurePrivateDir(dirname(lockPath));
  if (isSymlink(lockPath)) {
    const random = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16))
      .join("");
    const temp = join(dirname(lockPath), fitName(basename(lockPath), `.${random}.tmp`, "."));
    const created = await Deno.open(temp, { createNew: true, write: true, mode: 0o600 });
    created.close();
    try {
      await Deno.rename(temp, lockPath);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }
  return await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
}

function isSymlink(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSymlink;
  } catch {
    return false;
  }
}

/** Whether `lockPath` still names the open `file` (and not a link or a newer file). */
function isLockFileOf(file: Deno.FsFile, lockPath: string): boolean {
  try {
    const named = Deno.lstatSync(lockPath);
    if (named.isSymlink) return false;
    const opened = file.statSync();
    if (named.ino === null || opened.ino === null) return true;
    return named.ino === opened.ino && named.dev === opened.dev;
  } catch {
    return false;
  }
}

/**
 * Cross-process lock on a lock file, using the OS file lock (flock /
 * LockFileEx), which the kernel releases when the holder dies. Refresh tokens
 * rotate, so every refresh and every write of auth.json happens under it.
 */

import { FailureError, fileFailure } from "./errors.ts";
import { ensurePrivateDir } from "./fs/atomic.ts";
import { dirname } from "./fs/path.ts";

/** Default wait for the lock: longer than a `claude` refresh (60 s) plus a token request. */
export const DEFAULT_LOCK_TIMEOUT_MS = 150_000;

/** The lock file that guards `authFile`. */
export function lockPathFor(authFile: string): string {
  return `${authFile}.lock`;
}

/** Run `fn` while holding the exclusive lock on `lockPath`. */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  timeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  let file: Deno.FsFile;
  try {
    await ensurePrivateDir(dirname(lockPath));
    file = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    throw fileFailure("open the lock file", lockPath, error);
  }
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
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
    try {
      await Promise.race([file.lock(true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    try {
      return await fn();
    } finally {
      await file.unlock().catch(() => {});
    }
  } finally {
    file.close();
  }
}

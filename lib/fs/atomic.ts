/**
 * Crash-safe file replacement: temporary file in the same directory, then rename.
 *
 * lib/fs/ is the file-system layer under everything that stores: paths
 * without `node:path` (path.ts), the bounded, regular-file-only reader
 * (read.ts) and atomic writes with private modes (this file). It knows no
 * file's meaning, so a crash or a full disk leaves either the old file or the
 * new one, never a torn one, whatever the file is.
 *
 * @module
 */

import { FailureError, fileFailure, osReason } from "../errors.ts";
import { basename, dirname, fitName, isAbsolute, join } from "./path.ts";
import { MAX_STATE_FILE_BYTES, readBoundedText } from "./read.ts";

const isWindows = Deno.build.os === "windows";
const encoder = new TextEncoder();

/** Length of the random part of a temporary file's name (hex digits). */
const RANDOM_HEX = 12;

/**
 * Prefix of this tool's temporary files, so only ours are ever cleaned up.
 * It leaves room for the random part and `.tmp` within the file-name limit,
 * so a target whose own name is near the limit can still be written.
 */
function tempPrefix(target: string): string {
  const room = "x".repeat(RANDOM_HEX) + ".tmp";
  return fitName(basename(target), `.occa-${room}`, ".").slice(0, -room.length);
}

/** Create `dir` (and parents) with mode 0700 when missing. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_HEX / 2));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Replace `path` with `text` atomically. The temporary file is created with
 * mode 0600 (never readable by others, even for an instant), flushed to disk,
 * then renamed over the target; a crash leaves the old file or the new one.
 * `stillValid`, when given, is asked right before the rename (synchronously,
 * so nothing of this process runs in between); when it says no, nothing is
 * replaced and the result is false (the caller starts over).
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  mode = 0o600,
  stillValid?: () => boolean,
): Promise<boolean> {
  // Write through a symlink (dotfile managers link auth.json) instead of replacing it.
  const target = resolveSymlinkSync(path);
  try {
    return await replaceFile(target, text, mode, stillValid);
  } catch (error) {
    throw fileFailure("write", target, error);
  }
}

async function replaceFile(
  path: string,
  text: string,
  mode: number,
  stillValid?: () => boolean,
): Promise<boolean> {
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  const temp = join(dir, `${tempPrefix(path)}${randomSuffix()}.tmp`);
  const file = await Deno.open(temp, { createNew: true, write: true, mode });
  try {
    try {
      const bytes = encoder.encode(text);
      let offset = 0;
      while (offset < bytes.length) {
        offset += await file.write(bytes.subarray(offset));
      }
      await file.sync();
    } finally {
      file.close();
    }
    // The umask can only narrow the mode; chmod makes it exact.
    if (!isWindows) await Deno.chmod(temp, mode);
    // Last moment to notice that `text` is out of date (see stillValid above):
    // the check and the rename run back to back, with nothing in between.
    if (stillValid && !stillValid()) {
      await Deno.remove(temp).catch(() => {});
      return false;
    }
    Deno.renameSync(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
  return true;
}

/** Links followed before giving up, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * The file `path` finally names: symlinks followed one by one, so a dangling
 * link yields the missing target (created by a write) and a loop is an error.
 * Synchronous: `lockPathFor` needs it so, and the few lstat calls are cheap.
 */
export function resolveSymlinkSync(path: string): string {
  let current = path;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(current);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return current;
      throw fileFailure("read", current, error);
    }
    if (!info.isSymlink) return current;
    const link = Deno.readLinkSync(current);
    current = isAbsolute(link) ? link : join(dirname(current), link);
  }
  throw new FailureError(`cannot resolve ${path}: too many levels of symbolic links`);
}

/** Flush a directory entry so the rename survives power loss (best effort). */
async function syncDir(dir: string): Promise<void> {
  if (isWindows) return;
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is atomic.
  }
}

/**
 * Remove temporary files this tool left next to `path` when a writer was
 * killed mid-write. Call only while holding the file's lock: then no live
 * writer of ours can own one of them.
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  // Temporary files sit beside the file a symlink points to (see writeFileAtomic).
  path = resolveSymlinkSync(path);
  const prefix = tempPrefix(path);
  let removed = 0;
  try {
    for await (const entry of Deno.readDir(dirname(path))) {
      if (entry.isFile && entry.name.startsWith(prefix) && entry.name.endsWith(".tmp")) {
        await Deno.remove(join(dirname(path), entry.name)).catch(() => {});
        removed++;
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}

/**
 * Read a small text file, or null when it does not exist: regular files only,
 * at most `maxBytes` (see lib/fs/read.ts, whose reader this is). Kept for its
 * callers; new code calls `readBoundedText` and names the file.
 */
export function readTextOrNull(path: string, maxBytes = MAX_STATE_FILE_BYTES): string | null {
  return readBoundedText(path, { maxBytes, what: "file" });
}

/** Whether anything exists at `path` (a dangling symlink counts); other errors are one-line failures. */
export function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw fileFailure("read", path, error);
  }
}

/**
 * A new temporary folder (mode 0700) whose name starts with `prefix`: in the
 * system's temporary folder (TMPDIR), else, when that is set but missing,
 * empty or relative ("No such file or directory: tmpdir"), in the first of
 * `fallbacks` that works (created private when missing). Fails with one line
 * naming TMPDIR when none does.
 */
export async function makeTempDirWithFallback(
  prefix: string,
  fallbacks: readonly string[],
): Promise<string> {
  let systemError: unknown;
  try {
    return await Deno.makeTempDir({ prefix });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw error;
    systemError = error;
  }
  for (const dir of fallbacks) {
    try {
      await ensurePrivateDir(dir);
      return await Deno.makeTempDir({ prefix, dir });
    } catch {
      // The next fallback.
    }
  }
  throw new FailureError(
    `cannot create a temporary folder: the system's (TMPDIR) is unusable (${
      osReason(systemError)
    }), and so ${fallbacks.length === 1 ? "is" : "are"} ${fallbacks.join(", ")}`,
    "set TMPDIR to an existing folder you can write to, or unset it",
    { cause: systemError },
  );
}

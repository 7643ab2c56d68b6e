/**
 * Writing OpenCode's auth.json under the lock; this tool touches only the
 * `anthropic` key. The read side is auth_read.ts (re-exported here).
 */

import { pathExists, removeStaleTempFiles, writeFileAtomic } from "../fs/atomic.ts";
import { lockPathFor, withLock } from "../lock.ts";
import { type AnthropicEntry, mergeEntry, PROVIDER_KEY } from "./entry.ts";
import { removeMembers, setMember } from "./json_edit.ts";
import {
  type AuthSnapshot,
  CorruptAuthFileError,
  readAuthFile,
  readStrictText,
} from "./auth_read.ts";

export * from "./auth_read.ts";

/** Whether the file still holds `text` (null: still absent); unreadable counts as changed. */
function stillHolds(path: string, text: string | null): boolean {
  try {
    return readStrictText(path) === text;
  } catch {
    return false;
  }
}

/** Tries at splicing into a file that other programs keep rewriting. */
const MAX_SPLICE_ATTEMPTS = 5;

/**
 * Replace auth.json with `change(current)` (null: leave it). Before the atomic
 * rename the file is read once more: if another program rewrote it meanwhile
 * (OpenCode ignores our lock), the change is made again on its new text, so
 * its write is not lost. What is left is the instant between that last read
 * and the rename. Returns the snapshot the change was made on.
 */
async function spliceAndReplace(
  path: string,
  change: (current: AuthSnapshot) => string | null,
): Promise<{ current: AuthSnapshot; changed: boolean }> {
  await removeStaleTempFiles(path);
  for (let attempt = 1;; attempt++) {
    const current = await readAuthFile(path);
    const next = change(current);
    if (next === null) return { current, changed: false };
    const check = attempt < MAX_SPLICE_ATTEMPTS ? () => stillHolds(path, current.text) : undefined;
    if (await writeFileAtomic(path, next, 0o600, check)) return { current, changed: true };
  }
}

/** Operations on auth.json while holding its lock. */
export interface AuthTransaction {
  /** Re-read the file. */
  read(): Promise<AuthSnapshot>;
  /**
   * Store `entry` under `anthropic`, spliced into the file's current text and
   * checked again right before the atomic rename, so a concurrent writer that
   * ignores our lock (OpenCode itself) loses nothing that it wrote before.
   */
  write(entry: AnthropicEntry): Promise<void>;
  /** Remove the `anthropic` entry; returns whether there was one. */
  remove(): Promise<boolean>;
  /** Rename a corrupt file to `auth.json.corrupt-<timestamp>`; returns the new path. */
  moveAside(): Promise<string | null>;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Run `fn` with auth.json locked against this tool's other processes. */
export function withAuthFile<T>(
  path: string,
  fn: (tx: AuthTransaction) => Promise<T>,
): Promise<T> {
  const tx: AuthTransaction = {
    read: () => readAuthFile(path),
    async write(entry) {
      const { changed } = await spliceAndReplace(path, (current) => {
        const base = current.text ?? "{}\n";
        const next = setMember(base, PROVIDER_KEY, mergeEntry(current.raw, entry));
        return next === current.text ? null : next;
      });
      if (!changed && Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
    },
    async remove() {
      const { changed } = await spliceAndReplace(
        path,
        (current) =>
          current.text === null || current.raw === undefined
            ? null
            : removeMembers(current.text, PROVIDER_KEY),
      );
      return changed;
    },
    async moveAside() {
      try {
        await readAuthFile(path);
        return null;
      } catch (error) {
        if (!(error instanceof CorruptAuthFileError)) throw error;
      }
      let target = `${path}.corrupt-${timestamp(new Date())}`;
      for (let n = 1; await pathExists(target); n++) {
        target = `${path}.corrupt-${timestamp(new Date())}-${n}`;
      }
      await Deno.rename(path, target);
      return target;
    },
  };
  return withLock(lockPathFor(path), () => fn(tx));
}

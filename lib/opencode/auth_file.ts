/**
 * Writing OpenCode's auth.json: this tool touches only the `anthropic` key,
 * spliced into the file's text so every other byte stays as it was. Callers
 * hold the lock (lib/store.ts); the read side is auth_read.ts.
 *
 * lib/opencode/ owns what is OpenCode's: the `anthropic` entry's shape with
 * unknown fields kept (entry.ts), reading auth.json (auth_read.ts; with
 * entry.ts all of it on `token`'s start-up path), editing one member of its
 * JSON text (json_edit.ts), writing it (this file), OpenCode 2's database
 * (database.ts, with the rows' meaning in credential_row.ts; loaded only when
 * the file exists), and OpenCode's config and plugins (config.ts). Only
 * lib/store.ts writes through it.
 *
 * @module
 */

import { pathExists, removeStaleTempFiles, writeFileAtomic } from "../fs/atomic.ts";
import { refuseReadOnly } from "../fs/read_only.ts";
import { FailureError } from "../errors.ts";
import type { AnthropicEntry } from "../credential_types.ts";
import { mergeEntry, PROVIDER_KEY } from "./entry.ts";
import { removeMembers, setMember } from "./json_edit.ts";
import {
  type AuthSnapshot,
  CorruptAuthFileError,
  readAuthFile,
  readStrictText,
} from "./auth_read.ts";

/** Whether the file still holds `text` (null: still absent); unreadable counts as changed. */
function stillHolds(path: string, text: string | null): boolean {
  try {
    return readStrictText(path) === text;
  } catch {
    return false;
  }
}

/** Tries at splicing into a file that other programs keep rewriting. */
export const MAX_SPLICE_ATTEMPTS = 5;

/** What a guarded change did. */
export type ChangeOutcome = "changed" | "unchanged" | "refused";

/**
 * Replace auth.json with `change(current)`: a string is the new text, null
 * leaves the file as it is, "refuse" leaves it because it no longer holds
 * what the caller started from. Before the atomic rename the file is read once
 * more (this re-read is needed: OpenCode does not take our lock); if another
 * program rewrote it meanwhile, `change` is asked again on the new text, so
 * neither its write nor the caller's check is lost. Every attempt, the last
 * one too, re-checks; a file that keeps changing under every attempt is left
 * to the other writer, with a one-line failure. What is left is the instant
 * between that last read and the rename.
 */
async function spliceAndReplace(
  path: string,
  change: (current: AuthSnapshot) => string | null | "refuse",
): Promise<ChangeOutcome> {
  // A read-only auth.json is the user's choice: never swapped for a writable one.
  await refuseReadOnly(path);
  await removeStaleTempFiles(path);
  for (let attempt = 1; attempt <= MAX_SPLICE_ATTEMPTS; attempt++) {
    const current = await readAuthFile(path);
    const next = change(current);
    if (next === "refuse") return "refused";
    if (next === null) return "unchanged";
    if (await writeFileAtomic(path, next, 0o600, () => stillHolds(path, current.text))) {
      return "changed";
    }
  }
  throw new FailureError(
    `${path} changed under each of ${MAX_SPLICE_ATTEMPTS} attempts to write it (another program keeps rewriting it); it was left as that program wrote it`,
    "try again once OpenCode is idle",
  );
}

/**
 * Store `entry` under `anthropic` when `accept(current)` says the file still
 * holds what the caller started from (a compare-and-swap); every other member
 * and any field of the old entry this tool does not know is kept.
 */
export async function writeEntry(
  path: string,
  entry: AnthropicEntry,
  accept: (current: AuthSnapshot) => boolean = () => true,
): Promise<ChangeOutcome> {
  const outcome = await spliceAndReplace(path, (current) => {
    if (!accept(current)) return "refuse";
    const base = current.text ?? "{}\n";
    const next = setMember(base, PROVIDER_KEY, mergeEntry(current.raw, entry));
    return next === current.text ? null : next;
  });
  if (outcome === "unchanged" && Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
  return outcome;
}

/** Remove the `anthropic` member; returns whether there was one. */
export async function removeEntry(path: string): Promise<boolean> {
  const outcome = await spliceAndReplace(
    path,
    (current) =>
      current.text === null || current.raw === undefined
        ? null
        : removeMembers(current.text, PROVIDER_KEY),
  );
  return outcome === "changed";
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** Rename a corrupt auth.json to `auth.json.corrupt-<timestamp>`; returns the new path. */
export async function moveAside(path: string): Promise<string | null> {
  try {
    await readAuthFile(path);
    return null;
  } catch (error) {
    if (!(error instanceof CorruptAuthFileError)) throw error;
  }
  let target = `${path}.corrupt-${timestamp(new Date())}`;
  for (let n = 1; pathExists(target); n++) {
    target = `${path}.corrupt-${timestamp(new Date())}-${n}`;
  }
  await Deno.rename(path, target);
  return target;
}

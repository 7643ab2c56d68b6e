/** Reading and writing OpenCode's auth.json; this tool touches only the `anthropic` key. */

import { FailureError } from "../errors.ts";
import { pathExists, removeStaleTempFiles, writeFileAtomic } from "../fs/atomic.ts";
import { lockPathFor, withLock } from "../lock.ts";
import { registerSecret } from "../redact.ts";
import { removeMembers, setMember } from "./json_edit.ts";
import { type AnthropicEntry, mergeEntry, parseEntry, PROVIDER_KEY } from "./entry.ts";

/** What auth.json holds right now, as far as this tool is concerned. */
export interface AuthSnapshot {
  /** The file's path. */
  path: string;
  /** The file's text, or null when it does not exist. */
  text: string | null;
  /** The raw `anthropic` value (undefined when absent). */
  raw: unknown;
  /** The usable entry, or null when absent or malformed. */
  entry: AnthropicEntry | null;
  /** Why a present entry is unusable, or null. */
  problem: string | null;
}

/** auth.json exists but is not a JSON object: never overwritten silently. */
export class CorruptAuthFileError extends FailureError {
  /** Describe what is wrong with the file at `path`. */
  constructor(readonly path: string, reason: string) {
    super(
      `${path} ${reason}; it was left untouched`,
      "fix or remove it, or run `opencode-claude-code-auth login --force` to move it aside and start a new one",
    );
    this.name = "CorruptAuthFileError";
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Read a file as strict UTF-8 (invalid bytes would be mangled by a rewrite). */
async function readStrictText(path: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new FailureError(
        `cannot read ${path}: permission denied`,
        "check the file's owner and mode",
      );
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new FailureError(`${path} is a directory, not a file`);
    }
    throw error;
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new CorruptAuthFileError(path, "is not valid UTF-8 text");
  }
}

/** Parse auth.json's text; anything but a JSON object is a CorruptAuthFileError. */
export function parseAuthText(path: string, text: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new CorruptAuthFileError(path, "is empty");
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new CorruptAuthFileError(
      path,
      `is not valid JSON (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    const kind = Array.isArray(data) ? "an array" : data === null ? "null" : `a ${typeof data}`;
    throw new CorruptAuthFileError(path, `holds ${kind}, not a JSON object`);
  }
  return data as Record<string, unknown>;
}

/** Build a snapshot from a file's text (null when missing). */
export function snapshotFromText(path: string, text: string | null): AuthSnapshot {
  if (text === null) return { path, text, raw: undefined, entry: null, problem: null };
  const data = parseAuthText(path, text);
  const raw = Object.hasOwn(data, PROVIDER_KEY) ? data[PROVIDER_KEY] : undefined;
  if (raw === undefined) return { path, text, raw, entry: null, problem: null };
  const parsed = parseEntry(raw);
  if ("problem" in parsed) return { path, text, raw, entry: null, problem: parsed.problem };
  const entry = parsed.entry;
  if (entry.type === "api") registerSecret(entry.key);
  else {
    registerSecret(entry.access);
    registerSecret(entry.refresh);
  }
  return { path, text, raw, entry, problem: null };
}

/** Read auth.json without locking (reads never see a torn file: writes are atomic). */
export async function readAuthFile(path: string): Promise<AuthSnapshot> {
  return snapshotFromText(path, await readStrictText(path));
}

/** Operations on auth.json while holding its lock. */
export interface AuthTransaction {
  /** Re-read the file. */
  read(): Promise<AuthSnapshot>;
  /**
   * Store `entry` under `anthropic`. Re-reads the file right before the atomic
   * rename and splices the entry into that text, so a concurrent writer that
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
      const current = await readAuthFile(path);
      const base = current.text ?? "{}\n";
      const next = setMember(base, PROVIDER_KEY, mergeEntry(current.raw, entry));
      await removeStaleTempFiles(path);
      if (next === current.text) {
        if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
        return;
      }
      await writeFileAtomic(path, next);
    },
    async remove() {
      const current = await readAuthFile(path);
      if (current.text === null || current.raw === undefined) return false;
      await removeStaleTempFiles(path);
      await writeFileAtomic(path, removeMembers(current.text, PROVIDER_KEY));
      return true;
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

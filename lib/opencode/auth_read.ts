/**
 * Reading OpenCode's auth.json. Kept apart from the write side (auth_file.ts,
 * with the lock and the JSON splicing) so that `token` loads only this.
 *
 * @module
 */

import { FailureError, PROGRAM } from "../errors.ts";
import { MAX_AUTH_FILE_BYTES, NotUtf8Error, readBoundedText } from "../fs/read.ts";
import { isPlainObject, parseJson } from "../json.ts";
import { registerSecret } from "../redact.ts";
import type { AnthropicEntry } from "../credential_types.ts";
import { parseEntry, PROVIDER_KEY } from "./entry.ts";

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
      `fix or remove it, or run \`${PROGRAM} login --force\` to move it aside and start a new one`,
    );
    this.name = "CorruptAuthFileError";
  }
}

/**
 * Read auth.json as strict UTF-8 (invalid bytes would be mangled by a
 * rewrite), bounded, and only when it is a regular file (a named pipe in its
 * place would block forever, /dev/zero never ends). Synchronous: the first
 * asynchronous file operation of a process costs about a millisecond more
 * (measured), and `token` reads little else.
 */
export function readStrictText(path: string): string | null {
  try {
    return readBoundedText(path, {
      maxBytes: MAX_AUTH_FILE_BYTES,
      what: "OpenCode's credential file",
      strictUtf8: true,
    });
  } catch (error) {
    if (error instanceof NotUtf8Error) {
      throw new CorruptAuthFileError(path, "is not valid UTF-8 text");
    }
    throw error;
  }
}

/** Parse auth.json's text; anything but a JSON object is a CorruptAuthFileError. */
export function parseAuthText(path: string, text: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new CorruptAuthFileError(path, "is empty");
  // The problem names kind and position only: quoting the text could show another provider's secret.
  const parsed = parseJson(body);
  if ("problem" in parsed) {
    throw new CorruptAuthFileError(path, `is not valid JSON (${parsed.problem})`);
  }
  const data = parsed.value;
  if (!isPlainObject(data)) {
    const kind = Array.isArray(data) ? "an array" : data === null ? "null" : `a ${typeof data}`;
    throw new CorruptAuthFileError(path, `holds ${kind}, not a JSON object`);
  }
  return data;
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

/**
 * Pauses before reading again a file that does not parse. This tool's writes
 * are atomic, but OpenCode rewrites auth.json in place (truncate, then write),
 * so a read can catch it empty or half-written for an instant.
 */
const TORN_READ_PAUSES_MS = [20, 40, 80];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Read auth.json without locking; a file that does not parse is read again a few times first. */
export async function readAuthFile(path: string): Promise<AuthSnapshot> {
  for (let attempt = 0;; attempt++) {
    try {
      return snapshotFromText(path, readStrictText(path));
    } catch (error) {
      if (!(error instanceof CorruptAuthFileError) || attempt >= TORN_READ_PAUSES_MS.length) {
        throw error;
      }
      await sleep(TORN_READ_PAUSES_MS[attempt]);
    }
  }
}

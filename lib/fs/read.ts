/**
 * The one reader for every file this tool reads: regular files only (a FIFO
 * would block the open, `/dev/zero` never ends), with a size cap (a 2 GB file
 * would take minutes and the memory with it). Synchronous: the first
 * asynchronous file operation of a process costs about a millisecond more
 * (measured), and the `token` path reads only small files.
 *
 * @module
 */

import { FailureError, fileFailure } from "../errors.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** Cap of OpenCode's auth.json: it also holds other providers' entries, so generous. */
export const MAX_AUTH_FILE_BYTES = 64 * MIB;
/** Cap of this tool's state file. */
export const MAX_STATE_FILE_BYTES = 1 * MIB;
/** Cap of Claude Code's credentials file: it also holds every MCP server's OAuth tokens. */
export const MAX_CREDENTIALS_FILE_BYTES = 8 * MIB;
/** Cap of one OpenCode config file. */
export const MAX_CONFIG_FILE_BYTES = 1 * MIB;

/** How to read one file. */
export interface BoundedReadOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the file is, for messages: "OpenCode's config file". */
  what: string;
  /** Refuse bytes that are not UTF-8 (NotUtf8Error) instead of replacing them with U+FFFD. */
  strictUtf8?: boolean;
}

/** A file that is not valid UTF-8 (with `strictUtf8`): its own class, so callers can word it. */
export class NotUtf8Error extends FailureError {
  /** Describe the file at `path`. */
  constructor(readonly path: string, what: string) {
    super(`${what} ${path} is not valid UTF-8 text`);
    this.name = "NotUtf8Error";
  }
}

/** A file over its cap: its own class, so callers can tell it from other failures. */
export class FileTooLargeError extends FailureError {
  /** Describe the file at `path` and the cap it broke. */
  constructor(readonly path: string, what: string, maxBytes: number) {
    super(`${what} ${path} is larger than ${Math.floor(maxBytes / KIB)} KiB`);
    this.name = "FileTooLargeError";
  }
}

function notRegular(path: string, info: Deno.FileInfo): FailureError {
  return new FailureError(
    info.isDirectory ? `${path} is a directory, not a file` : `${path} is not a regular file`,
  );
}

/**
 * The bytes of the regular file `path` (symlinks followed), or null when it
 * does not exist. Anything else in its place, a file over `maxBytes` (also
 * one that grows past it while being read) and read errors are one-line
 * FailureErrors naming the path.
 */
export function readBoundedBytes(
  path: string,
  options: { maxBytes: number; what: string },
): Uint8Array | null {
  return readChecked(path, options, (checked) => {
    // One read op (the cheapest, measured), checked again: a file swapped or
    // grown since the stat is refused, never kept.
    const bytes = Deno.readFileSync(checked);
    if (bytes.length > options.maxBytes) {
      throw new FileTooLargeError(path, options.what, options.maxBytes);
    }
    return bytes;
  });
}

/**
 * The text of the regular file `path`, or null when it does not exist; the
 * same checks as `readBoundedBytes`. A leading UTF-8 byte-order mark is
 * dropped (as TextDecoder does); with `strictUtf8`, invalid UTF-8 is a
 * NotUtf8Error instead of U+FFFD replacements.
 */
export function readBoundedText(path: string, options: BoundedReadOptions): string | null {
  // Deno decodes the text itself: a TextDecoder's first use costs the `token`
  // path about 0.25 ms (measured), so one is made only on the rare paths below.
  const text = readChecked(path, options, Deno.readTextFileSync);
  if (text === null) return null;
  // Every UTF-16 unit came from at most 3 bytes, so a short text was within the
  // cap; a long one (grown since the stat?) and one with U+FFFD under
  // `strictUtf8` (invalid bytes, or a real U+FFFD?) are read again as bytes.
  if (text.length * 3 > options.maxBytes || (options.strictUtf8 && text.includes("\uFFFD"))) {
    const bytes = readBoundedBytes(path, options);
    if (bytes === null) return null;
    return decode(bytes, path, options);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * `read(path)` once `path` is known to be a regular file within the cap;
 * null when it does not exist. Stat before reading: reading a FIFO blocks
 * until a writer appears, and /dev/zero never ends.
 */
function readChecked<T>(
  path: string,
  options: { maxBytes: number; what: string },
  read: (path: string) => T,
): T | null {
  const { maxBytes, what } = options;
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) throw notRegular(path, info);
    if (info.size > maxBytes) throw new FileTooLargeError(path, what, maxBytes);
    return read(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw fileFailure(`read ${what}`, path, error);
  }
}

function decode(bytes: Uint8Array, path: string, options: BoundedReadOptions): string {
  if (!options.strictUtf8) return new TextDecoder().decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new NotUtf8Error(path, options.what);
  }
}

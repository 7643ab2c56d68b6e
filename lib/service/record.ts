/**
 * The scheduled job's run records: the last run's time and outcome under the
 * state file's `service` key, and one line per failed run in a log beside the
 * state file, kept under LOG_LIMIT_BYTES. A failing job therefore never spams:
 * at most one short line per run, and a bounded file.
 *
 * @module
 */

import type { ClockContext, FilesContext, OutputContext } from "../context.ts";
import { ensurePrivateDir, writeFileAtomic } from "../fs/atomic.ts";
import { basename, dirname, fitName, join } from "../fs/path.ts";
import { MAX_DATE_MS } from "../credential_types.ts";
import { firstLine } from "../errors.ts";
import { isPlainObject } from "../json.ts";
import { scrub } from "../redact.ts";
import { readStateKey, writeStateKey } from "../state.ts";
import { withLock } from "../lock.ts";

/** The state file's key for the service. */
export const SERVICE_KEY = "service";

/** The failure log's file name, in the state file's folder. */
export const LOG_NAME = "service.log";

/** The log's size limit: once over it, it is cut to its newest half. */
export const LOG_LIMIT_BYTES = 64 * 1024;

/** Longest message kept (characters). */
export const MAX_MESSAGE_CHARS = 300;

/** One run of the job. */
export interface LastRun {
  /** When it ended, in epoch milliseconds. */
  at: number;
  /** Whether it succeeded. */
  ok: boolean;
  /** One line saying what happened (no secrets). */
  message: string;
}

/** The failure log's path for `stateFile`. */
export function serviceLogPath(stateFile: string): string {
  return join(dirname(stateFile), LOG_NAME);
}

/** `text` as one short line: secrets scrubbed, control characters and runs of spaces made one space. */
export function sanitizeMessage(text: string): string {
  // deno-lint-ignore no-control-regex
  const line = scrub(text).replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ").trim();
  const chars = [...line];
  return chars.length > MAX_MESSAGE_CHARS
    ? `${chars.slice(0, MAX_MESSAGE_CHARS - 1).join("")}…`
    : line;
}

/**
 * Record a run of the job: `{ lastRun: { at, ok, message } }` under the
 * state's `service` key (its other fields kept) and, for a failure, one line
 * in the bounded log. Never throws: a run's outcome must not be turned into
 * a failure by its bookkeeping (a problem is shown with --debug).
 */
export async function recordRun(
  ctx: ClockContext & FilesContext & OutputContext,
  outcome: { ok: boolean; message: string },
): Promise<void> {
  const run: LastRun = { at: ctx.now(), ok: outcome.ok, message: sanitizeMessage(outcome.message) };
  try {
    const current = readStateKey(ctx.stateFile, SERVICE_KEY);
    const base = isPlainObject(current) ? current : {};
    await writeStateKey(ctx.stateFile, SERVICE_KEY, { ...base, lastRun: run });
  } catch (error) {
    ctx.ui.debug(`could not record the run in ${ctx.stateFile}: ${firstLine(error)}`);
  }
  if (run.ok) return;
  const log = serviceLogPath(ctx.stateFile);
  try {
    await appendBounded(log, `${new Date(run.at).toISOString()} failed: ${run.message}\n`);
  } catch (error) {
    ctx.ui.debug(`could not append to ${log}: ${firstLine(error)}`);
  }
}

/** The last recorded run, or null when none (or the record is damaged). */
export function readLastRun(ctx: FilesContext): LastRun | null {
  const value = readStateKey(ctx.stateFile, SERVICE_KEY);
  if (!isPlainObject(value) || !isPlainObject(value.lastRun)) return null;
  const { at, ok, message } = value.lastRun;
  // A time no Date can hold is damage too (`service status` prints it as a date).
  if (typeof at !== "number" || !(Math.abs(at) <= MAX_DATE_MS) || typeof ok !== "boolean") {
    return null;
  }
  return { at, ok, message: typeof message === "string" ? sanitizeMessage(message) : "" };
}

/**
 * Append `line` to `path` under its lock; when the file then exceeds `limit`
 * bytes, replace it (atomically) with its newest whole lines, at most half
 * the limit, so that trimming happens once per many runs. The log is never
 * reached through a symbolic link (one found there is removed, not
 * followed: the job must not append to, or trim, some other file), and the
 * trim reads only the half it keeps.
 */
export async function appendBounded(
  path: string,
  line: string,
  limit = LOG_LIMIT_BYTES,
): Promise<void> {
  await ensurePrivateDir(dirname(path));
  // The log's own lock, not lockPathFor's: that would follow a link at `path`.
  const lockPath = join(dirname(path), fitName(basename(path), ".lock"));
  await withLock(lockPath, async () => {
    const file = await openLogFile(path);
    let size: number;
    try {
      const bytes = new TextEncoder().encode(line);
      let offset = 0;
      while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      size = (await file.stat()).size;
      if (size <= limit) return;
      const kept = await readTail(file, size, Math.floor(limit / 2));
      await writeFileAtomic(path, new TextDecoder().decode(kept), 0o600);
    } finally {
      file.close();
    }
  });
}

/**
 * Open the log for appending without following a link: a link (or anything
 * but a regular file) at `path` is removed first, and the opened file must
 * be the one `path` names.
 */
async function openLogFile(path: string): Promise<Deno.FsFile> {
  let info: Deno.FileInfo | null = null;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (info && !info.isFile) await Deno.remove(path);
  const file = await Deno.open(path, { read: true, append: true, create: true, mode: 0o600 });
  try {
    const [named, opened] = [await Deno.lstat(path), await file.stat()];
    if (!named.isFile || (named.ino !== null && opened.ino !== null && named.ino !== opened.ino)) {
      throw new Error(`${path} was replaced while it was opened`);
    }
  } catch (error) {
    file.close();
    throw error;
  }
  return file;
}

/** The last `count` bytes of `file` (of `size` bytes), read with one bounded buffer. */
async function readTail(file: Deno.FsFile, size: number, count: number): Promise<Uint8Array> {
  const start = Math.max(0, size - count);
  const buffer = new Uint8Array(size - start);
  await file.seek(start, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  // One byte before the cut tells whether the kept part starts on a whole line.
  if (start === 0) return buffer.subarray(0, filled);
  const before = new Uint8Array(1);
  await file.seek(start - 1, Deno.SeekMode.Start);
  const atLineStart = (await file.read(before)) === 1 && before[0] === 0x0a;
  return atLineStart ? buffer.subarray(0, filled) : skipPartialLine(buffer.subarray(0, filled));
}

/** `bytes` from just after its first newline (the partial line before it dropped). */
function skipPartialLine(bytes: Uint8Array): Uint8Array {
  const newline = bytes.indexOf(0x0a);
  return newline === -1 ? bytes.subarray(bytes.length) : bytes.subarray(newline + 1);
}

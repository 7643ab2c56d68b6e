/**
 * OpenCode 2's database (`opencode.db`, table `credential`) through the
 * runtime's own `node:sqlite`. Loaded lazily, and only when the file exists:
 * SQLite costs `token` start-up. Every change follows REFERENCE.md §1c's safe
 * outside write: `busy_timeout` 5000 (OpenCode's own), `BEGIN IMMEDIATE`, a
 * compare-and-swap on `value` that must change exactly one row, `COMMIT` at
 * once. Never an insert-or-replace, a schema or journal-mode change, a
 * vacuum, or anything done to the file itself. This tool's rows are one per
 * profile, found by the id it recorded (the legacy label
 * `opencode-claude-code-auth` is `default`'s). Only lib/store.ts calls it;
 * what the rows mean is decided in credential_row.ts.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { AnthropicEntry } from "../credential_types.ts";
import { sameEntry } from "../credential_types.ts";
import { FailureError, firstLine } from "../errors.ts";
import { registerSecret } from "../redact.ts";
import {
  columnsProblem,
  type CredentialRow,
  type DecodedValue,
  decodeValue,
  encodeValue,
  INTEGRATION,
  newCredentialId,
  pickRow,
  TOOL_LABEL,
} from "./credential_row.ts";

/** OpenCode 2's own busy timeout: a locked database is waited for this long. */
export const BUSY_TIMEOUT_MS = 5_000;

/** What OpenCode 2's database holds for Anthropic. */
export interface DatabaseSnapshot {
  /** The database file. */
  path: string;
  /** Why this tool will not use the table (absent, unknown columns), or null. */
  refused: string | null;
  /** The row OpenCode 2 uses for `anthropic`, or null. */
  picked: CredentialRow | null;
  /**
   * This tool's row for the active profile: the row whose id the state
   * records, else (a state from before rows were recorded) the row labelled
   * TOOL_LABEL; or null.
   */
  ours: CredentialRow | null;
  /** Every `anthropic` row (profiles' rows are found here by id). */
  rows: CredentialRow[];
  /** The picked row's credential, or null when there is none or it is malformed. */
  entry: AnthropicEntry | null;
  /** Why the picked row is unusable, or null. */
  problem: string | null;
}

/** A change of this tool's `anthropic` rows. */
export type DatabaseChange =
  /**
   * Login: store `next` in row `row` (default: this tool's active row), made
   * with `label` (default TOOL_LABEL) when missing, and make it the active one.
   */
  | { kind: "put"; next: AnthropicEntry; row?: string | null; label?: string }
  /**
   * Renewal: store `next` in this tool's row only if the row OpenCode 2 uses
   * still holds `from`; the row is made (and activated) if the picked one is not this tool's.
   */
  | { kind: "swap"; from: AnthropicEntry | null; next: AnthropicEntry }
  /** Logout: delete row `row` (default: this tool's active row), nothing else. */
  | { kind: "remove"; row?: string }
  /**
   * Switch: make row `row` the active one, only if it is still this tool's
   * (labelled `label`, or TOOL_LABEL: then relabelled `label`) and holds
   * `expected` (its value as last read); its value is left as it is.
   */
  | { kind: "activate"; row: string; label: string; expected: AnthropicEntry }
  /** Idle refresh: store `next` in row `row` only if it still holds `from`; `active` untouched. */
  | { kind: "update"; row: string; from: AnthropicEntry; next: AnthropicEntry };

/** What a change did: "refused" when the row changed meanwhile (compare-and-swap). */
export type DatabaseOutcome = "changed" | "unchanged" | "refused";

/** What a change did, and the id of the row it wrote or found (null: none). */
export interface DatabaseResult {
  /** Whether a row was written, there was nothing to do, or the compare-and-swap refused. */
  outcome: DatabaseOutcome;
  /** The id of the row written or found, or null when there is none. */
  row: string | null;
}

/** One line for a failure of the database at `path`. */
function databaseFailure(path: string, error: unknown): FailureError {
  const reason = firstLine(error);
  if (/locked|busy/i.test(reason)) {
    return new FailureError(
      `OpenCode 2's database ${path} stayed locked by another program for ${
        BUSY_TIMEOUT_MS / 1000
      } s; nothing was written to it`,
      "try again once OpenCode 2 is idle",
    );
  }
  if (/readonly|read-only/i.test(reason)) {
    return new FailureError(
      `OpenCode 2's database ${path} is read-only; nothing was written to it`,
      "make the file and its folder writable by you",
    );
  }
  return new FailureError(`cannot use OpenCode 2's database ${path}: ${reason}`);
}

/** Whether a regular file exists at `path` (SQLite would create a missing one: never). */
function isDatabaseFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Open, run `fn`, close: a connection lives only as long as one operation. */
function withConnection<T>(path: string, fn: (db: DatabaseSync) => T): T {
  if (!isDatabaseFile(path)) {
    throw new FailureError(`OpenCode 2's database ${path} is gone or not a regular file`);
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    throw databaseFailure(path, error);
  }
  try {
    return fn(db);
  } catch (error) {
    if (db.isTransaction) {
      try {
        db.exec("ROLLBACK");
      } catch {
        // The connection closes next; SQLite rolls back what is left.
      }
    }
    if (error instanceof FailureError) throw error;
    throw databaseFailure(path, error);
  } finally {
    db.close();
  }
}

/** The `credential` table's column names (none when the table is missing). */
function columnsOf(db: DatabaseSync): string[] {
  return db.prepare("PRAGMA table_info(credential)").all().map((row) => String(row.name));
}

function anthropicRows(db: DatabaseSync): CredentialRow[] {
  return db.prepare(
    "SELECT id, integration_id, label, value, connector_id, method_id, active, time_created, time_updated FROM credential WHERE integration_id = ?",
  ).all(INTEGRATION) as unknown as CredentialRow[];
}

/** A row's credential, its secrets registered for redaction; or why it is unusable. */
export function rowEntry(row: CredentialRow): DecodedValue {
  const decoded = typeof row.value === "string"
    ? decodeValue(row.value)
    : { problem: "the value is not text" };
  if ("problem" in decoded) return decoded;
  const entry = decoded.entry;
  if (entry.type === "api") registerSecret(entry.key);
  else {
    registerSecret(entry.access);
    registerSecret(entry.refresh);
  }
  return decoded;
}

function snapshotOf(path: string, db: DatabaseSync, ownRow: string | null): DatabaseSnapshot {
  const refused = columnsProblem(columnsOf(db));
  if (refused) {
    return { path, refused, picked: null, ours: null, rows: [], entry: null, problem: null };
  }
  const rows = anthropicRows(db);
  const picked = pickRow(rows);
  const ours = ownRow !== null
    ? rows.find((row) => row.id === ownRow) ?? null
    : pickRow(rows.filter((row) => row.label === TOOL_LABEL));
  const base = { path, refused, picked, ours, rows };
  if (!picked) return { ...base, entry: null, problem: null };
  const decoded = rowEntry(picked);
  if ("problem" in decoded) return { ...base, entry: null, problem: decoded.problem };
  return { ...base, entry: decoded.entry, problem: null };
}

/**
 * Read what the database holds for Anthropic (no transaction: WAL readers
 * never wait). `ownRow`: the active profile's row id as the state records it.
 */
export function readDatabase(path: string, ownRow: string | null = null): DatabaseSnapshot {
  return withConnection(path, (db) => snapshotOf(path, db, ownRow));
}

/**
 * Before anything is spent (a refresh token, a sign-in): whether this tool
 * could write now. Takes and gives back the write lock at once (waiting up to
 * the busy timeout). Returns why the table is refused, or null; a locked or
 * read-only database is a one-line FailureError.
 */
export function probeDatabase(path: string): string | null {
  try {
    // Opened for writing and closed at once, nothing written: SQLite itself may
    // open a read-only file without complaint and fail only at the first write.
    Deno.openSync(path, { read: true, write: true }).close();
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      throw databaseFailure(path, new Error("attempt to write a readonly database"));
    }
    throw databaseFailure(path, error);
  }
  return withConnection(path, (db) => {
    const refused = columnsProblem(columnsOf(db));
    if (refused) return refused;
    db.exec("BEGIN IMMEDIATE");
    // A no-op write: a read-only file refuses it, where BEGIN alone may not.
    db.prepare("UPDATE credential SET id = id WHERE 0").run();
    db.exec("ROLLBACK");
    return null;
  });
}

/** Apply `change` to this tool's `anthropic` rows in one short `BEGIN IMMEDIATE` transaction. */
export function changeDatabase(
  path: string,
  change: DatabaseChange,
  nowMs: number,
  ownRow: string | null = null,
): DatabaseOutcome {
  return changeDatabaseRow(path, change, nowMs, ownRow).outcome;
}

/** changeDatabase, also saying which row it wrote (or found unchanged). */
export function changeDatabaseRow(
  path: string,
  change: DatabaseChange,
  nowMs: number,
  ownRow: string | null,
): DatabaseResult {
  const value = "next" in change ? encodeValue(change.next) : null;
  return withConnection(path, (db) => {
    const refused = columnsProblem(columnsOf(db));
    if (refused) throw new FailureError(refusalMessage(path, refused), refusalHint(refused));
    db.exec("BEGIN IMMEDIATE");
    const current = snapshotOf(path, db, ownRow);
    const result = applyChange(db, current, change, value, nowMs);
    if (result.outcome === "changed") db.exec("COMMIT");
    else db.exec("ROLLBACK");
    return result;
  });
}

/**
 * Make `target` the active row: clear the flag on the integration's other
 * rows first (a unique index on active rows exists in some builds), then set
 * it, compare-and-swap on the value read in this transaction.
 */
function activateRow(
  db: DatabaseSync,
  current: DatabaseSnapshot,
  target: CredentialRow,
  value: string,
  nowMs: number,
  label = target.label,
): DatabaseResult {
  const isActive = target.active === 1 && current.picked?.id === target.id;
  if (isActive && target.value === value && target.label === label) {
    return { outcome: "unchanged", row: target.id };
  }
  if (!isActive) {
    db.prepare(
      "UPDATE credential SET active = 0 WHERE integration_id = ? AND active = 1 AND id <> ?",
    ).run(INTEGRATION, target.id);
  }
  const updated = db.prepare(
    "UPDATE credential SET value = ?, label = ?, active = 1, time_updated = ? WHERE id = ? AND value = ?",
  ).run(value, label, nowMs, target.id, target.value);
  return { outcome: updated.changes === 1 ? "changed" : "refused", row: target.id };
}

/** Whether `row` decodes to `entry` (a compare-and-swap on what it holds). */
function holds(row: CredentialRow, entry: AnthropicEntry): boolean {
  const decoded = rowEntry(row);
  return "entry" in decoded && sameEntry(decoded.entry, entry);
}

function applyChange(
  db: DatabaseSync,
  current: DatabaseSnapshot,
  change: DatabaseChange,
  value: string | null,
  nowMs: number,
): DatabaseResult {
  const byId = (id: string) => current.rows.find((row) => row.id === id) ?? null;
  const refused: DatabaseResult = { outcome: "refused", row: null };
  if (change.kind === "remove") {
    const target = change.row === undefined ? current.ours : byId(change.row);
    if (!target) return { outcome: "unchanged", row: null };
    const removed = db.prepare(
      "DELETE FROM credential WHERE id = ? AND integration_id = ? AND value = ?",
    ).run(target.id, INTEGRATION, target.value);
    return { outcome: removed.changes === 1 ? "changed" : "refused", row: target.id };
  }
  if (change.kind === "activate") {
    const target = byId(change.row);
    const ours = target?.label === change.label || target?.label === TOOL_LABEL;
    if (!target || !ours || !holds(target, change.expected)) return refused;
    return activateRow(db, current, target, target.value, nowMs, change.label);
  }
  if (value === null) return refused;
  if (change.kind === "update") {
    const target = byId(change.row);
    if (!target || !holds(target, change.from)) return refused;
    if (target.value === value) return { outcome: "unchanged", row: target.id };
    const updated = db.prepare(
      "UPDATE credential SET value = ?, time_updated = ? WHERE id = ? AND value = ?",
    ).run(value, nowMs, target.id, target.value);
    return { outcome: updated.changes === 1 ? "changed" : "refused", row: target.id };
  }
  if (change.kind === "swap" && !sameEntry(current.entry, change.from)) return refused;
  const target = change.kind === "put" && change.row !== undefined
    ? (change.row === null ? null : byId(change.row))
    : current.ours;
  if (target) {
    const label = change.kind === "put" ? change.label : undefined;
    return activateRow(db, current, target, value, nowMs, label ?? target.label);
  }
  db.prepare(
    "UPDATE credential SET active = 0 WHERE integration_id = ? AND active = 1",
  ).run(INTEGRATION);
  const id = newCredentialId(nowMs);
  const label = change.kind === "put" ? change.label ?? TOOL_LABEL : TOOL_LABEL;
  db.prepare(
    "INSERT INTO credential (id, integration_id, label, value, connector_id, method_id, active, time_created, time_updated) VALUES (?, ?, ?, ?, NULL, NULL, 1, ?, ?)",
  ).run(id, INTEGRATION, label, value, nowMs, nowMs);
  return { outcome: "changed", row: id };
}

/** The one line for a table this tool will not write. */
export function refusalMessage(path: string, refused: string): string {
  return `OpenCode 2's database ${path} ${refused}; the anthropic credential was not written there`;
}

/** Whether a refusal is for a missing table (OpenCode 2 never started: no credential there). */
export function isMissingTable(refused: string): boolean {
  return refused.startsWith("has no");
}

/** What to do about a refused table. */
export function refusalHint(refused: string): string {
  return isMissingTable(refused)
    ? "start OpenCode 2 once (it creates the table and imports auth.json), then run this again"
    : "this version of OpenCode 2 is not supported yet by this tool; OpenCode 1's auth.json was still written";
}

/**
 * OpenCode 2's database (`opencode.db`, table `credential`) through the
 * runtime's own `node:sqlite`. Loaded lazily, and only when the file exists:
 * SQLite costs `token` start-up. Every change follows REFERENCE.md §1c's safe
 * outside write: `busy_timeout` 5000 (OpenCode's own), `BEGIN IMMEDIATE`, a
 * compare-and-swap on `value` that must change exactly one row, `COMMIT` at
 * once. Never `INSERT OR REPLACE`, a schema or `journal_mode` change,
 * `VACUUM`, or anything done to the file itself. Only lib/store.ts calls it;
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
  /** This tool's `anthropic` row (see TOOL_LABEL), or null. */
  ours: CredentialRow | null;
  /** The picked row's credential, or null when there is none or it is malformed. */
  entry: AnthropicEntry | null;
  /** Why the picked row is unusable, or null. */
  problem: string | null;
}

/** A change of this tool's `anthropic` row. */
export type DatabaseChange =
  /** Login: store `next` in this tool's row (made if missing) and make it the active one. */
  | { kind: "put"; next: AnthropicEntry }
  /**
   * Renewal: store `next` in this tool's row only if the row OpenCode 2 uses
   * still holds `from`; the row is made (and activated) if the picked one is not this tool's.
   */
  | { kind: "swap"; from: AnthropicEntry | null; next: AnthropicEntry }
  /** Logout: delete this tool's row, nothing else. */
  | { kind: "remove" };

/** What a change did: "refused" when the row changed meanwhile (compare-and-swap). */
export type DatabaseOutcome = "changed" | "unchanged" | "refused";

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

function snapshotOf(path: string, db: DatabaseSync): DatabaseSnapshot {
  const refused = columnsProblem(columnsOf(db));
  if (refused) {
    return { path, refused, picked: null, ours: null, entry: null, problem: null };
  }
  const rows = anthropicRows(db);
  const picked = pickRow(rows);
  const ours = pickRow(rows.filter((row) => row.label === TOOL_LABEL));
  if (!picked) return { path, refused, picked, ours, entry: null, problem: null };
  const decoded = typeof picked.value === "string"
    ? decodeValue(picked.value)
    : { problem: "the value is not text" };
  if ("problem" in decoded) {
    return { path, refused, picked, ours, entry: null, problem: decoded.problem };
  }
  const entry = decoded.entry;
  if (entry.type === "api") registerSecret(entry.key);
  else {
    registerSecret(entry.access);
    registerSecret(entry.refresh);
  }
  return { path, refused, picked, ours, entry, problem: null };
}

/** Read what the database holds for Anthropic (no transaction: WAL readers never wait). */
export function readDatabase(path: string): DatabaseSnapshot {
  return withConnection(path, (db) => snapshotOf(path, db));
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

/** Apply `change` to this tool's `anthropic` row in one short `BEGIN IMMEDIATE` transaction. */
export function changeDatabase(
  path: string,
  change: DatabaseChange,
  nowMs: number,
): DatabaseOutcome {
  const value = change.kind === "remove" ? null : encodeValue(change.next);
  return withConnection(path, (db) => {
    const refused = columnsProblem(columnsOf(db));
    if (refused) throw new FailureError(refusalMessage(path, refused), refusalHint(refused));
    db.exec("BEGIN IMMEDIATE");
    const current = snapshotOf(path, db);
    const outcome = applyChange(db, current, change, value, nowMs);
    if (outcome === "changed") db.exec("COMMIT");
    else db.exec("ROLLBACK");
    return outcome;
  });
}

function applyChange(
  db: DatabaseSync,
  current: DatabaseSnapshot,
  change: DatabaseChange,
  value: string | null,
  nowMs: number,
): DatabaseOutcome {
  const ours = current.ours;
  if (change.kind === "remove" || value === null) {
    if (!ours) return "unchanged";
    const removed = db.prepare(
      "DELETE FROM credential WHERE id = ? AND integration_id = ? AND label = ? AND value = ?",
    ).run(ours.id, INTEGRATION, TOOL_LABEL, ours.value);
    return removed.changes === 1 ? "changed" : "refused";
  }
  if (change.kind === "swap" && !sameEntry(current.entry, change.from)) return "refused";
  const oursIsActive = ours !== null && ours.active === 1 && current.picked?.id === ours.id;
  if (oursIsActive && ours.value === value) return "unchanged";
  // Another row may be the active one (a unique index on active rows exists in
  // some builds): clear the flag on the others first, then set ours.
  if (!oursIsActive) {
    db.prepare(
      "UPDATE credential SET active = 0 WHERE integration_id = ? AND active = 1 AND id <> ?",
    ).run(INTEGRATION, ours?.id ?? "");
  }
  if (ours) {
    const updated = db.prepare(
      "UPDATE credential SET value = ?, active = 1, time_updated = ? WHERE id = ? AND value = ?",
    ).run(value, nowMs, ours.id, ours.value);
    return updated.changes === 1 ? "changed" : "refused";
  }
  db.prepare(
    "INSERT INTO credential (id, integration_id, label, value, connector_id, method_id, active, time_created, time_updated) VALUES (?, ?, ?, ?, NULL, NULL, 1, ?, ?)",
  ).run(newCredentialId(nowMs), INTEGRATION, TOOL_LABEL, value, nowMs, nowMs);
  return "changed";
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

/**
 * OpenCode 2's `credential` rows, without SQLite: the table's known columns,
 * the value shapes OpenCode 2 decodes (REFERENCE.md §1c), which row it picks
 * for an integration, and the ids it makes. Pure: lib/opencode/database.ts
 * runs the SQL; this module decides, so the decisions are tested without a
 * database. It reuses entry.ts's checks of the fields both stores share.
 *
 * @module
 */

import type { AnthropicEntry } from "../credential_types.ts";
import { PROGRAM } from "../errors.ts";
import { isPlainObject, parseJson } from "../json.ts";
import { parseEntry } from "./entry.ts";

/** The integration id of Anthropic in OpenCode 2 (the same word as auth.json's key). */
export const INTEGRATION = "anthropic";

/**
 * The `label` of the row this tool writes. The label marks this tool's row:
 * OpenCode 2 shows it in `opencode auth list`, it needs no field in the value
 * (whose shape OpenCode 2 checks strictly: one bad value breaks every
 * integration's list), and it survives a lost or foreign state file.
 */
export const TOOL_LABEL: string = PROGRAM;

/** The columns of `credential` after migration 20260611192811_lush_chimera, in order. */
export const KNOWN_COLUMNS = [
  "id",
  "integration_id",
  "label",
  "value",
  "connector_id",
  "method_id",
  "active",
  "time_created",
  "time_updated",
] as const;

/** One row of `credential`, as SQLite returns it. */
export interface CredentialRow {
  /** The row's id. */
  id: string;
  /** The integration (`anthropic`), or null. */
  integration_id: string | null;
  /** The label shown by `opencode auth list`. */
  label: string;
  /** The credential as JSON text. */
  value: string;
  /** The connector, or null. */
  connector_id: string | null;
  /** The sign-in method's id, or null. */
  method_id: string | null;
  /** 1 for the active credential of its integration, or null. */
  active: number | null;
  /** When the row was made, in epoch milliseconds. */
  time_created: number;
  /** When the row last changed, in epoch milliseconds. */
  time_updated: number;
}

/** Why a table cannot be used, or null when its columns are the known set. */
export function columnsProblem(columns: readonly string[]): string | null {
  if (columns.length === 0) return "has no `credential` table yet";
  const known: readonly string[] = KNOWN_COLUMNS;
  const unknown = columns.filter((name) => !known.includes(name));
  const missing = known.filter((name) => !columns.includes(name));
  if (unknown.length === 0 && missing.length === 0) return null;
  const parts = [];
  if (unknown.length > 0) parts.push(`unknown ${unknown.join(", ")}`);
  if (missing.length > 0) parts.push(`missing ${missing.join(", ")}`);
  return `has a \`credential\` table this version does not know (${parts.join("; ")})`;
}

/**
 * The row OpenCode 2 uses for an integration: `active = 1` first, then the
 * newest `time_created`, then the greatest `id` (packages/core/src/credential.ts).
 */
export function pickRow<R extends Pick<CredentialRow, "id" | "active" | "time_created">>(
  rows: readonly R[],
): R | null {
  let best: R | null = null;
  for (const row of rows) {
    if (best === null || ranksAbove(row, best)) best = row;
  }
  return best;
}

function ranksAbove(
  a: Pick<CredentialRow, "id" | "active" | "time_created">,
  b: Pick<CredentialRow, "id" | "active" | "time_created">,
): boolean {
  const activeA = a.active === 1 ? 1 : 0;
  const activeB = b.active === 1 ? 1 : 0;
  if (activeA !== activeB) return activeA > activeB;
  if (a.time_created !== b.time_created) return a.time_created > b.time_created;
  return a.id > b.id;
}

/** What a stored value means to this tool: an entry, or why it cannot be used. */
export type DecodedValue = { entry: AnthropicEntry } | { problem: string };

/**
 * Decode a `value` as OpenCode 2 does: `{"type":"key","key"}` or
 * `{"type":"oauth","methodID","refresh","access","expires"}`, each with an
 * optional `metadata` object. A key becomes this tool's `api` entry.
 */
export function decodeValue(text: string): DecodedValue {
  const parsed = parseJson(text);
  if ("problem" in parsed) return { problem: "the value is not valid JSON" };
  const value = parsed.value;
  if (!isPlainObject(value)) return { problem: "the value is not an object" };
  if (value.metadata !== undefined && !isPlainObject(value.metadata)) {
    return { problem: "the value's metadata is not an object" };
  }
  // The fields the two share are checked as auth.json's are (entry.ts).
  if (value.type === "key") return parseEntry({ type: "api", key: value.key });
  if (value.type === "oauth") {
    if (typeof value.methodID !== "string") return { problem: "the oauth row has no methodID" };
    return parseEntry(value);
  }
  return { problem: `the value has type ${JSON.stringify(value.type)}, not "key" or "oauth"` };
}

/**
 * The value this tool writes for `entry`, exactly OpenCode 2's shape (what
 * its own import writes for `anthropic`), checked before it is returned.
 */
export function encodeValue(entry: AnthropicEntry): string {
  const text = entry.type === "api"
    ? JSON.stringify({ type: "key", key: entry.key })
    : JSON.stringify({
      type: "oauth",
      methodID: "oauth",
      refresh: entry.refresh,
      access: entry.access,
      expires: entry.expires,
    });
  const decoded = decodeValue(text);
  if ("problem" in decoded) {
    throw new Error(`refusing to write a malformed value: ${decoded.problem}`);
  }
  return text;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A new row id in OpenCode's format: `cred_`, 16 hex digits of a
 * millisecond-based counter (ms × 4096 + `counter`), then 12 base62 characters.
 */
export function newCredentialId(nowMs: number, counter = 0, random = randomBytes(12)): string {
  const stamp = (BigInt(Math.floor(nowMs)) * 4096n + BigInt(counter & 0xfff)).toString(16)
    .padStart(16, "0").slice(-16);
  let tail = "";
  for (const byte of random) tail += BASE62[byte % 62];
  return `cred_${stamp}${tail}`;
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Whether `id` has OpenCode's credential id format. */
export function isCredentialId(id: string): boolean {
  return /^cred_[0-9a-f]{16}[0-9A-Za-z]{12}$/.test(id);
}

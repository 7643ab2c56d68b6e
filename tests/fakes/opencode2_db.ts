/**
 * An OpenCode 2 database for tests, built from OpenCode 2's own schema
 * (REFERENCE.md §1c) by another SQLite connection in WAL mode, as OpenCode 2
 * opens it; a reader that picks and decodes the way OpenCode 2 does; and,
 * run as a program, a second process that holds the write lock.
 *
 * As a program: `deno run -A opencode2_db.ts hold DB READY RELEASE MAX_MS [SET_VALUE]`
 * takes `BEGIN IMMEDIATE`, writes READY, waits until RELEASE exists (or
 * MAX_MS passes), optionally sets every anthropic row's value to SET_VALUE,
 * then commits.
 */

import { DatabaseSync } from "node:sqlite";
import { type CredentialRow, KNOWN_COLUMNS } from "../../lib/opencode/credential_row.ts";

/** OpenCode 2's `credential` table after migration 20260611192811_lush_chimera. */
export const CREDENTIAL_SCHEMA =
  "CREATE TABLE `credential` (`id` text PRIMARY KEY, `integration_id` text, `label` text NOT NULL, `value` text NOT NULL, `connector_id` text, `method_id` text, `active` integer, `time_created` integer NOT NULL, `time_updated` integer NOT NULL)";

/** One row, every column. */
export type Row = CredentialRow;

/** Rows of other integrations and a second `anthropic` row the user added in OpenCode 2. */
export const SEED_ROWS: readonly Row[] = [
  {
    id: "cred_0000018f00000000openaiKey001",
    integration_id: "openai",
    label: "default",
    value: '{"type":"key","key":"sk-openai-PLANTED-keep-0123456789"}',
    connector_id: null,
    method_id: null,
    active: null,
    time_created: 1_700_000_000_000,
    time_updated: 1_700_000_000_000,
  },
  {
    id: "cred_0000018f00000001copilotOA01",
    integration_id: "github-copilot",
    label: "work",
    value:
      '{"type":"oauth","methodID":"device","refresh":"ghr-PLANTED-keep-0123456789","access":"gho-PLANTED-keep-0123456789","expires":1900000000000,"metadata":{"enterpriseUrl":"https://ghe.example"}}',
    connector_id: "legacy",
    method_id: "device",
    active: 1,
    time_created: 1_700_000_000_001,
    time_updated: 1_700_000_000_002,
  },
  {
    id: "cred_0000018f00000002anthUser001",
    integration_id: "anthropic",
    label: "my key",
    value: '{"type":"key","key":"sk-ant-api03-PLANTED-user-own-0123456789"}',
    connector_id: null,
    method_id: null,
    active: 1,
    time_created: 1_700_000_000_003,
    time_updated: 1_700_000_000_003,
  },
];

/** Secrets of SEED_ROWS, for the leak scan. */
export const SEED_SECRETS = [
  "sk-openai-PLANTED-keep-0123456789",
  "ghr-PLANTED-keep-0123456789",
  "gho-PLANTED-keep-0123456789",
  "sk-ant-api03-PLANTED-user-own-0123456789",
];

/** The columns in order (the schema text above is written out on its own). */
const COLUMNS = KNOWN_COLUMNS;

/** How to build a database. */
export interface BuildOptions {
  /** Rows to insert (default SEED_ROWS). */
  rows?: readonly Row[];
  /** Leave the `credential` table out (OpenCode 2 never started: only other tables). */
  noTable?: boolean;
  /** Add this column definition (a newer, unknown schema). */
  extraColumn?: string;
}

/** Create OpenCode 2's database at `path` with another connection in WAL mode; returns it open. */
export function buildDatabase(path: string, options: BuildOptions = {}): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("CREATE TABLE `project` (`id` text PRIMARY KEY, `worktree` text NOT NULL)");
  if (!options.noTable) {
    const schema = options.extraColumn
      ? CREDENTIAL_SCHEMA.replace(/\)$/, `, ${options.extraColumn})`)
      : CREDENTIAL_SCHEMA;
    db.exec(schema);
    const insert = db.prepare(
      `INSERT INTO credential (${COLUMNS.join(", ")}) VALUES (${
        COLUMNS.map(() => "?").join(", ")
      })`,
    );
    for (const row of options.rows ?? SEED_ROWS) insert.run(...COLUMNS.map((c) => row[c]));
  }
  return db;
}

/** Every row of `credential`, every column, ordered by id (another connection). */
export function readRows(path: string): Row[] {
  const db = new DatabaseSync(path);
  try {
    return db.prepare(`SELECT ${COLUMNS.join(", ")} FROM credential ORDER BY id`).all()
      .map((row) => ({ ...row }) as unknown as Row);
  } finally {
    db.close();
  }
}

/** The database's schema text (to prove it unchanged). */
export function schemaOf(path: string): string {
  const db = new DatabaseSync(path);
  try {
    return db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()
      .map((row) => `${row.type} ${row.name} ${row.sql}`).join("\n");
  } finally {
    db.close();
  }
}

/** What OpenCode 2 decodes from a row's value. */
export type OpenCodeCredential =
  | { type: "key"; key: string; metadata?: Record<string, unknown> }
  | {
    type: "oauth";
    methodID: string;
    refresh: string;
    access: string;
    expires: number;
    metadata?: Record<string, unknown>;
  };

/** OpenCode 2's throwing decoder (packages/schema/src/credential.ts): a bad row throws. */
export function decodeStrict(text: string): OpenCodeCredential {
  const value = JSON.parse(text);
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw new Error("credential value is not an object");
  if (value.metadata !== undefined && !isObject(value.metadata)) throw new Error("bad metadata");
  if (value.type === "key" && typeof value.key === "string") return value;
  if (
    value.type === "oauth" && typeof value.methodID === "string" &&
    typeof value.refresh === "string" && typeof value.access === "string" &&
    Number.isInteger(value.expires) && value.expires >= 0
  ) return value;
  throw new Error(`credential value does not decode: type ${value.type}`);
}

/**
 * The credential OpenCode 2 uses for `integration`, read the way it reads:
 * every row decoded (one malformed row breaks the whole list), then
 * `active = 1` first, the newest `time_created`, then `id`.
 */
export function openCodeUses(path: string, integration = "anthropic"): OpenCodeCredential | null {
  const rows = readRows(path);
  for (const row of rows) decodeStrict(row.value);
  const mine = rows.filter((row) => row.integration_id === integration).sort((a, b) =>
    (b.active === 1 ? 1 : 0) - (a.active === 1 ? 1 : 0) ||
    b.time_created - a.time_created ||
    (b.id > a.id ? 1 : b.id < a.id ? -1 : 0)
  );
  return mine.length === 0 ? null : decodeStrict(mine[0].value);
}

/** This file, to run as the lock-holding program. */
export const HOLDER_SCRIPT = new URL(import.meta.url).pathname;

async function hold(args: string[]): Promise<void> {
  const [path, ready, release, maxMs, setValue] = args;
  const db = new DatabaseSync(path);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("BEGIN IMMEDIATE");
  await Deno.writeTextFile(ready, String(Deno.pid));
  const until = Date.now() + Number(maxMs);
  while (Date.now() < until) {
    try {
      Deno.statSync(release);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  if (setValue) {
    db.prepare("UPDATE credential SET value = ? WHERE integration_id = 'anthropic'").run(setValue);
  }
  db.exec("COMMIT");
  db.close();
}

if (import.meta.main && Deno.args[0] === "hold") await hold(Deno.args.slice(1));

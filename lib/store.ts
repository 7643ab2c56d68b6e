/**
 * The one store of the stored credential. It owns OpenCode's credential
 * stores (the `anthropic` entry only): OpenCode 1's auth.json, and OpenCode
 * 2's database when that file exists (lib/opencode/database.ts, loaded only
 * then). It also owns this tool's state file and the lock, and hands out a
 * transaction: read, decide, compare-and-swap write into every store that
 * exists. The store OpenCode uses (the database when present and usable,
 * else auth.json) is the one read, and the one a compare-and-swap checks.
 * Sign-in methods never touch files; they get the current entry from here
 * and return the new one.
 *
 * @module
 */

import type { AnthropicEntry, Credential, Method } from "./credential_types.ts";
import { sameEntry, secretOf } from "./credential_types.ts";
import { FailureError, PROGRAM, SignInRequiredError } from "./errors.ts";
import { type AuthSnapshot, readAuthFile } from "./opencode/auth_read.ts";
import type { DatabaseChange, DatabaseResult, DatabaseSnapshot } from "./opencode/database.ts";
import { databaseFileFor } from "./context.ts";
import type { EnvReader } from "./environment.ts";
import { basename, dirname } from "./fs/path.ts";
import {
  type AnthropicState,
  fingerprint,
  methodFor,
  readState,
  readStateKey,
  recordedFor,
  stateApplies,
  type StateFields,
  writeState,
  writeStateKey,
} from "./state.ts";
import type { Ui } from "./ui.ts";
import type { ProfilesFile, RowLookup } from "./profiles.ts";
import { lazyImport } from "./lazy.ts";
import { deferInterrupts } from "./interrupt.ts";
import { showWait } from "./progress.ts";

/** What the store needs of the run's context. */
export interface StoreContext {
  /** The environment variables. */
  readonly env: EnvReader;
  /** Current time in epoch milliseconds (row times in OpenCode 2's database). */
  now(): number;
  /** OpenCode 1's auth.json. */
  readonly authFile: string;
  /** This tool's state file. */
  readonly stateFile: string;
  /** Where waits and warnings are shown. */
  readonly ui: Ui;
}

/** The kinds of store, as `status --json` names them. */
export type StoreKind = "opencode1-auth-json" | "opencode2-db";

/**
 * Whether a regular file exists at `path` (OpenCode 2's database is never
 * created here). Asked by every `token`: its folder is listed instead of the
 * file stat-ed, because the first error a process throws costs about 0.4 ms
 * (measured) and a missing database is the common case; listing costs ~0.1 ms.
 */
export function databaseExists(path: string): boolean {
  const name = basename(path);
  try {
    for (const entry of Deno.readDirSync(dirname(path))) {
      if (entry.name !== name) continue;
      return entry.isFile || (entry.isSymlink && Deno.statSync(path).isFile);
    }
  } catch {
    // No folder, or a dangling link: no database.
  }
  return false;
}

/** Which store OpenCode reads the credential from, and what is wrong with its entry. */
export interface UsedStore {
  /** Which store. */
  kind: StoreKind;
  /** Its file. */
  path: string;
  /** Why its `anthropic` entry is unusable, or null. */
  problem: string | null;
}

/** What is stored now. */
export interface Stored {
  /** auth.json as read. */
  snapshot: AuthSnapshot;
  /** OpenCode 2's database as read, or null when the file does not exist. */
  database: DatabaseSnapshot | null;
  /** The store OpenCode uses: the database when it exists and is usable, else auth.json. */
  used: UsedStore;
  /** The usable entry of the used store, or null. */
  entry: AnthropicEntry | null;
  /** The state, only when it describes this entry in this auth file. */
  state: AnthropicState | null;
  /** The method that keeps the entry alive, or null without one. */
  method: Method | null;
}

/** A stored credential: an entry with its method. */
export type StoredCredential = Stored & Credential;

/**
 * What a read is for: "use" checks the state only where it decides the
 * method, and leaves `state` null where it could not (a browser sign-in's
 * state is then not fingerprinted); "report" always reads and checks it
 * (status and doctor show the account, renewals read the refresh bookkeeping).
 */
export type ReadPurpose = "use" | "report";

async function describe(
  ctx: StoreContext,
  read: { snapshot: AuthSnapshot; database: DatabaseSnapshot | null },
  purpose: ReadPurpose,
): Promise<Stored> {
  const { snapshot, database } = read;
  const usesDatabase = database !== null && database.refused === null;
  const used: UsedStore = usesDatabase
    ? { kind: "opencode2-db", path: database.path, problem: database.problem }
    : { kind: "opencode1-auth-json", path: snapshot.path, problem: snapshot.problem };
  const entry = usesDatabase ? database.entry : snapshot.entry;
  const base = { snapshot, database, used };
  if (!entry) return { ...base, entry: null, state: null, method: null };
  if (purpose === "use" && entry.type === "api") {
    return { ...base, entry, state: null, method: "api-key" };
  }
  const recorded = readState(ctx.stateFile);
  if (!recorded) return { ...base, entry, state: null, method: methodFor(entry, null) };
  if (
    purpose === "use" && recorded.source !== "claude-code-session" &&
    recorded.source !== "setup-token"
  ) {
    // Only a Claude Code or setup-token state can make an `oauth` entry anything
    // but a browser sign-in, so checking this one (a SHA-256 of the token) decides nothing
    // for a `token` that uses the entry as it is.
    return { ...base, entry, state: null, method: methodFor(entry, null) };
  }
  const state = await stateApplies(recorded, ctx.authFile, entry) ? recorded : null;
  return { ...base, entry, state, method: methodFor(entry, state) };
}

/** The database module, loaded only when a database exists (SQLite costs start-up). */
function databaseModule(): Promise<typeof import("./opencode/database.ts")> {
  return lazyImport<typeof import("./opencode/database.ts")>("lib/opencode/database.ts");
}

/** The profiles module, loaded only by the commands that use profiles (never `token`). */
function profilesModule(): Promise<typeof import("./profiles.ts")> {
  return lazyImport<typeof import("./profiles.ts")>("lib/profiles.ts");
}

/** OpenCode 2's database of this run, or null when it does not exist. */
function existingDatabase(ctx: StoreContext): string | null {
  const path = databaseFileFor(ctx.env, ctx.authFile);
  return databaseExists(path) ? path : null;
}

/** The active profile's row in OpenCode 2's database, as the state records it, or null. */
function recordedRow(ctx: StoreContext): string | null {
  const recorded = readState(ctx.stateFile);
  return recorded && recordedFor(recorded, ctx.authFile) ? recorded.row ?? null : null;
}

/** Read OpenCode 2's database when it exists. */
async function readDatabaseIfAny(ctx: StoreContext): Promise<DatabaseSnapshot | null> {
  const path = existingDatabase(ctx);
  if (path === null) return null;
  return (await databaseModule()).readDatabase(path, recordedRow(ctx));
}

/** Read the stores and the state that applies to the entry OpenCode uses, without the lock. */
export async function loadStored(
  ctx: StoreContext,
  purpose: ReadPurpose = "report",
): Promise<Stored> {
  const snapshot = await readAuthFile(ctx.authFile);
  const database = await readDatabaseIfAny(ctx);
  return await describe(ctx, { snapshot, database }, purpose);
}

/**
 * Whether the stores that exist hold different credentials (both files
 * present, the database usable): OpenCode 1 and 2 would then sign in differently.
 */
export function storesDisagree(stored: Stored): boolean {
  const database = stored.database;
  if (database === null || database.refused !== null || stored.snapshot.text === null) {
    return false;
  }
  return !sameEntry(database.entry, stored.snapshot.entry);
}

/** The stored credential, or a sign-in-required error that says why there is none. */
export function requireCredential(stored: Stored): StoredCredential {
  const { entry, method } = stored;
  // The method always matches the entry's type (see methodFor); checked, not assumed.
  if (entry?.type === "api" && method === "api-key") return { ...stored, entry, method };
  if (
    entry?.type === "oauth" &&
    (method === "claude-code" || method === "browser" || method === "setup-token")
  ) {
    return { ...stored, entry, method };
  }
  const login = `run \`${PROGRAM} login\``;
  const where = stored.used.path;
  if (stored.used.problem) {
    throw new SignInRequiredError(
      `the anthropic entry in ${where} is unusable: ${stored.used.problem}`,
      login,
    );
  }
  throw new SignInRequiredError(`not signed in (no anthropic entry in ${where})`, login);
}

export type { StateFields };

/** Operations on the stored credential while holding the lock. */
export interface Transaction {
  /** Re-read the stores and the state. */
  read(): Promise<Stored>;
  /**
   * Store `next` (and its state) only if the entry OpenCode uses is still
   * `from` (same type and tokens; null: still absent or unusable). Returns
   * false, keeping what is there, when another writer changed it since.
   */
  commit(from: AnthropicEntry | null, next: AnthropicEntry, state: StateFields): Promise<boolean>;
  /** Store `next` whatever is there now, and make it the one OpenCode uses (login). */
  put(next: AnthropicEntry, state: StateFields): Promise<void>;
  /** Update the state of `entry` if it is still the stored one (refresh bookkeeping). */
  recordState(entry: AnthropicEntry, state: StateFields): Promise<void>;
  /**
   * Store `next` as profile `label`'s credential in row `row` of OpenCode 2's
   * database (null: a new row labelled `label`) and make it the active row;
   * everything else as `put`.
   */
  putRow(
    next: AnthropicEntry,
    state: StateFields,
    row: string | null,
    label: string,
  ): Promise<void>;
  /**
   * Switch, with OpenCode 2's database as the store: make row `row` the
   * active one if it still has `label` and holds `expected` (one BEGIN
   * IMMEDIATE transaction), then write `expected` into auth.json too and
   * record `state` for it. False, nothing written, when the row changed.
   */
  activate(
    row: string,
    label: string,
    expected: AnthropicEntry,
    state: StateFields,
  ): Promise<boolean>;
  /** Store `next` in an inactive profile's row if it still holds `from` (idle refresh). */
  updateRow(row: string, from: AnthropicEntry, next: AnthropicEntry): Promise<boolean>;
  /** Delete an inactive profile's row `row`, nothing else; returns whether it was there. */
  removeRow(row: string): Promise<boolean>;
  /** Remove this tool's `anthropic` entries and its state; returns whether there was one. */
  remove(): Promise<boolean>;
  /** Move a corrupt auth.json aside; returns the new path, or null when it was not corrupt. */
  moveAside(): Promise<string | null>;
  /**
   * Make disagreeing stores agree on this tool's credential: auth.json takes
   * this tool's row when OpenCode 2 uses it; a database without any
   * `anthropic` row takes auth.json's entry when the state says this tool
   * wrote it. A credential the user added in OpenCode 2 is left alone.
   * Returns what was written, or null.
   */
  align(): Promise<StoreKind | null>;
  /**
   * This tool's profiles as stored (profiles.json; the one implicit profile
   * without it); `rows` gives the credentials of profiles kept in OpenCode 2's rows.
   */
  readProfiles(rows?: RowLookup): Promise<ProfilesFile>;
  /** Replace profiles.json, atomically: only here, under the lock, so profiles never race. */
  writeProfiles(file: ProfilesFile): Promise<void>;
}

/**
 * Make the stores agree when they disagree (see Transaction.align): what
 * `refresh` does first. Returns what was written, or null.
 */
export async function alignStores(ctx: StoreContext): Promise<StoreKind | null> {
  if (!storesDisagree(await loadStored(ctx))) return null;
  return await withStore(ctx, "making the stores agree", (tx) => tx.align());
}

/**
 * Forget this tool's state for `ctx.authFile` (kept when it belongs to another
 * auth file). Needs no auth.json lock: logout calls it alone when no store exists.
 */
export async function forgetState(ctx: StoreContext): Promise<void> {
  const recorded = readState(ctx.stateFile);
  if (recorded && recordedFor(recorded, ctx.authFile)) await writeState(ctx.stateFile, null);
}

/**
 * OpenCode 2's database as one transaction writes it. Made before the
 * transaction's work, with a probe of the write lock: a locked or read-only
 * database fails then, before a refresh token or a sign-in is spent.
 * `change` applies one change; `finish` reports a refused table once
 * auth.json has been written (not for a removal from a missing table, which
 * holds nothing).
 */
interface DatabaseWriter {
  change(change: DatabaseChange): Promise<DatabaseResult>;
  finish(): void;
}

async function databaseWriter(ctx: StoreContext): Promise<DatabaseWriter | null> {
  const path = existingDatabase(ctx);
  if (path === null) return null;
  const db = await databaseModule();
  const refused = db.probeDatabase(path);
  let stored = false;
  return {
    change(change) {
      stored ||= change.kind !== "remove";
      return Promise.resolve(
        refused === null
          ? db.changeDatabaseRow(path, change, ctx.now(), recordedRow(ctx))
          : { outcome: "unchanged", row: null },
      );
    },
    finish() {
      if (refused !== null && (stored || !db.isMissingTable(refused))) {
        throw new FailureError(db.refusalMessage(path, refused), db.refusalHint(refused));
      }
    },
  };
}

/**
 * Run `fn` holding the lock of the resolved auth.json. `holder` says what this
 * process is doing, for the progress line of a process that waits for it.
 * When OpenCode 2's database exists, every change is made there too (after
 * auth.json: a refresh token spent must land somewhere); a database whose
 * table this tool does not know fails the command once auth.json is written.
 */
export async function withStore<T>(
  ctx: StoreContext,
  holder: string,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const [{ lockPathFor, withLock }, file] = await Promise.all([
    lazyImport<typeof import("./lock.ts")>("lib/lock.ts"),
    lazyImport<typeof import("./opencode/auth_file.ts")>("lib/opencode/auth_file.ts"),
  ]);
  // `row`: the entry's row in OpenCode 2's database (none without one).
  const writeStateFor = async (entry: AnthropicEntry, state: StateFields, row: string | null) => {
    await writeState(ctx.stateFile, {
      ...state,
      row: row ?? undefined,
      authFile: ctx.authFile,
      describes: await fingerprint(secretOf(entry)),
    });
  };
  /**
   * Login: the state first (a state folder that cannot be written stops the
   * sign-in before auth.json is touched; the state applies only to the entry
   * it describes, so the new state says nothing about the old entry), then
   * auth.json, then the database row, whose id the state then records.
   */
  const putIntoWith = async (
    database: DatabaseWriter | null,
    next: AnthropicEntry,
    state: StateFields,
    change: DatabaseChange,
  ): Promise<void> => {
    const before = readStateKey(ctx.stateFile, "anthropic");
    await writeStateFor(next, state, null);
    try {
      await file.writeEntry(ctx.authFile, next);
    } catch (error) {
      // auth.json kept the previous entry: give it back its state.
      await writeStateKey(ctx.stateFile, "anthropic", before ?? null).catch(() => {});
      throw error;
    }
    const written = await database?.change(change);
    if (written?.row) await writeStateFor(next, state, written.row);
  };
  const locked = async (database: DatabaseWriter | null): Promise<T> => {
    const putInto = (next: AnthropicEntry, state: StateFields, change: DatabaseChange) =>
      putIntoWith(database, next, state, change);
    const tx: Transaction = {
      read: () => loadStored(ctx),
      async commit(from, next, state) {
        const current = await loadStored(ctx);
        if (!sameEntry(current.entry, from)) {
          ctx.ui.debug("the stored credential changed while this operation ran; keeping it");
          return false;
        }
        // auth.json is checked against `from` only when it is the store OpenCode uses;
        // otherwise it follows the database (and is brought back into agreement).
        const followsDatabase = current.used.kind === "opencode2-db";
        const outcome = await file.writeEntry(
          ctx.authFile,
          next,
          (now) => followsDatabase || sameEntry(now.entry, from),
        );
        if (outcome === "refused") {
          ctx.ui.debug("auth.json changed while this operation ran; keeping what is there now");
          return false;
        }
        const written = await database?.change({ kind: "swap", from, next });
        if (written?.outcome === "refused") {
          ctx.ui.debug("OpenCode 2's credential changed while this operation ran; keeping it");
          return false;
        }
        await writeStateFor(next, state, written?.row ?? null);
        return true;
      },
      put(next, state) {
        // The active profile's row, read before the new state replaces the record.
        const own = recordedRow(ctx);
        return putInto(next, state, { kind: "put", next, ...(own === null ? {} : { row: own }) });
      },
      putRow: (next, state, row, label) => putInto(next, state, { kind: "put", next, row, label }),
      async activate(row, label, expected, state) {
        if (!database) return false;
        const written = await database.change({ kind: "activate", row, label, expected });
        if (written.outcome === "refused" || written.row === null) {
          ctx.ui.debug("the profile's row changed or is gone; keeping what is there");
          return false;
        }
        // auth.json follows the database OpenCode 2 uses: both stores agree.
        await file.writeEntry(ctx.authFile, expected);
        await writeStateFor(expected, state, written.row);
        return true;
      },
      async updateRow(row, from, next) {
        const written = await database?.change({ kind: "update", row, from, next });
        return written?.outcome === "changed";
      },
      async removeRow(row) {
        return (await database?.change({ kind: "remove", row }))?.outcome === "changed";
      },
      async recordState(entry, state) {
        const current = await loadStored(ctx);
        if (sameEntry(current.entry, entry)) {
          await writeStateFor(entry, state, recordedRow(ctx));
        }
      },
      async remove() {
        const removed = await file.removeEntry(ctx.authFile);
        const removedRow = (await database?.change({ kind: "remove" }))?.outcome === "changed";
        await forgetState(ctx);
        return removed || removedRow;
      },
      moveAside: () => file.moveAside(ctx.authFile),
      async readProfiles(rows) {
        const profiles = await profilesModule();
        return profiles.readProfiles(profiles.profilesFileFor(ctx.stateFile), ctx.authFile, rows);
      },
      async writeProfiles(next) {
        const profiles = await profilesModule();
        await profiles.writeProfiles(profiles.profilesFileFor(ctx.stateFile), next, ctx.authFile);
      },
      async align() {
        const current = await loadStored(ctx);
        const db = current.database;
        if (!database || !db || !storesDisagree(current)) return null;
        const authEntry = current.snapshot.entry;
        if (db.entry && db.ours && db.picked?.id === db.ours.id) {
          const outcome = await file.writeEntry(
            ctx.authFile,
            db.entry,
            (now) => sameEntry(now.entry, authEntry),
          );
          return outcome === "changed" ? "opencode1-auth-json" : null;
        }
        if (db.picked || !authEntry) return null;
        const recorded = readState(ctx.stateFile);
        if (!recorded || !await stateApplies(recorded, ctx.authFile, authEntry)) return null;
        const written = await database.change({ kind: "swap", from: null, next: authEntry });
        if (written.outcome !== "changed") return null;
        await writeStateFor(authEntry, recorded, written.row);
        return "opencode2-db";
      },
    };
    const result = await fn(tx);
    database?.finish();
    return result;
  };
  let stopWaiting = () => {};
  try {
    return await withLock(lockPathFor(ctx.authFile), async () => {
      stopWaiting();
      const database = await databaseWriter(ctx);
      // Ctrl-C while the files are written takes effect once every store is done.
      return await deferInterrupts(() => locked(database));
    }, {
      holder,
      onWait: (heldBy) =>
        stopWaiting = showWait(
          ctx.ui,
          `Waiting for another ${PROGRAM} process${
            heldBy ? ` (${heldBy})` : ""
          } to finish with ${ctx.authFile}…`,
        ),
    });
  } finally {
    stopWaiting();
  }
}

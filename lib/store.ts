/**
 * The one store of the stored credential. It owns OpenCode's auth.json (the
 * `anthropic` entry only), this tool's state file and the lock, and hands out
 * a transaction: read, decide, compare-and-swap write. Sign-in methods never
 * touch files; they get the current entry from here and return the new one.
 *
 * May import: credential_types.ts, state.ts, opencode/, lock.ts, errors.ts.
 * Never commands/ or methods/.
 *
 * @module
 */

import type { AnthropicEntry, Credential, Method } from "./credential_types.ts";
import { sameEntry, secretOf } from "./credential_types.ts";
import { PROGRAM, SignInRequiredError } from "./errors.ts";
import { type AuthSnapshot, readAuthFile } from "./opencode/auth_read.ts";
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
import { lazyImport } from "./lazy.ts";
import { deferInterrupts } from "./interrupt.ts";
import { showWait } from "./progress.ts";

/** What the store needs of the run's context. */
export interface StoreContext {
  readonly authFile: string;
  readonly stateFile: string;
  readonly ui: Ui;
}

/** What is stored now. */
export interface Stored {
  /** auth.json as read. */
  snapshot: AuthSnapshot;
  /** The usable entry, or null. */
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
  snapshot: AuthSnapshot,
  purpose: ReadPurpose,
): Promise<Stored> {
  const entry = snapshot.entry;
  if (!entry) return { snapshot, entry: null, state: null, method: null };
  if (purpose === "use" && entry.type === "api") {
    return { snapshot, entry, state: null, method: "api-key" };
  }
  const recorded = readState(ctx.stateFile);
  if (!recorded) return { snapshot, entry, state: null, method: methodFor(entry, null) };
  if (
    purpose === "use" && recorded.source !== "claude-code-session" &&
    recorded.source !== "setup-token"
  ) {
    // Only a Claude Code or setup-token state can make an `oauth` entry anything
    // but a browser sign-in, so checking this one (a SHA-256 of the token) decides nothing
    // for a `token` that uses the entry as it is.
    return { snapshot, entry, state: null, method: methodFor(entry, null) };
  }
  const state = await stateApplies(recorded, ctx.authFile, entry) ? recorded : null;
  return { snapshot, entry, state, method: methodFor(entry, state) };
}

/** Read auth.json and the state that applies to its entry, without the lock. */
export async function loadStored(
  ctx: StoreContext,
  purpose: ReadPurpose = "report",
): Promise<Stored> {
  return await describe(ctx, await readAuthFile(ctx.authFile), purpose);
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
  if (stored.snapshot.problem) {
    throw new SignInRequiredError(
      `the anthropic entry in ${stored.snapshot.path} is unusable: ${stored.snapshot.problem}`,
      login,
    );
  }
  throw new SignInRequiredError(
    `not signed in (no anthropic entry in ${stored.snapshot.path})`,
    login,
  );
}

export type { StateFields };

/** Operations on the stored credential while holding the lock. */
export interface Transaction {
  /** Re-read auth.json and the state. */
  read(): Promise<Stored>;
  /**
   * Store `next` (and its state) only if the entry is still `from` (same type
   * and tokens; null: still absent or unusable). Returns false, keeping what
   * is there, when another writer changed it since.
   */
  commit(from: AnthropicEntry | null, next: AnthropicEntry, state: StateFields): Promise<boolean>;
  /** Store `next` whatever is there now (login: the user's choice wins). */
  put(next: AnthropicEntry, state: StateFields): Promise<void>;
  /** Update the state of `entry` if it is still the stored one (refresh bookkeeping). */
  recordState(entry: AnthropicEntry, state: StateFields): Promise<void>;
  /** Remove the `anthropic` entry and its state; returns whether there was an entry. */
  remove(): Promise<boolean>;
  /** Move a corrupt auth.json aside; returns the new path, or null when it was not corrupt. */
  moveAside(): Promise<string | null>;
}

/**
 * Forget this tool's state for `ctx.authFile` (kept when it belongs to another
 * auth file). Needs no auth.json lock: logout calls it alone when auth.json is absent.
 */
export async function forgetState(ctx: StoreContext): Promise<void> {
  const recorded = readState(ctx.stateFile);
  if (recorded && recordedFor(recorded, ctx.authFile)) await writeState(ctx.stateFile, null);
}

/**
 * Run `fn` holding the lock of the resolved auth.json. `holder` says what this
 * process is doing, for the progress line of a process that waits for it.
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
  const writeStateFor = async (entry: AnthropicEntry, state: StateFields) => {
    await writeState(ctx.stateFile, {
      ...state,
      authFile: ctx.authFile,
      describes: await fingerprint(secretOf(entry)),
    });
  };
  const tx: Transaction = {
    read: () => loadStored(ctx),
    async commit(from, next, state) {
      const outcome = await file.writeEntry(
        ctx.authFile,
        next,
        (current) => sameEntry(current.entry, from),
      );
      if (outcome === "refused") {
        ctx.ui.debug("auth.json changed while this operation ran; keeping what is there now");
        return false;
      }
      await writeStateFor(next, state);
      return true;
    },
    async put(next, state) {
      // The state first: a state folder that cannot be written stops the
      // sign-in before auth.json is touched (the state applies only to the
      // entry it describes, so the new state says nothing about the old entry).
      const before = readStateKey(ctx.stateFile, "anthropic");
      await writeStateFor(next, state);
      try {
        await file.writeEntry(ctx.authFile, next);
      } catch (error) {
        // auth.json kept the previous entry: give it back its state.
        await writeStateKey(ctx.stateFile, "anthropic", before ?? null).catch(() => {});
        throw error;
      }
    },
    async recordState(entry, state) {
      const current = await readAuthFile(ctx.authFile);
      if (sameEntry(current.entry, entry)) await writeStateFor(entry, state);
    },
    async remove() {
      const removed = await file.removeEntry(ctx.authFile);
      await forgetState(ctx);
      return removed;
    },
    moveAside: () => file.moveAside(ctx.authFile),
  };
  let stopWaiting = () => {};
  try {
    return await withLock(lockPathFor(ctx.authFile), () => {
      stopWaiting();
      // Ctrl-C while the files are written takes effect once both are done.
      return deferInterrupts(() => fn(tx));
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

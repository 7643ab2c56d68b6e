/**
 * This tool's own state file: what it knows about the `anthropic` entry
 * beyond the entry itself (its source, the account, refresh bookkeeping).
 * The state only adds information: it applies to an entry only when it names
 * that entry's auth file and fingerprint, so a state that disagrees with
 * auth.json (a crash between the two writes, a hand edit) changes nothing.
 *
 * @module
 */

import type { AnthropicEntry, Method } from "./credential_types.ts";
import { MAX_STATE_FILE_BYTES, readBoundedText } from "./fs/read.ts";
import { isPlainObject, parseJsonObject } from "./json.ts";
import { lazyImport } from "./lazy.ts";

/** How the state file names each method's source. */
export type Source = "claude-code-session" | "browser-oauth" | "api-key" | "setup-token";

const SOURCE_OF = {
  "claude-code": "claude-code-session",
  browser: "browser-oauth",
  "api-key": "api-key",
  "setup-token": "setup-token",
} as const satisfies Record<Method, Source>;

const METHOD_OF = {
  "claude-code-session": "claude-code",
  "browser-oauth": "browser",
  "api-key": "api-key",
  "setup-token": "setup-token",
} as const satisfies Record<Source, Method>;

/** When the credential was last refreshed, and how long the token it got lasts. */
export interface LastRefresh {
  /** Epoch milliseconds of the refresh. */
  at: number;
  /** The granted lifetime in milliseconds (`expires_in`, or the new expiry minus `at`). */
  lifetimeMs: number;
}

/** The state recorded for the `anthropic` entry. */
export interface AnthropicState {
  /** Where the entry came from. */
  source: Source;
  /** The auth file the state applies to. */
  authFile?: string;
  /** Fingerprint of the entry's secret (access token or key) the state describes. */
  describes?: string;
  /** The account's email address. */
  email?: string;
  /** The organization's name. */
  organization?: string;
  /**
   * Fingerprint of a refresh token the server refused with invalid_grant:
   * such a token never works again, so no process sends it a second time.
   */
  rejectedRefresh?: string;
  /** Fingerprint of the refresh token this tool itself obtained (browser sign-in or refresh). */
  mintedRefresh?: string;
  /** The last refresh, for the minimum interval between two refreshes. */
  lastRefresh?: LastRefresh;
  /**
   * The id of the profile's row in OpenCode 2's database (its only store
   * there): how this tool recognises its rows (lib/opencode/database.ts).
   */
  row?: string;
}

/** A short, one-way fingerprint of a secret (never the secret itself). */
export async function fingerprint(secret: string): Promise<string> {
  const { sha256Hex } = await lazyImport<typeof import("./hash.ts")>("lib/hash.ts");
  return (await sha256Hex(secret)).slice(0, 16);
}

/** The state file's source name for `method`. */
export function sourceOf(method: Method): Source {
  return SOURCE_OF[method];
}

function isWholeMs(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isSource(value: unknown): value is Source {
  // Own keys only: "constructor" or "__proto__" are no source.
  return typeof value === "string" && Object.hasOwn(METHOD_OF, value);
}

const STRING_FIELDS = [
  "authFile",
  "describes",
  "email",
  "organization",
  "rejectedRefresh",
  "mintedRefresh",
  "row",
] as const;

/** The recorded state, field by field: a field of the wrong type is left out, not trusted. */
export function parseState(value: unknown): AnthropicState | null {
  if (!isPlainObject(value) || !isSource(value.source)) return null;
  const state: AnthropicState = { source: value.source };
  for (const field of STRING_FIELDS) {
    const text = value[field];
    if (typeof text === "string" && text.length <= 4096) state[field] = text;
  }
  const last = value.lastRefresh;
  if (isPlainObject(last)) {
    const { at, lifetimeMs } = last;
    if (isWholeMs(at) && isWholeMs(lifetimeMs)) state.lastRefresh = { at, lifetimeMs };
  }
  return state;
}

/** Read the `anthropic` state as recorded; a missing or unreadable state file counts as none. */
export function readState(path: string): AnthropicState | null {
  return parseState(readStateKey(path, "anthropic"));
}

/** Whether `state` was recorded for `authFile` (a state from before files were recorded counts). */
export function recordedFor(state: AnthropicState, authFile: string): boolean {
  return state.authFile === undefined || state.authFile === authFile;
}

/**
 * Whether `state` describes `entry` in `authFile`: the one place that decides.
 * A state from before fingerprints (no `describes`) applies when its file and
 * its source's entry type match.
 */
export async function stateApplies(
  state: AnthropicState,
  authFile: string,
  entry: AnthropicEntry,
): Promise<boolean> {
  if (!recordedFor(state, authFile)) return false;
  const wantsApi = state.source === "api-key";
  if (wantsApi !== (entry.type === "api")) return false;
  if (state.describes === undefined) return true;
  return state.describes === await fingerprint(entry.type === "api" ? entry.key : entry.access);
}

/**
 * The method that keeps `entry` alive: its type, and for an `oauth` entry the
 * state when it applies. An `oauth` entry of unknown origin counts as a
 * browser sign-in, used while fresh; its refresh token is spent only on the
 * state's proof that this tool obtained it (lib/ownership.ts, checked by
 * lib/renewal.ts), and one holding Claude Code's tokens is renewed as a
 * Claude Code session.
 */
export function methodFor(entry: AnthropicEntry, state: AnthropicState | null): Method {
  if (entry.type === "api") return "api-key";
  if (state?.source === "setup-token") return "setup-token";
  return state?.source === "claude-code-session" ? "claude-code" : "browser";
}

function readStateObject(path: string): Record<string, unknown> {
  let text: string | null;
  try {
    text = readBoundedText(path, { maxBytes: MAX_STATE_FILE_BYTES, what: "the state file" });
  } catch {
    // Unreadable (a folder in its place, no permission, too large): no state. A write reports it.
    return {};
  }
  if (text === null) return {};
  // Our own file: a damaged copy counts as empty and is replaced on the next write.
  return parseJsonObject(text) ?? {};
}

/** One top-level value of the state file (`anthropic`, `service`), or undefined. */
export function readStateKey(path: string, key: string): unknown {
  const data = readStateObject(path);
  return Object.hasOwn(data, key) ? data[key] : undefined;
}

/**
 * Set (or with null, remove) one top-level key of the state file; other keys
 * are kept. Under the state file's own lock (taken after auth.json's, never
 * before): concurrent writers do not lose each other's keys, and temporary
 * files left by a killed writer are removed instead of piling up.
 */
export async function writeStateKey(path: string, key: string, value: unknown): Promise<void> {
  // Loaded here, not at the top: `token` reads the state but rarely writes it.
  const [{ lockPathFor, withLock }, { removeStaleTempFiles, writeFileAtomic }] = await Promise.all([
    lazyImport<typeof import("./lock.ts")>("lib/lock.ts"),
    lazyImport<typeof import("./fs/atomic.ts")>("lib/fs/atomic.ts"),
  ]);
  await withLock(lockPathFor(path), async () => {
    const data = readStateObject(path);
    if (value === null) {
      if (!Object.hasOwn(data, key)) return;
      delete data[key];
    } else {
      Object.defineProperty(data, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    await removeStaleTempFiles(path);
    await writeFileAtomic(path, JSON.stringify(data, null, 2) + "\n");
  });
}

/** Record (or with null, forget) the `anthropic` state; other keys are kept. */
export function writeState(path: string, state: AnthropicState | null): Promise<void> {
  return writeStateKey(path, "anthropic", state);
}

/** The state fields a caller chooses; the store adds the file and the fingerprint. */
export type StateFields = Omit<AnthropicState, "authFile" | "describes">;

/**
 * The state a fresh sign-in records for `method`: the account, and the
 * fingerprint of a refresh token the sign-in obtained (the proof that this
 * tool may spend it, lib/ownership.ts).
 */
export function newState(
  method: Method,
  account: { email?: string; organization?: string; mintedRefresh?: string },
): StateFields {
  const state: StateFields = { source: sourceOf(method) };
  if (account.email) state.email = account.email;
  if (account.organization) state.organization = account.organization;
  if (account.mintedRefresh) state.mintedRefresh = account.mintedRefresh;
  return state;
}

/** This tool's own state file: which sign-in method feeds the `anthropic` entry. */

import { readTextOrNull, removeStaleTempFiles, writeFileAtomic } from "./fs/atomic.ts";
import type { AnthropicEntry } from "./opencode/entry.ts";

/** The sign-in methods, as named on the command line. */
export type Method = "claude-code" | "browser" | "api-key";

/** All methods, in the order the picker shows them. */
export const METHODS: readonly Method[] = ["claude-code", "browser", "api-key"];

/** How the state file names each method's source. */
export type Source = "claude-code-session" | "browser-oauth" | "api-key";

const SOURCE_OF: Record<Method, Source> = {
  "claude-code": "claude-code-session",
  browser: "browser-oauth",
  "api-key": "api-key",
};

const METHOD_OF: Record<Source, Method> = {
  "claude-code-session": "claude-code",
  "browser-oauth": "browser",
  "api-key": "api-key",
};

/** The state recorded for the `anthropic` entry. */
export interface AnthropicState {
  source: Source;
  /** The auth file the source applies to. */
  authFile?: string;
  email?: string;
  organization?: string;
  /**
   * Fingerprint of a refresh token the server refused with invalid_grant:
   * such a token never works again, so no process sends it a second time.
   */
  rejectedRefresh?: string;
  [field: string]: unknown;
}

/** A short, one-way fingerprint of a refresh token (never the token itself). */
export async function tokenFingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The state file's source name for `method`. */
export function sourceOf(method: Method): Source {
  return SOURCE_OF[method];
}

/** Read the `anthropic` state; a missing or unreadable state file counts as none. */
export function readState(path: string): AnthropicState | null {
  const data = readStateObject(path);
  const value = data.anthropic;
  if (typeof value !== "object" || value === null) return null;
  const state = value as AnthropicState;
  return state.source in METHOD_OF ? state : null;
}

function readStateObject(path: string): Record<string, unknown> {
  let text: string | null;
  try {
    text = readTextOrNull(path);
  } catch {
    // Unreadable (a folder in its place, no permission): no state. A write reports it.
    return {};
  }
  if (text === null) return {};
  try {
    const data = JSON.parse(text);
    return typeof data === "object" && data !== null && !Array.isArray(data) ? data : {};
  } catch {
    // Our own file: a damaged copy is replaced on the next write.
    return {};
  }
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
  const { lockPathFor, withLock } = await import("./lock.ts");
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

/**
 * Which method produced `entry`: the recorded source when it belongs to this
 * auth file and matches the entry's type; otherwise inferred (an `oauth` entry
 * of unknown origin is refreshed like a browser sign-in).
 */
export function methodFor(
  entry: AnthropicEntry,
  state: AnthropicState | null,
  authFile: string,
): Method {
  if (entry.type === "api") return "api-key";
  const recorded = state && (!state.authFile || state.authFile === authFile)
    ? METHOD_OF[state.source]
    : undefined;
  return recorded === "claude-code" ? "claude-code" : "browser";
}

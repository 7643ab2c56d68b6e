/**
 * The stored credential and its lifecycle: load it, tell whether it is fresh,
 * and make it usable by the refresh mechanism of the method that produced it.
 * Refresh code is imported lazily so `token` on a fresh credential stays lean.
 */

import { type Context, envMilliseconds } from "./context.ts";
import { SignInRequiredError } from "./errors.ts";
import { type AuthSnapshot, readAuthFile } from "./opencode/auth_read.ts";
import { type AnthropicEntry, isStale, type OAuthEntry } from "./opencode/entry.ts";
import { type AnthropicState, type Method, methodFor, readState } from "./state.ts";

/** Default margin before expiry at which a token counts as stale. */
export const DEFAULT_SKEW_MS = 60_000;

/** The refresh skew in force (`CLAUDE_CODE_AUTH_REFRESH_SKEW_MS`, default 60 s). */
export function refreshSkewMs(ctx: Context): number {
  return envMilliseconds(ctx.env, "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS", DEFAULT_SKEW_MS);
}

/** What is stored now. */
export interface Stored {
  snapshot: AuthSnapshot;
  /** The usable entry, or null. */
  entry: AnthropicEntry | null;
  /** The method behind the entry, or null without one. */
  method: Method | null;
  /** This tool's state for the entry (account, source), if recorded. */
  state: AnthropicState | null;
}

/** A stored entry with its method. */
export interface StoredEntry extends Stored {
  entry: AnthropicEntry;
  method: Method;
}

/** Read auth.json and, when it holds an entry, this tool's state. */
export async function loadStored(ctx: Context): Promise<Stored> {
  const snapshot = await readAuthFile(ctx.authFile);
  const entry = snapshot.entry;
  if (!entry) return { snapshot, entry: null, method: null, state: null };
  const state = readState(ctx.stateFile);
  return { snapshot, entry, method: methodFor(entry, state, ctx.authFile), state };
}

/** The stored entry, or a sign-in-required error that says why there is none. */
export function requireEntry(stored: Stored): StoredEntry {
  if (stored.entry && stored.method) return stored as StoredEntry;
  const login = "run `opencode-claude-code-auth login`";
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

/** Whether `entry` needs a refresh now. API keys never do. */
export function needsRefresh(ctx: Context, entry: AnthropicEntry): boolean {
  return entry.type === "oauth" && isStale(entry, ctx.now(), refreshSkewMs(ctx));
}

/** The result of making the credential usable. */
export interface Usable {
  entry: AnthropicEntry;
  method: Method;
  /** Whether a refresh actually produced a new token. */
  refreshed: boolean;
}

/** Options for `ensureUsable`. */
export interface EnsureOptions {
  /** Refresh even if the stored token is still fresh. */
  force?: boolean;
  /**
   * Refresh only if the stored access token is still this one (a 401 seen with
   * it): another process that already refreshed saves us the request.
   */
  rejectedAccess?: string;
}

/**
 * Make the stored credential usable: for a Claude Code session re-sync from
 * Claude Code's store (running `claude` when stale); for a browser sign-in use
 * the refresh token when stale; an API key is returned as is.
 */
export async function ensureUsable(ctx: Context, options: EnsureOptions = {}): Promise<Usable> {
  const stored = requireEntry(await loadStored(ctx));
  if (stored.method === "api-key") {
    return { entry: stored.entry, method: stored.method, refreshed: false };
  }
  if (stored.method === "claude-code") {
    const { syncClaudeCodeSession } = await import("./claude_code/session.ts");
    return await syncClaudeCodeSession(ctx, stored, options);
  }
  const entry = stored.entry as OAuthEntry;
  const force = options.force || options.rejectedAccess !== undefined;
  if (!force && !needsRefresh(ctx, entry)) {
    return { entry, method: stored.method, refreshed: false };
  }
  const { refreshBrowserSession } = await import("./oauth/refresh.ts");
  return await refreshBrowserSession(ctx, stored, options);
}

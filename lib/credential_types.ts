/**
 * The shared vocabulary of credentials: the entry this tool stores in
 * OpenCode's auth.json, the sign-in methods, and what making a credential
 * usable returns. A leaf module: it imports nothing, so every layer may use it.
 *
 * @module
 */

/** The sign-in methods, as named on the command line. */
export type Method = "claude-code" | "browser" | "api-key" | "setup-token";

/** All methods, in the order the picker shows them. */
export const METHODS = [
  "claude-code",
  "browser",
  "api-key",
  "setup-token",
] as const satisfies readonly Method[];

/** An OAuth entry: OpenCode's `{"type":"oauth","refresh","access","expires"}`. */
export interface OAuthEntry {
  /** The entry's type. */
  type: "oauth";
  /** The refresh token; `""` for a Claude Code session (Claude Code keeps its own) and a setup token. */
  refresh: string;
  /** The access token. */
  access: string;
  /** Expiry in epoch milliseconds. */
  expires: number;
}

/** An API-key entry: OpenCode's `{"type":"api","key"}`. */
export interface ApiEntry {
  /** The entry's type. */
  type: "api";
  /** The API key (or a long-lived token stored as a key). */
  key: string;
}

/** The credential this tool manages under the `anthropic` key. */
export type AnthropicEntry = OAuthEntry | ApiEntry;

/** A stored entry together with the method that keeps it alive. */
export type Credential =
  | { method: "api-key"; entry: ApiEntry }
  | { method: "claude-code"; entry: OAuthEntry }
  | { method: "browser"; entry: OAuthEntry }
  | { method: "setup-token"; entry: OAuthEntry };

/** Just the credential (method and entry) of something that carries one. */
export function credentialOf(c: Credential): Credential {
  return c.method === "api-key"
    ? { method: c.method, entry: c.entry }
    : { method: c.method, entry: c.entry };
}

/** The account a sign-in belongs to, when the server said. */
export interface Account {
  /** The account's email address. */
  email?: string;
  /** The organization's name. */
  organization?: string;
}

/** A credential obtained by a sign-in method, ready to store. */
export type SignInResult = Credential & Account & {
  /** Fingerprint of the refresh token the sign-in obtained itself (the browser's code exchange). */
  mintedRefresh?: string;
};

/** The result of making the stored credential usable. */
export type Usable = Credential & {
  /** Whether a new token was obtained (by us, by another process, or by Claude Code). */
  refreshed: boolean;
  /** Something the user should know (for example when a retry will happen). */
  note?: string;
  /** No refresh before this time (epoch ms): the minimum interval since the last one. */
  notBefore?: number;
  /** A refresh was due (or forced) but held back by the minimum interval until `notBefore`. */
  heldBack?: boolean;
};

/** Options for making the credential usable. */
export interface EnsureOptions {
  /** Refresh even if the stored token is still fresh. */
  force?: boolean;
  /**
   * Refresh only if the stored access token is still this one (a 401 seen with
   * it): another process that already refreshed saves us the request.
   */
  rejectedAccess?: string;
  /** Count the token as stale when it expires within this (refresh --ahead), instead of the skew. */
  aheadMs?: number;
}

/** Largest distance from the epoch, in milliseconds, that a JavaScript Date can hold. */
export const MAX_DATE_MS = 8.64e15;

/** Whether `value` is an expiry OpenCode accepts and a Date can show: a whole, non-negative ms count. */
export function isExpiry(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
    value <= MAX_DATE_MS;
}

/** Default margin before expiry at which a token counts as stale. */
export const DEFAULT_SKEW_MS = 60_000;

/** Shortest time between two refreshes of the same credential, whatever the server grants. */
export const MIN_REFRESH_INTERVAL_MS = 30_000;

/** The minimum interval after a refresh that granted a token of `lifetimeMs`. */
export function minRefreshIntervalMs(lifetimeMs: number): number {
  return Math.max(MIN_REFRESH_INTERVAL_MS, lifetimeMs / 2);
}

/** Longest lifetime a refresh record may claim (ten years, as token responses): beyond is damage. */
export const MAX_RECORDED_LIFETIME_MS = 10 * 365 * 24 * 3600_000;

/**
 * When the next refresh is allowed after the recorded `last` one (epoch ms),
 * or null when it is allowed now. The interval protects against storms, not
 * against the user: an `urgent` refresh (`refresh --force`, or the one retry
 * after the API refused the token) waits only MIN_REFRESH_INTERVAL_MS, an
 * automatic one minRefreshIntervalMs of the last lifetime. A record that
 * cannot be true (in the future, or an absurd lifetime) counts as none.
 */
export function refreshNotBefore(
  last: { at: number; lifetimeMs: number } | undefined,
  now: number,
  urgent: boolean,
): number | null {
  if (!last || !(last.at <= now) || !(last.lifetimeMs <= MAX_RECORDED_LIFETIME_MS)) return null;
  const notBefore = last.at +
    (urgent ? MIN_REFRESH_INTERVAL_MS : minRefreshIntervalMs(last.lifetimeMs));
  return now < notBefore ? notBefore : null;
}

/** Whether a token expiring at `expires` (epoch ms) expires within `marginMs` of `now`. */
export function isStale(expires: number, now: number, marginMs: number): boolean {
  return expires <= now + marginMs;
}

/** Whether two entries are the same credential (same type and tokens). */
export function sameEntry(a: AnthropicEntry | null, b: AnthropicEntry | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type === "api" || b.type === "api") {
    return a.type === "api" && b.type === "api" && a.key === b.key;
  }
  return a.access === b.access && a.refresh === b.refresh && a.expires === b.expires;
}

/** The secret OpenCode sends: the API key or the access token. */
export function secretOf(entry: AnthropicEntry): string {
  return entry.type === "api" ? entry.key : entry.access;
}

/** Default length limit of a token: far above real ones, low enough to refuse a whole file. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Whether `s` can be a token, whatever its source: non-empty, printable ASCII
 * without spaces (it is printed by `token` and sent in headers), at most
 * `maxLength` characters.
 */
export function isPrintableToken(s: string, maxLength = MAX_TOKEN_LENGTH): boolean {
  if (s.length === 0 || s.length > maxLength) return false;
  // A loop, not /^[\x21-\x7e]+$/: `token` would otherwise run its only regular
  // expression here, and the first one of a process costs about 0.1 ms (measured).
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** When the stored token counts as due for renewal. */
export interface Due {
  /** Now, in epoch milliseconds. */
  now: number;
  /** Renew when the token expires within this (the skew, or refresh --ahead). */
  marginMs: number;
  /** Whether the margin comes from `refresh --ahead` (a scheduled job). */
  ahead: boolean;
  /** Renew even if still fresh. */
  force: boolean;
  /** Renew if the stored access token is still this one (the API refused it). */
  rejectedAccess?: string;
}

/** Whether `entry` is due under `due`. */
export function isDue(entry: OAuthEntry, due: Due): boolean {
  return due.force || entry.access === due.rejectedAccess ||
    isStale(entry.expires, due.now, due.marginMs);
}

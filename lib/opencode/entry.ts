/** The `anthropic` entry of OpenCode's auth.json: parsing and merging. */

/** An OAuth entry: OpenCode's `{"type":"oauth","refresh","access","expires"}`. */
export interface OAuthEntry {
  type: "oauth";
  refresh: string;
  access: string;
  /** Expiry in epoch milliseconds. */
  expires: number;
}

/** An API-key entry: OpenCode's `{"type":"api","key"}`. */
export interface ApiEntry {
  type: "api";
  key: string;
}

/** The credential this tool manages. */
export type AnthropicEntry = OAuthEntry | ApiEntry;

/** The fields this tool understands; any other field of the entry is kept as is. */
const KNOWN_FIELDS = ["type", "refresh", "access", "expires", "key"];

/** The provider id this tool owns in auth.json. */
export const PROVIDER_KEY = "anthropic";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validate a stored entry. Returns the entry, or a reason it cannot be used
 * (a malformed entry is reported, never silently dropped or overwritten by reads).
 */
export function parseEntry(
  value: unknown,
): { entry: AnthropicEntry } | { problem: string } {
  if (!isRecord(value)) return { problem: "the entry is not an object" };
  if (value.type === "api") {
    if (typeof value.key !== "string" || value.key === "") {
      return { problem: "the API-key entry has no key" };
    }
    return { entry: value as unknown as ApiEntry };
  }
  if (value.type === "oauth") {
    if (typeof value.access !== "string" || value.access === "") {
      return { problem: "the OAuth entry has no access token" };
    }
    if (typeof value.refresh !== "string") {
      return { problem: "the OAuth entry has no refresh token" };
    }
    if (typeof value.expires !== "number" || !Number.isFinite(value.expires)) {
      return { problem: "the OAuth entry has no valid expiry" };
    }
    return { entry: value as unknown as OAuthEntry };
  }
  return {
    problem: `the entry has type ${JSON.stringify(value.type)}, not "oauth" or "api"`,
  };
}

/**
 * The entry to store: the new credential's fields, plus every field of the
 * previous entry this tool does not understand (OpenCode's `accountId`,
 * `enterpriseUrl`, `metadata`, ...).
 */
export function mergeEntry(
  previous: unknown,
  next: AnthropicEntry,
): Record<string, unknown> {
  // The known fields come first, in OpenCode's order.
  const merged: Record<string, unknown> = next.type === "oauth"
    ? {
      type: "oauth",
      refresh: next.refresh,
      access: next.access,
      expires: next.expires,
    }
    : { type: "api", key: next.key };
  if (isRecord(previous)) {
    for (const [field, value] of Object.entries(previous)) {
      if (KNOWN_FIELDS.includes(field)) continue;
      // defineProperty, not assignment: a "__proto__" field stays plain data.
      Object.defineProperty(merged, field, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return merged;
}

/** Whether an OAuth entry expires within `skewMs` of `now`. */
export function isStale(entry: OAuthEntry, now: number, skewMs: number): boolean {
  return entry.expires <= now + skewMs;
}

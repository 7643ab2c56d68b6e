/**
 * The `anthropic` entry of OpenCode's auth.json: parsing and merging. Fields
 * this tool does not know are kept on every write, so a newer OpenCode (or a
 * plugin) that adds one loses nothing.
 *
 * @module
 */

import { isPlainObject } from "../json.ts";
import { type AnthropicEntry, isExpiry, isPrintableToken } from "../credential_types.ts";

/** Whether `value` is a token this tool will store or print: printable ASCII, bounded. */
function isTokenText(value: unknown): value is string {
  return typeof value === "string" && isPrintableToken(value);
}

/** The fields this tool understands; any other field of the entry is kept as is. */
const KNOWN_FIELDS = ["type", "refresh", "access", "expires", "key"];

/** The provider id this tool owns in auth.json. */
export const PROVIDER_KEY = "anthropic";

/**
 * Validate a stored entry. Returns the entry, or a reason it cannot be used
 * (a malformed entry is reported, never silently dropped or overwritten by reads).
 */
export function parseEntry(
  value: unknown,
): { entry: AnthropicEntry } | { problem: string } {
  if (!isPlainObject(value)) return { problem: "the entry is not an object" };
  if (value.type === "api") {
    if (typeof value.key !== "string" || value.key === "") {
      return { problem: "the API-key entry has no key" };
    }
    if (!isTokenText(value.key)) {
      return { problem: "the API key is not printable ASCII of at most 4096 characters" };
    }
    return { entry: { type: "api", key: value.key } };
  }
  if (value.type === "oauth") {
    if (typeof value.access !== "string" || value.access === "") {
      return { problem: "the OAuth entry has no access token" };
    }
    if (!isTokenText(value.access)) {
      return { problem: "the access token is not printable ASCII of at most 4096 characters" };
    }
    // "" is a valid refresh token for OpenCode: a Claude Code session stores no refresh token.
    if (typeof value.refresh !== "string") {
      return { problem: "the OAuth entry has no refresh field" };
    }
    if (value.refresh !== "" && !isTokenText(value.refresh)) {
      return { problem: "the refresh token is not printable ASCII of at most 4096 characters" };
    }
    if (!isExpiry(value.expires)) {
      return {
        problem: "the OAuth entry has no valid expiry (a whole number of ms in Date range)",
      };
    }
    return {
      entry: {
        type: "oauth",
        refresh: value.refresh,
        access: value.access,
        expires: value.expires,
      },
    };
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
  if (isPlainObject(previous)) {
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

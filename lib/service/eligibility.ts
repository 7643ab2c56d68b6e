/**
 * Whether a scheduled job makes sense for what is stored: an API key or a
 * long-lived token (an `oauth` entry without a refresh token that is not a
 * Claude Code session) has nothing a job could refresh. Pure.
 *
 * @module
 */

import type { AnthropicEntry, Method } from "../credential_types.ts";

/** Methods whose credential has nothing a job could refresh. */
const NOTHING_TO_REFRESH: ReadonlySet<Method> = new Set<Method>(["api-key", "setup-token"]);

/** What `entry` is when no job could refresh it (for the refusal), or null when one can. */
export function nothingToRefresh(entry: AnthropicEntry, method: Method | null): string | null {
  if (entry.type === "api" || method === "api-key") return "an API key, which never expires";
  if (
    (method !== null && NOTHING_TO_REFRESH.has(method)) ||
    (entry.refresh === "" && method !== "claude-code")
  ) {
    return "a token without a refresh token (a long-lived token), which no job can renew";
  }
  return null;
}

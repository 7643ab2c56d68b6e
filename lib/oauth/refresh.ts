/**
 * Refreshing a browser sign-in. Refresh tokens rotate (each use kills the
 * old one), so the refresh runs under the cross-process lock and re-reads the
 * stored entry after taking it: simultaneous callers make exactly one request.
 */

import type { Context } from "../context.ts";
import { type EnsureOptions, needsRefresh, type StoredEntry, type Usable } from "../credential.ts";
import { SignInRequiredError } from "../errors.ts";
import { withAuthFile } from "../opencode/auth_file.ts";
import type { OAuthEntry } from "../opencode/entry.ts";
import { refreshTokens } from "./client.ts";
import { loadOAuthConfig } from "./config.ts";
import { invalidGrant } from "./token.ts";
import { readState, tokenFingerprint, writeState } from "../state.ts";

/**
 * Whether `refreshToken` is Claude Code's own. Used only when no source is
 * recorded for the entry: spending Claude Code's token would sign it out.
 */
async function belongsToClaudeCode(ctx: Context, refreshToken: string): Promise<boolean> {
  const { findClaudeCredentials } = await import("../claude_code/credentials.ts");
  try {
    const found = await findClaudeCredentials(ctx);
    return found.credentials !== null && found.credentials.refreshToken === refreshToken;
  } catch {
    return false;
  }
}

/** Refresh the stored browser sign-in if (still) needed, under the lock. */
export async function refreshBrowserSession(
  ctx: Context,
  stored: StoredEntry,
  options: EnsureOptions,
): Promise<Usable> {
  const config = loadOAuthConfig(ctx.env);
  const seen = stored.entry as OAuthEntry;
  const sourceUnknown = stored.state === null ||
    (stored.state.authFile !== undefined && stored.state.authFile !== ctx.authFile);
  if (sourceUnknown && seen.refresh && await belongsToClaudeCode(ctx, seen.refresh)) {
    ctx.ui.debug(
      "the stored entry holds Claude Code's tokens; re-syncing from Claude Code instead",
    );
    const { syncClaudeCodeSession } = await import("../claude_code/session.ts");
    return await syncClaudeCodeSession(ctx, { ...stored, method: "claude-code" }, options);
  }
  return await withAuthFile(ctx.authFile, async (tx) => {
    const current = (await tx.read()).entry;
    if (!current || current.type !== "oauth") {
      throw new SignInRequiredError(
        "the browser sign-in was removed or replaced while waiting to refresh it",
        "run `opencode-claude-code-auth status` to see what is stored",
      );
    }
    const changedMeanwhile = current.access !== seen.access;
    if (changedMeanwhile && !needsRefresh(ctx, current)) {
      ctx.ui.debug("another process refreshed the token while we waited for the lock");
      return { entry: current, method: "browser" as const, refreshed: true };
    }
    const rejected = options.rejectedAccess !== undefined &&
      current.access === options.rejectedAccess;
    if (!options.force && !rejected && !needsRefresh(ctx, current)) {
      return { entry: current, method: "browser" as const, refreshed: false };
    }
    if (!current.refresh) {
      throw new SignInRequiredError(
        "the stored browser sign-in has no refresh token",
        "run `opencode-claude-code-auth login --method browser` again",
      );
    }
    // A token refused once is dead: fail without asking again (and without adding to a
    // 429), unless the user forces a retry with `refresh --force`.
    const fingerprint = await tokenFingerprint(current.refresh);
    const state = readState(ctx.stateFile);
    if (!options.force && state?.rejectedRefresh === fingerprint) throw invalidGrant("refresh");
    let tokens;
    try {
      tokens = await refreshTokens(ctx, config, current.refresh);
    } catch (error) {
      if (error instanceof SignInRequiredError) {
        await writeState(ctx.stateFile, {
          ...(state ?? { source: "browser-oauth", authFile: ctx.authFile }),
          rejectedRefresh: fingerprint,
        });
      }
      throw error;
    }
    const entry: OAuthEntry = {
      type: "oauth",
      refresh: tokens.refreshToken,
      access: tokens.accessToken,
      expires: Math.round(ctx.now() + tokens.expiresIn * 1000),
    };
    await tx.write(entry);
    return { entry, method: "browser" as const, refreshed: true };
  });
}

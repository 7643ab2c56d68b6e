/**
 * The Claude Code session method: copy Claude Code's token into OpenCode's
 * file, and when it is stale let the `claude` CLI refresh it (under the
 * cross-process lock, so simultaneous callers start `claude` once).
 */

import type { Context } from "../context.ts";
import { type EnsureOptions, refreshSkewMs, type StoredEntry, type Usable } from "../credential.ts";
import { CliError, SignInRequiredError } from "../errors.ts";
import { formatExpiry } from "../format.ts";
import { withAuthFile } from "../opencode/auth_file.ts";
import type { OAuthEntry } from "../opencode/entry.ts";
import { lockPathFor, withLock } from "../lock.ts";
import type { SignInResult } from "../commands/login.ts";
import { type ClaudeCredentials, type ClaudeSearch, findClaudeCredentials } from "./credentials.ts";
import { runClaudeRefresh } from "./cli.ts";

/** The sentence the contract fixes for a session `claude` could not revive. */
export const STILL_EXPIRED =
  "Claude session is still expired. Run `claude auth login --claudeai` and try again.";

/** OpenCode's entry for Claude Code's credentials. */
export function entryFromClaude(credentials: ClaudeCredentials): OAuthEntry {
  return {
    type: "oauth",
    refresh: credentials.refreshToken,
    access: credentials.accessToken,
    expires: credentials.expiresAt,
  };
}

function notFound(search: ClaudeSearch): SignInRequiredError {
  return new SignInRequiredError(
    `no Claude Code sign-in found (looked in: ${search.searched.join("; ")})`,
    "sign in to Claude Code with `claude auth login`, or use `login --method browser` or `--method api-key`",
  );
}

/** Fresh Claude Code credentials, and whether obtaining them changed the token. */
interface Obtained {
  credentials: ClaudeCredentials;
  refreshed: boolean;
}

/**
 * Claude Code's credentials, fresh: as found when fresh (and not forced);
 * otherwise, under the lock, re-read (another process may have refreshed),
 * then run `claude` and re-read whatever its exit code.
 */
async function obtainFresh(
  ctx: Context,
  initial: ClaudeSearch,
  options: EnsureOptions,
): Promise<Obtained> {
  const skew = refreshSkewMs(ctx);
  const isFresh = (c: ClaudeCredentials | null): c is ClaudeCredentials =>
    c !== null && c.expiresAt > ctx.now() + skew;
  const wanted = (c: ClaudeCredentials | null): boolean =>
    isFresh(c) && !options.force && c.accessToken !== options.rejectedAccess;

  if (!initial.credentials) throw notFound(initial);
  if (wanted(initial.credentials)) return { credentials: initial.credentials, refreshed: false };
  const before = initial.credentials.accessToken;

  return await withLock(lockPathFor(ctx.authFile), async () => {
    const again = await findClaudeCredentials(ctx);
    if (isFresh(again.credentials) && again.credentials.accessToken !== before) {
      ctx.ui.debug("Claude Code's token changed while waiting for the lock; not running claude");
      return { credentials: again.credentials, refreshed: true };
    }
    if (!again.credentials) throw notFound(again);
    if (wanted(again.credentials)) return { credentials: again.credentials, refreshed: false };

    const run = await runClaudeRefresh(ctx);
    const after = await findClaudeCredentials(ctx);
    if (!isFresh(after.credentials)) {
      const reason = run.reason ??
        (after.credentials
          ? "`claude` ran but did not renew the token"
          : "Claude Code's credentials disappeared");
      throw new SignInRequiredError(`${STILL_EXPIRED} (${reason})`);
    }
    if (run.reason) {
      ctx.ui.debug(`claude reported a problem, but the token is fresh: ${run.reason}`);
    }
    return {
      credentials: after.credentials,
      refreshed: after.credentials.accessToken !== before,
    };
  });
}

/** `login --method claude-code`: fresh credentials from Claude Code, ready to store. */
export async function acquireClaudeCodeSession(ctx: Context): Promise<SignInResult> {
  const search = await findClaudeCredentials(ctx);
  const { credentials } = await obtainFresh(ctx, search, {});
  ctx.ui.info(`Found Claude Code's sign-in in ${credentials.origin}.`);
  return { entry: entryFromClaude(credentials), method: "claude-code" };
}

/**
 * Re-sync the stored entry from Claude Code's store (picking up a refresh that
 * Claude Code did on its own), refreshing through `claude` when stale.
 */
export async function syncClaudeCodeSession(
  ctx: Context,
  stored: StoredEntry,
  options: EnsureOptions,
): Promise<Usable> {
  const storedEntry = stored.entry as OAuthEntry;
  // Without Claude Code's store (gone, or a locked or refused Keychain), a
  // stored token that is still fresh is used as is, with a warning.
  const storedUsable = !options.force && options.rejectedAccess === undefined &&
    storedEntry.expires > ctx.now() + refreshSkewMs(ctx);
  const useStored = (why: string): Usable => {
    ctx.ui.warn(
      `${why}; using the stored token, which ${formatExpiry(storedEntry.expires, ctx.now())}`,
    );
    return { entry: storedEntry, method: "claude-code", refreshed: false };
  };
  let search: ClaudeSearch;
  try {
    search = await findClaudeCredentials(ctx);
  } catch (error) {
    if (error instanceof CliError && storedUsable) {
      return useStored(`cannot read Claude Code's credentials (${error.message})`);
    }
    throw error;
  }
  if (!search.credentials && storedUsable) {
    return useStored(`Claude Code's credentials were not found (${search.searched.join("; ")})`);
  }
  const { credentials, refreshed } = await obtainFresh(ctx, search, options);
  const entry = entryFromClaude(credentials);
  const same = entry.access === storedEntry.access && entry.refresh === storedEntry.refresh &&
    entry.expires === storedEntry.expires;
  if (!same) {
    ctx.ui.debug("copying Claude Code's current token into auth.json");
    await withAuthFile(ctx.authFile, (tx) => tx.write(entry));
  }
  return {
    entry,
    method: "claude-code",
    refreshed: refreshed || entry.access !== storedEntry.access,
  };
}

/**
 * The Claude Code session: copy Claude Code's access token into OpenCode's
 * file, and when it is stale let the `claude` CLI renew it. Claude Code's
 * refresh token never leaves Claude Code's store: the entry stores
 * `"refresh": ""`, and nothing here ever sends a refresh token. Refresh
 * tokens are single-use; spending Claude Code's would sign Claude Code out.
 *
 * @module
 */

import { refreshSkewMs } from "../environment.ts";
import type { ClockContext, FilesContext } from "../context.ts";
import { runClaudeRefresh } from "../claude_code/cli.ts";
import {
  type ClaudeCredentials,
  type ClaudeSearch,
  type ClaudeStoreContext,
  findClaudeCredentials,
} from "../claude_code/credentials.ts";
import {
  isDue,
  isStale,
  type OAuthEntry,
  sameEntry,
  type SignInResult,
} from "../credential_types.ts";
import { CliError, SignInRequiredError } from "../errors.ts";
import { formatDuration, formatExpiry } from "../format.ts";
import { findOnPath } from "../which.ts";
import type { Due, Inspection, OAuthCredential, Renewal, SignInMethod } from "./method.ts";

/** The sentence the contract fixes for a session `claude` could not revive. */
export const STILL_EXPIRED =
  "Claude session is still expired. Run `claude auth login --claudeai` and try again.";

/**
 * Claude Code renews its own token only within about its last 5 minutes (or
 * after a 401): running `claude` earlier renews nothing and still costs a
 * model request, so `refresh --ahead` runs it only inside this window.
 */
export const CLAUDE_RENEWAL_WINDOW_MS = 5 * 60_000;

/** OpenCode's entry for Claude Code's credentials: never with Claude Code's refresh token. */
export function entryFromClaude(credentials: ClaudeCredentials): OAuthEntry {
  return {
    type: "oauth",
    refresh: "",
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

/** The margin within which Claude Code's token is renewed: `--ahead` capped at Claude Code's window. */
function renewalMargin(due: Due): number {
  return due.ahead ? Math.min(due.marginMs, CLAUDE_RENEWAL_WINDOW_MS) : due.marginMs;
}

/** Predicates on Claude Code's credentials for one decision. */
function judge(due: Due) {
  const margin = renewalMargin(due);
  const fresh = (c: ClaudeCredentials): boolean => !isStale(c.expiresAt, due.now, margin);
  const wanted = (c: ClaudeCredentials): boolean =>
    fresh(c) && !due.force && c.accessToken !== due.rejectedAccess;
  return { margin, fresh, wanted };
}

/** What this method uses: Claude Code's store, the clock, and the state file's folder (for `claude`'s temp files). */
type ClaudeCodeContext = ClaudeStoreContext & ClockContext & FilesContext;

/**
 * Whether `entry` holds Claude Code's tokens: its access token, or a refresh
 * token an older version copied, is the one in Claude Code's store now.
 * "unknown" when the store cannot be read (a locked or refused Keychain).
 */
export async function holdsClaudeTokens(
  ctx: ClaudeStoreContext,
  entry: OAuthEntry,
): Promise<"yes" | "no" | "unknown"> {
  try {
    const c = (await findClaudeCredentials(ctx)).credentials;
    const holds = c !== null &&
      (c.accessToken === entry.access ||
        (entry.refresh !== "" && c.refreshToken === entry.refresh));
    return holds ? "yes" : "no";
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    ctx.ui.debug(`cannot read Claude Code's store to compare tokens: ${error.message}`);
    return "unknown";
  }
}

/** Fresh credentials from Claude Code for login: running `claude` once when stale. */
async function acquire(ctx: ClaudeCodeContext): Promise<SignInResult> {
  const due: Due = { now: ctx.now(), marginMs: refreshSkewMs(ctx), ahead: false, force: false };
  const { fresh } = judge(due);
  const search = await findClaudeCredentials(ctx);
  if (!search.credentials) throw notFound(search);
  let credentials = search.credentials;
  if (!fresh(credentials)) {
    const run = await runClaudeRefresh(ctx);
    const after = (await findClaudeCredentials(ctx)).credentials;
    if (after === null || !fresh(after)) {
      const reason = run.reason ?? "`claude` ran but did not renew the token";
      throw new SignInRequiredError(`${STILL_EXPIRED} (${reason})`);
    }
    credentials = after;
  }
  ctx.ui.info(`Found Claude Code's sign-in in ${credentials.origin}.`);
  return { entry: entryFromClaude(credentials), method: "claude-code" };
}

/**
 * Lock-free: re-sync from Claude Code's store (picking up a renewal Claude
 * Code did on its own). Without the store (gone, or a locked or refused
 * Keychain), a stored token that is still fresh is used, with a warning.
 */
async function inspect(
  ctx: ClaudeCodeContext,
  current: OAuthCredential,
  due: Due,
): Promise<Inspection> {
  const { margin, wanted } = judge(due);
  const entry = current.entry;
  const storedOk = due.rejectedAccess === undefined && !isDue(entry, { ...due, marginMs: margin });
  const useStored = (why: string): Inspection => {
    ctx.ui.warn(`${why}; using the stored token, which ${formatExpiry(entry.expires, due.now)}`);
    return { kind: "use" };
  };
  let search: ClaudeSearch;
  try {
    search = await findClaudeCredentials(ctx);
  } catch (error) {
    if (error instanceof CliError && storedOk) {
      return useStored(`cannot read Claude Code's credentials (${error.message})`);
    }
    throw error;
  }
  if (!search.credentials) {
    if (storedOk) {
      return useStored(`Claude Code's credentials were not found (${search.searched.join("; ")})`);
    }
    throw notFound(search);
  }
  if (!wanted(search.credentials)) return { kind: "renew" };
  const next = entryFromClaude(search.credentials);
  // An older entry that still holds Claude Code's refresh token differs too: rewritten without it.
  if (!sameEntry(next, entry)) return { kind: "adopt", entry: next };
  if (due.ahead && isStale(next.expires, due.now, due.marginMs)) {
    return {
      kind: "use",
      note: `Claude Code renews its token only in its last ${
        formatDuration(CLAUDE_RENEWAL_WINDOW_MS)
      }: \`claude\` is run then, not before`,
    };
  }
  return { kind: "use" };
}

/**
 * Under the lock: re-read Claude Code's store (another process may have run
 * `claude` meanwhile), else run `claude` and re-read whatever its exit code.
 */
async function renew(
  ctx: ClaudeCodeContext,
  _current: OAuthCredential,
  due: Due,
): Promise<Renewal> {
  const { fresh, wanted } = judge(due);
  const again = await findClaudeCredentials(ctx);
  if (!again.credentials) throw notFound(again);
  if (wanted(again.credentials)) {
    ctx.ui.debug("Claude Code's token is fresh now; not running claude");
    return { entry: entryFromClaude(again.credentials), renewed: false };
  }
  const before = again.credentials.accessToken;
  const run = await runClaudeRefresh(ctx);
  const after = (await findClaudeCredentials(ctx)).credentials;
  if (after && run.reason) {
    ctx.ui.debug(`claude reported a problem: ${run.reason}`);
  }
  const changed = after !== null && after.accessToken !== before;
  if (after !== null && fresh(after)) {
    return {
      entry: entryFromClaude(after),
      renewed: changed,
      note: changed
        ? undefined
        : "Claude Code kept its token: it renews it only in its last minutes",
    };
  }
  const now = ctx.now();
  if (due.ahead && after !== null && after.expiresAt > now) {
    // Not an error for a scheduled job: Claude Code renews when it decides to.
    return {
      entry: entryFromClaude(after),
      renewed: changed,
      note: `\`claude\` ran, but Claude Code kept its token, which expires in ${
        formatDuration(after.expiresAt - now)
      }; the next run tries again`,
    };
  }
  const reason = run.reason ??
    (after ? "`claude` ran but did not renew the token" : "Claude Code's credentials disappeared");
  throw new SignInRequiredError(`${STILL_EXPIRED} (${reason})`);
}

/** The Claude Code session method. */
export const claudeCodeMethod: SignInMethod<OAuthCredential> = {
  acquire,
  inspect,
  renew,
  async renewability(ctx) {
    let search: ClaudeSearch;
    try {
      search = await findClaudeCredentials(ctx);
    } catch (error) {
      if (error instanceof CliError) return { ok: false, why: error.message };
      throw error;
    }
    const c = search.credentials;
    if (!c) {
      return {
        ok: false,
        why: `Claude Code's credentials were not found (${search.searched.join("; ")})`,
      };
    }
    if (!isStale(c.expiresAt, ctx.now(), refreshSkewMs(ctx))) {
      return { ok: true, why: "Claude Code holds a fresher token; it is copied on next use" };
    }
    if (!findOnPath(ctx, "claude")) {
      return {
        ok: false,
        why: "the `claude` CLI, which renews a Claude Code session, was not found on PATH",
      };
    }
    return { ok: true, why: "it is renewed through the claude CLI on next use" };
  },
};

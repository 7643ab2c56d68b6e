/**
 * Writing a renewed credential, under the lock, with a compare-and-swap. Two
 * rules hold here for every method: a refresh token is spent only on proof
 * that this tool obtained it (lib/ownership.ts), so none that is Claude Code's
 * or another program's ever is; and no credential is refreshed more often
 * than the minimum interval (30 s, or half the token's lifetime for automatic
 * refreshes). Loaded only when the stored credential cannot be used as it is.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  type Credential,
  credentialOf,
  minRefreshIntervalMs,
  type OAuthEntry,
  refreshNotBefore,
  sameEntry,
  secretOf,
  type Usable,
} from "./credential_types.ts";
import { FailureError } from "./errors.ts";
import { formatDuration, formatUntil } from "./format.ts";
import type { Due, OAuthCredential } from "./methods/method.ts";
import { signInMethod } from "./methods/index.ts";
import { foreignError, ownershipOf } from "./ownership.ts";
import { readState, sourceOf } from "./state.ts";
import {
  requireCredential,
  type StateFields,
  type StoredCredential,
  type Transaction,
  withStore,
} from "./store.ts";
import { lazyImport } from "./lazy.ts";

/** The state fields of `stored` to carry over to its renewed entry. */
function carriedState(stored: StoredCredential): StateFields {
  const { authFile: _file, describes: _fingerprint, ...fields } = stored.state ??
    { source: sourceOf(stored.method) };
  return { ...fields, source: sourceOf(stored.method) };
}

/** Store a newer credential the method's own source holds (Claude Code renewed on its own). */
export async function adopt(
  ctx: Context,
  stored: StoredCredential,
  next: OAuthEntry,
): Promise<Usable> {
  return await withStore(ctx, "copying Claude Code's token", async (tx) => {
    ctx.ui.debug("copying Claude Code's current token into auth.json");
    if (!await tx.commit(stored.entry, next, carriedState(stored))) {
      return { ...credentialOf(requireCredential(await tx.read())), refreshed: false };
    }
    return {
      method: "claude-code",
      entry: next,
      refreshed: next.access !== secretOf(stored.entry),
    };
  });
}

/** Renew the credential under the lock. */
export async function renew(ctx: Context, stored: StoredCredential, due: Due): Promise<Usable> {
  return await withStore(ctx, "refreshing", (tx) => renewLocked(ctx, tx, stored, due));
}

/** Under the lock: re-read, apply the two rules, renew once, compare-and-swap. */
async function renewLocked(
  ctx: Context,
  tx: Transaction,
  seen: StoredCredential,
  due: Due,
): Promise<Usable> {
  const current = requireCredential(await tx.read());
  const changedFromSeen = (c: Credential) => secretOf(c.entry) !== secretOf(seen.entry);
  if (!sameEntry(current.entry, seen.entry)) {
    // Another process refreshed, or a login or logout landed, while we waited:
    // decide again on what is there now, without forcing a second refresh.
    const look = await (await signInMethod(current.method)).inspect(ctx, current, {
      ...due,
      force: false,
    });
    if (look.kind === "use") {
      ctx.ui.debug("the stored credential changed while waiting for the lock; using it");
      return { ...credentialOf(current), refreshed: changedFromSeen(current) };
    }
  }
  if (current.method === "api-key") return { ...credentialOf(current), refreshed: false };
  if (current.method === "setup-token") {
    // Nothing renews a long-lived token: its method says so, or that it ran out.
    const renewal = await (await signInMethod(current.method)).renew(ctx, current, due);
    if (renewal.error) throw renewal.error;
    return { ...credentialOf(current), refreshed: false, note: renewal.note };
  }

  // A refresh token is spent only on proof that this tool obtained it; an
  // entry holding Claude Code's tokens is renewed as a Claude Code session.
  const target: OAuthCredential = current.method === "browser"
    ? await ownTarget(ctx, current)
    : current;

  const now = ctx.now();
  const urgent = due.force || current.entry.access === due.rejectedAccess;
  const last = current.state?.lastRefresh;
  const notBefore = refreshNotBefore(last, now, urgent) ?? undefined;
  if (last && notBefore !== undefined) {
    const wait = `refreshed ${formatDuration(now - last.at)} ago; not again before ${
      formatUntil(notBefore, now)
    } (the minimum interval between refreshes)`;
    if (current.entry.expires > now) {
      ctx.ui.debug(`not refreshing: ${wait}`);
      return { ...credentialOf(current), refreshed: false, note: wait, notBefore, heldBack: true };
    }
    throw new FailureError(`the token has expired, but it was ${wait}`, "try again then");
  }

  const method = await signInMethod(target.method);
  const renewal = await method.renew(ctx, target, due);
  const fields: StateFields = { ...carriedState(target), ...renewal.state };
  if (renewal.error) {
    if (renewal.state) await tx.recordState(current.entry, fields);
    throw renewal.error;
  }
  if (renewal.entry === null) {
    return { ...credentialOf(target), refreshed: false, note: renewal.note };
  }
  const next = renewal.entry;
  if (renewal.renewed) {
    fields.lastRefresh = { at: now, lifetimeMs: Math.max(0, next.expires - now) };
  }
  if (!await tx.commit(current.entry, next, fields)) {
    const after = requireCredential(await tx.read());
    return { ...credentialOf(after), refreshed: changedFromSeen(after) };
  }
  return {
    method: target.method,
    entry: next,
    refreshed: next.access !== secretOf(seen.entry),
    note: renewal.note,
    notBefore: renewal.renewed
      ? now + minRefreshIntervalMs(Math.max(0, next.expires - now))
      : undefined,
  };
}

/**
 * What renews a browser-looking entry: a Claude Code session when Claude
 * Code's store holds its tokens now; else the browser sign-in, only when the
 * state proves this tool obtained its refresh token (an unreadable store
 * decides nothing); else nothing: a foreign entry is exit 4, and no request.
 */
async function ownTarget(
  ctx: Context,
  current: StoredCredential & { method: "browser" },
): Promise<OAuthCredential> {
  const { holdsClaudeTokens } = await lazyImport("lib/methods/claude_code.ts");
  if (await holdsClaudeTokens(ctx, current.entry) === "yes") {
    ctx.ui.debug(
      "the stored entry holds Claude Code's tokens: renewing it as a Claude Code session",
    );
    return { ...current, method: "claude-code" };
  }
  const ownership = await ownershipOf(readState(ctx.stateFile), ctx.authFile, current.entry);
  if (ownership.kind === "foreign") throw foreignError(ownership.origin, ctx.authFile);
  return current;
}

/**
 * The stored credential's lifecycle: make it usable. Reads through the store,
 * asks the credential's sign-in method what to do, and writes the result back
 * with a compare-and-swap under the lock. Two rules hold here for every
 * method: no refresh token that is Claude Code's is ever spent, and no
 * credential is refreshed more often than the minimum interval.
 *
 * May import: store.ts, methods/index.ts, credential_types.ts, context.ts.
 *
 * @module
 */

import { type Context, refreshSkewMs } from "./context.ts";
import {
  type Credential,
  type EnsureOptions,
  minRefreshIntervalMs,
  sameEntry,
  secretOf,
  type Usable,
} from "./credential_types.ts";
import { FailureError } from "./errors.ts";
import { formatDuration } from "./format.ts";
import type { Due } from "./methods/method.ts";
import { signInMethod } from "./methods/index.ts";
import { fingerprint, sourceOf } from "./state.ts";
import {
  loadStored,
  requireCredential,
  type StateFields,
  type StoredCredential,
  type Transaction,
  withStore,
} from "./store.ts";

/** When a token counts as due for these options. */
export function dueFor(ctx: Context, options: EnsureOptions): Due {
  return {
    now: ctx.now(),
    marginMs: options.aheadMs ?? refreshSkewMs(ctx),
    ahead: options.aheadMs !== undefined,
    force: options.force === true,
    rejectedAccess: options.rejectedAccess,
  };
}

/** Just the credential of what is stored. */
function credentialOf(stored: StoredCredential): Credential {
  return stored.method === "api-key"
    ? { method: stored.method, entry: stored.entry }
    : { method: stored.method, entry: stored.entry };
}

/** The state fields of `stored` to carry over to its renewed entry. */
function carriedState(stored: StoredCredential): StateFields {
  const { authFile: _file, describes: _fingerprint, ...fields } = stored.state ??
    { source: sourceOf(stored.method) };
  return { ...fields, source: sourceOf(stored.method) };
}

/**
 * Make the stored credential usable: an API key as is; a Claude Code session
 * re-synced from Claude Code's store (running `claude` when stale); a browser
 * sign-in refreshed with its refresh token when stale. Any number of
 * simultaneous callers cause at most one refresh.
 */
export async function ensureUsable(ctx: Context, options: EnsureOptions = {}): Promise<Usable> {
  const stored = requireCredential(await loadStored(ctx));
  const due = dueFor(ctx, options);
  const method = await signInMethod(stored.method);
  const look = await method.inspect(ctx, stored, due);
  if (look.kind === "use") return { ...credentialOf(stored), refreshed: false, note: look.note };
  if (look.kind === "adopt") {
    const next = look.entry;
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

  let target = current;
  if (current.method === "browser" && !await mintedHere(current)) {
    const { holdsClaudeTokens } = await import("./methods/claude_code.ts");
    if (await holdsClaudeTokens(ctx, current.entry)) {
      ctx.ui.debug(
        "the stored entry holds Claude Code's tokens: renewing it as a Claude Code session",
      );
      target = { ...current, method: "claude-code" };
    }
  }

  const now = ctx.now();
  const last = current.state?.lastRefresh;
  const notBefore = last ? last.at + minRefreshIntervalMs(last.lifetimeMs) : undefined;
  if (notBefore !== undefined && now < notBefore && target.method === current.method) {
    const wait = `refreshed ${formatDuration(now - last!.at)} ago; not again for ${
      formatDuration(notBefore - now)
    } (the minimum interval between refreshes)`;
    if (current.entry.expires > now) {
      ctx.ui.debug(`not refreshing: ${wait}`);
      return { ...credentialOf(current), refreshed: false, note: wait, notBefore };
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
      : notBefore,
  };
}

/** Whether this tool itself obtained the stored refresh token (so it cannot be Claude Code's). */
async function mintedHere(stored: StoredCredential): Promise<boolean> {
  const minted = stored.state?.mintedRefresh;
  return stored.entry.type === "oauth" && stored.entry.refresh !== "" && minted !== undefined &&
    minted === await fingerprint(stored.entry.refresh);
}

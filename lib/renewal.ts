/**
 * Writing a renewed credential, under the lock, with a compare-and-swap. Two
 * rules hold here for every method: no refresh token that is Claude Code's is
 * ever spent, and no credential is refreshed more often than the minimum
 * interval (30 s, or half the token's lifetime). Loaded only when the stored
 * credential cannot be used as it is.
 *
 * May import: store.ts, methods/, state.ts, credential_types.ts, context.ts, format.ts.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  type Credential,
  credentialOf,
  minRefreshIntervalMs,
  type OAuthEntry,
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

  // Before a refresh token is spent, Claude Code's store is asked whether it is
  // Claude Code's, whatever the state says; only when the store cannot be read
  // does the state's record that this tool minted the token decide.
  let target = current;
  if (current.method === "browser") {
    const { holdsClaudeTokens } = await lazyImport<typeof import("./methods/claude_code.ts")>(
      "lib/methods/claude_code.ts",
    );
    const holds = await holdsClaudeTokens(ctx, current.entry);
    if (holds === "yes" || (holds === "unknown" && !await mintedHere(current))) {
      ctx.ui.debug(
        "the stored entry holds Claude Code's tokens: renewing it as a Claude Code session",
      );
      target = { ...current, method: "claude-code" };
    }
  }

  const now = ctx.now();
  const last = current.state?.lastRefresh;
  const notBefore = last ? last.at + minRefreshIntervalMs(last.lifetimeMs) : undefined;
  if (last && notBefore !== undefined && now < notBefore) {
    const wait = `refreshed ${formatDuration(now - last.at)} ago; not again for ${
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

/** Whether the state records that this tool itself obtained the stored refresh token. */
async function mintedHere(stored: StoredCredential): Promise<boolean> {
  const minted = stored.state?.mintedRefresh;
  return stored.entry.type === "oauth" && stored.entry.refresh !== "" && minted !== undefined &&
    minted === await fingerprint(stored.entry.refresh);
}

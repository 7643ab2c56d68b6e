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
import { type CliError, FailureError } from "./errors.ts";
import { formatDuration, formatUntil } from "./format.ts";
import type { Due, OAuthCredential, Renewal } from "./methods/method.ts";
import { signInMethod } from "./methods/index.ts";
import { foreignError, type ForeignOrigin, type Ownership, ownershipOf } from "./ownership.ts";
import { type LastRefresh, readState, sourceOf } from "./state.ts";
import {
  requireCredential,
  type StateFields,
  type StoredCredential,
  type Transaction,
  withStore,
} from "./store.ts";
import { lazyImport } from "./lazy.ts";

/** The state fields of `stored` to carry over to its renewed entry. */
function carriedState(stored: Pick<StoredCredential, "method" | "state">): StateFields {
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
  const changed = await usableAfterWait(ctx, current, seen, due);
  if (changed) return changed;
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
  const interval = intervalVerdict(current.entry, current.state?.lastRefresh, due, now);
  if (interval.kind === "hold") {
    if (interval.expired) {
      throw new FailureError(
        `the token has expired, but it was ${interval.wait}`,
        "try again then",
      );
    }
    ctx.ui.debug(`not refreshing: ${interval.wait}`);
    return { ...credentialOf(current), refreshed: false, ...interval.usable };
  }

  const renewal = await (await signInMethod(target.method)).renew(ctx, target, due);
  const outcome = renewalOutcome(renewal, target, seen, now);
  if (outcome.kind === "fail") {
    if (outcome.record) await tx.recordState(current.entry, outcome.fields);
    throw outcome.error;
  }
  if (outcome.kind === "keep") return outcome.usable;
  if (!await tx.commit(current.entry, outcome.next, outcome.fields)) {
    const after = requireCredential(await tx.read());
    return { ...credentialOf(after), refreshed: refreshedSince(seen, after) };
  }
  return outcome.usable;
}

/**
 * When another process refreshed, or a login or logout landed, while we
 * waited for the lock: what is there now if it is usable as it is (decided
 * again, without forcing a second refresh), else null.
 */
async function usableAfterWait(
  ctx: Context,
  current: StoredCredential,
  seen: StoredCredential,
  due: Due,
): Promise<Usable | null> {
  if (sameEntry(current.entry, seen.entry)) return null;
  const method = await signInMethod(current.method);
  const look = await method.inspect(ctx, current, { ...due, force: false });
  if (look.kind !== "use") return null;
  ctx.ui.debug("the stored credential changed while waiting for the lock; using it");
  return { ...credentialOf(current), refreshed: refreshedSince(seen, current) };
}

/** Whether `now` holds another token than the one `seen` held (a refresh happened). */
function refreshedSince(seen: Credential, now: Credential): boolean {
  return secretOf(now.entry) !== secretOf(seen.entry);
}

/**
 * The second rule, decided: whether a refresh may be made now, or is held
 * back by the minimum interval since the last one (lib/credential_types.ts's
 * refreshNotBefore). A forced refresh, or one after the API refused the
 * token, waits only the shortest interval. Held back, a token that has not
 * run out is used as it is; an expired one is a failure naming when to retry.
 */
export type IntervalVerdict =
  /** No refresh is held back: renew now. */
  | { kind: "renew" }
  /** Held back until `usable.notBefore`; `wait` says why, `expired` whether the token ran out. */
  | {
    kind: "hold";
    wait: string;
    expired: boolean;
    usable: { note: string; notBefore: number; heldBack: true };
  };

/** The minimum-interval verdict on renewing `entry`, last refreshed as `last` says, at `now`. */
export function intervalVerdict(
  entry: OAuthEntry,
  last: LastRefresh | undefined,
  due: Pick<Due, "force" | "rejectedAccess">,
  now: number,
): IntervalVerdict {
  const urgent = due.force || entry.access === due.rejectedAccess;
  const notBefore = refreshNotBefore(last, now, urgent);
  if (!last || notBefore === null) return { kind: "renew" };
  const wait = `refreshed ${formatDuration(now - last.at)} ago; not again before ${
    formatUntil(notBefore, now)
  } (the minimum interval between refreshes)`;
  return {
    kind: "hold",
    wait,
    expired: entry.expires <= now,
    usable: { note: wait, notBefore, heldBack: true },
  };
}

/** What to do with a method's renewal (see renewalOutcome). */
export type RenewalOutcome =
  /** Throw `error`; first record `fields` (the method's bookkeeping) when `record`. */
  | { kind: "fail"; error: CliError; record: boolean; fields: StateFields }
  /** Nothing new to store: hand back `usable`. */
  | { kind: "keep"; usable: Usable }
  /** Store `next` with `fields` by compare-and-swap; `usable` is the answer when it lands. */
  | { kind: "commit"; next: OAuthEntry; fields: StateFields; usable: Usable };

/**
 * What a method's `renewal` of `target` leads to at `now`: a failure (its
 * state still recorded), the stored entry kept, or a new entry to commit. A
 * token nobody had before starts the minimum interval (`lastRefresh`,
 * `notBefore`); one adopted from elsewhere does not.
 */
export function renewalOutcome(
  renewal: Renewal,
  target: Pick<OAuthCredential, "method" | "entry" | "state">,
  seen: Credential,
  now: number,
): RenewalOutcome {
  const fields: StateFields = { ...carriedState(target), ...renewal.state };
  if (renewal.error) {
    return { kind: "fail", error: renewal.error, record: renewal.state !== undefined, fields };
  }
  if (renewal.entry === null) {
    return {
      kind: "keep",
      usable: { ...credentialOf(target), refreshed: false, note: renewal.note },
    };
  }
  const next = renewal.entry;
  const lifetimeMs = Math.max(0, next.expires - now);
  if (renewal.renewed) fields.lastRefresh = { at: now, lifetimeMs };
  return {
    kind: "commit",
    next,
    fields,
    usable: {
      method: target.method,
      entry: next,
      refreshed: next.access !== secretOf(seen.entry),
      note: renewal.note,
      notBefore: renewal.renewed ? now + minRefreshIntervalMs(lifetimeMs) : undefined,
    },
  };
}

/** Who renews a browser-looking entry (see ownTarget): a method, or nobody (a foreign entry). */
export type Renewer = { kind: "claude-code" } | { kind: "browser" } | {
  kind: "foreign";
  origin: ForeignOrigin;
};

/**
 * The first rule, decided from the evidence: Claude Code's store holding the
 * entry's tokens makes it a Claude Code session (the state is then not read);
 * otherwise only proof that this tool obtained the refresh token lets the
 * browser sign-in spend it ("unknown": an unreadable store decides nothing).
 */
export function whoRenews(
  evidence: { claude: "yes" } | { claude: "no" | "unknown"; ownership: Ownership },
): Renewer {
  if (evidence.claude === "yes") return { kind: "claude-code" };
  const { ownership } = evidence;
  return ownership.kind === "foreign"
    ? { kind: "foreign", origin: ownership.origin }
    : { kind: "browser" };
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
  const { holdsClaudeTokens } = await lazyImport<typeof import("./methods/claude_code.ts")>(
    "lib/methods/claude_code.ts",
  );
  const claude = await holdsClaudeTokens(ctx, current.entry);
  const renewer = whoRenews(
    claude === "yes" ? { claude } : {
      claude,
      ownership: await ownershipOf(readState(ctx.stateFile), ctx.authFile, current.entry),
    },
  );
  if (renewer.kind === "foreign") throw foreignError(renewer.origin, ctx.authFile);
  if (renewer.kind === "browser") return current;
  ctx.ui.debug("the stored entry holds Claude Code's tokens: renewing it as a Claude Code session");
  return { ...current, method: "claude-code" };
}

/**
 * The stored credential's lifecycle: make it usable. Reads through the store
 * and decides from the entry alone whether it can be used as it is; only when
 * it cannot are its sign-in method (methods/index.ts) and lib/renewal.ts,
 * which writes under the lock, loaded. That split keeps `token` on a fresh
 * credential fast: it loads no method and takes no lock.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  credentialOf,
  DEFAULT_SKEW_MS,
  type Due,
  type EnsureOptions,
  isDue,
  type Method,
  type Usable,
} from "./credential_types.ts";
import type { CredentialOf } from "./methods/method.ts";
import { lazyImport } from "./lazy.ts";
import { loadStored, requireCredential } from "./store.ts";

/** When a token counts as due for these options. */
export async function dueFor(ctx: Context, options: EnsureOptions): Promise<Due> {
  return {
    now: ctx.now(),
    marginMs: options.aheadMs ?? await skewMs(ctx),
    ahead: options.aheadMs !== undefined,
    force: options.force === true,
    rejectedAccess: options.rejectedAccess,
  };
}

/**
 * The refresh skew. The settings table (its limits) loads only when the
 * variable is set: every module costs `token` start-up (about 0.3 ms).
 */
async function skewMs(ctx: Pick<Context, "env">): Promise<number> {
  if (!ctx.env.get("CLAUDE_CODE_AUTH_REFRESH_SKEW_MS")) return DEFAULT_SKEW_MS;
  const { refreshSkewMs } = await lazyImport<typeof import("./environment.ts")>(
    "lib/environment.ts",
  );
  return refreshSkewMs(ctx);
}

/**
 * Whether a stored credential can be used as it is, decided without loading
 * its method's module (each module costs `token` start-up): an API key
 * always; a browser sign-in while it is not due; a Claude Code session never,
 * since it is re-synced from Claude Code's store on every use.
 */
const USABLE_AS_IS: { [M in Method]: (current: CredentialOf<M>, due: Due) => boolean } = {
  "claude-code": () => false,
  browser: (current, due) => !isDue(current.entry, due),
  "api-key": () => true,
  // Nothing renews it: usable until it runs out, forced or not (its method then says why not).
  "setup-token": (current, due) => current.entry.expires > due.now,
};

/** Whether `current` can be used as it is (see USABLE_AS_IS). */
function usableAsIs<M extends Method>(current: CredentialOf<M>, due: Due): boolean {
  const method: M = current.method;
  return USABLE_AS_IS[method](current, due);
}

/**
 * Make the stored credential usable: an API key as is; a Claude Code session
 * re-synced from Claude Code's store (running `claude` when stale); a browser
 * sign-in refreshed with its refresh token when stale. Any number of
 * simultaneous callers cause at most one refresh.
 */
export async function ensureUsable(ctx: Context, options: EnsureOptions = {}): Promise<Usable> {
  // Read for "use": the state's bookkeeping (refused or minted refresh tokens,
  // the last refresh) may be left out; lib/renewal.ts reads it under the lock.
  const stored = requireCredential(await loadStored(ctx, "use"));
  const due = await dueFor(ctx, options);
  if (usableAsIs(stored, due)) return { ...credentialOf(stored), refreshed: false };
  const { signInMethod } = await lazyImport<typeof import("./methods/index.ts")>(
    "lib/methods/index.ts",
  );
  const method = await signInMethod(stored.method);
  const look = await method.inspect(ctx, stored, due);
  if (look.kind === "use") return { ...credentialOf(stored), refreshed: false, note: look.note };
  // Writing is the rare path: its code loads only now.
  const { adopt, renew } = await lazyImport<typeof import("./renewal.ts")>("lib/renewal.ts");
  if (look.kind === "adopt") return await adopt(ctx, stored, look.entry);
  return await renew(ctx, stored, due);
}

/**
 * The stored credential's lifecycle: make it usable. Reads through the store
 * and asks the credential's sign-in method whether it can be used as it is;
 * only when it cannot is lib/renewal.ts loaded, which writes under the lock.
 *
 * May import: store.ts, methods/index.ts, renewal.ts, credential_types.ts, context.ts.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  credentialOf,
  DEFAULT_SKEW_MS,
  type EnsureOptions,
  type Usable,
} from "./credential_types.ts";
import type { Due } from "./methods/method.ts";
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
async function skewMs(ctx: Context): Promise<number> {
  if (!ctx.env.get("CLAUDE_CODE_AUTH_REFRESH_SKEW_MS")) return DEFAULT_SKEW_MS;
  const { refreshSkewMs } = await lazyImport<typeof import("./environment.ts")>(
    "lib/environment.ts",
  );
  return refreshSkewMs(ctx);
}

/**
 * Make the stored credential usable: an API key as is; a Claude Code session
 * re-synced from Claude Code's store (running `claude` when stale); a browser
 * sign-in refreshed with its refresh token when stale. Any number of
 * simultaneous callers cause at most one refresh.
 */
export async function ensureUsable(ctx: Context, options: EnsureOptions = {}): Promise<Usable> {
  const stored = requireCredential(await loadStored(ctx, "use"));
  // An API key is never renewed: it is used without loading any method (the
  // `token` path of CI, where every module loaded costs start-up time).
  if (stored.method === "api-key") return { ...credentialOf(stored), refreshed: false };
  const due = await dueFor(ctx, options);
  const { signInMethod, usableAsIs } = await lazyImport<typeof import("./methods/index.ts")>(
    "lib/methods/index.ts",
  );
  if (usableAsIs(stored, due)) return { ...credentialOf(stored), refreshed: false };
  const method = await signInMethod(stored.method);
  const look = await method.inspect(ctx, stored, due);
  if (look.kind === "use") return { ...credentialOf(stored), refreshed: false, note: look.note };
  // Writing is the rare path: its code loads only now.
  const { adopt, renew } = await lazyImport<typeof import("./renewal.ts")>("lib/renewal.ts");
  if (look.kind === "adopt") return await adopt(ctx, stored, look.entry);
  return await renew(ctx, stored, due);
}

/** `refresh`: refresh now if stale, always with `--force`. */

import type { ParsedCommandLine } from "../cli.ts";
import type { Context } from "../context.ts";
import { ensureUsable, loadStored, needsRefresh, requireEntry } from "../credential.ts";
import { formatExpiry, methodLabel } from "../format.ts";

/** Options of `refresh`. */
export interface RefreshOptions {
  /** Refresh even if the token is still fresh. */
  force: boolean;
}

/** Refresh the stored credential through its method. */
export async function runRefresh(ctx: Context, options: RefreshOptions): Promise<number> {
  const stored = requireEntry(await loadStored(ctx));
  const entry = stored.entry;
  if (entry.type === "api") {
    ctx.ui.info("An API key has nothing to refresh; it stays as it is.");
    return 0;
  }
  if (!options.force && !needsRefresh(ctx, entry)) {
    ctx.ui.info(
      `The token is still fresh (${
        formatExpiry(entry.expires, ctx.now())
      }); nothing to do. Use --force to refresh anyway.`,
    );
    return 0;
  }
  const result = await ensureUsable(ctx, { force: options.force });
  const expires = result.entry.type === "oauth"
    ? formatExpiry(result.entry.expires, ctx.now())
    : "does not expire";
  if (result.refreshed) {
    ctx.ui.success(`Refreshed the ${methodLabel(result.method)}: the token ${expires}.`);
  } else {
    ctx.ui.info(`The ${methodLabel(result.method)} kept its current token, which ${expires}.`);
  }
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedCommandLine): Promise<number> {
  return runRefresh(ctx, { force: args.values.force === true });
}

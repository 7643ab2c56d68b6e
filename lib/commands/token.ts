/** `token`: print a usable access token or API key on stdout, like `gh auth token`. */

import type { ParsedCommandLine } from "../cli.ts";
import type { Context } from "../context.ts";
import { ensureUsable } from "../credential.ts";

/** `token` takes no options of its own. */
export type TokenOptions = Record<never, never>;

/** Print the credential, refreshing it first when stale. */
export async function runToken(ctx: Context, _options: TokenOptions): Promise<number> {
  const { entry } = await ensureUsable(ctx);
  ctx.ui.data(`${entry.type === "api" ? entry.key : entry.access}\n`);
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, _args: ParsedCommandLine): Promise<number> {
  return runToken(ctx, {});
}

/** `token`: print a usable access token or API key on stdout, like `gh auth token`. */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { ensureUsable } from "../credential.ts";
import { secretOf } from "../credential_types.ts";
import type { ExitCode } from "../errors.ts";

/** `token` takes no options of its own. */
export type TokenOptions = Record<never, never>;

/** Print the credential, refreshing it first when stale. */
export async function runToken(ctx: Context, _options: TokenOptions): Promise<ExitCode> {
  const { entry } = await ensureUsable(ctx);
  ctx.ui.data(`${secretOf(entry)}\n`);
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, _args: ParsedArgs<"token">): Promise<ExitCode> {
  return runToken(ctx, {});
}

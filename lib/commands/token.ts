/**
 * `token`: print a usable access token or API key on stdout, like `gh auth token`.
 *
 * lib/commands/ is the top layer: one file per command, each an options type,
 * `runX(ctx, options)` (what tests call in-process) and `run(ctx, args)` (what
 * main.ts loads lazily and calls with the parsed command line). A command
 * owns its output through `ctx.ui` and its exit code (`ExitCode`), and
 * writes auth.json and the state only through the store's transaction
 * (lib/store.ts `withStore`). May import anything below:
 * credential.ts and store.ts (the stored credential), methods/index.ts (the
 * method table), opencode/, claude_code/, oauth/config.ts, service/, and the
 * leaves. Only main.ts imports a command, and no command imports another.
 * `token` runs on every request of some editors: it imports statically only
 * the store's read path, everything else lazily (tests/architecture_test.ts).
 *
 * @module
 */

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

/**
 * `logout`: remove the `anthropic` entry from auth.json, this tool's row from
 * OpenCode 2's database (when it exists; rows this tool did not write stay),
 * and this tool's state; idempotent.
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import type { ExitCode } from "../errors.ts";
import { forgetState, loadStored, withStore } from "../store.ts";

/** `logout` takes no options of its own. */
export type LogoutOptions = Record<never, never>;

/** Remove the entry; every other provider's entry stays byte-for-byte. */
export async function runLogout(ctx: Context, _options: LogoutOptions): Promise<ExitCode> {
  // A corrupt file fails here, untouched; a missing one needs no lock (and no new directory).
  const before = await loadStored(ctx);
  let removed = false;
  if (before.snapshot.text !== null || before.database !== null) {
    removed = await withStore(ctx, "signing out", (tx) => tx.remove());
  } else {
    await forgetState(ctx);
  }
  if (removed) {
    const row = before.database ? ` and this tool's row from ${before.database.path}` : "";
    ctx.ui.success(`Signed out: removed the anthropic entry from ${ctx.authFile}${row}`);
    ctx.ui.info("Other providers' entries and Claude Code's own sign-in are untouched.");
  } else {
    ctx.ui.info(`Not signed in: ${ctx.authFile} has no anthropic entry. Nothing to do.`);
  }
  const left = before.database ? (await loadStored(ctx)).database?.picked : null;
  if (left) {
    ctx.ui.info(
      `OpenCode 2 still uses an anthropic credential this tool did not write (label ${
        JSON.stringify(left.label)
      }); \`opencode auth logout\` removes it.`,
    );
  }
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, _args: ParsedArgs<"logout">): Promise<ExitCode> {
  return runLogout(ctx, {});
}

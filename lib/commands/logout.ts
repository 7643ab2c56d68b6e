/**
 * `logout`: remove the `anthropic` entry from auth.json, this tool's row from
 * OpenCode 2's database (when it exists; rows this tool did not write stay),
 * and this tool's state; idempotent.
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { CliError, type ExitCode, PROGRAM } from "../errors.ts";
import { forgetState, loadStored, withStore } from "../store.ts";
import { checkProfileName } from "../profiles.ts";
import { currentProfiles, removeProfile } from "../profile_ops.ts";

/** Options of `logout`. */
export interface LogoutOptions {
  /** Remove this profile instead of the active credential. */
  profile?: string;
}

/**
 * Remove the entry (or with --profile, that profile; the active one as plain
 * logout); every other provider's entry stays byte-for-byte.
 */
export async function runLogout(ctx: Context, options: LogoutOptions): Promise<ExitCode> {
  if (options.profile !== undefined) {
    const name = checkProfileName(options.profile);
    const outcome = await removeProfile(ctx, name);
    if (outcome === "removed") {
      ctx.ui.success(`Removed profile ${name}; the active credential is unchanged.`);
      return 0;
    }
    if (outcome === "absent") {
      ctx.ui.info(`No profile named ${name}. Nothing to do.`);
      return 0;
    }
  }
  const code = await logoutActive(ctx);
  const left = await inactiveProfiles(ctx);
  if (left.length > 0) {
    ctx.ui.info(`Other profiles: ${left.join(", ")}; \`${PROGRAM} switch NAME\` makes one active.`);
  }
  return code;
}

/** The inactive profiles' names, for a hint; a damaged profiles file only loses the hint. */
async function inactiveProfiles(ctx: Context): Promise<string[]> {
  try {
    return Object.keys(currentProfiles(ctx, await loadStored(ctx)).profiles).sort();
  } catch (error) {
    if (error instanceof CliError) return [];
    throw error;
  }
}

/** Plain `logout`: remove the credential in use. */
async function logoutActive(ctx: Context): Promise<ExitCode> {
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
export function run(ctx: Context, args: ParsedArgs<"logout">): Promise<ExitCode> {
  return runLogout(ctx, { profile: args.values.profile });
}

/**
 * `switch NAME`: make profile NAME the credential OpenCode uses, saving the
 * credential in use now back into its own profile first (lib/profile_ops.ts).
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import { type Context, databaseFileFor } from "../context.ts";
import type { ExitCode } from "../errors.ts";
import { methodLabel } from "../format.ts";
import { checkProfileName } from "../profiles.ts";
import { switchProfile } from "../profile_ops.ts";
import { databaseExists, loadStored } from "../store.ts";

/** Options of `switch`. */
export interface SwitchOptions {
  /** The profile to make active. */
  name: string;
}

/** Switch profiles; exit 2 for an unknown one, 0 (saying so) for the active one. */
export async function runSwitch(ctx: Context, options: SwitchOptions): Promise<ExitCode> {
  const name = checkProfileName(options.name);
  if (await switchProfile(ctx, name) === "already") {
    ctx.ui.info(`Profile ${name} is already the active one; nothing to do.`);
    return 0;
  }
  const stored = await loadStored(ctx);
  const how = stored.method ? ` (${methodLabel(stored.method)})` : "";
  const account = stored.state?.email ? `, ${stored.state.email}` : "";
  ctx.ui.success(`Switched to profile ${name}${how}${account}.`);
  ctx.ui.info(`Stored in ${ctx.authFile}`);
  const database = databaseFileFor(ctx.env, ctx.authFile);
  if (databaseExists(database)) ctx.ui.info(`Also the active anthropic credential in ${database}`);
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"switch">): Promise<ExitCode> {
  return runSwitch(ctx, { name: args.positional ?? "" });
}

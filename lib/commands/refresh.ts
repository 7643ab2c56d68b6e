/**
 * `refresh`: refresh now if stale, always with `--force`; with `--ahead D`,
 * when the credential expires within D (what the scheduled job runs; each such
 * run's outcome is recorded for `service status`). A `--force` that the
 * minimum interval holds back exits 1 and says until when.
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { dueFor, ensureUsable } from "../usable.ts";
import { isDue } from "../credential_types.ts";
import { CliError, type ExitCode, FailureError } from "../errors.ts";
import { parseDuration } from "../duration.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { recordRun } from "../service/record.ts";
import { alignStores } from "../store.ts";
import { describeSetupToken } from "../setup_token.ts";
import { refreshIdleProfiles } from "../profile_ops.ts";

/** Options of `refresh`. */
export interface RefreshOptions {
  /** Refresh even if the token is still fresh. */
  force: boolean;
  /** Count the token as stale when it expires within this many ms (instead of the skew). */
  aheadMs?: number;
}

/** Make auth.json and OpenCode 2's database hold the same credential of this tool. */
async function align(ctx: Context): Promise<void> {
  const wrote = await alignStores(ctx);
  if (wrote === "opencode1-auth-json") {
    ctx.ui.info("Copied this tool's credential from OpenCode 2's database into auth.json.");
  } else if (wrote === "opencode2-db") {
    ctx.ui.info("Copied this tool's credential from auth.json into OpenCode 2's database.");
  }
}

/**
 * Refresh the active credential, then (whatever became of it) the idle
 * inactive browser profiles; one line says what happened to the active one.
 */
async function refresh(ctx: Context, options: RefreshOptions): Promise<string> {
  try {
    return await refreshActive(ctx, options);
  } finally {
    await refreshIdle(ctx);
  }
}

/** Keep idle browser profiles alive (lib/profile_ops.ts); a failure is a warning, not the run's. */
async function refreshIdle(ctx: Context): Promise<void> {
  try {
    for (const line of await refreshIdleProfiles(ctx)) {
      if (line.startsWith("Refreshed")) ctx.ui.info(line);
      else ctx.ui.warn(line);
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    ctx.ui.warn(`idle profiles were not refreshed: ${error.message}`);
  }
}

/** Refresh the stored credential through its method; one line says what happened. */
async function refreshActive(ctx: Context, options: RefreshOptions): Promise<string> {
  // First, so that what is refreshed is in both stores (a database that has
  // no anthropic row yet receives this tool's credential from auth.json).
  await align(ctx);
  const ensure = { force: options.force, aheadMs: options.aheadMs };
  const due = await dueFor(ctx, ensure);
  // An API key comes back as it is, forced or not: no second read to spot one first.
  const result = await ensureUsable(ctx, ensure);
  if (result.method === "api-key") {
    const message = "An API key has nothing to refresh; it stays as it is.";
    ctx.ui.info(message);
    return message;
  }
  if (result.method === "setup-token" && result.entry.type === "oauth") {
    // Expired, ensureUsable has thrown (exit 4): here it still lasts.
    const message = `A long-lived token has nothing to refresh: ${
      describeSetupToken(result.entry.expires, ctx.now())
    }.`;
    ctx.ui.info(message);
    return message;
  }
  const entry = result.entry;
  if (result.heldBack && options.force) {
    // A forced refresh that did not happen is not a success (exit 1): scripts rely on it.
    throw new FailureError(
      `not refreshed: the ${methodLabel(result.method)} was ${result.note}`,
      "try again then; the stored token is still valid until it expires",
    );
  }
  const expires = entry.type === "oauth"
    ? formatExpiry(entry.expires, ctx.now())
    : "does not expire";
  const label = methodLabel(result.method);
  let message: string;
  if (result.refreshed) {
    message = `Refreshed the ${label}: the token ${expires}.`;
    ctx.ui.success(message);
  } else if (!options.force && entry.type === "oauth" && !isDue(entry, due)) {
    message = `The token is still fresh (${expires}); nothing to do.`;
    ctx.ui.info(message);
    ctx.ui.info("Use --force to refresh anyway.");
  } else {
    message = `The ${label} kept its current token, which ${expires}.`;
    ctx.ui.info(message);
  }
  if (result.note) ctx.ui.info(`${result.note}.`);
  return message;
}

/** Refresh, and for `--ahead` record the outcome for `service status` (and log a failure). */
export async function runRefresh(ctx: Context, options: RefreshOptions): Promise<ExitCode> {
  if (options.aheadMs === undefined) {
    await refresh(ctx, options);
    return 0;
  }
  try {
    const message = await refresh(ctx, options);
    await recordRun(ctx, { ok: true, message });
    return 0;
  } catch (error) {
    const message = error instanceof CliError ? error.message : String(error);
    await recordRun(ctx, { ok: false, message });
    throw error;
  }
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"refresh">): Promise<ExitCode> {
  const ahead = args.values.ahead;
  return runRefresh(ctx, {
    force: args.values.force === true,
    aheadMs: ahead === undefined ? undefined : parseDuration(ahead, "--ahead"),
  });
}

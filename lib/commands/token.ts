/**
 * `token`: print a usable access token or API key on stdout, like `gh auth token`.
 *
 * lib/commands/ is the top layer: one file per command, each an options type,
 * `runX(ctx, options)` (what tests call in-process) and `run(ctx, args)` (what
 * main.ts loads lazily and calls with the parsed command line). A command
 * owns its output through `ctx.ui` and its exit code (`ExitCode`), and
 * writes auth.json and the state only through the store's transaction
 * (lib/store.ts `withStore`). `token` runs on every request of some editors:
 * it imports statically only the store's read path, everything else lazily.
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { ensureUsable } from "../usable.ts";
import { type AnthropicEntry, secretOf } from "../credential_types.ts";
import { type ExitCode, PROGRAM, UsageError } from "../errors.ts";

/** What `token` prints: the bare secret, one JSON object, or one HTTP header line. */
export type TokenFormat = "plain" | "json" | "header";

/** Options of `token`. */
export interface TokenOptions {
  /** Default "plain": the secret and a newline. */
  format?: TokenFormat;
}

/** The `--json` shape fixed by the contract. */
export interface TokenJson {
  /** The entry's type. */
  type: "oauth" | "api";
  /** The access token or API key. */
  token: string;
  /** Expiry in epoch milliseconds; null for a key. */
  expires: number | null;
  /** The HTTP header that carries it. */
  header: { name: string; value: string };
}

/**
 * The one header that carries `entry` to the API: `x-api-key` for a key,
 * `Authorization: Bearer` for an OAuth token (which the API also needs
 * `anthropic-beta: oauth-2025-04-20` beside; see `token --help`).
 */
export function authHeader(entry: AnthropicEntry): { name: string; value: string } {
  return entry.type === "api"
    ? { name: "x-api-key", value: entry.key }
    : { name: "Authorization", value: `Bearer ${entry.access}` };
}

/** What `token` prints for `entry` in `format`, newline included. */
export function tokenOutput(entry: AnthropicEntry, format: TokenFormat): string {
  if (format === "plain") return `${secretOf(entry)}\n`;
  const header = authHeader(entry);
  if (format === "header") return `${header.name}: ${header.value}\n`;
  const json: TokenJson = {
    type: entry.type,
    token: secretOf(entry),
    expires: entry.type === "oauth" ? entry.expires : null,
    header,
  };
  return JSON.stringify(json) + "\n";
}

/** Print the credential, refreshing it first when stale. */
export async function runToken(ctx: Context, options: TokenOptions): Promise<ExitCode> {
  const { entry } = await ensureUsable(ctx);
  ctx.ui.data(tokenOutput(entry, options.format ?? "plain"));
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"token">): Promise<ExitCode> {
  const { json, header } = args.values;
  if (json && header) {
    throw new UsageError(
      "--json and --header cannot be used together",
      `pick one (see \`${PROGRAM} token --help\`)`,
    );
  }
  return runToken(ctx, { format: json ? "json" : header ? "header" : "plain" });
}

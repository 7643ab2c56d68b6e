/** `status`: what is stored, whether it is usable, optionally checked against the API. */

import type { ParsedCommandLine } from "../cli.ts";
import type { Context } from "../context.ts";
import { loadStored, needsRefresh, type Stored } from "../credential.ts";
import { CliError } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { type Method, tokenFingerprint } from "../state.ts";

/** Options of `status`. */
export interface StatusOptions {
  /** Print one JSON object on stdout. */
  json: boolean;
  /** Ask the API whether the credential works. */
  check: boolean;
}

/** The `--json` shape fixed by the contract. */
export interface StatusJson {
  loggedIn: boolean;
  method: Method | null;
  type: "oauth" | "api" | null;
  authFile: string;
  expiresAt: number | null;
  fresh: boolean | null;
  account: { email?: string; organization?: string } | null;
}

/** The JSON object for what is stored. */
export function statusJson(ctx: Context, stored: Stored): StatusJson {
  const entry = stored.entry;
  const state = stored.state;
  const account: { email?: string; organization?: string } = {};
  if (state && (!state.authFile || state.authFile === ctx.authFile)) {
    if (typeof state.email === "string") account.email = state.email;
    if (typeof state.organization === "string") account.organization = state.organization;
  }
  return {
    loggedIn: entry !== null,
    method: stored.method,
    type: entry?.type ?? null,
    authFile: ctx.authFile,
    expiresAt: entry?.type === "oauth" ? entry.expires : null,
    fresh: entry?.type === "oauth" ? !needsRefresh(ctx, entry) : null,
    account: entry && Object.keys(account).length > 0 ? account : null,
  };
}

/**
 * Whether a stale entry can still be refreshed without the user: a browser
 * sign-in has a refresh token; a Claude Code session has Claude Code's
 * credentials to re-sync from (refreshed through the claude CLI).
 */
async function refreshable(ctx: Context, stored: Stored): Promise<{ ok: boolean; why: string }> {
  const entry = stored.entry;
  if (!entry || entry.type !== "oauth") return { ok: false, why: "" };
  if (stored.method === "browser") {
    if (!entry.refresh) return { ok: false, why: "it has no refresh token" };
    if (stored.state?.rejectedRefresh === await tokenFingerprint(entry.refresh)) {
      return { ok: false, why: "its refresh token was refused (invalid_grant)" };
    }
    return { ok: true, why: "it is refreshed with its refresh token on next use" };
  }
  const { findClaudeCredentials } = await import("../claude_code/credentials.ts");
  try {
    const found = await findClaudeCredentials(ctx);
    return found.credentials
      ? { ok: true, why: "it is re-synced from Claude Code (via the claude CLI) on next use" }
      : {
        ok: false,
        why: `Claude Code's credentials were not found (${found.searched.join("; ")})`,
      };
  } catch (error) {
    if (error instanceof CliError) return { ok: false, why: error.message };
    throw error;
  }
}

/** Report the stored sign-in; exit 0 when usable, 4 when sign-in is required. */
export async function runStatus(ctx: Context, options: StatusOptions): Promise<number> {
  let stored = await loadStored(ctx);
  let json = statusJson(ctx, stored);
  let usable = json.loggedIn;
  let note = "";
  if (json.fresh === false) {
    const result = await refreshable(ctx, stored);
    usable = result.ok;
    note = result.why;
  }
  if (usable && options.check && stored.entry) {
    const { checkCredential } = await import("../oauth/check.ts");
    const verdict = await checkCredential(ctx, stored);
    if (!options.json) ctx.ui.info(verdict.message);
    usable = verdict.ok;
    // The check may have refreshed the credential: report what is stored now.
    stored = await loadStored(ctx);
    json = statusJson(ctx, stored);
    note = "";
  }
  if (options.json) {
    ctx.ui.data(JSON.stringify(json) + "\n");
  } else {
    printHuman(ctx, stored, json, usable, note);
  }
  return usable ? 0 : 4;
}

function printHuman(ctx: Context, stored: Stored, json: StatusJson, usable: boolean, note: string) {
  const ui = ctx.ui;
  if (ctx.env.get("OPENCODE_AUTH_CONTENT")) {
    ui.warn("OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth.json while it is");
  }
  if (!json.loggedIn) {
    ui.info(
      stored.snapshot.problem
        ? `Not signed in: the anthropic entry in ${json.authFile} is unusable (${stored.snapshot.problem}).`
        : `Not signed in: no anthropic entry in ${json.authFile}.`,
    );
    ui.info("Run `opencode-claude-code-auth login` to sign in.");
    return;
  }
  const lines = [
    `Signed in with ${methodLabel(json.method!)} (${json.type} entry in ${json.authFile})`,
  ];
  if (json.account?.email) lines.push(`  account: ${json.account.email}`);
  if (json.account?.organization) lines.push(`  organization: ${json.account.organization}`);
  if (json.expiresAt !== null) {
    lines.push(`  token ${formatExpiry(json.expiresAt, ctx.now())}${json.fresh ? "" : " (stale)"}`);
  } else {
    lines.push("  API key: does not expire");
  }
  if (note) lines.push(`  ${usable ? "" : "not usable: "}${note}`);
  for (const line of lines) ui.info(line);
  if (!usable) ui.info("Run `opencode-claude-code-auth login` to sign in again.");
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedCommandLine): Promise<number> {
  return runStatus(ctx, { json: args.values.json === true, check: args.values.check === true });
}

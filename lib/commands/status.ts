/**
 * `status`: what is stored, whether it is usable, optionally checked against
 * the API (`--check`). Reads only, never refreshes: it must be safe to run at
 * any time, and `--json` has the shape fixed by the contract.
 *
 * @module
 */

import { PROGRAM } from "../errors.ts";
import { refreshSkewMs } from "../environment.ts";
import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { isStale, type Method } from "../credential_types.ts";
import type { ExitCode } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { signInMethod } from "../methods/index.ts";
import type { Renewability } from "../methods/method.ts";
import {
  loadStored,
  requireCredential,
  type Stored,
  type StoreKind,
  storesDisagree,
} from "../store.ts";
import { type AnthropicEntry, sameEntry } from "../credential_types.ts";
import { checkCredential } from "../check.ts";
import { listProfiles, type ProfileListing } from "../profile_ops.ts";
import { hasProfilesFile, OtherAuthFileError, profilesFileFor } from "../profiles.ts";
import {
  describeSetupToken,
  MAKE_NEW_SETUP_TOKEN,
  setupTokenExpired,
  setupTokenExpiresSoon,
} from "../setup_token.ts";

/** Options of `status`. */
export interface StatusOptions {
  /** Print one JSON object on stdout. */
  json: boolean;
  /** Ask the API whether the credential works. */
  check: boolean;
}

/** The `--json` shape fixed by the contract. */
export interface StatusJson {
  /** Whether an `anthropic` entry is stored. */
  loggedIn: boolean;
  /** The sign-in method that keeps it, or null. */
  method: Method | null;
  /** The entry's type, or null. */
  type: "oauth" | "api" | null;
  /** The auth.json this run uses. */
  authFile: string;
  /** Expiry of an `oauth` entry in epoch milliseconds; null for a key. */
  expiresAt: number | null;
  /** Whether an `oauth` entry is still fresh; null for a key. */
  fresh: boolean | null;
  /** The account, when known. */
  account: { email?: string; organization?: string } | null;
  /** Every OpenCode credential store that exists, what it holds (never a secret). */
  stores: StoreJson[];
  /**
   * Every profile holding a credential, the active one first (never a secret);
   * only once profiles are in use (`login --profile`), so that without them
   * the object stays as it always was.
   */
  profiles?: ProfileListing[];
}

/** One store in `status --json`. */
export interface StoreJson {
  /** Which store. */
  kind: StoreKind;
  /** Its file. */
  path: string;
  /** Whether OpenCode reads the credential from this store (the database when usable). */
  used: boolean;
  /** The method when this store holds the credential in use, else null. */
  method: Method | null;
  /** The type of its `anthropic` entry, or null. */
  type: "oauth" | "api" | null;
  /** Expiry of its `oauth` entry in epoch milliseconds, or null. */
  expiresAt: number | null;
  /** Why the store or its entry cannot be used, or null. */
  problem: string | null;
}

function storeJson(
  kind: StoreJson["kind"],
  path: string,
  entry: AnthropicEntry | null,
  stored: Stored,
  problem: string | null,
): StoreJson {
  const used = stored.used.kind === kind;
  return {
    kind,
    path,
    used,
    method: used || (entry !== null && sameEntry(entry, stored.entry)) ? stored.method : null,
    type: entry?.type ?? null,
    expiresAt: entry?.type === "oauth" ? entry.expires : null,
    problem,
  };
}

/** The stores that exist: auth.json (when present, or when it is the one used) and the database. */
function storesJson(stored: Stored): StoreJson[] {
  const stores: StoreJson[] = [];
  const { snapshot, database } = stored;
  if (snapshot.text !== null || database === null) {
    stores.push(
      storeJson("opencode1-auth-json", snapshot.path, snapshot.entry, stored, snapshot.problem),
    );
  }
  if (database) {
    stores.push(
      storeJson(
        "opencode2-db",
        database.path,
        database.entry,
        stored,
        database.refused ?? database.problem,
      ),
    );
  }
  return stores;
}

/** The JSON object for what is stored. */
export function statusJson(ctx: Context, stored: Stored): StatusJson {
  const entry = stored.entry;
  const account: { email?: string; organization?: string } = {};
  if (stored.state?.email !== undefined) account.email = stored.state.email;
  if (stored.state?.organization !== undefined) account.organization = stored.state.organization;
  const json: StatusJson = {
    loggedIn: entry !== null,
    method: stored.method,
    type: entry?.type ?? null,
    authFile: ctx.authFile,
    expiresAt: entry?.type === "oauth" ? entry.expires : null,
    fresh: entry?.type === "oauth" ? !isStale(entry.expires, ctx.now(), refreshSkewMs(ctx)) : null,
    account: entry && Object.keys(account).length > 0 ? account : null,
    stores: storesJson(stored),
  };
  if (hasProfilesFile(profilesFileFor(ctx.stateFile))) {
    try {
      json.profiles = listProfiles(ctx, stored);
    } catch (error) {
      // Another auth file's profiles are not this one's: none to list here.
      if (!(error instanceof OtherAuthFileError)) throw error;
    }
  }
  return json;
}

/**
 * Whether a stale entry can still be renewed here without the user: a
 * browser sign-in with a live refresh token; a Claude Code session whose
 * store holds a fresher token, or with `claude` on PATH to renew it.
 */
async function renewability(ctx: Context, stored: Stored): Promise<Renewability> {
  if (!stored.entry || !stored.method) return { ok: false, why: "" };
  const current = requireCredential(stored);
  return await (await signInMethod(current.method)).renewability(ctx, current);
}

/** Report the stored sign-in; exit 0 when usable, 4 when sign-in is required. */
export async function runStatus(ctx: Context, options: StatusOptions): Promise<ExitCode> {
  let stored = await loadStored(ctx);
  let json = statusJson(ctx, stored);
  let usable = json.loggedIn;
  let note = "";
  if (json.fresh === false) {
    const result = await renewability(ctx, stored);
    usable = result.ok;
    note = result.why;
  } else if (stored.method === "browser") {
    // A foreign entry is named as such while fresh, without calling it unusable.
    const result = await renewability(ctx, stored);
    if (result.foreign) note = result.why;
  }
  if (usable && options.check && stored.method) {
    const verdict = await checkCredential(ctx, stored.method);
    if (!options.json) ctx.ui.report(verdict.message);
    usable = verdict.ok;
    // The check may have refreshed the credential: report what is stored now.
    stored = await loadStored(ctx);
    json = statusJson(ctx, stored);
    note = "";
  }
  warnSetupTokenSoon(ctx, stored);
  if (options.json) {
    ctx.ui.data(JSON.stringify(json) + "\n");
  } else {
    printHuman(ctx, stored, json, usable, note);
  }
  return usable ? 0 : 4;
}

/** From 30 days before a long-lived token runs out, say so (on stderr, `--json` or not). */
function warnSetupTokenSoon(ctx: Context, stored: Stored): void {
  const entry = stored.entry;
  if (stored.method !== "setup-token" || entry?.type !== "oauth") return;
  const now = ctx.now();
  if (setupTokenExpired(entry.expires, now) || !setupTokenExpiresSoon(entry.expires, now)) return;
  ctx.ui.warn(
    `the long-lived token runs out soon: ${
      describeSetupToken(entry.expires, now)
    }; ${MAKE_NEW_SETUP_TOKEN}`,
  );
}

function printHuman(ctx: Context, stored: Stored, json: StatusJson, usable: boolean, note: string) {
  const ui = ctx.ui;
  if (ctx.env.get("OPENCODE_AUTH_CONTENT")) {
    ui.warn("OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth.json while it is");
  }
  const where = stored.used.path;
  if (stored.database?.refused) {
    ui.warn(
      `OpenCode 2's database ${stored.database.path} ${stored.database.refused}; reading auth.json`,
    );
  } else if (storesDisagree(stored)) {
    ui.warn(
      `auth.json and OpenCode 2's database hold different anthropic credentials; OpenCode 2 uses the database's (the next \`${PROGRAM} login\` or \`refresh --force\` makes them agree)`,
    );
  }
  if (!stored.entry || !stored.method) {
    ui.report(
      stored.used.problem
        ? `Not signed in: the anthropic entry in ${where} is unusable (${stored.used.problem}).`
        : `Not signed in: no anthropic entry in ${where}.`,
    );
    ui.report(`Run \`${PROGRAM} login\` to sign in.`);
    printProfiles(ctx, json.profiles ?? []);
    return;
  }
  const lines = [
    `Signed in with ${methodLabel(stored.method)} (${stored.entry.type} entry in ${where})`,
  ];
  if (json.account?.email) lines.push(`  account: ${json.account.email}`);
  if (json.account?.organization) lines.push(`  organization: ${json.account.organization}`);
  if (stored.method === "setup-token" && json.expiresAt !== null) {
    lines.push(`  long-lived token: ${describeSetupToken(json.expiresAt, ctx.now())}`);
  } else if (json.expiresAt !== null) {
    lines.push(`  token ${formatExpiry(json.expiresAt, ctx.now())}${json.fresh ? "" : " (stale)"}`);
  } else {
    lines.push("  API key: does not expire");
  }
  if (note) lines.push(`  ${usable ? "" : "not usable: "}${note}`);
  for (const line of lines) ui.report(line);
  // A long-lived token's note already says what to do instead.
  if (!usable && stored.method !== "setup-token") {
    ui.report(`Run \`${PROGRAM} login\` to sign in again.`);
  }
  printProfiles(ctx, json.profiles ?? []);
}

/** The profiles, once there is more than the implicit one (`*` marks the active one). */
function printProfiles(ctx: Context, profiles: ProfileListing[]): void {
  if (profiles.length === 0) return;
  const now = ctx.now();
  const width = Math.max(...profiles.map((profile) => profile.name.length));
  ctx.ui.report("Profiles:");
  for (const profile of profiles) {
    const expiry = profile.expiresAt === null
      ? "does not expire"
      : profile.method === "setup-token"
      ? describeSetupToken(profile.expiresAt, now)
      : `token ${formatExpiry(profile.expiresAt, now)}`;
    const parts = [
      profile.method ? methodLabel(profile.method) : `${profile.type} entry`,
      profile.account,
      expiry,
    ].filter(Boolean);
    ctx.ui.report(
      `  ${profile.active ? "*" : " "} ${profile.name.padEnd(width)}  ${parts.join(", ")}`,
    );
  }
  if (profiles.length > 1) {
    ctx.ui.report(`Run \`${PROGRAM} switch NAME\` to change the active one.`);
  }
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"status">): Promise<ExitCode> {
  return runStatus(ctx, { json: args.values.json === true, check: args.values.check === true });
}

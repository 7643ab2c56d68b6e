/**
 * `login`: sign in with one of the sign-in methods and store the credential.
 * The method does the sign-in; this command picks it (asking on a terminal),
 * refuses to overwrite a working sign-in without consent, and writes only
 * after the sign-in has succeeded.
 *
 * @module
 */

import type { ParsedArgs } from "../cli.ts";
import { type Context, databaseFileFor, defaultAuthFile } from "../context.ts";
import { isStale, type Method, METHODS, type SignInResult } from "../credential_types.ts";
import { refreshSkewMs } from "../environment.ts";
import { CliError, type ExitCode, UsageError } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { refuseReadOnly } from "../fs/read_only.ts";
import { hasAnthropicPrefix } from "../secret_line.ts";
import { signInMethod } from "../methods/index.ts";
import { CorruptAuthFileError, readAuthFile } from "../opencode/auth_read.ts";
import {
  type Advice,
  OAUTH_NOT_CONSUMED,
  OAUTH_NOT_CONSUMED_V2,
  scanPlugins,
} from "../opencode/config.ts";
import { canAsk, choose, confirm } from "../prompt.ts";
import { newState } from "../state.ts";
import { describeSetupToken, parseExpiresDate } from "../setup_token.ts";
import { databaseExists, loadStored, requireCredential, withStore } from "../store.ts";
import { findClaudeCredentials } from "../claude_code/credentials.ts";
import { checkProfileName } from "../profiles.ts";
import { activeProfileName, currentProfiles, putAsProfile } from "../profile_ops.ts";

/** Options of `login`. */
export interface LoginOptions {
  /** The method; asked on a terminal when omitted. */
  method?: Method;
  /** Print the URL without opening a browser. */
  noBrowser: boolean;
  /** Browser sign-in to the Console that mints and stores an API key. */
  createApiKey: boolean;
  /** Read the API key from stdin even on a terminal (like gh's `--with-token`). */
  withKey?: boolean;
  /** Read the API key from this environment variable. */
  fromEnv?: string;
  /** A long-lived token's expiry as given to `--expires` (a date or an ISO timestamp). */
  expires?: string;
  /** Replace a working sign-in without asking; move a corrupt auth.json aside first. */
  force: boolean;
  /** Keep the sign-in as this profile and make it the active one. */
  profile?: string;
}

/** What the picker shows for each method (at most 80 columns a line). */
const PICKER_CHOICES: Record<Method, { label: string; detail: string }> = {
  "claude-code": {
    label: "Claude Code session",
    detail: "reuse Claude Code's sign-in; renewed by running `claude`",
  },
  browser: {
    label: "Browser sign-in",
    detail: "OAuth in your browser, no Claude Code needed; renewed with refresh tokens",
  },
  "api-key": {
    label: "API key",
    detail: "a static key (CI, headless); nothing to renew",
  },
  "setup-token": {
    label: "Long-lived token",
    detail: "paste what `claude setup-token` prints (servers, CI); lasts a year",
  },
};

/** Whether OpenCode, as configured now, uses what `method` stores. */
function usedByOpenCode(method: Method, oauthPlugin: boolean): boolean {
  // OpenCode 1.3+ reads an `api` entry natively; an `oauth` entry only through a plugin.
  return method === "api-key" || oauthPlugin;
}

/**
 * Ask for the method. Each choice says whether OpenCode will use it as things
 * stand; Enter takes the Claude Code session when its credentials are found
 * (the contract), else the first method OpenCode will use.
 */
async function pickMethod(ctx: Context): Promise<Method> {
  let claudeFound = false;
  try {
    claudeFound = (await findClaudeCredentials(ctx)).credentials !== null;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
  }
  const oauthPlugin = (await scanPlugins(ctx)).oauthPlugins.length > 0;
  const choices = METHODS.map((method) => ({
    detail: PICKER_CHOICES[method].detail,
    label: PICKER_CHOICES[method].label +
      (method === "claude-code" && claudeFound ? " (Claude Code sign-in found)" : "") +
      (usedByOpenCode(method, oauthPlugin) ? " - OpenCode uses it" : " - needs an OpenCode plugin"),
  }));
  const usable = (method: Method) =>
    usedByOpenCode(method, oauthPlugin) && (method !== "claude-code" || claudeFound);
  const preferred = claudeFound ? "claude-code" : METHODS.find(usable) ?? "api-key";
  if (!oauthPlugin) {
    ctx.ui.line("No OpenCode plugin for Anthropic OAuth was found: OpenCode uses an API key.");
  }
  const index = await choose(
    ctx.ui,
    "How do you want to sign OpenCode into Anthropic?",
    choices,
    METHODS.indexOf(preferred),
  );
  return METHODS[index];
}

/**
 * The working sign-in stored now, described for the question before it is
 * replaced ("API key, me@example.com"), or null when there is none that works.
 */
async function workingSignIn(ctx: Context): Promise<string | null> {
  let stored;
  try {
    stored = await loadStored(ctx);
  } catch (error) {
    if (error instanceof CliError) return null;
    throw error;
  }
  if (!stored.entry || !stored.method) return null;
  if (
    stored.entry.type === "oauth" && isStale(stored.entry.expires, ctx.now(), refreshSkewMs(ctx))
  ) {
    const current = requireCredential(stored);
    if (!(await (await signInMethod(current.method)).renewability(ctx, current)).ok) return null;
  }
  return [methodLabel(stored.method), stored.state?.email].filter(Boolean).join(", ");
}

/** Whether `login --profile NAME` leaves the credential in use now in its own profile. */
async function keepsCurrent(ctx: Context, profile: string | undefined): Promise<boolean> {
  if (profile === undefined) return false;
  const stored = await loadStored(ctx).catch(() => null);
  return activeProfileName(ctx, stored) !== profile;
}

/** The method the flags ask for, checked for flags that do not go together. */
function methodOf(options: LoginOptions): Method | undefined {
  const keyFlag = options.withKey
    ? "--with-key"
    : options.fromEnv !== undefined
    ? "--from-env"
    : "";
  if (options.withKey && options.fromEnv !== undefined) {
    throw new UsageError("give --with-key or --from-env, not both");
  }
  const pasted = options.method === undefined || options.method === "api-key" ||
    options.method === "setup-token";
  if (keyFlag && (options.createApiKey || !pasted)) {
    throw new UsageError(
      `${keyFlag} reads an API key or a long-lived token: it works with --method api-key or --method setup-token only`,
    );
  }
  if (options.expires !== undefined && options.method !== "setup-token") {
    throw new UsageError("--expires works with --method setup-token only");
  }
  if (options.createApiKey && options.method && options.method !== "browser") {
    throw new UsageError("--create-api-key works with --method browser only");
  }
  if (options.method) return options.method;
  if (keyFlag) return "api-key";
  return options.createApiKey ? "browser" : undefined;
}

/** Whether `a` and `b` name the same file (through symlinked folders too). */
function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return false;
  }
}

/** Sign in and store the credential; nothing is written unless sign-in succeeds. */
export async function runLogin(ctx: Context, options: LoginOptions): Promise<ExitCode> {
  const profile = options.profile === undefined ? undefined : checkProfileName(options.profile);
  let method = methodOf(options);
  // Checked before anything is read or asked: a bad date must not cost a paste.
  const expires = options.expires === undefined
    ? undefined
    : parseExpiresDate(options.expires, ctx.now());
  // A corrupt auth.json stops us before any prompt, unless --force will move it aside.
  try {
    await readAuthFile(ctx.authFile);
  } catch (error) {
    if (!(error instanceof CorruptAuthFileError && options.force)) throw error;
  }
  await refuseReadOnly(ctx.authFile);
  // A damaged profiles file (or another auth file's) stops us before anything is spent.
  if (profile !== undefined) currentProfiles(ctx, await loadStored(ctx).catch(() => null));
  // Like gh: on a terminal, a working sign-in is replaced only when the user says so
  // (another profile's sign-in replaces nothing: the one in use is kept in its profile).
  if (!options.force && canAsk(ctx.io) && !await keepsCurrent(ctx, profile)) {
    const current = await workingSignIn(ctx);
    if (current && !await confirm(ctx.ui, `You are already signed in (${current}). Replace it?`)) {
      ctx.ui.info("Kept the current sign-in; nothing was written.");
      return 0;
    }
  }
  if (!method) {
    if (!ctx.io.stdinIsTerminal()) {
      throw new UsageError(
        "no --method given and no terminal to ask on",
        "pass --method claude-code, --method browser, --method api-key or --method setup-token",
      );
    }
    method = await pickMethod(ctx);
  }

  const result: SignInResult = await (await signInMethod(method)).acquire(ctx, {
    openBrowser: !options.noBrowser,
    createApiKey: options.createApiKey,
    withKey: options.withKey,
    fromEnv: options.fromEnv,
    expires,
  });
  // A key that does not look like one is accepted without a terminal to ask on
  // (the contract: warn, but accept); the warning says what it replaces.
  const unlikelyKey = result.entry.type === "api" && !hasAnthropicPrefix(result.entry.key) &&
    !canAsk(ctx.io);
  const replaced = unlikelyKey ? await workingSignIn(ctx) : null;

  // The user's sign-in wins over whatever is stored now: no compare-and-swap here.
  let movedTo: string | null = null;
  try {
    await withStore(ctx, "signing in", async (tx) => {
      if (options.force) movedTo = await tx.moveAside();
      const state = newState(result.method, result);
      if (profile === undefined) await tx.put(result.entry, state);
      else await putAsProfile(ctx, tx, profile, result.entry, state);
    });
  } finally {
    // Said even when the sign-in then fails: the user's file is there, not lost.
    if (movedTo) ctx.ui.warn(`moved the corrupt ${ctx.authFile} aside to ${movedTo}`);
  }
  const account = result.email ? ` as ${result.email}` : "";
  // Two lines: with a path of its own, the second stays short enough to read.
  const database = databaseFileFor(ctx.env, ctx.authFile);
  const openCode2 = databaseExists(database);
  const kept = profile === undefined ? "" : ` as profile ${profile} (now the active one)`;
  ctx.ui.success(`Signed in with ${methodLabel(result.method)}${account}${kept}.`);
  ctx.ui.info(`Stored as an ${result.entry.type} entry in ${ctx.authFile}`);
  if (openCode2) ctx.ui.info(`Also the active anthropic credential in ${database}`);
  if (result.method === "setup-token") {
    ctx.ui.info(`The long-lived token: ${describeSetupToken(result.entry.expires, ctx.now())}.`);
  } else if (result.entry.type === "oauth") {
    ctx.ui.info(`The token ${formatExpiry(result.entry.expires, ctx.now())}.`);
  }
  if (result.entry.type === "oauth") {
    const scan = await scanPlugins(ctx);
    const unused: Advice | null = openCode2
      ? (scan.oauthPluginsV2.length === 0 ? OAUTH_NOT_CONSUMED_V2 : null)
      : (scan.oauthPlugins.length === 0 ? OAUTH_NOT_CONSUMED : null);
    if (unused) {
      ctx.ui.warn(unused.warning);
      ctx.ui.hint(unused.fix);
    }
  }
  if (ctx.env.get("OPENCODE_AUTH_CONTENT")) {
    ctx.ui.warn("OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth.json while it is");
  }
  const opencodeFile = defaultAuthFile(ctx.env, ctx.os);
  if (!samePath(ctx.authFile, opencodeFile)) {
    ctx.ui.warn(`OpenCode reads ${opencodeFile}, not this file: it will not see this sign-in`);
  }
  // Last, so it is what the user sees (asked on a terminal instead: see the API-key method).
  if (unlikelyKey) {
    ctx.ui.warn(
      replaced
        ? `the stored key does not start with \`sk-ant-\` and replaced a working sign-in (${replaced})`
        : "the stored key does not start with `sk-ant-`: is it an Anthropic API key?",
    );
  }
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"login">): Promise<ExitCode> {
  return runLogin(ctx, {
    method: args.values.method,
    noBrowser: args.values["no-browser"] === true,
    createApiKey: args.values["create-api-key"] === true,
    withKey: args.values["with-key"] === true,
    fromEnv: args.values["from-env"],
    expires: args.values.expires,
    force: args.values.force === true,
    profile: args.values.profile,
  });
}

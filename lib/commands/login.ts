/** `login`: sign in with one of the three methods and store the credential. */

import type { ParsedArgs } from "../cli.ts";
import type { Context } from "../context.ts";
import { type Method, METHODS, type SignInResult } from "../credential_types.ts";
import { CliError, type ExitCode, UsageError } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { signInMethod } from "../methods/index.ts";
import { CorruptAuthFileError, readAuthFile } from "../opencode/auth_read.ts";
import {
  OAUTH_NOT_CONSUMED_WARNING,
  OAUTH_NOT_CONSUMED_WARNING_V2,
  scanPlugins,
} from "../opencode/config.ts";
import { databaseFileFor } from "../context.ts";
import { databaseExists } from "../store.ts";
import { choose } from "../prompt.ts";
import { newState } from "../state.ts";
import { withStore } from "../store.ts";
import { findClaudeCredentials } from "../claude_code/credentials.ts";

/** Options of `login`. */
export interface LoginOptions {
  /** The method; asked on a terminal when omitted. */
  method?: Method;
  /** Print the URL without opening a browser. */
  noBrowser: boolean;
  /** Browser sign-in to the Console that mints and stores an API key. */
  createApiKey: boolean;
  /** Move a corrupt auth.json aside first. */
  force: boolean;
}
const PICKER_CHOICES: Record<Method, { label: string; detail: string }> = {
  "claude-code": {
    label: "Claude Code session",
    detail: "reuse Claude Code's sign-in; needs Claude Code; auto refresh by running `claude`",
  },
  browser: {
    label: "Browser sign-in",
    detail: "OAuth in your browser, no Claude Code needed; auto refresh with refresh tokens",
  },
  "api-key": {
    label: "API key",
    detail: "a static key for CI and headless use; no refresh; used by OpenCode natively",
  },
};

async function pickMethod(ctx: Context): Promise<Method> {
  let claudeFound = false;
  try {
    claudeFound = (await findClaudeCredentials(ctx)).credentials !== null;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
  }
  const choices = METHODS.map((method) => ({
    ...PICKER_CHOICES[method],
    label: PICKER_CHOICES[method].label +
      (method === "claude-code" && claudeFound ? " (Claude Code sign-in found)" : ""),
  }));
  ctx.ui.line(
    "Note: OpenCode 1.3+ uses an API key natively; the two OAuth methods need an OpenCode plugin that consumes them.",
  );
  const index = await choose(
    ctx.ui,
    "How do you want to sign OpenCode into Anthropic?",
    choices,
    claudeFound ? 0 : 1,
  );
  return METHODS[index];
}

/** Sign in and store the credential; nothing is written unless sign-in succeeds. */
export async function runLogin(ctx: Context, options: LoginOptions): Promise<ExitCode> {
  if (options.createApiKey && options.method && options.method !== "browser") {
    throw new UsageError("--create-api-key works with --method browser only");
  }
  // A corrupt auth.json stops us before any prompt, unless --force will move it aside.
  try {
    await readAuthFile(ctx.authFile);
  } catch (error) {
    if (!(error instanceof CorruptAuthFileError && options.force)) throw error;
  }
  let method = options.method ?? (options.createApiKey ? "browser" : undefined);
  if (!method) {
    if (!ctx.io.stdinIsTerminal()) {
      throw new UsageError(
        "no --method given and no terminal to ask on",
        "pass --method claude-code, --method browser or --method api-key",
      );
    }
    method = await pickMethod(ctx);
  }

  const result: SignInResult = await (await signInMethod(method)).acquire(ctx, {
    openBrowser: !options.noBrowser,
    createApiKey: options.createApiKey,
  });

  // The user's sign-in wins over whatever is stored now: no compare-and-swap here.
  const movedTo = await withStore(ctx, "signing in", async (tx) => {
    const moved = options.force ? await tx.moveAside() : null;
    await tx.put(result.entry, newState(result.method, result));
    return moved;
  });

  if (movedTo) ctx.ui.warn(`moved the corrupt ${ctx.authFile} aside to ${movedTo}`);
  const account = result.email ? ` as ${result.email}` : "";
  const database = databaseFileFor(ctx.env, ctx.authFile);
  const openCode2 = databaseExists(database);
  ctx.ui.success(
    `Signed in with ${
      methodLabel(result.method)
    }${account}; stored as ${result.entry.type} entry in ${ctx.authFile}${
      openCode2 ? ` and as the active anthropic credential in ${database}` : ""
    }`,
  );
  if (result.entry.type === "oauth") {
    ctx.ui.info(`The token ${formatExpiry(result.entry.expires, ctx.now())}.`);
    const scan = await scanPlugins(ctx);
    if (openCode2 && scan.oauthPluginsV2.length === 0) ctx.ui.warn(OAUTH_NOT_CONSUMED_WARNING_V2);
    if (!openCode2 && scan.oauthPlugins.length === 0) ctx.ui.warn(OAUTH_NOT_CONSUMED_WARNING);
  }
  if (ctx.env.get("OPENCODE_AUTH_CONTENT")) {
    ctx.ui.warn("OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth.json while it is");
  }
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"login">): Promise<ExitCode> {
  return runLogin(ctx, {
    method: args.values.method,
    noBrowser: args.values["no-browser"] === true,
    createApiKey: args.values["create-api-key"] === true,
    force: args.values.force === true,
  });
}

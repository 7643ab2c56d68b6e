/** `login`: sign in with one of the three methods and store the credential. */

import { hasAnthropicPrefix, parseApiKey } from "../api_key.ts";
import type { ParsedCommandLine } from "../cli.ts";
import type { Context } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { CorruptAuthFileError, readAuthFile, withAuthFile } from "../opencode/auth_file.ts";
import { OAUTH_NOT_CONSUMED_WARNING, scanPlugins } from "../opencode/config.ts";
import type { AnthropicEntry } from "../opencode/entry.ts";
import { choose, readAllStdin, readSecret } from "../prompt.ts";
import { registerSecret } from "../redact.ts";
import { type AnthropicState, type Method, METHODS, sourceOf, writeState } from "../state.ts";

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

/** A credential obtained by a sign-in method, ready to store. */
export interface SignInResult {
  entry: AnthropicEntry;
  /** The method whose source the state file records. */
  method: Method;
  email?: string;
  organization?: string;
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
  const { findClaudeCredentials } = await import("../claude_code/credentials.ts");
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
  ctx.io.writeErr(
    "Note: OpenCode 1.3+ uses an API key natively; the two OAuth methods need an OpenCode plugin that consumes them.\n",
  );
  const index = await choose(
    ctx.io,
    "How do you want to sign OpenCode into Anthropic?",
    choices,
    claudeFound ? 0 : 1,
  );
  return METHODS[index];
}

async function readApiKeyInput(ctx: Context): Promise<string> {
  const raw = ctx.io.stdinIsTerminal()
    ? await readSecret(ctx.io, "Paste your Anthropic API key (input is hidden): ")
    : await readAllStdin(ctx.io);
  const key = parseApiKey(raw);
  registerSecret(key);
  if (!hasAnthropicPrefix(key)) {
    ctx.ui.warn("the key does not start with `sk-ant-`; storing it anyway");
  }
  return key;
}

async function signIn(ctx: Context, method: Method, options: LoginOptions): Promise<SignInResult> {
  switch (method) {
    case "api-key":
      return { entry: { type: "api", key: await readApiKeyInput(ctx) }, method };
    case "claude-code": {
      const { acquireClaudeCodeSession } = await import("../claude_code/session.ts");
      return await acquireClaudeCodeSession(ctx);
    }
    case "browser": {
      const { browserLogin } = await import("../oauth/browser_login.ts");
      return await browserLogin(ctx, {
        openBrowser: !options.noBrowser,
        createApiKey: options.createApiKey,
      });
    }
  }
}

/** Sign in and store the credential; nothing is written unless sign-in succeeds. */
export async function runLogin(ctx: Context, options: LoginOptions): Promise<number> {
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

  const result = await signIn(ctx, method, options);

  const movedTo = await withAuthFile(ctx.authFile, async (tx) => {
    const moved = options.force ? await tx.moveAside() : null;
    await tx.write(result.entry);
    const state: AnthropicState = { source: sourceOf(result.method), authFile: ctx.authFile };
    if (result.email) state.email = result.email;
    if (result.organization) state.organization = result.organization;
    await writeState(ctx.stateFile, state);
    return moved;
  });

  if (movedTo) ctx.ui.warn(`moved the corrupt ${ctx.authFile} aside to ${movedTo}`);
  const account = result.email ? ` as ${result.email}` : "";
  ctx.ui.success(
    `Signed in with ${
      methodLabel(result.method)
    }${account}; stored as ${result.entry.type} entry in ${ctx.authFile}`,
  );
  if (result.entry.type === "oauth") {
    ctx.ui.info(`The token ${formatExpiry(result.entry.expires, ctx.now())}.`);
    const scan = await scanPlugins(ctx);
    if (scan.oauthPlugins.length === 0) ctx.ui.warn(OAUTH_NOT_CONSUMED_WARNING);
  }
  if (ctx.env.get("OPENCODE_AUTH_CONTENT")) {
    ctx.ui.warn("OPENCODE_AUTH_CONTENT is set: OpenCode ignores auth.json while it is");
  }
  return 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedCommandLine): Promise<number> {
  return runLogin(ctx, {
    method: args.values.method as Method | undefined,
    noBrowser: args.values["no-browser"] === true,
    createApiKey: args.values["create-api-key"] === true,
    force: args.values.force === true,
  });
}

/** `login --method browser`: OAuth authorization code with PKCE, pasted back by the user. */

import type { SignInResult } from "../commands/login.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { readLine } from "../prompt.ts";
import { registerSecret } from "../redact.ts";
import { buildAuthorizeUrl, checkState, parsePastedCode } from "./authorize.ts";
import { openBrowser } from "./browser.ts";
import { createApiKey, exchangeCode } from "./client.ts";
import { loadOAuthConfig } from "./config.ts";
import { userAgent } from "./http.ts";
import { challengeFor, createState, createVerifier } from "./pkce.ts";

/** Options of the browser sign-in. */
export interface BrowserLoginOptions {
  /** Try to open the browser (off with --no-browser). */
  openBrowser: boolean;
  /** Sign in to the Console and store a newly minted API key instead. */
  createApiKey: boolean;
}

/** Run the browser sign-in and return the credential to store. */
export async function browserLogin(
  ctx: Context,
  options: BrowserLoginOptions,
): Promise<SignInResult> {
  // Every endpoint and the User-Agent override are checked before anything is
  // printed or requested (a bad one would otherwise fail only after the paste).
  const config = loadOAuthConfig(ctx.env);
  userAgent(ctx);
  const verifier = createVerifier();
  registerSecret(verifier);
  const state = createState();
  const challenge = await challengeFor(verifier);
  const base = options.createApiKey ? config.consoleAuthorizeUrl : config.authorizeUrl;
  const url = buildAuthorizeUrl(base, config, { challenge, state });

  ctx.io.writeErr("Open this URL in your browser and sign in:\n\n");
  ctx.io.writeErr(`${url}\n\n`);
  if (options.openBrowser && openBrowser(ctx, url)) {
    ctx.io.writeErr("(A browser window should have opened. If not, copy the URL above.)\n");
  }
  ctx.io.writeErr("Paste the code shown after signing in (code#state): ");
  let line = await readLine(ctx.io);
  // An Enter pressed before pasting must not end the sign-in: ask again.
  while (line !== null && line.trim() === "") {
    if (ctx.io.stdinIsTerminal()) ctx.io.writeErr("Paste the code (code#state): ");
    line = await readLine(ctx.io);
  }
  if (!ctx.io.stdinIsTerminal()) ctx.io.writeErr("\n");
  if (line === null) throw new UsageError("no code was pasted (end of input); nothing was written");
  const pasted = parsePastedCode(line);
  registerSecret(pasted.code);
  checkState(pasted, state);

  const tokens = await exchangeCode(ctx, config, { code: pasted.code, state, verifier });
  const account = { email: tokens.email, organization: tokens.organization };
  if (options.createApiKey) {
    const key = await createApiKey(ctx, config, tokens.accessToken);
    return { entry: { type: "api", key }, method: "api-key", ...account };
  }
  return {
    entry: {
      type: "oauth",
      refresh: tokens.refreshToken,
      access: tokens.accessToken,
      expires: Math.round(ctx.now() + tokens.expiresIn * 1000),
    },
    method: "browser",
    ...account,
  };
}

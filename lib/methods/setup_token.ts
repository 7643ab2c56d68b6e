/**
 * The long-lived token: what `claude setup-token` prints, an OAuth access
 * token good for a year with no refresh token. Read like an API key
 * (lib/methods/secret_input.ts), stored as an `oauth` entry with
 * `"refresh": ""`; nothing ever renews it: once it runs out, the user makes
 * a new one.
 *
 * @module
 */

import type { ClockContext, EnvContext, TerminalContext } from "../context.ts";
import type { SignInResult } from "../credential_types.ts";
import {
  checkSetupTokenShape,
  describeSetupToken,
  MAKE_NEW_SETUP_TOKEN,
  SETUP_TOKEN_LIFETIME_MS,
  setupTokenExpired,
  setupTokenExpiredError,
} from "../setup_token.ts";
import type {
  AcquireOptions,
  Inspection,
  Renewability,
  Renewal,
  SetupTokenCredential,
  SignInMethod,
} from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { readPastedSecret } from "./secret_input.ts";

/** Read the token and make its entry: `--expires`, else a year from now. */
async function acquire(
  ctx: TerminalContext & EnvContext & ClockContext,
  options: AcquireOptions,
): Promise<SignInResult> {
  const { parseSecretLine } = await lazyImport<typeof import("../secret_line.ts")>(
    "lib/secret_line.ts",
  );
  const access = await readPastedSecret(ctx, options, {
    noun: "token",
    variable: "CLAUDE_CODE_OAUTH_TOKEN",
    loginArgs: "login --method setup-token",
    prompt: "Paste the token `claude setup-token` printed (input is hidden): ",
    parse(raw, from) {
      const what = `the token ${from}`;
      const token = parseSecretLine(raw, what);
      checkSetupTokenShape(token, what);
      return token;
    },
  });
  const expires = options.expires ?? ctx.now() + SETUP_TOKEN_LIFETIME_MS;
  return { method: "setup-token", entry: { type: "oauth", refresh: "", access, expires } };
}

/** Usable until it runs out; then a sign-in is required. */
function inspect(ctx: ClockContext, current: SetupTokenCredential): Promise<Inspection> {
  const { expires } = current.entry;
  if (setupTokenExpired(expires, ctx.now())) {
    return Promise.reject(setupTokenExpiredError(expires, ctx.now()));
  }
  return Promise.resolve({ kind: "use" });
}

/** Nothing to renew: say so while it lasts, fail once it has run out. */
function renew(ctx: ClockContext, current: SetupTokenCredential): Promise<Renewal> {
  const { expires } = current.entry;
  if (setupTokenExpired(expires, ctx.now())) {
    return Promise.resolve({
      entry: null,
      renewed: false,
      error: setupTokenExpiredError(expires, ctx.now()),
    });
  }
  return Promise.resolve({
    entry: null,
    renewed: false,
    note: `a long-lived token has nothing to refresh: ${describeSetupToken(expires, ctx.now())}`,
  });
}

function renewability(ctx: ClockContext, current: SetupTokenCredential): Promise<Renewability> {
  const { expires } = current.entry;
  return Promise.resolve(
    setupTokenExpired(expires, ctx.now())
      ? { ok: false, why: `the long-lived token cannot be refreshed: ${MAKE_NEW_SETUP_TOKEN}` }
      : { ok: true, why: `a long-lived token: ${describeSetupToken(expires, ctx.now())}` },
  );
}

/** The long-lived token method. */
export const setupTokenMethod: SignInMethod<SetupTokenCredential> = {
  acquire,
  inspect,
  renew,
  renewability,
};

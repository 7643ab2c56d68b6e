/**
 * The browser sign-in: OAuth authorization code with PKCE, pasted back by the
 * user, and renewal with the rotating refresh token. The protocol steps are
 * in lib/oauth/; this file only strings them together.
 *
 * @module
 */

import type { ClockContext, Context, TerminalContext } from "../context.ts";
import type { HttpContext } from "../oauth/http.ts";
import {
  isDue,
  type OAuthEntry,
  refreshNotBefore,
  type SignInResult,
} from "../credential_types.ts";
import { PROGRAM, SignInRequiredError, UsageError } from "../errors.ts";
import type { TokenSet } from "../oauth/token.ts";
import { formatUntil } from "../format.ts";
import { foreignNote, ownershipOf } from "../ownership.ts";
import { fingerprint, readState } from "../state.ts";
import type { AcquireOptions, Due, OAuthCredential, Renewal, SignInMethod } from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { registerSecret } from "../redact.ts";
import { withProgress } from "../progress.ts";

/**
 * The entry for a token set obtained at `now`; `keptRefresh` is the refresh
 * token to keep when the answer had none (the server kept it, RFC 6749 §6).
 */
function entryFromTokens(tokens: TokenSet, now: number, keptRefresh = ""): OAuthEntry {
  return {
    type: "oauth",
    refresh: tokens.refreshToken ?? keptRefresh,
    access: tokens.accessToken,
    expires: Math.round(now + tokens.expiresIn * 1000),
  };
}

/** How many pastes one sign-in takes before it gives up. */
export const MAX_PASTE_TRIES = 3;

/**
 * The next pasted line that is not blank (an Enter pressed before pasting
 * asks again); end of input ends the sign-in.
 */
async function readPaste(
  ctx: TerminalContext,
  readLine: (io: Context["io"]) => Promise<string | null>,
): Promise<string> {
  let line = await readLine(ctx.io);
  while (line !== null && line.trim() === "") {
    if (ctx.io.stdinIsTerminal()) ctx.ui.prompt("Paste the code (code#state): ");
    line = await readLine(ctx.io);
  }
  // A piped answer is not echoed: end the prompt's line.
  if (!ctx.io.stdinIsTerminal()) ctx.ui.line("");
  if (line === null) throw new UsageError("no code was pasted (end of input); nothing was written");
  return line;
}

/** Run the browser sign-in and return the credential to store. */
async function acquire(ctx: Context, options: AcquireOptions): Promise<SignInResult> {
  // The protocol modules load here and in renew, not at the top: `token` on a
  // fresh entry only asks whether it is due.
  const [
    { buildAuthorizeUrl, checkState, parsePastedCode },
    { openBrowser },
    { createApiKey, exchangeCode },
    { loadOAuthConfig, userAgent },
    { challengeFor, createState, createVerifier },
    { readLine },
    { userFacing, withUserFacingErrors },
  ] = await Promise.all([
    lazyImport<typeof import("../oauth/authorize.ts")>("lib/oauth/authorize.ts"),
    lazyImport<typeof import("../browser_open.ts")>("lib/browser_open.ts"),
    lazyImport<typeof import("../oauth/client.ts")>("lib/oauth/client.ts"),
    lazyImport<typeof import("../oauth/config.ts")>("lib/oauth/config.ts"),
    lazyImport<typeof import("../oauth/pkce.ts")>("lib/oauth/pkce.ts"),
    lazyImport<typeof import("../prompt.ts")>("lib/prompt.ts"),
    lazyImport<typeof import("./oauth_errors.ts")>("lib/methods/oauth_errors.ts"),
  ]);
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

  // The URL and the prompts are what login shows: not hidden by --quiet.
  const ui = ctx.ui;
  ui.line("Open this URL in your browser and sign in:");
  ui.line("");
  ui.line(url);
  ui.line("");
  if (options.openBrowser && openBrowser(ctx, url)) {
    ui.line("(A browser window should have opened. If not, copy the URL above.)");
  }
  ui.prompt("Paste the code shown after signing in (code#state): ");
  // A bad paste (the sign-in URL, a code from another attempt, a cut-off
  // code) is told and asked for again, within the same sign-in.
  let tokens: TokenSet;
  for (let attempt = 1;; attempt++) {
    const line = await readPaste(ctx, readLine);
    try {
      const pasted = parsePastedCode(line);
      registerSecret(pasted.code);
      checkState(pasted, state);
      tokens = await withProgress(
        ctx.ui,
        "Exchanging the code for tokens…",
        () => exchangeCode(ctx, config, { code: pasted.code, state, verifier }),
      );
      break;
    } catch (thrown) {
      // What lib/oauth/ threw, as the user sees it (lib/methods/oauth_errors.ts).
      const error = userFacing(thrown);
      // A refused code (invalid_grant) is a paste from elsewhere too; anything else ends here.
      // Asked again only of a person: a script's wrong input fails at once, with its reason.
      const badPaste = error instanceof UsageError || error instanceof SignInRequiredError;
      if (!badPaste || attempt >= MAX_PASTE_TRIES || !ctx.io.stdinIsTerminal()) throw error;
      ui.warn(error.message.replace(/; nothing was written$/, ""));
      ui.prompt(
        `Paste the code from the page this sign-in opened (try ${
          attempt + 1
        } of ${MAX_PASTE_TRIES}): `,
      );
    }
  }
  const account = { email: tokens.email, organization: tokens.organization };
  if (options.createApiKey) {
    const key = await withProgress(
      ctx.ui,
      "Creating an API key…",
      () => withUserFacingErrors(() => createApiKey(ctx, config, tokens.accessToken)),
    );
    return { entry: { type: "api", key }, method: "api-key", ...account };
  }
  const entry = entryFromTokens(tokens, ctx.now());
  // The proof that this tool may spend this refresh token (lib/ownership.ts).
  const mintedRefresh = await fingerprint(entry.refresh);
  return { entry, method: "browser", ...account, mintedRefresh };
}

/**
 * Spend the refresh token once for a new pair. The caller holds the lock,
 * has re-read the entry, and has the state's proof that this tool obtained
 * the refresh token (lib/renewal.ts).
 */
async function renew(
  ctx: HttpContext & ClockContext,
  current: OAuthCredential,
  due: Due,
): Promise<Renewal> {
  const entry = current.entry;
  if (!isDue(entry, due)) {
    ctx.ui.debug("the stored token is fresh now (another process refreshed it)");
    return { entry: null, renewed: false };
  }
  if (!entry.refresh) {
    throw new SignInRequiredError(
      "the stored OAuth entry has no refresh token",
      `run \`${PROGRAM} login\` again`,
    );
  }
  // A token refused once is dead: fail without asking again (and without adding to a
  // 429), unless the user forces a retry with `refresh --force`.
  const [{ refreshTokens }, { loadOAuthConfig }, { invalidGrant, userFacing }] = await Promise
    .all([
      lazyImport<typeof import("../oauth/client.ts")>("lib/oauth/client.ts"),
      lazyImport<typeof import("../oauth/config.ts")>("lib/oauth/config.ts"),
      lazyImport<typeof import("./oauth_errors.ts")>("lib/methods/oauth_errors.ts"),
    ]);
  const spent = await fingerprint(entry.refresh);
  if (!due.force && current.state?.rejectedRefresh === spent) throw invalidGrant("refresh");
  const config = loadOAuthConfig(ctx.env);
  let tokens: TokenSet;
  try {
    const refresh = entry.refresh;
    tokens = await withProgress(
      ctx.ui,
      "Refreshing the browser sign-in…",
      () => refreshTokens(ctx, config, refresh),
    );
  } catch (thrown) {
    const error = userFacing(thrown);
    if (error instanceof SignInRequiredError) {
      return { entry: null, renewed: false, state: { rejectedRefresh: spent }, error };
    }
    throw error;
  }
  const next = entryFromTokens(tokens, ctx.now(), entry.refresh);
  if (!tokens.refreshToken) ctx.ui.debug("the server kept the refresh token (none in its answer)");
  return {
    entry: next,
    renewed: true,
    state: { mintedRefresh: await fingerprint(next.refresh), rejectedRefresh: undefined },
  };
}

/** The browser sign-in method. */
export const browserMethod: SignInMethod<OAuthCredential> = {
  acquire,
  inspect: (_ctx, current, due) =>
    Promise.resolve(isDue(current.entry, due) ? { kind: "renew" } : { kind: "use" }),
  renew,
  async renewability(ctx, current) {
    const entry = current.entry;
    const ownership = await ownershipOf(readState(ctx.stateFile), ctx.authFile, entry);
    if (ownership.kind === "foreign") {
      // Claude Code's store is read only here: `status` on a sign-in of ours needs no Keychain.
      const { holdsClaudeTokens } = await lazyImport<typeof import("./claude_code.ts")>(
        "lib/methods/claude_code.ts",
      );
      if (await holdsClaudeTokens(ctx, entry) === "yes") {
        return {
          ok: true,
          why: "it holds Claude Code's tokens: it is renewed as a Claude Code session on next use",
        };
      }
      return { ok: false, why: foreignNote(ownership.origin), foreign: true };
    }
    if (current.state?.rejectedRefresh === await fingerprint(entry.refresh)) {
      return { ok: false, why: "its refresh token was refused (invalid_grant)" };
    }
    const now = ctx.now();
    const notBefore = refreshNotBefore(current.state?.lastRefresh, now, false);
    if (notBefore !== null) {
      return {
        ok: entry.expires > now,
        why: `it was refreshed moments ago; the next refresh is held back until ${
          formatUntil(notBefore, now)
        } (the minimum interval between refreshes)`,
      };
    }
    return { ok: true, why: "it is refreshed with its refresh token on next use" };
  },
};

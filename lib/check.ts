/** `status --check`: ask the API whether the stored credential works. */

import type { Context } from "./context.ts";
import { ensureUsable } from "./credential.ts";
import type { Method } from "./credential_types.ts";
import { FailureError, PROGRAM, SignInRequiredError } from "./errors.ts";
import { methodLabel } from "./format.ts";
import { probeModels } from "./oauth/client.ts";
import { withProgress } from "./progress.ts";
import { loadOAuthConfig } from "./oauth/config.ts";
import { MAKE_NEW_SETUP_TOKEN } from "./setup_token.ts";

/** The verdict of a live check. */
export interface CheckVerdict {
  ok: boolean;
  message: string;
}

const ADVICE: Record<Method, string> = {
  "api-key":
    "the API key was refused; create a new key in the Console and run `login --method api-key`",
  browser: `run \`${PROGRAM} login --method browser\` again`,
  "claude-code":
    `sign in to Claude Code again (\`claude auth login --claudeai\`), then run \`${PROGRAM} login --method claude-code\``,
  "setup-token": MAKE_NEW_SETUP_TOKEN,
};

/**
 * GET /v1/models with the credential; on 401/403 with an OAuth credential,
 * force one refresh and retry once.
 */
export async function checkCredential(ctx: Context, method: Method): Promise<CheckVerdict> {
  const config = loadOAuthConfig(ctx.env);
  let entry;
  try {
    // A stale credential is refreshed first; if that is impossible, that is the verdict.
    entry = (await ensureUsable(ctx)).entry;
  } catch (error) {
    if (!(error instanceof SignInRequiredError)) throw error;
    return {
      ok: false,
      message: `The ${methodLabel(method)} cannot be used: ${error.message}; ${
        error.hint ?? ADVICE[method]
      }.`,
    };
  }
  const asking = "Asking the Anthropic API whether the credential works…";
  const first = entry;
  let status = await withProgress(ctx.ui, asking, () => probeModels(ctx, config, first));
  // A long-lived token has nothing to refresh: a refusal is the verdict at once.
  if ((status === 401 || status === 403) && entry.type === "oauth" && method !== "setup-token") {
    ctx.ui.debug(`the API refused the token (HTTP ${status}); refreshing once and retrying`);
    try {
      entry = (await ensureUsable(ctx, { rejectedAccess: entry.access })).entry;
      const retried = entry;
      status = await withProgress(ctx.ui, asking, () => probeModels(ctx, config, retried));
    } catch (error) {
      if (!(error instanceof SignInRequiredError)) throw error;
      return {
        ok: false,
        message: `The API refused the credential and refreshing failed: ${error.message}; ${
          ADVICE[method]
        }.`,
      };
    }
  }
  if (status >= 200 && status < 300) {
    return {
      ok: true,
      message: `Checked: the API accepts the ${methodLabel(method)} (HTTP ${status}).`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      ok: false,
      message: `The API refused the ${methodLabel(method)} (HTTP ${status}): ${ADVICE[method]}.`,
    };
  }
  throw new FailureError(`the credential check got HTTP ${status} from the API`, "try again later");
}

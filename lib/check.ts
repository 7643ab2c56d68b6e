/**
 * `status --check` and `doctor --check`: ask the API whether the stored
 * credential works, and tell apart why not: the token is dead (sign in
 * again), the token endpoint moved or refused us at its edge (the error
 * propagates, worded by lib/methods/oauth_errors.ts), or the API refuses
 * subscription tokens outside Claude Code or bills them as extra usage.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { ensureUsable } from "./usable.ts";
import type { Method } from "./credential_types.ts";
import { FailureError, PROGRAM, SignInRequiredError } from "./errors.ts";
import { methodLabel } from "./format.ts";
import { withUserFacingErrors } from "./methods/oauth_errors.ts";
import { probeModels } from "./oauth/client.ts";
import { withProgress } from "./progress.ts";
import { loadOAuthConfig } from "./oauth/config.ts";
import type { RawResponse } from "./oauth/token.ts";
import { MAKE_NEW_SETUP_TOKEN } from "./setup_token.ts";

/** The verdict of a live check. */
export interface CheckVerdict {
  /** Whether the API accepted the credential. */
  ok: boolean;
  /** What the check found, in one line for `status` and `doctor`. */
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

const API_KEY_PATH =
  `use an API key instead (\`${PROGRAM} login --method api-key\`, or \`login --method browser --create-api-key\`)`;

/**
 * The API's policy refusals of a subscription token (REFERENCE.md §2 drift):
 * no new sign-in or refresh cures them, so they are named, not retried.
 */
const POLICY_REFUSALS: { pattern: RegExp; message: string }[] = [
  {
    pattern: /only authorized for use with claude code/i,
    message:
      `The API refuses this subscription token outside Claude Code ("only authorized for use with Claude Code"): Anthropic's policy, not a sign-in problem; ${API_KEY_PATH}.`,
  },
  {
    pattern: /extra usage/i,
    message:
      `The API refused the request as "extra usage": Anthropic bills third-party use of a subscription token separately; turn extra usage on for your Claude account, or ${API_KEY_PATH}.`,
  },
];

/** The policy refusal a non-2xx answer of the API is, if any. */
export function policyRefusal(response: RawResponse): string | null {
  if (response.status >= 200 && response.status < 300) return null;
  return POLICY_REFUSALS.find((refusal) => refusal.pattern.test(response.body))?.message ?? null;
}

/**
 * GET /v1/models with the credential; on 401/403 with an OAuth credential,
 * refresh once (allowed 30 s after the last refresh) and retry once.
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
  // What lib/oauth/ throws (network, rate limit, redirect) is worded for the user.
  const probe = (credential: Parameters<typeof probeModels>[2]) =>
    withProgress(
      ctx.ui,
      asking,
      () => withUserFacingErrors(() => probeModels(ctx, config, credential)),
    );
  let response = await probe(entry);
  const policy = policyRefusal(response);
  if (policy) return { ok: false, message: policy };
  // A long-lived token has nothing to refresh: a refusal is the verdict at once.
  if (
    (response.status === 401 || response.status === 403) && entry.type === "oauth" &&
    method !== "setup-token"
  ) {
    ctx.ui.debug(
      `the API refused the token (HTTP ${response.status}); refreshing once and retrying`,
    );
    try {
      const usable = await ensureUsable(ctx, { rejectedAccess: entry.access });
      if (usable.heldBack) {
        return {
          ok: false,
          message: `The API refused the ${
            methodLabel(method)
          } (HTTP ${response.status}), and it was ${usable.note}; try again then.`,
        };
      }
      entry = usable.entry;
      response = await probe(entry);
    } catch (error) {
      if (!(error instanceof SignInRequiredError)) throw error;
      return {
        ok: false,
        message: `The API refused the credential and refreshing failed: ${error.message}; ${
          error.hint ?? ADVICE[method]
        }.`,
      };
    }
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    return {
      ok: true,
      message: `Checked: the API accepts the ${methodLabel(method)} (HTTP ${status}).`,
    };
  }
  const after = policyRefusal(response);
  if (after) return { ok: false, message: after };
  if (status === 401 || status === 403) {
    return {
      ok: false,
      message: `The API refused the ${methodLabel(method)} (HTTP ${status}): ${ADVICE[method]}.`,
    };
  }
  throw new FailureError(`the credential check got HTTP ${status} from the API`, "try again later");
}

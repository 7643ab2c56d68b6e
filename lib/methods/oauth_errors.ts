/**
 * What the user sees of a protocol error: lib/oauth/ throws what went wrong
 * as data (lib/oauth/errors.ts), and this one function words it as the
 * message, hint and exit code of a command-line error. Any other error passes
 * through unchanged.
 *
 * @module
 */

import {
  type CliError,
  FailureError,
  PROGRAM,
  SignInRequiredError,
  UsageError,
} from "../errors.ts";
import {
  EndpointError,
  type EndpointFailure,
  InvalidResponseError,
  OAuthError,
  PasteError,
  type PasteProblem,
} from "../oauth/errors.ts";

const SERVER_TROUBLE =
  "the server is having trouble (the request was already retried); try again later";

/**
 * The sign-in-required error for a refused code or refresh token
 * (`invalid_grant`). After a lost answer (`lostBefore`), the server most
 * likely rotated the token on the first try: the new one never arrived.
 */
export function invalidGrant(
  purpose: "exchange" | "refresh",
  lostBefore?: string,
): SignInRequiredError {
  const login = `run \`${PROGRAM} login --method browser\` again`;
  if (purpose === "refresh" && lostBefore) {
    return new SignInRequiredError(
      `the answer to the token refresh was lost (${lostBefore}) and the retry was refused (invalid_grant): the server most likely rotated the refresh token on the first try, and the new one never arrived; the stored entry was kept`,
      login,
    );
  }
  return new SignInRequiredError(
    purpose === "refresh"
      ? "the browser sign-in has expired or was revoked (invalid_grant); the stored entry was kept"
      : "the code was rejected (invalid_grant): it expired or was already used",
    login,
  );
}

/** A failed request's answer: the OAuth error and its description, or what the body was. */
function answerOf(error: OAuthError | InvalidResponseError): string {
  if (error instanceof InvalidResponseError) return error.body;
  return `${error.error}${error.description ? `: ${error.description}` : ""}`;
}

/** The error of a non-2xx answer, or of a 2xx that is not what was asked for. */
function answerError(error: OAuthError | InvalidResponseError): CliError {
  const { request, status } = error;
  const ok = status >= 200 && status < 300;
  if (request === "create-api-key") {
    if (ok) return new FailureError("creating an API key failed: the response has no raw_key");
    return new FailureError(
      `creating an API key failed: HTTP ${status} (${answerOf(error)})`,
      status === 403
        ? "your account needs permission to create API keys in the Console organization"
        : status >= 500
        ? SERVER_TROUBLE
        : `run \`${PROGRAM} login --method browser --create-api-key\` again`,
    );
  }
  if (error instanceof OAuthError && error.error === "invalid_grant") {
    return invalidGrant(request, error.lostBefore);
  }
  const where = "the token endpoint";
  if (!ok) {
    return new FailureError(
      `${where} answered HTTP ${status} (${answerOf(error)})`,
      status >= 500 ? SERVER_TROUBLE : undefined,
    );
  }
  if (error instanceof InvalidResponseError && error.missing.length > 0) {
    return new FailureError(
      `${where} sent an invalid token response (missing or malformed: ${error.missing.join(", ")})`,
    );
  }
  return new FailureError(`${where} answered HTTP ${status} with ${answerOf(error)}`);
}

/** The error of an endpoint that gave no usable answer. */
function endpointError(failure: EndpointFailure, cause: unknown): CliError {
  const options = cause === undefined ? undefined : { cause };
  switch (failure.kind) {
    case "not-found":
    case "edge-blocked": {
      const answers = failure.endpoints.map(({ url, status, answer }) =>
        `${url} answered HTTP ${status} (${answer})`
      ).join("; ");
      return failure.kind === "not-found"
        ? new FailureError(
          `the token endpoint was not found: ${answers}`,
          "the endpoint has moved: update this tool, or point ANTHROPIC_TOKEN_URL at the current one",
        )
        : new FailureError(
          `the token endpoint refused the request at its edge, before looking at the sign-in: ${answers}`,
          "bot protection in front of the endpoint blocks this client or network, and waiting does not cure it: try from another network, or sign in with an API key (`login --method api-key`)",
        );
    }
    case "network":
      return new FailureError(
        `${failure.what} failed: cannot reach ${failure.host} (${failure.reason}) after ${failure.attempts} attempts`,
        "check your network connection and proxy settings, then try again",
        options,
      );
    case "broken-off":
      return new FailureError(
        `${failure.what} failed: ${failure.host} broke off the answer (${failure.reason})`,
        undefined,
        options,
      );
    case "redirect":
      return new FailureError(
        `${failure.what} failed: ${failure.host} redirected (HTTP ${failure.status}) to ${failure.location}; redirects are not followed`,
        "point the endpoint variable at the final URL",
      );
    case "rate-limited":
      return new FailureError(
        `${failure.what} failed: ${failure.host} is rate limiting requests (HTTP 429${
          failure.retryAfterS === undefined ? "" : `, retry after ${failure.retryAfterS} s`
        })`,
        "wait a little and try again; this is a rate limit, not a sign-in problem",
      );
    case "too-large":
      return new FailureError(
        `the response from ${failure.host} is larger than ${failure.limit} bytes`,
      );
    case "not-allowed":
      return new FailureError(
        `Deno's permissions do not allow network access to ${failure.host}`,
        `endpoint overrides need their host added to --allow-net (for example --allow-net=...,${failure.hostname})`,
        options,
      );
  }
}

/** The error of a pasted code this sign-in cannot use (a usage error: the paste is input). */
function pasteError(problem: PasteProblem): UsageError {
  switch (problem.kind) {
    case "empty":
      return new UsageError("nothing was pasted; expected the code shown after signing in");
    case "bad-url":
      return new UsageError("the pasted callback URL is not a valid URL");
    case "authorize-url":
      return new UsageError(
        "the pasted text is the sign-in URL itself, not the code",
        "open that URL in a browser, sign in, and paste the code the page shows",
      );
    case "page-error":
      return new UsageError(
        `the sign-in page reported an error: ${problem.error}${
          problem.description ? ` (${problem.description})` : ""
        }; nothing was written`,
      );
    case "no-code":
      return new UsageError(
        "the pasted URL has no `code` parameter; paste the code shown on the page",
      );
    case "no-code-before-hash":
      return new UsageError("the pasted text has no code before '#'");
    case "too-long":
      return new UsageError(`the pasted ${problem.piece} is too long`);
    case "not-printable":
      return new UsageError(
        `the pasted ${problem.piece} contains spaces or non-printable characters`,
      );
    case "state-mismatch":
      return new UsageError(
        "the pasted state does not match this sign-in (a code from another attempt?); nothing was written",
        "run login again and paste the code from the page it opens",
      );
  }
}

/**
 * What the user sees of `error`: a protocol error from lib/oauth/ becomes the
 * command-line error that words it; anything else is returned as it is.
 */
export function userFacing(error: unknown): unknown {
  if (error instanceof OAuthError || error instanceof InvalidResponseError) {
    return answerError(error);
  }
  if (error instanceof EndpointError) return endpointError(error.failure, error.cause);
  if (error instanceof PasteError) return pasteError(error.problem);
  return error;
}

/** Run `work`, turning a protocol error it throws into what the user sees (`userFacing`). */
export async function withUserFacingErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw userFacing(error);
  }
}

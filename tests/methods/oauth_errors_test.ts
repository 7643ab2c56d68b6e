/**
 * lib/methods/oauth_errors.ts: every protocol error lib/oauth/ throws, as the
 * user sees it (message, hint, exit code), row by row; anything else passes
 * through unchanged.
 */

import assert from "node:assert/strict";
import { CliError, FailureError, SignInRequiredError, UsageError } from "../../lib/errors.ts";
import { invalidGrant, userFacing } from "../../lib/methods/oauth_errors.ts";
import {
  EndpointError,
  InvalidResponseError,
  OAuthError,
  PasteError,
} from "../../lib/oauth/errors.ts";

const LOGIN = "run `opencode-claude-code-auth login --method browser` again";
const EXIT = new Map<unknown, number>([[UsageError, 2], [FailureError, 1], [
  SignInRequiredError,
  4,
]]);
const TROUBLE = "the server is having trouble (the request was already retried); try again later";

Deno.test("userFacing: each protocol error's message, hint and exit code", () => {
  const cause = new TypeError("fetch failed");
  const rows: {
    error: Error;
    kind: typeof UsageError | typeof FailureError | typeof SignInRequiredError;
    message: string;
    hint?: string;
  }[] = [
    {
      error: new OAuthError("refresh", 400, "invalid_grant", ""),
      kind: SignInRequiredError,
      message:
        "the browser sign-in has expired or was revoked (invalid_grant); the stored entry was kept",
      hint: LOGIN,
    },
    {
      error: new OAuthError("exchange", 400, "invalid_grant", "x"),
      kind: SignInRequiredError,
      message: "the code was rejected (invalid_grant): it expired or was already used",
      hint: LOGIN,
    },
    {
      error: new OAuthError("refresh", 400, "invalid_grant", "", "HTTP 502"),
      kind: SignInRequiredError,
      message:
        "the answer to the token refresh was lost (HTTP 502) and the retry was refused (invalid_grant): the server most likely rotated the refresh token on the first try, and the new one never arrived; the stored entry was kept",
      hint: LOGIN,
    },
    {
      error: new OAuthError("refresh", 400, "invalid_request", "Missing parameter: code"),
      kind: FailureError,
      message: "the token endpoint answered HTTP 400 (invalid_request: Missing parameter: code)",
    },
    {
      error: new InvalidResponseError("exchange", 503, "a body that is not JSON"),
      kind: FailureError,
      message: "the token endpoint answered HTTP 503 (a body that is not JSON)",
      hint: TROUBLE,
    },
    {
      error: new InvalidResponseError("refresh", 200, "an empty body"),
      kind: FailureError,
      message: "the token endpoint answered HTTP 200 with an empty body",
    },
    {
      error: new InvalidResponseError("refresh", 200, "JSON", ["access_token", "expires_in"]),
      kind: FailureError,
      message:
        "the token endpoint sent an invalid token response (missing or malformed: access_token, expires_in)",
    },
    {
      error: new OAuthError("create-api-key", 403, "permission_error", "x"),
      kind: FailureError,
      message: "creating an API key failed: HTTP 403 (permission_error: x)",
      hint: "your account needs permission to create API keys in the Console organization",
    },
    {
      error: new InvalidResponseError("create-api-key", 400, "an empty body"),
      kind: FailureError,
      message: "creating an API key failed: HTTP 400 (an empty body)",
      hint: "run `opencode-claude-code-auth login --method browser --create-api-key` again",
    },
    {
      error: new InvalidResponseError("create-api-key", 200, "an empty body", ["raw_key"]),
      kind: FailureError,
      message: "creating an API key failed: the response has no raw_key",
    },
    {
      error: new EndpointError({
        kind: "not-found",
        endpoints: [{ url: "https://a.example/t", status: 404, answer: "an empty body" }],
      }),
      kind: FailureError,
      message:
        "the token endpoint was not found: https://a.example/t answered HTTP 404 (an empty body)",
      hint:
        "the endpoint has moved: update this tool, or point ANTHROPIC_TOKEN_URL at the current one",
    },
    {
      error: new EndpointError({
        kind: "edge-blocked",
        endpoints: [
          { url: "https://a.example/t", status: 403, answer: "an HTML page, not JSON" },
          { url: "https://b.example/t", status: 429, answer: "rate_limit_error" },
        ],
      }),
      kind: FailureError,
      message:
        "the token endpoint refused the request at its edge, before looking at the sign-in: https://a.example/t answered HTTP 403 (an HTML page, not JSON); https://b.example/t answered HTTP 429 (rate_limit_error)",
      hint:
        "bot protection in front of the endpoint blocks this client or network, and waiting does not cure it: try from another network, or sign in with an API key (`login --method api-key`)",
    },
    {
      error: new EndpointError(
        { kind: "network", what: "token refresh", host: "a.example", reason: "x", attempts: 4 },
        { cause },
      ),
      kind: FailureError,
      message: "token refresh failed: cannot reach a.example (x) after 4 attempts",
      hint: "check your network connection and proxy settings, then try again",
    },
    {
      error: new EndpointError({ kind: "broken-off", what: "w", host: "a.example", reason: "r" }),
      kind: FailureError,
      message: "w failed: a.example broke off the answer (r)",
    },
    {
      error: new EndpointError({
        kind: "redirect",
        what: "w",
        host: "a.example",
        status: 307,
        location: "https://b.example/t",
      }),
      kind: FailureError,
      message:
        "w failed: a.example redirected (HTTP 307) to https://b.example/t; redirects are not followed",
      hint: "point the endpoint variable at the final URL",
    },
    {
      error: new EndpointError({
        kind: "rate-limited",
        what: "w",
        host: "a.example",
        retryAfterS: 60,
      }),
      kind: FailureError,
      message: "w failed: a.example is rate limiting requests (HTTP 429, retry after 60 s)",
      hint: "wait a little and try again; this is a rate limit, not a sign-in problem",
    },
    {
      error: new EndpointError({ kind: "rate-limited", what: "w", host: "a.example" }),
      kind: FailureError,
      message: "w failed: a.example is rate limiting requests (HTTP 429)",
      hint: "wait a little and try again; this is a rate limit, not a sign-in problem",
    },
    {
      error: new EndpointError({ kind: "too-large", host: "a.example", limit: 1048576 }),
      kind: FailureError,
      message: "the response from a.example is larger than 1048576 bytes",
    },
    {
      error: new EndpointError({
        kind: "not-allowed",
        host: "a.example:8443",
        hostname: "a.example",
      }),
      kind: FailureError,
      message: "Deno's permissions do not allow network access to a.example:8443",
      hint:
        "endpoint overrides need their host added to --allow-net (for example --allow-net=...,a.example)",
    },
    {
      error: new PasteError({ kind: "page-error", error: "access_denied", description: "no" }),
      kind: UsageError,
      message: "the sign-in page reported an error: access_denied (no); nothing was written",
    },
    {
      error: new PasteError({ kind: "not-printable", piece: "state" }),
      kind: UsageError,
      message: "the pasted state contains spaces or non-printable characters",
    },
    {
      error: new PasteError({ kind: "state-mismatch" }),
      kind: UsageError,
      message:
        "the pasted state does not match this sign-in (a code from another attempt?); nothing was written",
      hint: "run login again and paste the code from the page it opens",
    },
  ];
  for (const row of rows) {
    const seen = userFacing(row.error);
    assert(seen instanceof row.kind, `${row.message}: got ${seen}`);
    assert(seen instanceof CliError);
    assert.equal(seen.message, row.message);
    assert.equal(seen.hint, row.hint, row.message);
    assert.equal(seen.exitCode, EXIT.get(row.kind));
  }
  const network = userFacing(rows[12].error) as CliError;
  assert.equal(network.cause, cause, "the fetch error stays the cause (shown under --debug)");
});

Deno.test("userFacing: anything but a protocol error passes through unchanged", () => {
  for (const error of [new UsageError("u"), new Error("e"), "text", undefined]) {
    assert.equal(userFacing(error), error);
  }
});

Deno.test("invalidGrant: a refused refresh after a lost answer says the token most likely rotated", () => {
  assert.match(invalidGrant("refresh", "connection reset").message, /lost \(connection reset\)/);
  assert.match(invalidGrant("refresh").message, /expired or was revoked/);
  assert.match(invalidGrant("exchange", "HTTP 502").message, /code was rejected/);
});

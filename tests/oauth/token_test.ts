import assert from "node:assert/strict";
import { recordEnv } from "../../lib/context.ts";
import { testContext } from "../helpers/context.ts";
import { type CliError, FailureError, SignInRequiredError, UsageError } from "../../lib/errors.ts";
import { loadOAuthConfig, userAgent } from "../../lib/oauth/config.ts";
import { networkReason, retryAfterMs } from "../../lib/oauth/http.ts";
import {
  codeExchangeBody,
  parseCreateApiKeyResponse,
  parseTokenResponse,
  type RawResponse,
  refreshBody,
} from "../../lib/oauth/token.ts";
import { scrub } from "../../lib/redact.ts";
import { worded } from "../helpers/worded.ts";
import denoJson from "../../deno.json" with { type: "json" };

const CONFIG = loadOAuthConfig(recordEnv({}));
const GOOD = {
  access_token: "sk-ant-oat01-unit-access-0123456789",
  refresh_token: "sk-ant-ort01-unit-refresh-0123456789",
  expires_in: 28800,
};

const json = (status: number, body: unknown): RawResponse => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(body),
});

function fails(
  response: RawResponse,
  kind: typeof FailureError | typeof SignInRequiredError,
  fragment: RegExp,
  purpose: "exchange" | "refresh" = "refresh",
): CliError {
  let caught: unknown;
  try {
    worded(() => parseTokenResponse(response, purpose));
  } catch (error) {
    caught = error;
  }
  assert(caught instanceof kind, `expected ${kind.name}, got ${caught}`);
  const error = caught as CliError;
  assert.equal(error.exitCode, kind === SignInRequiredError ? 4 : 1);
  assert.match(error.message, fragment);
  assert(
    !["\n", "\r", "\u001b"].some((c) => error.message.includes(c)),
    `not one clean line: ${JSON.stringify(error.message)}`,
  );
  return error;
}

Deno.test("request bodies: authorization_code exchange and refresh_token grant", () => {
  assert.deepEqual(
    codeExchangeBody(CONFIG, { code: "the-code", state: "the-state", verifier: "the-verifier" }),
    {
      grant_type: "authorization_code",
      code: "the-code",
      state: "the-state",
      client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
      redirect_uri: "https://platform.claude.com/oauth/code/callback",
      code_verifier: "the-verifier",
    },
  );
  assert.deepEqual(refreshBody(CONFIG, "the-refresh"), {
    grant_type: "refresh_token",
    refresh_token: "the-refresh",
    client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
  });
});

Deno.test("a good token response gives tokens, lifetime and account; tokens become secrets", () => {
  const tokens = parseTokenResponse(
    json(200, {
      ...GOOD,
      token_type: "Bearer",
      account: { uuid: "u", email_address: "dev@example.com" },
      organization: { uuid: "o", name: "Example Org" },
    }),
    "exchange",
  );
  assert.deepEqual(tokens, {
    accessToken: GOOD.access_token,
    refreshToken: GOOD.refresh_token,
    expiresIn: 28800,
    email: "dev@example.com",
    organization: "Example Org",
  });
  assert(!scrub(`x ${GOOD.access_token} y`).includes(GOOD.access_token));
  // Account fields are optional, and wrongly typed ones are ignored.
  assert.deepEqual(
    parseTokenResponse(
      json(200, { ...GOOD, account: { email_address: 5 }, organization: null }),
      "refresh",
    ),
    { accessToken: GOOD.access_token, refreshToken: GOOD.refresh_token, expiresIn: 28800 },
  );
});

Deno.test("bodies that are not a JSON object are clear failures (exit 1)", () => {
  fails(
    { status: 200, contentType: "application/json", body: "not json{" },
    FailureError,
    /not JSON/,
  );
  fails(
    { status: 200, contentType: "text/html", body: "<!DOCTYPE html><html>Gateway</html>" },
    FailureError,
    /HTML page/,
  );
  fails(
    { status: 200, contentType: "", body: "  <html><body>Sign in</body></html>" },
    FailureError,
    /HTML page/,
  );
  fails({ status: 200, contentType: "application/json", body: "" }, FailureError, /empty body/);
  fails(
    { status: 200, contentType: "application/json", body: "[]" },
    FailureError,
    /not a JSON object/,
  );
  fails(
    { status: 200, contentType: "application/json", body: "null" },
    FailureError,
    /not a JSON object/,
  );
  fails(
    { status: 200, contentType: "application/json", body: '"tok"' },
    FailureError,
    /not a JSON object/,
  );
});

Deno.test("missing or wrongly typed access_token, refresh_token, expires_in are named", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ refresh_token: GOOD.refresh_token, expires_in: 1 }, "access_token"],
    [{ ...GOOD, access_token: 42 }, "access_token"],
    [{ ...GOOD, access_token: "" }, "access_token"],
    [{ ...GOOD, access_token: null }, "access_token"],
    [{ ...GOOD, access_token: ["a"] }, "access_token"],
    [{ access_token: GOOD.access_token, expires_in: 1 }, "refresh_token"],
    [{ ...GOOD, refresh_token: { t: 1 } }, "refresh_token"],
    [{ ...GOOD, refresh_token: "" }, "refresh_token"],
    [{ access_token: GOOD.access_token, refresh_token: GOOD.refresh_token }, "expires_in"],
    [{ ...GOOD, expires_in: "3600" }, "expires_in"],
    [{ ...GOOD, expires_in: 0 }, "expires_in"],
    [{ ...GOOD, expires_in: -5 }, "expires_in"],
    [{ ...GOOD, expires_in: null }, "expires_in"],
    [{ ...GOOD, expires_in: true }, "expires_in"],
    // Beyond any real lifetime (and beyond what a Date can hold).
    [{ ...GOOD, expires_in: 1e13 }, "expires_in"],
    [{}, "access_token, refresh_token, expires_in"],
  ];
  for (const [body, named] of cases) {
    for (const purpose of ["exchange", "refresh"] as const) {
      // A refresh answer may leave refresh_token out (the server kept it): named only if malformed.
      const expected = purpose === "refresh" && !("refresh_token" in body)
        ? named.replace(/refresh_token(, )?/, "")
        : named;
      if (expected === "") continue;
      const error = fails(json(200, body), FailureError, /invalid token response/, purpose);
      assert(error.message.includes(expected), `${JSON.stringify(body)}: ${error.message}`);
    }
  }
  // 1e400 parses to Infinity.
  fails(
    {
      status: 200,
      contentType: "application/json",
      body: `{"access_token":"a-0123456789","refresh_token":"r-0123456789","expires_in":1e400}`,
    },
    FailureError,
    /expires_in/,
  );
});

Deno.test("a token response's values never appear in its error message", () => {
  const error = fails(
    json(200, { access_token: "sk-ant-oat01-LEAKCHECK-0123456789", refresh_token: 7 }),
    FailureError,
    /refresh_token/,
  );
  assert(!error.message.includes("LEAKCHECK"));
});

Deno.test("invalid_grant is exit 4 telling to sign in again; nested error form too", () => {
  const refresh = fails(
    json(400, { error: "invalid_grant", error_description: "Refresh token not found or invalid" }),
    SignInRequiredError,
    /invalid_grant/,
  );
  assert.match(refresh.message, /stored entry was kept/);
  assert.match(refresh.hint!, /login --method browser/);
  const exchange = fails(
    json(400, { error: "invalid_grant" }),
    SignInRequiredError,
    /code was rejected/,
    "exchange",
  );
  assert.match(exchange.hint!, /login --method browser/);
  fails(
    json(400, { type: "error", error: { type: "invalid_grant", message: "expired" } }),
    SignInRequiredError,
    /invalid_grant/,
  );
});

Deno.test("other 4xx answers are failures naming the OAuth error, scrubbed and on one line", () => {
  const invalidRequest = fails(
    json(400, { error: "invalid_request", error_description: "Missing parameter: code" }),
    FailureError,
    /HTTP 400 \(invalid_request: Missing parameter: code\)/,
  );
  assert.equal(invalidRequest.exitCode, 1);
  fails(json(401, { error: "invalid_client" }), FailureError, /HTTP 401 \(invalid_client\)/);
  fails(
    json(403, { error: { type: "permission_error", message: "nope" } }),
    FailureError,
    /HTTP 403 \(permission_error: nope\)/,
  );
  fails(
    { status: 403, contentType: "text/html", body: "<html>Access denied</html>" },
    FailureError,
    /HTTP 403 \(an HTML page/,
  );
  fails({ status: 404, contentType: "", body: "" }, FailureError, /HTTP 404 \(an empty body\)/);
  fails({ status: 503, contentType: "text/plain", body: "busy" }, FailureError, /HTTP 503/);
  const scrubbed = fails(
    json(400, {
      error: "invalid_request\n\u001b[31mFORGED",
      error_description: "bad token sk-ant-ort01-ECHOED-0123456789abcdef\nsecond line",
    }),
    FailureError,
    /HTTP 400/,
  );
  assert(!scrubbed.message.includes("ECHOED"), scrubbed.message);
});

Deno.test("create_api_key responses: raw_key, or a clear failure", () => {
  assert.equal(
    parseCreateApiKeyResponse(json(200, { raw_key: "sk-ant-api03-minted-0123456789" })),
    "sk-ant-api03-minted-0123456789",
  );
  for (
    const response of [
      json(200, {}),
      json(200, { raw_key: 5 }),
      json(200, { raw_key: "" }),
      { status: 200, contentType: "text/html", body: "<html></html>" },
    ]
  ) {
    assert.throws(
      () => worded(() => parseCreateApiKeyResponse(response)),
      (error: unknown) => error instanceof FailureError && /no raw_key/.test(error.message),
    );
  }
  assert.throws(
    () =>
      worded(() =>
        parseCreateApiKeyResponse(json(403, { error: { type: "permission_error", message: "x" } }))
      ),
    (error: unknown) =>
      error instanceof FailureError && /HTTP 403 \(permission_error: x\)/.test(error.message) &&
      /permission to create API keys/.test(error.hint ?? ""),
  );
  assert.throws(
    () => worded(() => parseCreateApiKeyResponse({ status: 502, contentType: "", body: "" })),
    (error: unknown) =>
      error instanceof FailureError && /HTTP 502 \(an empty body\)/.test(error.message) &&
      /try again later/.test(error.hint ?? ""),
  );
});

Deno.test("retryAfterMs: delay-seconds and HTTP dates; anything else is null", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(retryAfterMs("5", now), 5000);
  assert.equal(retryAfterMs(" 2 ", now), 2000);
  assert.equal(retryAfterMs("0", now), 0);
  assert.equal(retryAfterMs("Wed, 01 Jan 2025 00:00:30 GMT", now), 30_000);
  assert.equal(retryAfterMs("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  assert.equal(retryAfterMs(null, now), null);
  assert.equal(retryAfterMs("", now), null);
  assert.equal(retryAfterMs("soon", now), null);
  assert.equal(retryAfterMs("-5", now), null);
  assert.equal(retryAfterMs("1.5", now), null);
  assert.equal(retryAfterMs("5 seconds", now), null);
  assert(retryAfterMs("99999999999999999999", now)! > 1e18);
});

function contextWith(env: Record<string, string>) {
  return testContext(env);
}

Deno.test("User-Agent names the tool and its version; CLAUDE_CODE_AUTH_USER_AGENT overrides it", () => {
  assert.equal(userAgent(contextWith({})), `opencode-claude-code-auth/${denoJson.version}`);
  assert.equal(userAgent(contextWith({ CLAUDE_CODE_AUTH_USER_AGENT: "my-ua/1" })), "my-ua/1");
  assert.throws(
    () => userAgent(contextWith({ CLAUDE_CODE_AUTH_USER_AGENT: "bad\r\nX-Injected: 1" })),
    (error: unknown) =>
      error instanceof UsageError && /CLAUDE_CODE_AUTH_USER_AGENT/.test(error.message),
  );
});

Deno.test("networkReason: the cause of Deno's 'fetch failed', without the request preamble", () => {
  const closed = new TypeError("fetch failed", {
    cause: new Error(
      "error sending request from 127.0.0.1:34708 for http://127.0.0.1:46227/x (127.0.0.1:46227): client error (SendRequest): connection closed before message completed",
    ),
  });
  assert.equal(
    networkReason(closed),
    "client error (SendRequest): connection closed before message completed",
  );
  assert.equal(
    networkReason(new TypeError("Fetch failed: blocked\nmore")),
    "Fetch failed: blocked",
  );
  assert.equal(networkReason("boom"), "boom");
  assert.equal(networkReason(new Error("")), "network error");
});

/** Token endpoint requests and strict validation of its responses. */

import { isPrintableToken } from "../credential_types.ts";
import { FailureError, PROGRAM, SignInRequiredError } from "../errors.ts";
import { isPlainObject, parseJson, parseJsonObject } from "../json.ts";
import { registerSecret } from "../redact.ts";
import { excerpt } from "../ui.ts";
import type { OAuthConfig } from "./config.ts";

/** What a successful token response gives us. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Lifetime in seconds. */
  expiresIn: number;
  email?: string;
  organization?: string;
}

/** Body of the authorization-code exchange (JSON, as Claude Code sends it). */
export function codeExchangeBody(
  config: OAuthConfig,
  grant: { code: string; state: string; verifier: string },
): Record<string, string> {
  return {
    grant_type: "authorization_code",
    code: grant.code,
    state: grant.state,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    code_verifier: grant.verifier,
  };
}

/** Body of a refresh request. */
export function refreshBody(config: OAuthConfig, refreshToken: string): Record<string, string> {
  return { grant_type: "refresh_token", refresh_token: refreshToken, client_id: config.clientId };
}

/** A response as received: status, content type and body text. */
export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/** A short, safe description of a body for messages. */
export function describeBody(response: RawResponse): string {
  const body = response.body.trimStart();
  if (/^<(!doctype|html|\?xml)/i.test(body) || response.contentType.includes("html")) {
    return "an HTML page, not JSON; is the endpoint URL right, or is a proxy in the way?";
  }
  if (body === "") return "an empty body";
  return "value" in parseJson(body) ? "JSON that is not a JSON object" : "a body that is not JSON";
}

/** Longest lifetime accepted from a token response (ten years, in seconds). */
export const MAX_EXPIRES_IN_S = 10 * 365 * 24 * 3600;

/** The first of `values` that is a string. */
function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === "string");
}

/** The OAuth `error` and `error_description` of an error body, if it has them. */
export function oauthError(response: RawResponse): { error: string; description: string } | null {
  const data = parseJsonObject(response.body);
  if (!data) return null;
  // Anthropic sometimes nests errors: {"error":{"type","message"}}.
  const nested = isPlainObject(data.error) ? data.error : {};
  const error = firstString(data.error, nested.type);
  if (!error) return null;
  const description = firstString(data.error_description, nested.message) ?? "";
  return { error: excerpt(error, 60), description: excerpt(description, 200) };
}

/** The sign-in-required error for a refused code or refresh token (`invalid_grant`). */
export function invalidGrant(purpose: "exchange" | "refresh"): SignInRequiredError {
  return new SignInRequiredError(
    purpose === "refresh"
      ? "the browser sign-in has expired or was revoked (invalid_grant); the stored entry was kept"
      : "the code was rejected (invalid_grant): it expired or was already used",
    `run \`${PROGRAM} login --method browser\` again`,
  );
}

/**
 * Turn a token endpoint response into a TokenSet, or the error the user
 * should see: `invalid_grant` means sign in again (exit 4); anything else
 * malformed is a failure (exit 1) that names what was wrong.
 */
export function parseTokenResponse(
  response: RawResponse,
  purpose: "exchange" | "refresh",
): TokenSet {
  const where = "the token endpoint";
  if (response.status < 200 || response.status >= 300) {
    const detail = oauthError(response);
    if (detail?.error === "invalid_grant") throw invalidGrant(purpose);
    const what = detail
      ? `${detail.error}${detail.description ? `: ${detail.description}` : ""}`
      : describeBody(response);
    throw new FailureError(
      `${where} answered HTTP ${response.status} (${what})`,
      response.status >= 500
        ? "the server is having trouble (the request was already retried); try again later"
        : undefined,
    );
  }
  const data = parseJsonObject(response.body);
  if (!data) {
    throw new FailureError(
      `${where} answered HTTP ${response.status} with ${describeBody(response)}`,
    );
  }
  const { access_token, refresh_token, expires_in } = data;
  // A token is printed by `token` and sent in headers: printable ASCII only, no line breaks.
  const accessToken = typeof access_token === "string" && isPrintableToken(access_token)
    ? access_token
    : null;
  const refreshToken = typeof refresh_token === "string" && isPrintableToken(refresh_token)
    ? refresh_token
    : null;
  const expiresIn = typeof expires_in === "number" && Number.isFinite(expires_in) &&
      expires_in > 0 && expires_in <= MAX_EXPIRES_IN_S
    ? expires_in
    : null;
  if (accessToken === null || refreshToken === null || expiresIn === null) {
    const problems = [
      accessToken === null && "access_token",
      refreshToken === null && "refresh_token",
      expiresIn === null && "expires_in",
    ].filter((name) => name !== false);
    throw new FailureError(
      `${where} sent an invalid token response (missing or malformed: ${problems.join(", ")})`,
    );
  }
  registerSecret(accessToken);
  registerSecret(refreshToken);
  const tokens: TokenSet = { accessToken, refreshToken, expiresIn };
  const { account, organization } = data;
  if (isPlainObject(account) && typeof account.email_address === "string") {
    tokens.email = account.email_address;
  }
  if (isPlainObject(organization) && typeof organization.name === "string") {
    tokens.organization = organization.name;
  }
  return tokens;
}

/** The `raw_key` of a create_api_key response. */
export function parseCreateApiKeyResponse(response: RawResponse): string {
  if (response.status < 200 || response.status >= 300) {
    const detail = oauthError(response);
    throw new FailureError(
      `creating an API key failed: HTTP ${response.status} (${
        detail
          ? `${detail.error}${detail.description ? `: ${detail.description}` : ""}`
          : describeBody(response)
      })`,
      response.status === 403
        ? "your account needs permission to create API keys in the Console organization"
        : response.status >= 500
        ? "the server is having trouble (the request was already retried); try again later"
        : `run \`${PROGRAM} login --method browser --create-api-key\` again`,
    );
  }
  const data = parseJsonObject(response.body);
  const key = data?.raw_key;
  if (typeof key !== "string" || !isPrintableToken(key)) {
    throw new FailureError("creating an API key failed: the response has no raw_key");
  }
  registerSecret(key);
  return key;
}

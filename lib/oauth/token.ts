/**
 * Token endpoint requests and strict validation of its responses. A response
 * that is not exactly a token set is refused with a protocol error
 * (lib/oauth/errors.ts) rather than stored, since a bad token in auth.json
 * breaks OpenCode later and far from the cause; the caller words what the user sees.
 *
 * @module
 */

import { isPrintableToken } from "../credential_types.ts";
import { isPlainObject, parseJson, parseJsonObject } from "../json.ts";
import { registerSecret } from "../redact.ts";
import { excerpt } from "../ui.ts";
import type { OAuthConfig } from "./config.ts";
import { InvalidResponseError, OAuthError, type OAuthRequest } from "./errors.ts";

/** What a successful token response gives us. */
export interface TokenSet {
  /** The access token. */
  accessToken: string;
  /** Absent only from a refresh answer whose server kept the old refresh token (RFC 6749 §6). */
  refreshToken?: string;
  /** Lifetime in seconds. */
  expiresIn: number;
  /** The account's email address, when the server said. */
  email?: string;
  /** The organization's name, when the server said. */
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
  /** The HTTP status. */
  status: number;
  /** The `Content-Type` header, or empty. */
  contentType: string;
  /** The body text (capped). */
  body: string;
  /**
   * How an earlier attempt's answer was lost after the request was sent (a
   * 5xx, a dropped connection), when this response is a retry's.
   */
  lostBefore?: string;
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

/** A refusal's body in a few words. */
export function describeRefusal(response: RawResponse): string {
  const detail = oauthError(response);
  return detail ? detail.error : describeBody(response).split(";")[0];
}

/**
 * The JSON object of a 2xx answer; a non-2xx answer throws its OAuth error
 * (or, without one, an InvalidResponseError describing the body), and so
 * does a 2xx whose body is not a JSON object.
 */
function answerObject(response: RawResponse, request: OAuthRequest): Record<string, unknown> {
  if (response.status < 200 || response.status >= 300) {
    const detail = oauthError(response);
    if (detail) {
      throw new OAuthError(
        request,
        response.status,
        detail.error,
        detail.description,
        response.lostBefore,
      );
    }
    throw new InvalidResponseError(request, response.status, describeBody(response));
  }
  const data = parseJsonObject(response.body);
  if (!data) throw new InvalidResponseError(request, response.status, describeBody(response));
  return data;
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

/**
 * Whether the token endpoint refused the request before looking at the grant:
 * a 404 (the endpoint moved), or a 429/403 without an OAuth error body (bot
 * protection at the edge, often an HTML page; waiting does not cure it). An
 * OAuth error (`{"error":"invalid_grant"}`) is the server's real answer.
 */
export function refusedAtEdge(response: RawResponse): boolean {
  if (response.status === 404) return true;
  if (response.status !== 429 && response.status !== 403) return false;
  return typeof parseJsonObject(response.body)?.error !== "string";
}

/**
 * Turn a token endpoint response into a TokenSet, or throw what was wrong:
 * an OAuthError for an OAuth error answer (`invalid_grant`: the grant was
 * refused), an InvalidResponseError for anything else malformed.
 */
export function parseTokenResponse(
  response: RawResponse,
  purpose: "exchange" | "refresh",
): TokenSet {
  const data = answerObject(response, purpose);
  const { access_token, refresh_token, expires_in } = data;
  // A token is printed by `token` and sent in headers: printable ASCII only, no line breaks.
  const accessToken = typeof access_token === "string" && isPrintableToken(access_token)
    ? access_token
    : null;
  // A refresh answer may leave refresh_token out (the server kept it); present, it must be valid.
  const kept = purpose === "refresh" && refresh_token === undefined;
  const refreshToken = typeof refresh_token === "string" && isPrintableToken(refresh_token)
    ? refresh_token
    : kept
    ? undefined
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
    throw new InvalidResponseError(purpose, response.status, describeBody(response), problems);
  }
  registerSecret(accessToken);
  if (refreshToken !== undefined) registerSecret(refreshToken);
  const tokens: TokenSet = { accessToken, expiresIn };
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
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
  const data = answerObject(response, "create-api-key");
  const key = data.raw_key;
  if (typeof key !== "string" || !isPrintableToken(key)) {
    throw new InvalidResponseError(
      "create-api-key",
      response.status,
      describeBody(response),
      ["raw_key"],
    );
  }
  registerSecret(key);
  return key;
}

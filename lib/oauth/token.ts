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
  /** Absent only from a refresh answer whose server kept the old refresh token (RFC 6749 §6). */
  refreshToken?: string;
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

/** Why the token endpoint could not be asked: it moved (404), or its edge refused us. */
export type EndpointTrouble = "moved" | "edge";

/**
 * The token endpoint (and its alternate) refused the request before looking
 * at the grant: no token was spent, and the fix is not a new sign-in.
 */
export class TokenEndpointError extends FailureError {
  /** Create the error for `trouble`, naming every endpoint tried and its answer. */
  constructor(readonly trouble: EndpointTrouble, tried: { url: string; response: RawResponse }[]) {
    const answers = tried.map(({ url, response }) =>
      `${url.split("?")[0]} answered HTTP ${response.status} (${describeRefusal(response)})`
    ).join("; ");
    super(
      trouble === "moved"
        ? `the token endpoint was not found: ${answers}`
        : `the token endpoint refused the request at its edge, before looking at the sign-in: ${answers}`,
      trouble === "moved"
        ? "the endpoint has moved: update this tool, or point ANTHROPIC_TOKEN_URL at the current one"
        : "bot protection in front of the endpoint blocks this client or network, and waiting does not cure it: try from another network, or sign in with an API key (`login --method api-key`)",
    );
    this.name = "TokenEndpointError";
  }
}

/** A refusal's body in a few words. */
function describeRefusal(response: RawResponse): string {
  const detail = oauthError(response);
  return detail ? detail.error : describeBody(response).split(";")[0];
}

/** The trouble of a set of edge refusals: moved when every one is a 404. */
export function endpointTrouble(responses: RawResponse[]): EndpointTrouble {
  return responses.every((response) => response.status === 404) ? "moved" : "edge";
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
    if (detail?.error === "invalid_grant") throw invalidGrant(purpose, response.lostBefore);
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
    throw new FailureError(
      `${where} sent an invalid token response (missing or malformed: ${problems.join(", ")})`,
    );
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

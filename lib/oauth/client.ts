/**
 * The OAuth calls this tool makes, each one request plus strict parsing.
 *
 * lib/oauth/ is protocol only: PKCE and `state` (pkce.ts), the authorize URL
 * and the pasted code (authorize.ts), token request bodies and strict parsing
 * of the responses (token.ts), the endpoints and User-Agent in force
 * (config.ts), HTTP through the context's `fetch` with a time limit, bounded
 * retries, `Retry-After` and no redirects (http.ts), and the protocol errors
 * it throws (errors.ts). It does not decide whose token it holds, never
 * touches a file, and shows nothing but `--debug` lines: what the user sees of
 * a failure is worded by lib/methods/oauth_errors.ts. Only config.ts imports
 * errors.ts (a bad setting is the user's usage error); tests/project/architecture_test.ts
 * holds the layer rules.
 *
 * @module
 */

import { apiUrl, type OAuthConfig } from "./config.ts";
import { type HttpContext, sendRequest } from "./http.ts";
import {
  codeExchangeBody,
  describeRefusal,
  parseCreateApiKeyResponse,
  parseTokenResponse,
  type RawResponse,
  refreshBody,
  refusedAtEdge,
  type TokenSet,
} from "./token.ts";
import { EndpointError, type EndpointFailure, type RefusingEndpoint } from "./errors.ts";

/**
 * The token endpoints a grant is sent to, in order: the configured one, then
 * the alternate when there is one and it differs.
 */
export function tokenEndpoints(config: OAuthConfig): string[] {
  const alt = config.altTokenUrl;
  return alt !== null && alt !== config.tokenUrl ? [config.tokenUrl, alt] : [config.tokenUrl];
}

/**
 * Why every token endpoint tried refused the grant before looking at it: it
 * moved when every one answered 404; otherwise bot protection at the edge.
 */
export function refusalFailure(tried: RefusingEndpoint[]): EndpointFailure {
  return {
    kind: tried.every((t) => t.status === 404) ? "not-found" : "edge-blocked",
    endpoints: tried,
  };
}

/**
 * One grant at the token endpoint, its response parsed strictly. When the
 * endpoint answers 404 or refuses at its edge (lib/oauth/token.ts
 * `refusedAtEdge`: the grant was not looked at, so nothing was spent), the
 * grant is tried once at the alternate endpoint; a real OAuth error
 * (`invalid_grant`) is never retried elsewhere.
 */
async function tokenRequest(
  ctx: HttpContext,
  config: OAuthConfig,
  body: Record<string, string>,
  purpose: "exchange" | "refresh",
): Promise<TokenSet> {
  const what = purpose === "exchange" ? "code exchange" : "token refresh";
  const endpoints = tokenEndpoints(config);
  const tried: RefusingEndpoint[] = [];
  for (const url of endpoints) {
    const response = await sendRequest(ctx, {
      method: "POST",
      url,
      json: body,
      what,
      returnEdgeRefusal: endpoints.length > 1,
    });
    if (!refusedAtEdge(response)) return parseTokenResponse(response, purpose);
    tried.push({
      url: url.split("?")[0],
      status: response.status,
      answer: describeRefusal(response),
    });
    ctx.ui.debug(`${what}: ${url} refused the request before the grant (HTTP ${response.status})`);
  }
  throw new EndpointError(refusalFailure(tried));
}

/** Exchange an authorization code (with its PKCE verifier) for tokens. */
export function exchangeCode(
  ctx: HttpContext,
  config: OAuthConfig,
  grant: { code: string; state: string; verifier: string },
): Promise<TokenSet> {
  return tokenRequest(ctx, config, codeExchangeBody(config, grant), "exchange");
}

/** Spend a refresh token for a new token set (the old refresh token dies). */
export function refreshTokens(
  ctx: HttpContext,
  config: OAuthConfig,
  refreshToken: string,
): Promise<TokenSet> {
  return tokenRequest(ctx, config, refreshBody(config, refreshToken), "refresh");
}

/** Mint an API key with a Console access token. */
export async function createApiKey(
  ctx: HttpContext,
  config: OAuthConfig,
  accessToken: string,
): Promise<string> {
  const response = await sendRequest(ctx, {
    method: "POST",
    url: apiUrl(config, "/api/oauth/claude_cli/create_api_key"),
    headers: { authorization: `Bearer ${accessToken}` },
    json: {},
    what: "API key creation",
  });
  return parseCreateApiKeyResponse(response);
}

/** The `anthropic-beta` value that lets an OAuth access token call the API. */
export const OAUTH_BETA = "oauth-2025-04-20";

/** Ask `GET /v1/models` whether a credential works; returns the answer (its status and body). */
export async function probeModels(
  ctx: HttpContext,
  config: OAuthConfig,
  credential: { type: "api"; key: string } | { type: "oauth"; access: string },
): Promise<RawResponse> {
  const headers: Record<string, string> = { "anthropic-version": "2023-06-01" };
  if (credential.type === "api") headers["x-api-key"] = credential.key;
  else {
    headers.authorization = `Bearer ${credential.access}`;
    headers["anthropic-beta"] = OAUTH_BETA;
  }
  return await sendRequest(ctx, {
    method: "GET",
    url: apiUrl(config, "/v1/models"),
    headers,
    what: "credential check",
  });
}

/**
 * Anthropic OAuth endpoints, constants and the User-Agent, overridable from
 * the environment. This is the user's configuration, not the protocol: a bad
 * value is the user's input to fix (a usage error, exit 2, raised before any
 * request), so it alone in lib/oauth/ words its errors itself.
 *
 * @module
 */

import type { EnvReader } from "../environment.ts";
import { PROGRAM, quote, UsageError, VERSION } from "../errors.ts";

/** The endpoints and client settings in force. */
export interface OAuthConfig {
  /** Authorize URL for a subscription (Claude.ai) sign-in. */
  authorizeUrl: string;
  /** Authorize URL for a Console sign-in (`--create-api-key`). */
  consoleAuthorizeUrl: string;
  /** Token endpoint (code exchange and refresh). */
  tokenUrl: string;
  /**
   * The token endpoint tried once when `tokenUrl` answers 404 or refuses at
   * its edge (lib/oauth/client.ts); null: none.
   */
  altTokenUrl: string | null;
  /** API base URL (`/v1/models`, `/api/oauth/claude_cli/create_api_key`). */
  baseUrl: string;
  /** The OAuth client id. */
  clientId: string;
  /** The redirect URI registered for the client. */
  redirectUri: string;
  /** The scopes asked for, space-separated. */
  scope: string;
}

/** Environment variable and default value of each setting. */
export const OAUTH_SETTINGS: Record<
  Exclude<keyof OAuthConfig, "altTokenUrl">,
  { env: string; fallback: string; isUrl: boolean }
> = {
  authorizeUrl: {
    env: "ANTHROPIC_AUTH_URL",
    // What Claude Code opens today (REFERENCE.md §2 drift): the classic
    // claude.ai/oauth/authorize is reported to refuse the grant.
    fallback: "https://claude.com/cai/oauth/authorize",
    isUrl: true,
  },
  consoleAuthorizeUrl: {
    env: "ANTHROPIC_CONSOLE_AUTH_URL",
    fallback: "https://platform.claude.com/oauth/authorize",
    isUrl: true,
  },
  tokenUrl: {
    env: "ANTHROPIC_TOKEN_URL",
    fallback: "https://platform.claude.com/v1/oauth/token",
    isUrl: true,
  },
  baseUrl: { env: "ANTHROPIC_BASE_URL", fallback: "https://api.anthropic.com", isUrl: true },
  clientId: {
    env: "ANTHROPIC_CLIENT_ID",
    fallback: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    isUrl: false,
  },
  redirectUri: {
    env: "ANTHROPIC_REDIRECT_URI",
    fallback: "https://platform.claude.com/oauth/code/callback",
    isUrl: true,
  },
  scope: {
    env: "ANTHROPIC_SCOPE",
    // The scopes Claude Code requests today.
    fallback:
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    isUrl: false,
  },
};

/**
 * The alternate token endpoint: Anthropic's API host answers the same grants
 * where the default host's edge refuses some clients (REFERENCE.md §2 drift).
 */
export const ALT_TOKEN_URL = "https://api.anthropic.com/v1/oauth/token";

/** The variable that sets (or, set to `none`, turns off) the alternate token endpoint. */
export const ALT_TOKEN_URL_ENV = "CLAUDE_CODE_AUTH_ALT_TOKEN_URL";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Check an endpoint URL: `https:` anywhere, `http:` only on a loopback host.
 * Anything else is a usage error, raised before any request is made.
 */
export function checkEndpointUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a valid URL: ${quote(value)}`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${name} must not contain a user name or password`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new UsageError(
    `${name} must be an https: URL (http: is allowed only for 127.0.0.1, localhost and [::1]), got ${
      quote(value)
    }`,
  );
}

/**
 * The alternate token endpoint in force: the variable's URL; else, only while
 * the token endpoint is Anthropic's default, ALT_TOKEN_URL (an overridden
 * endpoint, a proxy or a test server, has no alternate unless one is named).
 */
function altTokenUrl(env: EnvReader, tokenUrl: string): string | null {
  const raw = env.get(ALT_TOKEN_URL_ENV)?.trim() ?? "";
  if (raw.toLowerCase() === "none") return null;
  if (raw !== "") {
    checkEndpointUrl(ALT_TOKEN_URL_ENV, raw);
    return raw;
  }
  return tokenUrl === OAUTH_SETTINGS.tokenUrl.fallback ? ALT_TOKEN_URL : null;
}

/** The configuration in force; every URL is checked first (in the order of OAUTH_SETTINGS). */
export function loadOAuthConfig(env: EnvReader): OAuthConfig {
  const value = (key: keyof typeof OAUTH_SETTINGS): string => {
    const setting = OAUTH_SETTINGS[key];
    const raw = env.get(setting.env);
    const chosen = raw === undefined || raw.trim() === "" ? setting.fallback : raw.trim();
    if (setting.isUrl) checkEndpointUrl(setting.env, chosen);
    return chosen;
  };
  const tokenUrl = value("tokenUrl");
  return {
    authorizeUrl: value("authorizeUrl"),
    consoleAuthorizeUrl: value("consoleAuthorizeUrl"),
    tokenUrl,
    altTokenUrl: altTokenUrl(env, tokenUrl),
    baseUrl: value("baseUrl"),
    clientId: value("clientId"),
    redirectUri: value("redirectUri"),
    scope: value("scope"),
  };
}

/** The settings whose environment override is in force, for `doctor` and `--debug`. */
export function overridesInForce(env: EnvReader): { env: string; value: string }[] {
  return [...Object.values(OAUTH_SETTINGS).map((setting) => setting.env), ALT_TOKEN_URL_ENV]
    .map((name) => ({ env: name, value: env.get(name) ?? "" }))
    .filter((item) => item.value.trim() !== "");
}

/** `$ANTHROPIC_BASE_URL` joined with `path`, keeping any path prefix of the base. */
export function apiUrl(config: OAuthConfig, path: string): string {
  return config.baseUrl.replace(/\/+$/, "") + path;
}

/** The User-Agent sent with every request (`CLAUDE_CODE_AUTH_USER_AGENT` overrides it). */
export function userAgent(ctx: { readonly env: EnvReader }): string {
  const override = ctx.env.get("CLAUDE_CODE_AUTH_USER_AGENT");
  if (!override) return `${PROGRAM}/${VERSION}`;
  if (!/^[\x20-\x7e]+$/.test(override)) {
    throw new UsageError(
      "CLAUDE_CODE_AUTH_USER_AGENT must be printable ASCII on one line",
    );
  }
  return override;
}

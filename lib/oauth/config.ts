/** Anthropic OAuth endpoints and constants, overridable from the environment. */

import type { Env } from "../context.ts";
import { quote, UsageError } from "../errors.ts";

/** The endpoints and client settings in force. */
export interface OAuthConfig {
  /** Authorize URL for a subscription (Claude.ai) sign-in. */
  authorizeUrl: string;
  /** Authorize URL for a Console sign-in (`--create-api-key`). */
  consoleAuthorizeUrl: string;
  /** Token endpoint (code exchange and refresh). */
  tokenUrl: string;
  /** API base URL (`/v1/models`, `/api/oauth/claude_cli/create_api_key`). */
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** Environment variable and default value of each setting. */
export const OAUTH_SETTINGS: Record<
  keyof OAuthConfig,
  { env: string; fallback: string; isUrl: boolean }
> = {
  authorizeUrl: {
    env: "ANTHROPIC_AUTH_URL",
    fallback: "https://claude.ai/oauth/authorize",
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
    fallback: "org:create_api_key user:profile user:inference",
    isUrl: false,
  },
};

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

/** The configuration in force; every URL is checked first (in the order of OAUTH_SETTINGS). */
export function loadOAuthConfig(env: Env): OAuthConfig {
  const value = (key: keyof OAuthConfig): string => {
    const setting = OAUTH_SETTINGS[key];
    const raw = env.get(setting.env);
    const chosen = raw === undefined || raw.trim() === "" ? setting.fallback : raw.trim();
    if (setting.isUrl) checkEndpointUrl(setting.env, chosen);
    return chosen;
  };
  return {
    authorizeUrl: value("authorizeUrl"),
    consoleAuthorizeUrl: value("consoleAuthorizeUrl"),
    tokenUrl: value("tokenUrl"),
    baseUrl: value("baseUrl"),
    clientId: value("clientId"),
    redirectUri: value("redirectUri"),
    scope: value("scope"),
  };
}

/** The settings whose environment override is in force, for `doctor` and `--debug`. */
export function overridesInForce(env: Env): { env: string; value: string }[] {
  return Object.values(OAUTH_SETTINGS)
    .map((setting) => ({ env: setting.env, value: env.get(setting.env) ?? "" }))
    .filter((item) => item.value.trim() !== "");
}

/** `$ANTHROPIC_BASE_URL` joined with `path`, keeping any path prefix of the base. */
export function apiUrl(config: OAuthConfig, path: string): string {
  return config.baseUrl.replace(/\/+$/, "") + path;
}

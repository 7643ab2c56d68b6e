/**
 * Every environment variable this tool reads, defined once, and the readers
 * of its settings: `help environment` and docs/environment.md
 * (lib/reference.ts), the `--allow-env` flag, the limits of the milliseconds
 * settings and the variables a scheduled `service` job carries over all come
 * from this table. The texts made from the table are in reference.ts, and
 * `token` on an API key loads neither.
 *
 * @module
 */

import { quote, UsageError } from "./errors.ts";

/** Read access to environment variables: `Context.env` (lib/context.ts makes the real and recorded ones). */
export interface EnvReader {
  /** The variable's value, or undefined when it is not set. */
  get(name: string): string | undefined;
}

/** One environment variable the tool reads. */
export interface EnvVar {
  /** The variable's name. */
  readonly name: string;
  /** What is used when it is unset, for help; undefined when nothing is. */
  readonly default?: string;
  /** One line on what it does. */
  readonly meaning: string;
  /** Carried into the job that `service install` writes (files and endpoints in force). */
  readonly carried: boolean;
  /** For a milliseconds setting: the largest value accepted (exit 2 beyond). */
  readonly maxMs?: number;
}

/** The table, grouped as `help environment` prints it. */
export const ENVIRONMENT: readonly EnvVar[] = [
  {
    name: "HOME",
    meaning: "your home folder: the base of the default paths below",
    carried: true,
  },
  {
    name: "USERPROFILE",
    meaning: "your home folder on Windows (tried before HOME there)",
    carried: true,
  },
  {
    name: "XDG_DATA_HOME",
    default: "~/.local/share",
    meaning: "holds OpenCode's credentials, opencode/auth.json and opencode/opencode.db",
    carried: true,
  },
  {
    name: "XDG_CONFIG_HOME",
    default: "~/.config",
    meaning: "holds this tool's state (opencode-claude-code-auth/) and OpenCode's config",
    carried: true,
  },
  {
    name: "PATH",
    meaning: "where claude, security, opencode, the browser opener and service managers are found",
    carried: true,
  },
  {
    name: "OPENCODE_AUTH_CONTENT",
    meaning: "when set, OpenCode ignores auth.json; login, status and doctor warn",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG",
    meaning: "an extra OpenCode config file, read for its plugin list",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG_DIR",
    meaning: "an extra OpenCode config folder, read for config files and plugins",
    carried: false,
  },
  {
    name: "OPENCODE_DB",
    default: "opencode.db beside auth.json",
    meaning: "OpenCode 2's database; written too when it exists (never created)",
    carried: true,
  },
  {
    name: "CLAUDE_CONFIG_DIR",
    default: "~/.claude",
    meaning: "Claude Code's folder (.credentials.json); also suffixes the Keychain service",
    carried: true,
  },
  {
    name: "DISPLAY",
    meaning: "an X display (Linux): login may start a browser",
    carried: false,
  },
  {
    name: "WAYLAND_DISPLAY",
    meaning: "a Wayland display (Linux): login may start a browser",
    carried: false,
  },
  {
    name: "ANTHROPIC_AUTH_URL",
    default: "https://claude.com/cai/oauth/authorize",
    meaning: "sign-in page of the browser sign-in (opened by the browser)",
    carried: true,
  },
  {
    name: "ANTHROPIC_CONSOLE_AUTH_URL",
    default: "https://platform.claude.com/oauth/authorize",
    meaning: "sign-in page of login --create-api-key (opened by the browser)",
    carried: true,
  },
  {
    name: "ANTHROPIC_TOKEN_URL",
    default: "https://platform.claude.com/v1/oauth/token",
    meaning: "token endpoint: code exchange and refresh",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_ALT_TOKEN_URL",
    default: "https://api.anthropic.com/v1/oauth/token",
    meaning:
      "token endpoint tried once when the first answers 404 or refuses at its edge; none turns it off (off by default while ANTHROPIC_TOKEN_URL is set)",
    carried: true,
  },
  {
    name: "ANTHROPIC_BASE_URL",
    default: "https://api.anthropic.com",
    meaning: "API base: /v1/models (status --check) and create_api_key",
    carried: true,
  },
  {
    name: "ANTHROPIC_CLIENT_ID",
    default: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    meaning: "OAuth client id",
    carried: true,
  },
  {
    name: "ANTHROPIC_REDIRECT_URI",
    default: "https://platform.claude.com/oauth/code/callback",
    meaning: "OAuth redirect URI: the page that shows code#state",
    carried: true,
  },
  {
    name: "ANTHROPIC_SCOPE",
    default:
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    meaning: "OAuth scopes, separated by spaces",
    carried: true,
  },
  {
    name: "ANTHROPIC_API_KEY",
    meaning: "read only by `login --from-env ANTHROPIC_API_KEY` (never carried, never printed)",
    carried: false,
  },
  {
    name: "CLAUDE_CODE_OAUTH_TOKEN",
    meaning: "the token of `claude setup-token`, read only by `login --method setup-token " +
      "--from-env CLAUDE_CODE_OAUTH_TOKEN` (never carried, never printed)",
    carried: false,
  },
  {
    name: "CLAUDE_CODE_AUTH_DEBUG",
    meaning: "1, true, yes or on: the same as --debug",
    carried: false,
  },
  {
    name: "CLAUDE_CODE_AUTH_CREDENTIALS_PATH",
    default: "$CLAUDE_CONFIG_DIR/.credentials.json",
    meaning: "Claude Code's credentials file, read instead of the default",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE",
    default: "Claude Code-credentials",
    meaning: "macOS Keychain service to read; when set, tried on any OS",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS",
    default: "30000",
    meaning:
      "time limit of the `security` command that reads the macOS Keychain (time to answer its prompt)",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_MODEL",
    default: "claude-haiku-4-5",
    meaning: "model of the `claude -p .` run that renews a Claude Code session",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS",
    default: "60000",
    meaning: "a token expiring within this many ms counts as stale",
    carried: true,
    maxMs: 86_400_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    default: "60000",
    meaning: "time limit of the `claude` run that renews a Claude Code session",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS",
    default: "30000",
    meaning: "time limit of one HTTP request",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_RETRY_BASE_MS",
    default: "500",
    meaning: "first wait before retrying a network error or 5xx (doubles; 4 attempts)",
    carried: true,
    maxMs: 60_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS",
    default: "30000",
    meaning: "longest Retry-After waited out on HTTP 429",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_USER_AGENT",
    default: "opencode-claude-code-auth/VERSION",
    meaning: "User-Agent of every HTTP request (printable ASCII)",
    carried: true,
  },
];

/** The entry for `name`, or undefined when the tool does not read it. */
export function envVar(name: string): EnvVar | undefined {
  return ENVIRONMENT.find((v) => v.name === name);
}

/** Largest delay setTimeout honours: a larger one silently fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A non-negative whole number from the environment, or `fallback` when unset.
 * A malformed value, or one above `max` (default: the variable's `maxMs` in
 * this table, else the largest timer delay), is a usage error rather
 * than a silent default or a 1 ms timer.
 */
export function envMilliseconds(
  env: EnvReader,
  name: string,
  fallback: number,
  max?: number,
): number {
  const raw = env.get(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new UsageError(
      `${name} must be a whole number of milliseconds, got ${quote(raw)}`,
    );
  }
  const value = Number(raw.trim());
  const limit = Math.min(max ?? envVar(name)?.maxMs ?? MAX_TIMER_MS, MAX_TIMER_MS);
  if (value > limit) {
    throw new UsageError(`${name} must be at most ${limit} milliseconds, got ${quote(raw)}`);
  }
  return value;
}

/** The margin before expiry at which a token counts as stale (`CLAUDE_CODE_AUTH_REFRESH_SKEW_MS`). */
export function refreshSkewMs(ctx: { env: EnvReader }): number {
  // 60 s: DEFAULT_SKEW_MS of credential_types.ts (not imported: this module needs only errors.ts).
  return envMilliseconds(ctx.env, "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS", 60_000);
}

/**
 * Every environment variable this tool reads, defined once: `help
 * environment`, docs/environment.md, the `--allow-env` flag and the variables
 * a scheduled `service` job carries over are all checked against this table.
 * A leaf module: it imports nothing.
 */

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
  { name: "HOME", meaning: "your home directory", carried: true },
  { name: "USERPROFILE", meaning: "your home directory on Windows", carried: true },
  {
    name: "XDG_DATA_HOME",
    default: "~/.local/share",
    meaning: "holds opencode/auth.json",
    carried: true,
  },
  {
    name: "XDG_CONFIG_HOME",
    default: "~/.config",
    meaning: "holds this tool's state and OpenCode's config",
    carried: true,
  },
  {
    name: "PATH",
    meaning: "where `claude`, `security` and the service managers are found",
    carried: true,
  },
  {
    name: "OPENCODE_AUTH_CONTENT",
    meaning: "when set, OpenCode ignores auth.json (reported by status and doctor)",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG",
    meaning: "an extra OpenCode config file scanned for plugins",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG_DIR",
    meaning: "an extra OpenCode config folder scanned for plugins",
    carried: false,
  },
  {
    name: "CLAUDE_CONFIG_DIR",
    default: "~/.claude",
    meaning: "Claude Code's folder (credentials file, Keychain service suffix)",
    carried: true,
  },
  { name: "DISPLAY", meaning: "an X display: a browser can be opened (Linux)", carried: false },
  {
    name: "WAYLAND_DISPLAY",
    meaning: "a Wayland display: a browser can be opened (Linux)",
    carried: false,
  },
  {
    name: "ANTHROPIC_AUTH_URL",
    default: "https://claude.ai/oauth/authorize",
    meaning: "authorize endpoint of the browser sign-in",
    carried: true,
  },
  {
    name: "ANTHROPIC_CONSOLE_AUTH_URL",
    default: "https://platform.claude.com/oauth/authorize",
    meaning: "authorize endpoint for --create-api-key",
    carried: true,
  },
  {
    name: "ANTHROPIC_TOKEN_URL",
    default: "https://platform.claude.com/v1/oauth/token",
    meaning: "token endpoint (code exchange and refresh)",
    carried: true,
  },
  {
    name: "ANTHROPIC_BASE_URL",
    default: "https://api.anthropic.com",
    meaning: "API base for status --check and --create-api-key",
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
    meaning: "OAuth redirect URI",
    carried: true,
  },
  {
    name: "ANTHROPIC_SCOPE",
    default: "org:create_api_key user:profile user:inference",
    meaning: "OAuth scopes",
    carried: true,
  },
  { name: "CLAUDE_CODE_AUTH_DEBUG", meaning: "1 turns on --debug", carried: false },
  {
    name: "CLAUDE_CODE_AUTH_CREDENTIALS_PATH",
    meaning: "Claude Code's credentials file instead of $CLAUDE_CONFIG_DIR/.credentials.json",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE",
    default: "Claude Code-credentials",
    meaning: "Keychain service to read (also tried off macOS when set)",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_MODEL",
    default: "claude-haiku-4-5",
    meaning: "model of the `claude -p` refresh prompt",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS",
    default: "60000",
    meaning: "a token expiring within this counts as stale",
    carried: true,
    maxMs: 86_400_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    default: "60000",
    meaning: "time limit of the `claude` refresh",
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
    meaning: "first backoff step of retries (doubles each time)",
    carried: true,
    maxMs: 60_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS",
    default: "30000",
    meaning: "longest Retry-After waited for on HTTP 429",
    carried: true,
    maxMs: 600_000,
  },
  { name: "CLAUDE_CODE_AUTH_USER_AGENT", meaning: "User-Agent of HTTP requests", carried: true },
];

/** The entry for `name`, or undefined when the tool does not read it. */
export function envVar(name: string): EnvVar | undefined {
  return ENVIRONMENT.find((v) => v.name === name);
}

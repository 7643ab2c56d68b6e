/** Hostile environment overrides: endpoint URLs, numbers, home and folders. */

import assert from "node:assert/strict";
import { installFakeSecurity } from "../fakes/claude_code.ts";
import {
  type Fixture,
  type HostileCase,
  hostileCases,
  secret,
  storeBrowser,
  withAnthropic,
  writeAuthText,
  writeState,
} from "../helpers/hostile_corpus.ts";

/** Nothing at all may have been sent to the fake server. */
const noRequest = (f: Fixture) => {
  assert.deepEqual(f.fake.requests.map((r) => r.path), [], "a request was made");
  return Promise.resolve();
};

/** `token` on an expired browser sign-in with `env` added: a refresh would be needed. */
function refreshWith(
  name: string,
  env: (f: Fixture) => Record<string, string | undefined>,
  exit: 1 | 2,
  message: RegExp,
  extra: Partial<HostileCase> = {},
): HostileCase {
  return {
    name,
    args: ["token"],
    fake: true,
    setup: (f) => storeBrowser(f),
    env,
    exit,
    message,
    check: exit === 2 ? noRequest : undefined,
    ...extra,
  };
}

/** `login --method browser` with `env` added. */
function browserLoginWith(
  name: string,
  env: Record<string, string>,
  message: RegExp,
): HostileCase {
  return {
    name,
    args: ["login", "--method", "browser", "--no-browser"],
    fake: true,
    env: () => env,
    stdin: "code#state\n",
    exit: 2,
    message,
    check: noRequest,
  };
}

/** `token` on a fresh OAuth entry (so the skew is read) with `value` as the skew. */
function skew(
  value: string,
  message = /CLAUDE_CODE_AUTH_REFRESH_SKEW_MS must be a whole number/,
): HostileCase {
  return {
    name: `CLAUDE_CODE_AUTH_REFRESH_SKEW_MS=${JSON.stringify(value.slice(0, 40))}`,
    args: ["token"],
    fake: true,
    setup: (f) => storeBrowser(f, { fresh: true }),
    env: () => ({ CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: value }),
    exit: 2,
    message,
  };
}

hostileCases("environment", [
  refreshWith(
    "ANTHROPIC_TOKEN_URL over plain http to a remote host",
    () => ({ ANTHROPIC_TOKEN_URL: "http://evil.example/v1/oauth/token" }),
    2,
    /ANTHROPIC_TOKEN_URL must be an https: URL/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL that is not a URL",
    () => ({ ANTHROPIC_TOKEN_URL: "platform.claude.com/v1/oauth/token" }),
    2,
    /ANTHROPIC_TOKEN_URL is not a valid URL/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL with a malformed IPv6 host",
    () => ({ ANTHROPIC_TOKEN_URL: "https://[::1/token" }),
    2,
    /ANTHROPIC_TOKEN_URL is not a valid URL/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL with a password in it (not printed back)",
    (f) => {
      const password = secret("hunter2-");
      f.box.plant(password);
      return { ANTHROPIC_TOKEN_URL: `https://user:${password}@platform.claude.com/v1/oauth/token` };
    },
    2,
    /must not contain a user name or password/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL with escape sequences in it",
    () => ({ ANTHROPIC_TOKEN_URL: "\u001b[2J\u001b]0;owned\u0007http://x" }),
    2,
    /ANTHROPIC_TOKEN_URL/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL of a loopback port nobody listens on",
    () => ({ ANTHROPIC_TOKEN_URL: "http://127.0.0.1:9/v1/oauth/token" }),
    1,
    /cannot reach 127\.0\.0\.1:9/,
  ),
  refreshWith(
    "ANTHROPIC_TOKEN_URL of a host outside --allow-net",
    () => ({ ANTHROPIC_TOKEN_URL: "https://169.254.169.254/latest/meta-data" }),
    1,
    /permissions do not allow network access to 169\.254\.169\.254/,
    { process: true }, // the start task's --allow-net is what refuses it
  ),
  browserLoginWith(
    "ANTHROPIC_AUTH_URL with the javascript: scheme",
    { ANTHROPIC_AUTH_URL: "javascript:alert(1)" },
    /ANTHROPIC_AUTH_URL must be an https: URL/,
  ),
  browserLoginWith(
    "ANTHROPIC_AUTH_URL with the file: scheme",
    { ANTHROPIC_AUTH_URL: "file:///etc/passwd" },
    /ANTHROPIC_AUTH_URL must be an https: URL/,
  ),
  browserLoginWith(
    "ANTHROPIC_REDIRECT_URI over plain http to a remote host",
    { ANTHROPIC_REDIRECT_URI: "http://evil.example/callback" },
    /ANTHROPIC_REDIRECT_URI must be an https: URL/,
  ),
  {
    name: "ANTHROPIC_BASE_URL with the ftp: scheme for status --check",
    args: ["status", "--check"],
    fake: true,
    setup: (f) => storeBrowser(f, { fresh: true }),
    env: () => ({ ANTHROPIC_BASE_URL: "ftp://api.anthropic.com" }),
    exit: 2,
    message: /ANTHROPIC_BASE_URL must be an https: URL/,
    check: noRequest,
  },
  refreshWith(
    "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS that is not a number",
    () => ({ CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS: "abc" }),
    2,
    /CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS must be a whole number/,
  ),
  refreshWith(
    "CLAUDE_CODE_AUTH_RETRY_BASE_MS=NaN",
    () => ({ CLAUDE_CODE_AUTH_RETRY_BASE_MS: "NaN" }),
    2,
    /CLAUDE_CODE_AUTH_RETRY_BASE_MS must be a whole number/,
  ),
  refreshWith(
    "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS in hex",
    () => ({ CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS: "0x10" }),
    2,
    /CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS must be a whole number/,
  ),
  skew("-5"),
  skew("1e3"),
  skew("1.5"),
  skew("99999999999999999999"),
  skew("\u001b[31m" + "9".repeat(5000)),
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS with a unit on a stale Claude Code session",
    args: ["token"],
    setup: async (f) => {
      const access = secret("sk-ant-oat01-stale-");
      f.box.plant(access);
      await writeAuthText(f.box, withAnthropic({ type: "oauth", refresh: "", access, expires: 1 }));
      await writeState(f.box, "claude-code-session");
      await Deno.mkdir(`${f.box.home}/.claude`, { recursive: true });
      await Deno.writeTextFile(
        `${f.box.home}/.claude/.credentials.json`,
        JSON.stringify({ claudeAiOauth: { accessToken: access, refreshToken: "", expiresAt: 1 } }),
      );
    },
    env: () => ({ CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "10 s" }),
    exit: 2,
    message: /CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS must be a whole number/,
  },
  {
    name:
      "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE that looks like shell and options is passed as one argument",
    args: ["login", "--method", "claude-code"],
    setup: async ({ box }) => {
      await installFakeSecurity(box, {});
    },
    env: () => ({ CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "-w; rm -rf ~ $(id)" }),
    exit: 4,
    message: /no Claude Code sign-in found/,
    check: async ({ box }) => {
      const calls = (await Deno.readTextFile(`${box.root}/security-calls.log`)).trim();
      assert.equal(
        calls,
        ["find-generic-password", "-s", "-w; rm -rf ~ $(id)", "-w", ""].join("\x1f"),
      );
    },
  },
  {
    name: "HOME, USERPROFILE and the XDG folders all unset",
    args: ["token"],
    env: () => ({
      HOME: undefined,
      USERPROFILE: undefined,
      XDG_DATA_HOME: undefined,
      XDG_CONFIG_HOME: undefined,
    }),
    exit: 1,
    message: /cannot find your home directory/,
  },
  {
    name: "XDG_DATA_HOME naming a file",
    args: ["login", "--method", "api-key"],
    stdin: "sk-ant-api03-env-0123456789abcdef",
    setup: async ({ box }) => {
      box.plant("sk-ant-api03-env-0123456789abcdef");
      await Deno.writeTextFile(`${box.root}/a-file`, "x");
    },
    env: ({ box }) => ({ XDG_DATA_HOME: `${box.root}/a-file` }),
    exit: 1,
    message: /a-file/,
  },
]);

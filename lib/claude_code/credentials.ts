/**
 * Finding Claude Code's credentials: the macOS Keychain first, then the
 * credentials file. This module only reads; it never spends Claude Code's
 * refresh token (refresh tokens are single-use: that would sign Claude Code out).
 *
 * lib/claude_code/ owns what is Claude Code's: its credentials (read only) and
 * running its CLI, so that everything this tool knows about Claude Code's
 * files and programs sits in one folder.
 *
 * @module
 */

import { type EnvContext, homeDir, type OutputContext, type ProcessContext } from "../context.ts";
import { FailureError } from "../errors.ts";
import { join } from "../fs/path.ts";
import { MAX_CREDENTIALS_FILE_BYTES, readBoundedText } from "../fs/read.ts";
import { sha256Hex } from "../hash.ts";
import { isPlainObject, parseJson } from "../json.ts";
import { envMilliseconds } from "../environment.ts";
import { runBounded } from "../process.ts";
import { registerSecret } from "../redact.ts";
import { isExpiry, isPrintableToken } from "../credential_types.ts";
import { lastLine } from "../ui.ts";

/** Claude Code's OAuth credentials. */
export interface ClaudeCredentials {
  /** The access token. */
  accessToken: string;
  /** Claude Code's refresh token: read, never spent here. */
  refreshToken: string;
  /** Expiry in epoch milliseconds. */
  expiresAt: number;
  /** The OAuth scopes granted. */
  scopes?: string[];
  /** The plan (`pro`, `max`, …), when Claude Code recorded it. */
  subscriptionType?: string;
  /** Where they were found, for messages (never the secret itself). */
  origin: string;
}

/** The default Keychain service name of Claude Code's credentials. */
export const DEFAULT_KEYCHAIN_SERVICE = "Claude Code-credentials";

/**
 * Parse a credentials payload: `{"claudeAiOauth":{...}}` or the same fields at
 * top level. Returns null when it holds no Claude OAuth tokens (for example
 * only `mcpOAuth`); throws when it is not JSON at all.
 */
export function parseClaudePayload(
  text: string,
  origin: string,
): ClaudeCredentials | null {
  const parsed = parseJson(text);
  if ("problem" in parsed) {
    throw new FailureError(
      `Claude Code's credentials in ${origin} are not valid JSON (${parsed.problem})`,
      SIGN_IN_AGAIN,
    );
  }
  const data = parsed.value;
  if (!isPlainObject(data)) return null;
  const source = isPlainObject(data.claudeAiOauth) ? data.claudeAiOauth : data;
  const { accessToken, refreshToken, expiresAt } = source;
  if (typeof accessToken !== "string" || accessToken === "") return null;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) return null;
  // Held to the same rules as tokens from the token endpoint: `token` prints
  // the access token, and every token ends up in an HTTP header.
  if (!isPrintableToken(accessToken)) throw malformed(origin, "an access token");
  if (typeof refreshToken === "string" && refreshToken !== "" && !isPrintableToken(refreshToken)) {
    throw malformed(origin, "a refresh token");
  }
  // The entry stores it as it is, so it is held to the entry's rule.
  if (!isExpiry(expiresAt)) throw malformed(origin, "an expiry");
  registerSecret(accessToken);
  if (typeof refreshToken === "string") registerSecret(refreshToken);
  const credentials: ClaudeCredentials = {
    accessToken,
    refreshToken: typeof refreshToken === "string" ? refreshToken : "",
    expiresAt,
    origin,
  };
  if (Array.isArray(source.scopes)) {
    credentials.scopes = source.scopes.filter((s): s is string => typeof s === "string");
  }
  if (typeof source.subscriptionType === "string") {
    credentials.subscriptionType = source.subscriptionType;
  }
  return credentials;
}

/** The hint after any problem with Claude Code's stored sign-in. */
const SIGN_IN_AGAIN = "sign in to Claude Code again: `claude auth login`";

/** Claude Code's store holds a value no token endpoint would give; never quoted. */
function malformed(origin: string, what: string): FailureError {
  return new FailureError(
    `Claude Code's credentials in ${origin} hold ${what} that is not valid`,
    SIGN_IN_AGAIN,
  );
}

/**
 * The Keychain service to read, or null when the Keychain is not tried
 * (not macOS and no `CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE`). With
 * `CLAUDE_CONFIG_DIR` set, Claude Code suffixes the first 8 hex digits of the
 * SHA-256 of that path.
 */
export async function keychainService(ctx: EnvContext): Promise<string | null> {
  const override = ctx.env.get("CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE");
  if (override) return override;
  if (ctx.os !== "darwin") return null;
  const configDir = ctx.env.get("CLAUDE_CONFIG_DIR");
  if (!configDir) return DEFAULT_KEYCHAIN_SERVICE;
  return `${DEFAULT_KEYCHAIN_SERVICE}-${(await sha256Hex(configDir)).slice(0, 8)}`;
}

/** What reading Claude Code's store uses: its paths from the environment, `security` on macOS, debug output. */
export type ClaudeStoreContext = EnvContext & ProcessContext & OutputContext;

/** The credentials file: override, `$CLAUDE_CONFIG_DIR`, or `~/.claude`. */
export function credentialsFilePath(ctx: EnvContext): string {
  const override = ctx.env.get("CLAUDE_CODE_AUTH_CREDENTIALS_PATH");
  if (override) return override;
  const configDir = ctx.env.get("CLAUDE_CONFIG_DIR") || join(homeDir(ctx.env, ctx.os), ".claude");
  return join(configDir, ".credentials.json");
}

/** `security` exit codes with their meaning for the user. */
const SECURITY_NOT_FOUND = 44;
const SECURITY_LOCKED = 36;
const SECURITY_DENIED = 128;

const decoder = new TextDecoder();

/** `security -w` prints binary-looking secrets as hex; decode those back to text. */
function decodeKeychainOutput(output: string): string {
  const text = output.replace(/\r?\n$/, "");
  if (/^([0-9a-fA-F]{2})+$/.test(text) && text.length > 2) {
    const bytes = new Uint8Array(text.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
    const decoded = decoder.decode(bytes);
    if (decoded.trimStart().startsWith("{")) return decoded;
  }
  return text;
}

/**
 * Default time limit of `security` (`CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS`):
 * one that never answers must not block the caller, yet macOS may be showing
 * its "allow access" prompt, which a person needs a moment to answer.
 */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 30_000;

/**
 * Read the Keychain item's password with
 * `security find-generic-password -s SERVICE -w`, within its time limit and with its
 * output capped. Returns null when the item does not exist (exit 44) or
 * `security` is not installed.
 */
export async function readKeychain(
  ctx: ClaudeStoreContext,
  service: string,
): Promise<string | null> {
  const timeoutMs = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS",
    DEFAULT_KEYCHAIN_TIMEOUT_MS,
  );
  const result = await runBounded(ctx, {
    command: "security",
    args: ["find-generic-password", "-s", service, "-w"],
    timeoutMs,
    // Hex output doubles the size: room for a payload as large as the file's cap.
    maxOutputBytes: 2 * MAX_CREDENTIALS_FILE_BYTES + 2,
  });
  if (result.notFound) {
    ctx.ui.debug("keychain: the `security` command is not installed; skipping");
    return null;
  }
  if (result.notAllowed) {
    throw new Deno.errors.NotCapable('Requires run access to "security"');
  }
  if (result.timedOut) {
    throw new FailureError(
      `reading the Keychain item "${service}" timed out: \`security\` did not answer within ${
        timeoutMs / 1000
      } s and was stopped`,
      "answer the macOS Keychain prompt if one is open (or unlock the keychain), and try again",
    );
  }
  ctx.ui.debug(`keychain: security find-generic-password -s "${service}" exited ${result.code}`);
  // Cut off at the cap (the child then dies of SIGPIPE): no sign-in is that large.
  if (result.stdoutTruncated) {
    throw new FailureError(
      `the Keychain item "${service}" is larger than ${
        MAX_CREDENTIALS_FILE_BYTES / 1024
      } KiB; it cannot be Claude Code's sign-in`,
      SIGN_IN_AGAIN,
    );
  }
  if (result.code === 0) {
    return decodeKeychainOutput(decoder.decode(result.stdout));
  }
  switch (result.code) {
    case SECURITY_NOT_FOUND:
      return null;
    case SECURITY_LOCKED:
      throw new FailureError(
        `the macOS Keychain holding "${service}" is locked`,
        "unlock it (`security unlock-keychain ~/Library/Keychains/login.keychain-db`, or log in to the desktop) and try again",
      );
    case SECURITY_DENIED:
      throw new FailureError(
        `access to the Keychain item "${service}" was denied`,
        "run again and choose Allow (or Always Allow) when macOS asks; over SSH, unlock the keychain first",
      );
    default: {
      const detail = lastLine(result.stderr, 300);
      throw new FailureError(
        `reading the Keychain item "${service}" failed (security ${
          result.signal ? `ended by ${result.signal}` : `exit ${result.code}`
        }${detail ? `: ${detail}` : ""})`,
        "check the Keychain with Keychain Access, or sign in to Claude Code again",
      );
    }
  }
}

/** The result of looking for Claude Code's credentials. */
export interface ClaudeSearch {
  /** The credentials, or null when none were found. */
  credentials: ClaudeCredentials | null;
  /** Every place looked at, in order, for messages. */
  searched: string[];
}

/** Find Claude Code's credentials: Keychain (when tried), then the file. */
export async function findClaudeCredentials(ctx: ClaudeStoreContext): Promise<ClaudeSearch> {
  const searched: string[] = [];
  const service = await keychainService(ctx);
  if (service) {
    const origin = `Keychain item "${service}"`;
    searched.push(origin);
    const payload = await readKeychain(ctx, service);
    if (payload !== null) {
      const credentials = parseClaudePayload(payload, origin);
      if (credentials) return { credentials, searched };
      ctx.ui.debug(`${origin} holds no claudeAiOauth tokens; trying the file`);
    }
  }
  const file = credentialsFilePath(ctx);
  searched.push(file);
  const text = readBoundedText(file, {
    maxBytes: MAX_CREDENTIALS_FILE_BYTES,
    what: "Claude Code's credentials file",
  });
  if (text === null) return { credentials: null, searched };
  return { credentials: parseClaudePayload(text, file), searched };
}

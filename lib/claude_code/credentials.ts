/**
 * Finding Claude Code's credentials: the macOS Keychain first, then the
 * credentials file. This module only reads; it never spends Claude Code's
 * refresh token (refresh tokens are single-use: that would sign Claude Code out).
 */

import { type Context, homeDir } from "../context.ts";
import { FailureError, fileFailure } from "../errors.ts";
import { join } from "../fs/path.ts";
import { registerSecret } from "../redact.ts";

/** Claude Code's OAuth credentials. */
export interface ClaudeCredentials {
  accessToken: string;
  refreshToken: string;
  /** Expiry in epoch milliseconds. */
  expiresAt: number;
  scopes?: string[];
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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FailureError(
      `Claude Code's credentials in ${origin} are not valid JSON`,
      "sign in to Claude Code again: `claude auth login`",
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  const nested = record.claudeAiOauth;
  const source = typeof nested === "object" && nested !== null && !Array.isArray(nested)
    ? nested as Record<string, unknown>
    : record;
  const { accessToken, refreshToken, expiresAt } = source;
  if (typeof accessToken !== "string" || accessToken === "") return null;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) return null;
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

/** SHA-256 of `text` as lowercase hex (Web Crypto). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The Keychain service to read, or null when the Keychain is not tried
 * (not macOS and no `CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE`). With
 * `CLAUDE_CONFIG_DIR` set, Claude Code suffixes the first 8 hex digits of the
 * SHA-256 of that path.
 */
export async function keychainService(ctx: Context): Promise<string | null> {
  const override = ctx.env.get("CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE");
  if (override) return override;
  if (ctx.os !== "darwin") return null;
  const configDir = ctx.env.get("CLAUDE_CONFIG_DIR");
  if (!configDir) return DEFAULT_KEYCHAIN_SERVICE;
  return `${DEFAULT_KEYCHAIN_SERVICE}-${(await sha256Hex(configDir)).slice(0, 8)}`;
}

/** The credentials file: override, `$CLAUDE_CONFIG_DIR`, or `~/.claude`. */
export function credentialsFilePath(ctx: Context): string {
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
 * Read the Keychain item's password with
 * `security find-generic-password -s SERVICE -w`. Returns null when the item
 * does not exist (exit 44) or `security` is not installed.
 */
export async function readKeychain(ctx: Context, service: string): Promise<string | null> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("security", {
      args: ["find-generic-password", "-s", service, "-w"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      ctx.ui.debug("keychain: the `security` command is not installed; skipping");
      return null;
    }
    throw error;
  }
  ctx.ui.debug(`keychain: security find-generic-password -s "${service}" exited ${output.code}`);
  if (output.success) return decodeKeychainOutput(decoder.decode(output.stdout));
  switch (output.code) {
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
      const detail = decoder.decode(output.stderr).trim().split("\n")[0];
      throw new FailureError(
        `reading the Keychain item "${service}" failed (security exit ${output.code}${
          detail ? `: ${detail}` : ""
        })`,
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
export async function findClaudeCredentials(ctx: Context): Promise<ClaudeSearch> {
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
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { credentials: null, searched };
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new FailureError(
        `cannot read Claude Code's credentials file ${file}: permission denied`,
      );
    }
    throw fileFailure("read Claude Code's credentials file", file, error);
  }
  return { credentials: parseClaudePayload(text, file), searched };
}

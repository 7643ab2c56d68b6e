/**
 * Whose refresh token the stored `oauth` entry holds. This tool spends a
 * refresh token only on proof: its state records, for this very auth file,
 * the fingerprint of the refresh token it obtained itself (at the code
 * exchange of `login --method browser`, or at its own earlier refresh). The
 * proof is about the refresh token alone, so another program rewriting the
 * entry's other fields (`expires`, unknown fields) changes nothing; every
 * other entry is foreign and its refresh token is never sent.
 *
 * @module
 */

import type { OAuthEntry } from "./credential_types.ts";
import { PROGRAM, SignInRequiredError } from "./errors.ts";
import { type AnthropicState, fingerprint } from "./state.ts";

/** Where a foreign entry most likely came from, for the message. */
export type ForeignOrigin =
  /** A sign-in of ours whose refresh token another program (an OpenCode plugin) rotated. */
  | "refreshed-elsewhere"
  /** Our own entry from a version that kept no record of the refresh token it obtained. */
  | "older-version"
  /** No refresh token at all (a Claude Code session's `""`, a long-lived token). */
  | "no-refresh-token"
  /** Copied from Claude Code or another tool, or written by hand. */
  | "unknown";

/** Whether this tool obtained the entry's refresh token. */
export type Ownership = { kind: "minted" } | { kind: "foreign"; origin: ForeignOrigin };

/** Whether two paths name one file (a symlink and its target are one store). */
export function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return false;
  }
}

/**
 * The ownership of `entry` in `authFile`, from the state as recorded (whether
 * or not it describes the entry's access token). Reads no file but resolves
 * symlinks of the two paths.
 */
export async function ownershipOf(
  recorded: AnthropicState | null,
  authFile: string,
  entry: OAuthEntry,
): Promise<Ownership> {
  if (entry.refresh === "") return { kind: "foreign", origin: "no-refresh-token" };
  const ours = recorded !== null && recorded.source === "browser-oauth" &&
    recorded.authFile !== undefined && sameFile(recorded.authFile, authFile);
  if (!ours) return { kind: "foreign", origin: "unknown" };
  if (recorded.mintedRefresh === undefined) {
    const sameEntry = recorded.describes === undefined ||
      recorded.describes === await fingerprint(entry.access);
    return { kind: "foreign", origin: sameEntry ? "older-version" : "unknown" };
  }
  if (recorded.mintedRefresh === await fingerprint(entry.refresh)) return { kind: "minted" };
  return { kind: "foreign", origin: "refreshed-elsewhere" };
}

const TAKE_OVER = `run \`${PROGRAM} login\` (it signs in here and takes the entry over)`;

/** One line on a foreign entry, for `status` and `doctor`. */
export function foreignNote(origin: ForeignOrigin): string {
  switch (origin) {
    case "refreshed-elsewhere":
      return "a sign-in made here that another program (an OAuth plugin inside OpenCode) refreshed: its new refresh token was not minted here, so this tool does not spend it";
    case "older-version":
      return "not created by this version: no record that this tool obtained its refresh token (older versions kept none), so it is never spent here";
    case "no-refresh-token":
      return "it has no refresh token";
    case "unknown":
      return "not created here (copied from Claude Code or another tool, or written by hand): its refresh token is never spent here";
  }
}

/** The exit-4 error for a foreign entry that needs renewing. */
export function foreignError(origin: ForeignOrigin, authFile: string): SignInRequiredError {
  const hint = origin === "refreshed-elsewhere"
    ? `run \`${PROGRAM} login --method browser\` to take it back; \`${PROGRAM} service install\` or \`${PROGRAM} run --\` keep it fresh so that no plugin needs to refresh it`
    : origin === "no-refresh-token"
    ? TAKE_OVER
    : `${TAKE_OVER}, or renew it with the tool that made it`;
  return new SignInRequiredError(
    `the anthropic entry in ${authFile} cannot be refreshed here: ${foreignNote(origin)}`,
    hint,
  );
}

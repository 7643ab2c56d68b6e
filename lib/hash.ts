/**
 * Hashing, written once. A leaf module: Web Crypto only. Fingerprints of
 * refresh tokens (lib/ownership.ts) and of entries are SHA-256 hex, so no
 * secret is ever stored to recognise one.
 *
 * @module
 */

const encoder = new TextEncoder();

/** SHA-256 of `text` (UTF-8) as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

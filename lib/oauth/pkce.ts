/**
 * PKCE (RFC 7636) and `state`, with Web Crypto: the code verifier, its S256
 * challenge and a constant-time compare. No `node:crypto`, which would cost
 * start-up time on every run.
 *
 * @module
 */

/** Encode bytes as unpadded base64url. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A random value of 32 bytes, base64url encoded (43 characters). */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A new code verifier: base64url of 32 random bytes. */
export function createVerifier(): string {
  return randomToken();
}

/** The S256 challenge for `verifier`: base64url(SHA-256(verifier)). */
export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A new `state` value, independent of the verifier. */
export function createState(): string {
  return randomToken();
}

/** Compare two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  const length = Math.max(x.length, y.length);
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

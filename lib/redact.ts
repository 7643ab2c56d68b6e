/**
 * Secret redaction. Every secret the tool reads is registered here, and every
 * line written to stderr passes through `scrub`, so a token can only reach the
 * screen through `token`'s stdout.
 *
 * @module
 */

const registered = new Set<string>();

/** Shortest value treated as a secret; shorter strings would scrub ordinary words. */
const MIN_SECRET_LENGTH = 8;

const ANTHROPIC_TOKEN = /sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{4,}/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=\-]{8,}/gi;
const JSON_SECRET_FIELD =
  /("(?:access_token|refresh_token|accessToken|refreshToken|raw_key|api_key|key|code|code_verifier|access|refresh)"\s*:\s*")([^"\\…]{4,})(")/g;

/** Short, recognisable stand-in for a secret, e.g. `sk-ant-oat01-…9xQ`. */
export function redact(secret: string): string {
  const prefix = /^sk-ant-[A-Za-z0-9]+-/.exec(secret)?.[0] ?? "";
  const tail = secret.length - prefix.length >= 16 ? secret.slice(-3) : "";
  return `${prefix}…${tail}`;
}

/** Remember a secret so `scrub` removes it from any later message. */
export function registerSecret(secret: string | undefined | null): void {
  if (typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH) {
    registered.add(secret);
  }
}

/** Replace every registered secret and anything shaped like a token in `text`. */
export function scrub(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...registered].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(redact(secret));
  }
  return out
    .replace(ANTHROPIC_TOKEN, (token) => redact(token))
    .replace(BEARER, (_m, lead: string) => `${lead}…`)
    .replace(
      JSON_SECRET_FIELD,
      (_m, lead: string, value: string, end: string) => `${lead}${redact(value)}${end}`,
    );
}

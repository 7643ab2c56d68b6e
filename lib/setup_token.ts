/**
 * The long-lived token `claude setup-token` makes: its shape, its lifetime,
 * when to warn, and the words every command uses once it runs out. A leaf
 * (errors.ts, format.ts, credential_types.ts): `status`, `doctor`, `refresh` and the
 * method share it without loading the method's input code.
 *
 * @module
 */

import { PROGRAM, quote, SignInRequiredError, UsageError } from "./errors.ts";
import { formatExpiry } from "./format.ts";
import { MAX_TOKEN_LENGTH } from "./credential_types.ts";

/** The prefix of an OAuth access token, which a setup token is. */
export const SETUP_TOKEN_PREFIX = "sk-ant-oat01-";

/** The lifetime `claude setup-token` grants (`expires_in: 31536000`, REFERENCE.md §2). */
export const SETUP_TOKEN_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

/** From this long before expiry, `status` and `doctor` warn. */
export const SETUP_TOKEN_WARN_MS = 30 * 24 * 60 * 60 * 1000;

/** A day, for the days left. */
const DAY_MS = 24 * 60 * 60 * 1000;

/** What to do about a long-lived token that has run out (or soon will). */
export const MAKE_NEW_SETUP_TOKEN =
  `make a new one with \`claude setup-token\`, then \`${PROGRAM} login --method setup-token\``;

/** Whole days left until `expires` (0 on the last day, negative once expired). */
export function daysLeft(expires: number, now: number): number {
  return Math.floor((expires - now) / DAY_MS);
}

/** Whether a setup token expiring at `expires` has run out at `now`. */
export function setupTokenExpired(expires: number, now: number): boolean {
  return expires <= now;
}

/** Whether `status` and `doctor` should warn about a token expiring at `expires`. */
export function setupTokenExpiresSoon(expires: number, now: number): boolean {
  return expires - now <= SETUP_TOKEN_WARN_MS;
}

/** `n day(s)`. */
function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/**
 * The days left, for people: `364 days left (expires 2027-12-02 20:03 UTC)`,
 * or once run out `expired 3 days ago (2027-12-02 20:03 UTC)`.
 */
export function describeSetupToken(expires: number, now: number): string {
  const exact = formatExpiry(expires, now);
  // formatExpiry's date in parentheses; hours and minutes only within the last day.
  const when = /\((.*)\)$/.exec(exact)?.[1];
  if (when === undefined) return exact;
  if (setupTokenExpired(expires, now)) {
    const ago = Math.floor((now - expires) / DAY_MS);
    return ago >= 1 ? `expired ${days(ago)} ago (${when})` : exact;
  }
  const left = daysLeft(expires, now);
  return left >= 1 ? `${days(left)} left (expires ${when})` : exact;
}

/** The sign-in-required error of an expired setup token (exit 4). */
export function setupTokenExpiredError(expires: number, now: number): SignInRequiredError {
  return new SignInRequiredError(
    `the long-lived token ${describeSetupToken(expires, now)} and cannot be refreshed`,
    MAKE_NEW_SETUP_TOKEN,
  );
}

/**
 * The expiry of `--expires DATE`: an ISO date (`2027-12-02`, taken as the
 * start of that day in UTC: never later than the token's real expiry) or an ISO timestamp with a time zone (`2027-12-02T10:00:00Z`).
 * Anything else, or a moment not after `now`, is a usage error (exit 2).
 */
export function parseExpiresDate(text: string, now: number): number {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  let ms = NaN;
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const start = Date.UTC(year, month - 1, day);
    // Date.UTC rolls 2027-02-30 over into March: a date that does not exist is refused.
    const check = new Date(start);
    if (check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      ms = start;
    }
  } else if (stamp.test(text)) {
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      `--expires needs a date (2027-12-02) or an ISO timestamp with a zone (2027-12-02T10:00:00Z), got ${
        quote(text, 40)
      }`,
      "nothing was written",
    );
  }
  if (ms <= now) {
    throw new UsageError(
      `--expires ${quote(text, 40)} is in the past: that token has already run out`,
      MAKE_NEW_SETUP_TOKEN,
    );
  }
  return ms;
}

/**
 * Check a pasted token's shape (after the line checks of lib/secret_line.ts): an
 * OAuth access token, not an API key or a refresh token, of a plausible length.
 * `what` names it for the messages ("the token read from stdin"), which never
 * include the token.
 */
export function checkSetupTokenShape(token: string, what: string): void {
  const nothing = "; nothing was written";
  if (token.startsWith("sk-ant-api")) {
    throw new UsageError(
      `${what} is an API key, not a long-lived token${nothing}`,
      "store it with `login --method api-key`",
    );
  }
  if (token.startsWith("sk-ant-ort")) {
    throw new UsageError(
      `${what} is a refresh token, not the token \`claude setup-token\` prints${nothing}`,
    );
  }
  if (!token.startsWith(SETUP_TOKEN_PREFIX)) {
    throw new UsageError(
      `${what} does not start with \`${SETUP_TOKEN_PREFIX}\`, so it is not a token from \`claude setup-token\`${nothing}`,
      "run `claude setup-token` and paste the whole token it prints",
    );
  }
  if (token.length < SETUP_TOKEN_PREFIX.length + 20) {
    throw new UsageError(`${what} is too short: was it cut off?${nothing}`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new UsageError(
      `${what} is longer than ${MAX_TOKEN_LENGTH} characters: not one token${nothing}`,
    );
  }
}

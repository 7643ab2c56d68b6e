/**
 * DURATION flags (`90s`, `15m`, `2h`): parsed strictly, range-checked, printed
 * back. Strict because a bare `90` or `1.5h` is ambiguous, and a schedule of a
 * wrong unit would run a thousand times too often or never.
 *
 * @module
 */

import { quote, UsageError } from "./errors.ts";

/** The longest DURATION accepted: a schedule or look-ahead beyond a day is a typo. */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Milliseconds of a DURATION given to `flag` (as typed, e.g. `--ahead`): a
 * positive whole number followed by `s`, `m` or `h`, at most 24h. Anything
 * else (spaces, capitals, fractions, signs, zero, too long) is a usage error.
 */
export function parseDuration(text: string, flag: string): number {
  const ms = durationMs(text);
  if (ms === null || ms === 0) {
    throw new UsageError(
      `${flag} needs a positive whole number with s, m or h (like 90s, 15m, 2h), got ${
        quote(text, 40)
      }`,
    );
  }
  if (ms > MAX_DURATION_MS) {
    throw new UsageError(`${flag} must be at most 24h, got ${quote(text, 40)}`);
  }
  return ms;
}

/** Milliseconds of a DURATION's text (`15m`), or null when it is not one; no range check. */
export function durationMs(text: string): number | null {
  const match = /^(\d+)([smh])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

/** `ms` as a DURATION flag value (`2h`, `15m`, `90s`): the largest unit that divides it. */
export function formatDurationFlag(ms: number): string {
  if (ms > 0 && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms > 0 && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${Math.max(1, Math.ceil(ms / UNIT_MS.s))}s`;
}

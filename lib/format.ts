/**
 * Human-readable formatting shared by commands: durations, expiry times and
 * method names, written once so that `status`, `doctor` and the warnings word
 * the same moment the same way.
 *
 * @module
 */

/** A duration such as `7h 59m`, `4m 10s` or `12s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/**
 * An expiry relative to now: `expires in 7h 59m (2026-11-27 13:07 UTC)` or
 * `expired 3m 0s ago (...)`. An expiry no Date can hold (a hostile or broken
 * file) is named as such instead of crashing the command.
 */
export function formatExpiry(expires: number, now: number): string {
  const date = new Date(expires);
  if (Number.isNaN(date.getTime())) return "expires at an invalid time";
  // Minutes only; years beyond 9999 have six digits and a sign, so cut from the end.
  const when = date.toISOString().replace(/:\d\d\.\d+Z$/, "").replace("T", " ") + " UTC";
  return expires > now
    ? `expires in ${formatDuration(expires - now)} (${when})`
    : `expired ${formatDuration(now - expires)} ago (${when})`;
}

/** A moment as a clock time with its distance from now: `13:07:05 UTC (in 25s)`. */
export function formatUntil(at: number, now: number): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return "an invalid time";
  const clock = date.toISOString().slice(11, 19) + " UTC";
  return `${clock} (in ${formatDuration(Math.max(0, at - now))})`;
}

/** A method's name for people. */
export function methodLabel(method: string): string {
  switch (method) {
    case "claude-code":
      return "Claude Code session";
    case "browser":
      return "browser sign-in (OAuth)";
    case "api-key":
      return "API key";
    case "setup-token":
      return "long-lived token";
    default:
      return method;
  }
}

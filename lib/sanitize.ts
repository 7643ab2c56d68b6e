/**
 * The one sanitiser for outside text shown to people (file contents, server
 * words, account names, flags), and the one check for tokens from any source.
 * A leaf module: it imports nothing.
 */

/**
 * Characters that can drive a terminal or fake the layout of a message: C0
 * controls, DEL, C1 controls, the bidi controls (which reorder what follows
 * them) and the Unicode line and paragraph separators. Tab and newline are
 * matched separately, so that they can be kept in multi-line text.
 */
const OTHERS =
  "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029";
const UNSAFE = new RegExp(`[${OTHERS}]`, "g");
const UNSAFE_OR_BREAK = new RegExp(`[\\t\\n${OTHERS}]`, "g");

function escape(ch: string): string {
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === "\t") return "\\t";
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every unsafe character shown as a visible escape (`\x1b`, `\n`,
 * `\u202e`), so quoted input can neither drive the terminal nor forge a line.
 * Newline and tab are kept unless `oneLine`.
 */
export function sanitize(text: string, oneLine = false): string {
  return text.replace(oneLine ? UNSAFE_OR_BREAK : UNSAFE, escape);
}

/** Default length limit of a token: far above real ones, low enough to refuse a whole file. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Whether `s` can be a token, whatever its source: non-empty, printable ASCII
 * without spaces (it is printed by `token` and sent in headers), at most
 * `maxLength` characters.
 */
export function isPrintableToken(s: string, maxLength = MAX_TOKEN_LENGTH): boolean {
  return s.length > 0 && s.length <= maxLength && /^[\x21-\x7e]+$/.test(s);
}

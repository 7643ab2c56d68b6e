/**
 * JSON helpers written once. `parseJson` reports what is wrong with a text
 * without ever quoting it: V8's messages embed excerpts of the input
 * (`Unexpected token 's', "sk-ant-…" is not valid JSON`), and the input may
 * be another provider's secret. A leaf module: it imports nothing.
 *
 * @module
 */

/** Whether `value` is a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The outcome of `parseJson`: the value, or a problem that quotes nothing of the text. */
export type JsonResult = { value: unknown } | { problem: string };

/**
 * V8's message openings mapped to fixed phrases. Only the phrase and a
 * position ever leave this module, never a part of V8's message.
 */
const KINDS: [RegExp, string][] = [
  [/^Unexpected end of JSON input/, "unexpected end of input"],
  [/^Unexpected non-whitespace character after JSON/, "unexpected text after the value"],
  [/^Unexpected token/, "unexpected character"],
  [/^Bad control character/, "control character in a string"],
  [/^Bad (escaped character|Unicode escape)/, "bad escape in a string"],
  [/^Unterminated string/, "unterminated string"],
  [/^Expected double-quoted property name/, "expected a property name (a trailing comma?)"],
  [/^Expected property name or '\}'/, "expected a property name or '}'"],
  [/^Expected ':' after property name/, "expected ':' after a property name"],
  [/^Expected ',' or '\}' after property value/, "expected ',' or '}' after a value"],
  [/^Expected ',' or '\]' after array element/, "expected ',' or ']' after an array element"],
  [/number|minus sign|Exponent part/, "malformed number"],
];

function kindOf(message: string): string {
  for (const [pattern, kind] of KINDS) if (pattern.test(message)) return kind;
  return "syntax error";
}

/** 1-based line and column of UTF-16 offset `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parse `text` as JSON. On failure the problem names only the kind and the
 * position ("invalid JSON at line 3, column 7: unexpected character"), or the
 * kind alone when no position can be found.
 */
export function parseJson(text: string): JsonResult {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const message = error.message;
    const kind = kindOf(message);
    const reported = /at position (\d+)/.exec(message);
    const offset = reported
      ? Number(reported[1])
      : kind === "unexpected end of input"
      ? text.length
      : firstErrorOffset(text);
    if (offset === undefined || offset > text.length) return { problem: `invalid JSON: ${kind}` };
    const { line, column } = lineColumn(text, offset);
    return { problem: `invalid JSON at line ${line}, column ${column}: ${kind}` };
  }
}

/** `text` parsed when it is a JSON object, else null (not JSON, or another value). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  const parsed = parseJson(text);
  return "value" in parsed && isPlainObject(parsed.value) ? parsed.value : null;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Where a JSON text first goes wrong, for V8 messages without a position
 * ("Unexpected token"). Undefined when the scan finds no fault or gives up
 * (nesting deeper than the stack allows).
 */
function firstErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return;
      }
      if (code < 0x20) fail();
      i += code === 0x5c ? 2 : 1;
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === "}") {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (ch === '"') return string();
    for (const literal of ["true", "false", "null"]) {
      if (ch === literal[0]) {
        for (const expected of literal) {
          if (text[i] !== expected) fail();
          i++;
        }
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) fail();
    i = NUMBER.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (thrown) {
    return typeof thrown === "number" ? thrown : undefined;
  }
}

/**
 * Surgical edits of one top-level key of a JSON object text. Every byte
 * outside the edited member stays as it was, so other providers' entries keep
 * their exact formatting, key order, number spelling and unknown fields.
 * The input must already be known to be a valid JSON object.
 *
 * @module
 */

/** One `"key": value` member of the top-level object, as offsets into the text. */
export interface Member {
  /** The decoded key. */
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  /** Offset of the first character of the value. */
  valueStart: number;
  /** Offset just past the value. */
  valueEnd: number;
}

/** The top-level object's braces and members. */
export interface ObjectLayout {
  /** Offset of `{`. */
  open: number;
  /** Offset of the matching `}`. */
  close: number;
  /** The members in file order. */
  members: Member[];
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i])) i++;
  return i;
}

function skipString(text: string, i: number): number {
  // text[i] is the opening quote.
  i++;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  throw new SyntaxError("unterminated string");
}

function skipValue(text: string, i: number): number {
  const ch = text[i];
  if (ch === '"') return skipString(text, i);
  if (ch === "{" || ch === "[") {
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i = skipString(text, i);
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError("unterminated value");
  }
  // Number or literal.
  while (
    i < text.length && !WHITESPACE.has(text[i]) && text[i] !== "," &&
    text[i] !== "}" && text[i] !== "]"
  ) i++;
  return i;
}

/** Locate the members of the top-level object in `text`. */
export function scanObject(text: string): ObjectLayout {
  let i = skipWhitespace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[i] !== "{") throw new SyntaxError("not a JSON object");
  const open = i;
  const members: Member[] = [];
  i = skipWhitespace(text, i + 1);
  if (text[i] === "}") return { open, close: i, members };
  while (i < text.length) {
    const start = i;
    const keyEnd = skipString(text, i);
    const key: unknown = JSON.parse(text.slice(start, keyEnd));
    if (typeof key !== "string") throw new SyntaxError("expected a string key");
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ":") throw new SyntaxError("expected ':'");
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start, valueStart, valueEnd });
    i = skipWhitespace(text, valueEnd);
    if (text[i] === "}") return { open, close: i, members };
    if (text[i] !== ",") throw new SyntaxError("expected ',' or '}'");
    i = skipWhitespace(text, i + 1);
  }
  throw new SyntaxError("unterminated object");
}

/** The indentation of the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? "";
}

/** Guess one indentation step from the file (OpenCode writes two spaces). */
function indentUnit(text: string, layout: ObjectLayout): string {
  const first = layout.members[0];
  if (!first) return "  ";
  const indent = lineIndent(text, first.start);
  return indent === "" ? "  " : indent;
}

function isMultiline(text: string, layout: ObjectLayout): boolean {
  return text.slice(layout.open, layout.close).includes("\n") ||
    layout.members.length === 0;
}

/** Serialise `value` to sit at a member position with the given indentation. */
function renderValue(
  value: unknown,
  multiline: boolean,
  unit: string,
  indent: string,
): string {
  if (!multiline) return JSON.stringify(value);
  return JSON.stringify(value, null, unit).replaceAll("\n", "\n" + indent);
}

/**
 * Set top-level `key` to `value`: replace the last occurrence in place
 * (dropping earlier duplicates, which JSON.parse ignores anyway) or append it.
 */
export function setMember(text: string, key: string, value: unknown): string {
  const layout = scanObject(text);
  const unit = indentUnit(text, layout);
  const multiline = isMultiline(text, layout);
  const matches = layout.members.filter((m) => m.key === key);
  if (matches.length > 0) {
    const target = matches[matches.length - 1];
    const indent = lineIndent(text, target.start);
    const replaced = text.slice(0, target.valueStart) +
      renderValue(value, multiline, unit, indent) +
      text.slice(target.valueEnd);
    return matches.length > 1 ? removeMembers(replaced, key, /* keepLast */ true) : replaced;
  }
  const last = layout.members[layout.members.length - 1];
  if (!last) {
    const body = `${unit}${JSON.stringify(key)}: ${renderValue(value, true, unit, unit)}`;
    return text.slice(0, layout.open) + `{\n${body}\n}` +
      text.slice(layout.close + 1);
  }
  // Reuse the whitespace that precedes the last member for the new one.
  const before = text.slice(0, last.start);
  const separator = /[ \t\r\n]*$/.exec(before)?.[0] ?? "";
  const indent = lineIndent(text, last.start);
  const colon = multiline ? ": " : ":";
  const member = `${JSON.stringify(key)}${colon}${renderValue(value, multiline, unit, indent)}`;
  return text.slice(0, last.valueEnd) + "," + separator + member +
    text.slice(last.valueEnd);
}

/** Remove every top-level `key` (or all but the last with `keepLast`). */
export function removeMembers(text: string, key: string, keepLast = false): string {
  let out = text;
  for (;;) {
    const layout = scanObject(out);
    const matches = layout.members
      .map((member, index) => ({ member, index }))
      .filter(({ member }) => member.key === key);
    if (matches.length === 0 || (keepLast && matches.length === 1)) return out;
    const { member, index } = matches[0];
    const next = layout.members[index + 1];
    const previous = layout.members[index - 1];
    if (next) {
      // Cut from this key up to the next key; the next key inherits this one's indentation.
      out = out.slice(0, member.start) + out.slice(next.start);
    } else if (previous) {
      // Last member: cut from the end of the previous value (taking the comma).
      out = out.slice(0, previous.valueEnd) + out.slice(member.valueEnd);
    } else {
      out = out.slice(0, layout.open + 1) + out.slice(layout.close);
    }
  }
}

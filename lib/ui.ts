/**
 * The one door for human output: messages on stderr (scrubbed of secrets,
 * outside text sanitised), data on stdout. Nothing else prints, so no secret
 * and no terminal escape from outside text can reach the screen by another way.
 *
 * @module
 */

import { scrub } from "./redact.ts";

// ------------------------------------------------------------ the sanitiser
// The one sanitiser for outside text shown to people (file contents, server
// words, account names, flags): every Ui message goes through it.

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

/**
 * Outside text quoted inside a message (a server's error description, a
 * sign-in page's error): scrubbed of secrets, sanitised to one line, trimmed
 * and cut to `max` characters.
 */
export function excerpt(text: string, max: number): string {
  const chars = [...sanitize(scrub(text), true).trim()];
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : chars.join("");
}

/** The last non-empty line of a child's output, as an `excerpt` of at most `max` characters. */
export function lastLine(output: Uint8Array, max: number): string {
  const lines = new TextDecoder().decode(output).split("\n").map((l) => l.trim()).filter(Boolean);
  return excerpt(lines.at(-1) ?? "", max);
}

// ------------------------------------------------------------ wrapping

/** The width human messages wrap at on a terminal whose size cannot be read. */
export const DEFAULT_COLUMNS = 80;

/** The narrowest width wrapped to: a tiny terminal still gets readable lines. */
const MIN_COLUMNS = 40;

/**
 * The units a line is broken between: a `backquoted` span (a command, with
 * what touches it, like its parentheses) or a 'quoted' one (a value, a path
 * with spaces) stays whole, like any other run of non-spaces (a URL, a path).
 * A quote inside a word (Claude Code's) starts no span.
 */
const UNITS = /[^\s`]*`[^`]*`[^\s`]*|'[^'\s][^']*'\S*|\S+/g;

/** How many columns `text` takes (code points; colour codes take none). */
function columns(text: string): number {
  // deno-lint-ignore no-control-regex
  return [...text.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/**
 * One message line broken at spaces into lines of at most `width` columns.
 * The first follows a lead of `leadColumns` (`warning: `), which the caller
 * writes; the others start with as many spaces, so the text lines up under
 * itself, plus the message's own indentation (and two more spaces when
 * there is no lead, so that a continuation stands out). A unit longer than
 * the room (a URL, a path) is never broken: it goes on a line of its own,
 * however long.
 */
export function wrapLine(text: string, width: number, leadColumns = 0): string[] {
  if (leadColumns + columns(text) <= width) return [text];
  const leading = /^ */.exec(text)![0];
  const indent = " ".repeat(leadColumns) + leading + (leadColumns === 0 ? "  " : "");
  const lines: string[] = [];
  let current = leading;
  let used = leadColumns + leading.length;
  let empty = true;
  for (const unit of text.slice(leading.length).match(UNITS) ?? []) {
    const size = columns(unit);
    if (!empty && used + 1 + size > width) {
      lines.push(current);
      current = indent + unit;
      used = indent.length + size;
    } else {
      current += (empty ? "" : " ") + unit;
      used += (empty ? 0 : 1) + size;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

// ------------------------------------------------------------ streams and Ui

/** The process streams a command talks to, passed in so tests can replace them. */
export interface Io {
  /** Standard input as a byte stream. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Whether stdin is a terminal (decides prompt versus pipe). */
  stdinIsTerminal(): boolean;
  /** Whether stderr is a terminal (decides spinners and colour). */
  stderrIsTerminal(): boolean;
  /** Switch the terminal's raw mode (no echo, byte-at-a-time) on or off. */
  setRaw(raw: boolean): void;
  /** Write to stdout as is. */
  writeOut(text: string): void;
  /** Write to stderr as is. */
  writeErr(text: string): void;
  /**
   * The width human messages on stderr wrap at: the terminal's
   * (DEFAULT_COLUMNS when its size cannot be read). Undefined when stderr is
   * not a terminal, and absent on test streams: then nothing is wrapped.
   */
  stderrColumns?(): number | undefined;
  /** The same for stdout (the human report of `status`). */
  stdoutColumns?(): number | undefined;
  /**
   * Whether the last stderr write left a line open (a prompt such as
   * `Paste the code: `), so that a message must start on a new line.
   */
  stderrLineOpen?(): boolean;
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string) {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/** The width of the terminal `stream` is on (DEFAULT_COLUMNS when unreadable), or undefined. */
function terminalColumns(stream: { isTerminal(): boolean }): number | undefined {
  if (!stream.isTerminal()) return undefined;
  try {
    return Deno.consoleSize().columns || DEFAULT_COLUMNS;
  } catch {
    return DEFAULT_COLUMNS;
  }
}

/**
 * The real process streams. `stdin` is a getter: creating `Deno.stdin.readable`
 * costs 5-10 ms at start-up (measured), and `token` never reads stdin.
 */
export function processIo(): Io {
  let lineOpen = false;
  return {
    get stdin() {
      return Deno.stdin.readable;
    },
    stdinIsTerminal: () => Deno.stdin.isTerminal(),
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
    stderrColumns: () => terminalColumns(Deno.stderr),
    stdoutColumns: () => terminalColumns(Deno.stdout),
    setRaw: (raw) => Deno.stdin.setRaw(raw),
    writeOut: (text) => writeAll(Deno.stdout, text),
    writeErr: (text) => {
      // A spinner ends by clearing its line ("\r\x1b[2K"): that leaves none open.
      if (text !== "") lineOpen = !(/[\r\n]$/.test(text) || text.endsWith("\r\x1b[2K"));
      try {
        writeAll(Deno.stderr, text);
      } catch {
        // A closed stderr must not turn a success into a crash.
      }
    },
    stderrLineOpen: () => lineOpen,
  };
}

/** Message options that apply to the whole run. */
export interface UiOptions {
  /** Print `--debug` lines. */
  debug: boolean;
  /** Suppress informational messages (warnings and errors still print). */
  quiet: boolean;
  /** Use ANSI colour on stderr. */
  color: boolean;
}

/** The frames of `Ui.spinner`. */
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** `message` scrubbed of secrets, then sanitised to one line. */
function line(message: string): string {
  return sanitize(scrub(message), true);
}

/**
 * What commands use to talk to the user. Every message is scrubbed of secrets
 * and sanitised to one line: a newline or terminal control inside quoted
 * outside text (an account name, a server's words) cannot forge a line such
 * as "✓ Signed in". A message of several lines is several calls.
 *
 * On a terminal, messages for people on stderr (`info`, `success`, `warn`,
 * `error`, `hint`, `line`) are then wrapped at its width (80 columns when
 * it cannot be read), on spaces only: a URL, a path or a `quoted command`
 * is never cut, and continuation lines are indented, so a message's first
 * line still starts with `error:` or `warning:`. When stderr is not a
 * terminal (a pipe, a log, CI) nothing is wrapped: every message stays one
 * line, so scripts that grep stderr, and the contract's exact sentences,
 * keep working. `debug` lines, prompts and everything on stdout (`data`,
 * `report`) are never wrapped.
 */
export class Ui {
  /** Wrap `io` with the run's message options. */
  constructor(readonly io: Io, readonly options: UiOptions) {}

  /** Data for scripts: written to stdout exactly, never scrubbed. */
  data(text: string): void {
    this.io.writeOut(text);
  }

  /**
   * A line of the command's own output for people on stderr (a report such as
   * doctor's, a prompt's question, a sign-in URL): shown even with --quiet.
   * `lead` is this tool's own text put before it as is (a coloured mark, an
   * indent); `message` is scrubbed and sanitised like every message.
   */
  line(message: string, lead = ""): void {
    this.io.writeErr(this.wrapped(lead, message));
  }

  /**
   * A line of a command's report for people on stdout (`status`), so that
   * `status | grep account` works as with `gh auth status`: scrubbed and
   * sanitised like every message, hidden by --quiet, wrapped only when
   * stdout is a terminal (a piped line stays whole for grep).
   */
  report(message: string): void {
    if (!this.options.quiet) {
      this.io.writeOut(this.wrapped("", message, this.io.stdoutColumns?.()));
    }
  }

  /** A prompt on stderr, without a newline: the answer is typed after it. */
  prompt(text: string): void {
    this.io.writeErr(line(text));
  }

  /**
   * A spinner on stderr while something slow runs (only on a terminal, and not
   * with --quiet). Returns the function that stops it and clears its line.
   */
  spinner(text: string): () => void {
    if (this.options.quiet || !this.io.stderrIsTerminal()) return () => {};
    const shown = line(text);
    let frame = 0;
    const timer = setInterval(() => {
      this.io.writeErr(`\r${SPINNER[frame++ % SPINNER.length]} ${shown}`);
    }, 100);
    return () => {
      clearInterval(timer);
      this.io.writeErr("\r\x1b[2K");
    };
  }

  /** A progress or result message on stderr (hidden by --quiet). */
  info(message: string): void {
    if (!this.options.quiet) this.io.writeErr(this.wrapped("", message));
  }

  /** A success line, with a tick on colour terminals. */
  success(message: string): void {
    if (!this.options.quiet) {
      this.io.writeErr(this.wrapped(`${this.paint("32", "✓")} `, message));
    }
  }

  /** A warning on stderr (shown even with --quiet), on one line of its own. */
  warn(message: string): void {
    this.io.writeErr(this.newLine() + this.wrapped(`${this.paint("33", "warning:")} `, message));
  }

  /** An error line on stderr, on a line of its own. */
  error(message: string): void {
    this.io.writeErr(this.newLine() + this.wrapped(`${this.paint("31", "error:")} `, message));
  }

  /** The line after an error that names the fix. */
  hint(message: string): void {
    this.io.writeErr(this.wrapped("hint: ", message));
  }

  /** A `--debug` line on stderr; secrets are scrubbed like everywhere else. */
  debug(message: string): void {
    if (this.options.debug) this.io.writeErr(`debug: ${line(message)}\n`);
  }

  /**
   * `lead` and the scrubbed, sanitised `message` as lines ending in a
   * newline, wrapped at `width` (default: stderr's; see the class comment).
   */
  private wrapped(
    lead: string,
    message: string,
    width: number | undefined = this.io.stderrColumns?.(),
  ): string {
    const text = line(message);
    if (width === undefined) return `${lead}${text}\n`;
    return lead + wrapLine(text, Math.max(width, MIN_COLUMNS), columns(lead)).join("\n") + "\n";
  }

  /** A line break when a prompt left the current line open. */
  private newLine(): string {
    return this.io.stderrLineOpen?.() ? "\n" : "";
  }

  /** Wrap `text` in an ANSI colour when colour is on. */
  paint(code: string, text: string): string {
    return this.options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/** Terminal output: messages on stderr (scrubbed of secrets), data on stdout. */

import { scrub } from "./redact.ts";

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
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string) {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/** The real process streams. */
export function processIo(): Io {
  return {
    stdin: Deno.stdin.readable,
    stdinIsTerminal: () => Deno.stdin.isTerminal(),
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
    setRaw: (raw) => Deno.stdin.setRaw(raw),
    writeOut: (text) => writeAll(Deno.stdout, text),
    writeErr: (text) => {
      try {
        writeAll(Deno.stderr, text);
      } catch {
        // A closed stderr must not turn a success into a crash.
      }
    },
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

/** What commands use to talk to the user. */
export class Ui {
  /** Wrap `io` with the run's message options. */
  constructor(readonly io: Io, readonly options: UiOptions) {}

  /** Data for scripts: written to stdout exactly, never scrubbed. */
  data(text: string): void {
    this.io.writeOut(text);
  }

  /** A progress or result message on stderr (hidden by --quiet). */
  info(message: string): void {
    if (!this.options.quiet) this.io.writeErr(scrub(message) + "\n");
  }

  /** A success line, with a tick on colour terminals. */
  success(message: string): void {
    this.info(this.paint("32", "✓") + " " + message);
  }

  /** A warning on stderr (shown even with --quiet). */
  warn(message: string): void {
    this.io.writeErr(scrub(`${this.paint("33", "warning:")} ${message}`) + "\n");
  }

  /** An error line on stderr. */
  error(message: string): void {
    this.io.writeErr(scrub(`${this.paint("31", "error:")} ${message}`) + "\n");
  }

  /** A `--debug` line on stderr; secrets are scrubbed like everywhere else. */
  debug(message: string): void {
    if (this.options.debug) this.io.writeErr(scrub(`debug: ${message}`) + "\n");
  }

  /** Wrap `text` in an ANSI colour when colour is on. */
  paint(code: string, text: string): string {
    return this.options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

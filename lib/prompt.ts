/**
 * Reading what the user types or pipes: lines, masked secrets and menu choices.
 * All input is capped (`MAX_INPUT_BYTES`) and Ctrl-C or Ctrl-D at a prompt ends
 * the run as `cancelled`, like a signal anywhere else.
 *
 * @module
 */

import { CancelledError, UsageError } from "./errors.ts";
import { readAllCapped } from "./stream.ts";
import type { Io, Ui } from "./ui.ts";

/** Largest input accepted from stdin; anything longer is not a key or a code. */
export const MAX_INPUT_BYTES = 64 * 1024;

const decoder = new TextDecoder();

/** The user pressed Ctrl-C or Ctrl-D at a prompt: `cancelled`, exit 130, like Ctrl-C anywhere. */
export class PromptCancelled extends CancelledError {
  /** Create the cancellation error. */
  constructor() {
    super("SIGINT");
    this.name = "PromptCancelled";
  }
}

/** Bytes read past the end of a line, kept for the next read of the same stream. */
const leftovers = new WeakMap<ReadableStream<Uint8Array>, Uint8Array>();

function takeLeftover(stream: ReadableStream<Uint8Array>): Uint8Array | undefined {
  const rest = leftovers.get(stream);
  leftovers.delete(stream);
  return rest;
}

/** Read all of stdin (up to `MAX_INPUT_BYTES`). */
export async function readAllStdin(io: Io): Promise<string> {
  const bytes = await readAllCapped(
    io.stdin,
    MAX_INPUT_BYTES,
    () => new UsageError(`input on stdin is longer than ${MAX_INPUT_BYTES} bytes`),
    takeLeftover(io.stdin),
  );
  return decoder.decode(bytes);
}

/**
 * Read one line from stdin without waiting for end of input (so a script can
 * answer a prompt it has just seen). Returns null at end of input.
 */
export async function readLine(io: Io): Promise<string | null> {
  const reader = io.stdin.getReader();
  const bytes: number[] = [];
  let pending = takeLeftover(io.stdin);
  try {
    for (;;) {
      let value: Uint8Array;
      if (pending) {
        value = pending;
        pending = undefined;
      } else {
        const read = await reader.read();
        if (read.done) return bytes.length ? decoder.decode(new Uint8Array(bytes)) : null;
        value = read.value;
      }
      for (let i = 0; i < value.length; i++) {
        const byte = value[i];
        if (byte === 0x0a) {
          // Keep what came after the line for the next read (a pipe delivers lines in one chunk).
          if (i + 1 < value.length) leftovers.set(io.stdin, value.slice(i + 1));
          return decoder.decode(new Uint8Array(bytes)).replace(/\r$/, "");
        }
        bytes.push(byte);
        if (bytes.length > MAX_INPUT_BYTES) {
          throw new UsageError(`input line is longer than ${MAX_INPUT_BYTES} bytes`);
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Prompt on stderr (through `ui`) and read a secret from the terminal with
 * echo off (raw mode, restored on every exit path). Backspace and Ctrl-U
 * edit; Ctrl-C and Ctrl-D cancel; bracketed-paste markers are dropped.
 */
export async function readSecret(ui: Ui, prompt: string): Promise<string> {
  const io = ui.io;
  // Echo off before the prompt shows: a paste right after it must not be echoed.
  io.setRaw(true);
  ui.prompt(prompt);
  const reader = io.stdin.getReader();
  let secret = "";
  let escape = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new PromptCancelled();
      for (const char of decoder.decode(value, { stream: true })) {
        if (escape) {
          // Skip an escape sequence (arrow keys, paste markers): ESC [ ... final byte.
          escape += char;
          if (escape.length > 2 && /[@-~]/.test(char)) escape = "";
          continue;
        }
        const code = char.codePointAt(0) ?? 0;
        if (char === "\r" || char === "\n") return secret;
        if (code === 0x03 || (code === 0x04 && secret === "")) throw new PromptCancelled();
        if (code === 0x1b) escape = char;
        else if (code === 0x7f || code === 0x08) secret = [...secret].slice(0, -1).join("");
        else if (code === 0x15) secret = "";
        else secret += char;
      }
    }
  } finally {
    reader.releaseLock();
    io.setRaw(false);
    // The typed secret was not echoed: end the prompt's line.
    ui.line("");
  }
}

/** Ask the user (through `ui`) to pick one of `choices` by number; Enter takes `defaultIndex`. */
export async function choose(
  ui: Ui,
  question: string,
  choices: readonly { label: string; detail: string }[],
  defaultIndex: number,
): Promise<number> {
  ui.line(question);
  choices.forEach((choice, i) => {
    const marker = i === defaultIndex ? ">" : " ";
    ui.line(`${marker} ${i + 1}) ${choice.label}`);
    ui.line(choice.detail, "     ");
  });
  for (;;) {
    ui.prompt(`Choose 1-${choices.length} [${defaultIndex + 1}]: `);
    const answer = await readLine(ui.io);
    if (answer === null) throw new PromptCancelled();
    const trimmed = answer.trim();
    if (trimmed === "") return defaultIndex;
    const n = Number(trimmed);
    if (Number.isInteger(n) && n >= 1 && n <= choices.length) return n - 1;
    ui.line(`Please answer with a number from 1 to ${choices.length}.`);
  }
}

/**
 * Ask a yes/no question (through `ui`); Enter is no. End of input (Ctrl-D)
 * cancels like Ctrl-C.
 */
export async function confirm(ui: Ui, question: string): Promise<boolean> {
  for (;;) {
    ui.prompt(`${question} [y/N] `);
    const answer = await readLine(ui.io);
    if (answer === null) throw new PromptCancelled();
    const word = answer.trim().toLowerCase();
    if (word === "" || word === "n" || word === "no") return false;
    if (word === "y" || word === "yes") return true;
    ui.line("Please answer y or n.");
  }
}

/** Whether the user can be asked: stdin and stderr are a terminal. */
export function canAsk(io: Io): boolean {
  return io.stdinIsTerminal() && io.stderrIsTerminal();
}

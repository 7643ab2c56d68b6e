/**
 * Validation of an API key (or a long-lived token) typed or piped by the user.
 * Written once so that every way a key arrives (stdin, a prompt, `--from-env`)
 * refuses the same bad input (empty, several lines, whitespace, control
 * characters) before anything is written, with a message naming where it came from.
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** The prefix of Anthropic API keys; others are accepted with a warning. */
export const API_KEY_PREFIX = "sk-ant-";

/**
 * Turn raw input into a key: one trailing newline (LF or CRLF) is trimmed;
 * empty, multi-line, whitespace and non-printable input is rejected (exit 2).
 * `from` says where it came from ("read from stdin"), for the messages, which
 * never include the input itself.
 */
export function parseApiKey(input: string, from = ""): string {
  return parseSecretLine(input, from ? `the API key ${from}` : "the API key");
}

/**
 * The checks of `parseApiKey` for any secret pasted as one line; `what` names
 * it in the messages ("the token read from stdin").
 */
export function parseSecretLine(input: string, what: string): string {
  const key = input.replace(/\r?\n$/, "");
  if (key === "") throw new UsageError(`${what} is empty; nothing was written`);
  if (/[\r\n]/.test(key)) {
    throw new UsageError(`${what} spans more than one line; nothing was written`);
  }
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code === 0x20 || code === 0x09) {
      throw new UsageError(
        `${what} contains whitespace (at character ${i + 1}); nothing was written`,
      );
    }
    if (code < 0x21 || code > 0x7e) {
      throw new UsageError(
        `${what} contains a non-printable or non-ASCII character (at character ${
          i + 1
        }); nothing was written`,
      );
    }
  }
  return key;
}

/** Whether `key` looks like an Anthropic API key. */
export function hasAnthropicPrefix(key: string): boolean {
  return key.startsWith(API_KEY_PREFIX);
}

/** The one-line secret checks: what is trimmed, what is refused and how it is named. */

import assert from "node:assert/strict";
import { hasAnthropicPrefix, parseApiKey, parseSecretLine } from "../lib/secret_line.ts";
import { UsageError } from "../lib/errors.ts";

const KEY = "sk-ant-api03-abcdefghijklmnop0123456789";

const ACCEPTED: [name: string, input: string, want: string][] = [
  ["as it is", KEY, KEY],
  ["one LF trimmed", `${KEY}\n`, KEY],
  ["one CRLF trimmed", `${KEY}\r\n`, KEY],
];

for (const [name, input, want] of ACCEPTED) {
  Deno.test(`parseSecretLine accepts a key ${name}`, () => {
    assert.equal(parseSecretLine(input, "the key"), want);
  });
}

const REFUSED: [name: string, input: string, message: RegExp][] = [
  ["empty", "", /^the token is empty; nothing was written$/],
  ["a newline only", "\n", /^the token is empty/],
  ["two lines", `${KEY}\n${KEY}`, /^the token spans more than one line/],
  ["two newlines", `${KEY}\n\n`, /spans more than one line/],
  ["a space", "sk-ant- api03", /whitespace \(at character 8\)/],
  ["a tab", "sk-ant-\tapi03", /whitespace \(at character 8\)/],
  ["a control character", "sk-ant-\x07", /non-printable or non-ASCII character \(at character 8\)/],
  ["a non-ASCII letter", "sk-ant-é", /non-printable or non-ASCII character \(at character 8\)/],
];

for (const [name, input, message] of REFUSED) {
  Deno.test(`parseSecretLine refuses ${name} (a usage error that never quotes the input)`, () => {
    assert.throws(() => parseSecretLine(input, "the token"), (error: unknown) => {
      assert(error instanceof UsageError);
      assert.match(error.message, message);
      if (input.trim()) assert(!error.message.includes(input.trim()), "the input was quoted");
      return true;
    });
  });
}

Deno.test("parseApiKey names where the key came from", () => {
  assert.throws(() => parseApiKey("", "read from stdin"), /: the API key read from stdin is empty/);
  assert.throws(() => parseApiKey(""), /: the API key is empty/);
  assert.equal(parseApiKey(`${KEY}\n`, "read from stdin"), KEY);
});

Deno.test("hasAnthropicPrefix: sk-ant- keys only", () => {
  assert.equal(hasAnthropicPrefix(KEY), true);
  assert.equal(hasAnthropicPrefix("hunter2"), false);
  assert.equal(hasAnthropicPrefix("SK-ANT-api03"), false);
});

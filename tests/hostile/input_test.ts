/** Hostile input typed or piped by the user: pasted browser sign-in codes and API keys. */

import assert from "node:assert/strict";
import {
  AUTH,
  type Fixture,
  type HostileCase,
  hostileCases,
  OTHERS_TEXT,
  secret,
  STATE,
  STATE_DIR,
  writeAuthText,
} from "../helpers/hostile_corpus.ts";

const BROWSER = ["login", "--method", "browser", "--no-browser"];
const API_KEY = ["login", "--method", "api-key"];

/** No token request may be made for input rejected locally. */
const noTokenRequest = (f: Fixture) => {
  assert.equal(f.fake.tokenRequests().length, 0, "a token request was made");
  return Promise.resolve();
};

/** A browser login that reads `paste` where the code should be. */
function paste(
  name: string,
  text: string | ((f: Fixture) => string),
  exit: 2 | 4,
  message: RegExp,
  extra: Partial<HostileCase> = {},
): HostileCase {
  let input = "";
  return {
    name: `pasted code: ${name}`,
    args: BROWSER,
    fake: true,
    setup: async (f) => {
      await writeAuthText(f.box, OTHERS_TEXT);
      input = typeof text === "string" ? text : text(f);
    },
    get stdin() {
      return input;
    },
    exit,
    message,
    check: exit === 2 ? noTokenRequest : undefined,
    ...extra,
  };
}

/** An API-key login fed `bytes` on stdin. */
function key(
  name: string,
  bytes: string | Uint8Array,
  exit: 0 | 2,
  message: RegExp,
): HostileCase {
  return {
    name: `API key: ${name}`,
    args: API_KEY,
    setup: (f) => writeAuthText(f.box, OTHERS_TEXT),
    stdin: bytes,
    exit,
    message,
    changes: exit === 0 ? [AUTH, STATE, STATE_DIR] : [],
  };
}

const encoder = new TextEncoder();
const concat = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => typeof p === "string" ? [...encoder.encode(p)] : p));

hostileCases("user input", [
  paste("only empty lines, then end of input", "\n\n", 2, /no code was pasted/),
  paste("end of input before any line", "", 2, /no code was pasted/),
  paste(
    "a code whose state is not ours",
    () => `${secret("code-")}#${secret("state-")}\n`,
    2,
    /state does not match/,
  ),
  paste(
    "a callback URL whose state is not ours",
    () => `https://platform.claude.com/oauth/code/callback?code=${secret("code-")}&state=evil\n`,
    2,
    /state does not match/,
  ),
  paste(
    "a callback URL reporting access_denied",
    "https://platform.claude.com/oauth/code/callback?error=access_denied&state=x\n",
    2,
    /reported an error: access_denied/,
  ),
  paste(
    "a callback URL whose error holds escape sequences and 5000 characters",
    `https://platform.claude.com/oauth/code/callback?error=${
      encodeURIComponent("\u001b]0;owned\u0007" + "E".repeat(5000))
    }\n`,
    2,
    /reported an error/,
  ),
  paste(
    "a URL without a code",
    "https://platform.claude.com/oauth/code/callback?state=x\n",
    2,
    /no `code` parameter/,
  ),
  paste("a malformed URL", "https://[::1/callback?code=abc\n", 2, /not a valid URL/),
  paste("a code with spaces in it", "abc def#ghi\n", 2, /spaces or non-printable/),
  paste("a code with escape sequences", "abc\u001b[31mdef\n", 2, /spaces or non-printable/),
  paste("a 5000-character code", `${"c".repeat(5000)}\n`, 2, /too long/),
  paste("a 70 KB line", `${"c".repeat(70 * 1024)}\n`, 2, /longer than 65536 bytes/),
  paste("only a state after '#'", "#some-state\n", 2, /no code before '#'/),
  paste(
    "a code the server does not know (it answers invalid_grant)",
    () => `${secret("code-unknown-")}\n`,
    4,
    /code was rejected \(invalid_grant\)/,
  ),
  paste(
    "an API key pasted where the code belongs is not printed back",
    (f) => {
      const apiKey = secret("sk-ant-api03-pasted-");
      f.box.plant(apiKey);
      return `${apiKey}\n`;
    },
    4,
    /invalid_grant/,
  ),
  key("more than 64 KiB", "sk-ant-api03-" + "k".repeat(70 * 1024), 2, /longer than 65536 bytes/),
  {
    ...key(
      "a UTF-8 byte order mark in front is dropped",
      "\ufeffsk-ant-api03-bom-0123456789",
      0,
      /Signed in/,
    ),
    check: async ({ box }) => {
      const entry = JSON.parse(await Deno.readTextFile(box.authFile)).anthropic;
      assert.equal(entry.key, "sk-ant-api03-bom-0123456789");
    },
  },
  key("invalid UTF-8", concat("sk-ant-api03-abc", [0xff, 0xfe], "def"), 2, /non-ASCII/),
  key(
    "UTF-16 text",
    new Uint8Array(
      new Uint16Array([...("sk-ant-api03-abcdefgh")].map((c) => c.charCodeAt(0))).buffer,
    ),
    2,
    /non-printable/,
  ),
  key("two trailing newlines", "sk-ant-api03-abcdefghijklmnop\n\n", 2, /more than one line/),
  key("a lone carriage return", "\r\n", 2, /empty/),
  key("a tab inside", "sk-ant-api03-abc\tdefghijklmnop", 2, /whitespace/),
  key("a DEL character", "sk-ant-api03-abc\u007fdefghijklmnop", 2, /non-printable/),
  key(
    "a 4 KiB key of printable characters is accepted",
    `sk-ant-api03-${"Z".repeat(4096)}`,
    0,
    /Signed in/,
  ),
]);

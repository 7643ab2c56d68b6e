/**
 * The one sanitiser and the token check, and every Ui method using them: no
 * outside text can drive the terminal or forge a line of its own.
 */

import assert from "node:assert/strict";
import { isPrintableToken } from "../lib/credential_types.ts";
import { sanitize } from "../lib/ui.ts";
import { Ui } from "../lib/ui.ts";
import { memoryIo } from "./helpers/context.ts";

Deno.test("sanitize: C0, DEL and C1 controls become visible escapes", () => {
  assert.equal(sanitize("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
  assert.equal(sanitize("\x00\x07\x08\x7f"), "\\x00\\x07\\x08\\x7f");
  assert.equal(sanitize("\x80\x85\x9b\x9f"), "\\x80\\x85\\x9b\\x9f");
  assert.equal(sanitize("carriage\rreturn"), "carriage\\rreturn");
  // Latin-1 letters right after C1 stay as they are.
  assert.equal(sanitize("\xa0é\xff"), "\xa0é\xff");
});

Deno.test("sanitize: bidi controls and the Unicode line/paragraph separators are escaped", () => {
  const bidi = [
    "\u200e",
    "\u200f",
    "\u061c",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
  ];
  for (const ch of bidi) {
    const code = ch.charCodeAt(0).toString(16).padStart(4, "0");
    assert.equal(sanitize(`x${ch}y`), `x\\u${code}y`);
  }
  assert.equal(sanitize("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
  // Ordinary non-ASCII text is left alone.
  assert.equal(sanitize("Zoë — Ünïcødé ✓ 日本"), "Zoë — Ünïcødé ✓ 日本");
});

Deno.test("sanitize: newline and tab are kept, unless one line is asked for", () => {
  assert.equal(sanitize("a\nb\tc"), "a\nb\tc");
  assert.equal(sanitize("a\nb\tc", true), "a\\nb\\tc");
  assert.equal(sanitize("a\r\nb", true), "a\\r\\nb");
});

Deno.test("isPrintableToken: printable ASCII without spaces, non-empty, bounded", () => {
  assert.equal(isPrintableToken("sk-ant-oat01-abc_DEF.123~"), true);
  assert.equal(isPrintableToken("!~"), true);
  for (
    const bad of [
      "",
      " ",
      "a b",
      "a\tb",
      "tok\n",
      "tok\r",
      "\x1b[31m",
      "\x7f",
      "é",
      "tok\u202e",
      "\x00",
    ]
  ) {
    assert.equal(isPrintableToken(bad), false, JSON.stringify(bad));
  }
  assert.equal(isPrintableToken("a".repeat(4096)), true);
  assert.equal(isPrintableToken("a".repeat(4097)), false);
  assert.equal(isPrintableToken("a".repeat(11), 10), false);
  assert.equal(isPrintableToken("a".repeat(10), 10), true);
});

Deno.test("every Ui method prints outside text on one line with escapes", () => {
  const io = memoryIo();
  const ui = new Ui(io, { debug: true, quiet: false, color: false });
  const hostile = "evil@example.com\n✓ Signed in as admin\x1b[2J\u202eloot\u2028x";
  ui.info(hostile);
  ui.success(hostile);
  ui.warn(hostile);
  ui.error(hostile);
  ui.hint(hostile);
  ui.debug(hostile);
  const lines = io.err.split("\n").filter(Boolean);
  assert.equal(lines.length, 6, io.err);
  const prefixes = [
    "evil@",
    "✓ evil@",
    "warning: evil@",
    "error: evil@",
    "hint: evil@",
    "debug: evil@",
  ];
  lines.forEach((line, i) => {
    assert(line.startsWith(prefixes[i]), line);
    assert(line.includes("\\n✓ Signed in as admin\\x1b[2J\\u202eloot\\u2028x"), line);
    // deno-lint-ignore no-control-regex
    assert(!/[\x00-\x1f\x7f-\x9f\u202e\u2028]/.test(line), line);
  });
});

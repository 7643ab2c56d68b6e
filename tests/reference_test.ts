/**
 * The text helpers behind `help environment`, `help exit-codes` and the
 * generated docs (lib/reference.ts). That help and docs agree with the
 * table: tests/project/docs_test.ts.
 */

import assert from "node:assert/strict";
import { markdownTable, wrap } from "../lib/reference.ts";

Deno.test("wrap: words packed up to the width; a longer word stands alone; spaces collapse", () => {
  assert.deepEqual(wrap("one two three four", 9), ["one two", "three", "four"]);
  assert.deepEqual(wrap("  a   b  ", 80), ["a b"]);
  assert.deepEqual(wrap("abcdefghij k", 4), ["abcdefghij", "k"]);
  assert.deepEqual(wrap("", 10), []);
});

Deno.test("markdownTable: columns padded to the widest cell, at least three wide", () => {
  assert.equal(
    markdownTable(["A", "Name"], [["1", "x"], ["22", "longer"]]),
    [
      "| A   | Name   |",
      "| --- | ------ |",
      "| 1   | x      |",
      "| 22  | longer |",
    ].join("\n"),
  );
});

/**
 * Reading OpenCode's auth.json (lib/opencode/auth_read.ts): what its text
 * must be, and the snapshot a read gives: the file's own bytes, the raw entry,
 * and the usable entry or why not. Reads racing OpenCode's in-place rewrites:
 * tests/behaviour/concurrency_test.ts.
 */

import assert from "node:assert/strict";
import {
  CorruptAuthFileError,
  parseAuthText,
  snapshotFromText,
} from "../../lib/opencode/auth_read.ts";

const PATH = "/h/auth.json";

Deno.test("parseAuthText: a JSON object, with or without a BOM; anything else is a corrupt auth file", () => {
  assert.deepEqual(parseAuthText(PATH, '\ufeff{"openai":{"type":"api","key":"k"}}'), {
    openai: { type: "api", key: "k" },
  });
  for (
    const [text, reason] of [
      ["", /is empty/],
      ["  \n", /is empty/],
      ["{", /not valid JSON/],
      ["[]", /holds an array/],
      ["null", /holds null/],
      ['"x"', /holds a string/],
    ] as const
  ) {
    assert.throws(
      () => parseAuthText(PATH, text),
      (error: unknown) => error instanceof CorruptAuthFileError && reason.test(error.message),
      JSON.stringify(text),
    );
  }
});

Deno.test("snapshotFromText: missing file, no anthropic entry, a malformed one, a usable one", () => {
  assert.deepEqual(snapshotFromText(PATH, null), {
    path: PATH,
    text: null,
    raw: undefined,
    entry: null,
    problem: null,
  });
  const other = '{"openai":{"type":"api","key":"k"}}';
  assert.deepEqual(snapshotFromText(PATH, other), {
    path: PATH,
    text: other,
    raw: undefined,
    entry: null,
    problem: null,
  });
  const malformed = snapshotFromText(PATH, '{"anthropic":{"type":"api"}}');
  assert.deepEqual(malformed.raw, { type: "api" });
  assert.equal(malformed.entry, null);
  assert.match(malformed.problem ?? "", /no key/);
  const usable = snapshotFromText(
    PATH,
    '{"anthropic":{"type":"api","key":"sk-ant-api03-k","x":1}}',
  );
  assert.deepEqual(usable.entry, { type: "api", key: "sk-ant-api03-k" });
  assert.equal(usable.problem, null);
});

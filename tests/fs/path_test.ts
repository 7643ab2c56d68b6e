/**
 * Paths without std (lib/fs/path.ts): absolute on each OS, join, dirname and
 * basename as the store uses them, and names fitted to the file-system limit.
 */

import assert from "node:assert/strict";
import {
  basename,
  dirname,
  fitName,
  isAbsolute,
  join,
  MAX_NAME_BYTES,
  SEP,
} from "../../lib/fs/path.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

Deno.test("isAbsolute: / on POSIX; a drive or a separator at the start on Windows", () => {
  assert.equal(isAbsolute("/home/a", "linux"), true);
  assert.equal(isAbsolute("home/a", "darwin"), false);
  assert.equal(isAbsolute("C:\\Users\\a", "windows"), true);
  assert.equal(isAbsolute("\\Users", "windows"), true);
  assert.equal(isAbsolute("Users\\a", "windows"), false);
});

Deno.test("join skips empty parts and never doubles a separator; dirname and basename ignore trailing ones", () => {
  assert.equal(join("a", "", "b"), `a${SEP}b`);
  assert.equal(join(`a${SEP}`, "b"), `a${SEP}b`);
  assert.equal(join("", "b"), "b");
  assert.equal(dirname("/a/b/c.json"), "/a/b");
  assert.equal(dirname("/a/b/"), "/a");
  assert.equal(dirname("/a"), "/");
  assert.equal(dirname("c.json"), ".");
  assert.equal(basename("/a/b/c.json"), "c.json");
  assert.equal(basename("/a/b/"), "b");
  assert.equal(basename("c.json"), "c.json");
});

Deno.test("fitName: short names unchanged; long ones cut to the limit with a hash, distinct", () => {
  assert.equal(fitName("auth.json", ".lock"), "auth.json.lock");
  assert.equal(fitName("auth.json", ".occa-x.tmp", "."), ".auth.json.occa-x.tmp");
  const a = `${"a".repeat(250)}-one.json`;
  const b = `${"a".repeat(250)}-two.json`;
  for (const name of [a, b, "é".repeat(127)]) {
    const fitted = fitName(name, ".lock");
    assert(bytes(fitted) <= MAX_NAME_BYTES, `${bytes(fitted)} bytes`);
    assert(fitted.endsWith(".lock"));
    assert.match(fitted, /~[0-9a-f]{8}\.lock$/);
  }
  assert.notEqual(fitName(a, ".lock"), fitName(b, ".lock"));
  // A multi-byte character is never cut in half.
  assert.doesNotMatch(fitName("é".repeat(127), ".lock"), /\ufffd/);
});

/** SHA-256 as lowercase hex (lib/hash.ts), checked against the FIPS 180-2 vectors. */

import assert from "node:assert/strict";
import { sha256Hex } from "../lib/hash.ts";

Deno.test("sha256Hex: the FIPS 180-2 test vectors, and UTF-8 input", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await sha256Hex(""),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(await sha256Hex("é"), await sha256Hex("\u00e9"));
  assert.notEqual(await sha256Hex("é"), await sha256Hex("e\u0301"));
});

/** Reading a stream whole, within a cap (lib/stream.ts). */

import assert from "node:assert/strict";
import { concat, readAllCapped } from "../lib/stream.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

Deno.test("readAllCapped: the chunks in order, after the first bytes already read", async () => {
  const decoder = new TextDecoder();
  const all = await readAllCapped(
    streamOf("bc", "", "de"),
    5,
    () => new Error("too large"),
    new TextEncoder().encode("a"),
  );
  assert.equal(decoder.decode(all), "abcde");
  assert.equal(
    decoder.decode(await readAllCapped(streamOf(), 0, () => new Error("too large"))),
    "",
  );
});

Deno.test("readAllCapped: one byte over the limit is the caller's error", async () => {
  await assert.rejects(
    readAllCapped(streamOf("abc", "def"), 5, () => new RangeError("over 5")),
    RangeError,
  );
});

Deno.test("concat: chunks side by side in one array of the given size", () => {
  assert.deepEqual(
    concat([new Uint8Array([1, 2]), new Uint8Array([3])], 3),
    new Uint8Array([1, 2, 3]),
  );
  assert.deepEqual(concat([], 0), new Uint8Array([]));
});

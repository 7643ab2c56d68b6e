/**
 * Reading a byte stream to its end, with a size limit, so that no child's
 * output or stdin can take the memory with it.
 *
 * @module
 */

/**
 * All bytes of `stream` (after `first`, when given), or the error `tooLarge()`
 * once more than `limit` bytes arrive. The stream's lock is released either way.
 */
export async function readAllCapped(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  tooLarge: () => Error,
  first?: Uint8Array,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = first ? [first] : [];
  let size = first?.length ?? 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, size);
}

/** `chunks` joined into one array of `size` bytes. */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

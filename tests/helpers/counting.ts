/**
 * Counting work instead of timing it: how many bytes this process read (the
 * kernel's count), and how many characters a string function looked at. A
 * count is the same on a fast machine and on a loaded one.
 */

/** Bytes this process has read so far (Linux /proc/self/io `rchar`), or null where unknown. */
export function bytesReadSoFar(): number | null {
  try {
    const io = Deno.readTextFileSync("/proc/self/io");
    const match = /^rchar:\s*(\d+)$/m.exec(io);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Run `fn`; its result and the bytes this process read meanwhile (null where unknown). */
export async function countingReads<T>(
  fn: () => T | Promise<T>,
): Promise<{ value: T; bytesRead: number | null }> {
  const before = bytesReadSoFar();
  const value = await fn();
  const after = bytesReadSoFar();
  return { value, bytesRead: before === null || after === null ? null : after - before };
}

/**
 * `text` as a string that counts every character read from it by index
 * (`s[i]`); reading more than `budget` characters throws at once, so a
 * quadratic scan fails fast instead of running for minutes. Its methods work
 * on the real string (uncounted): this counts a character-by-character scan.
 */
export function countingString(
  text: string,
  budget: number,
): { text: string; reads(): number } {
  let reads = 0;
  const proxy = new Proxy(new String(text), {
    get(target, key) {
      if (typeof key === "string" && /^\d+$/.test(key)) {
        if (++reads > budget) throw new Error(`read over ${budget} characters`);
        return text[Number(key)];
      }
      if (key === "length") return text.length;
      const value = Reflect.get(target, key);
      return typeof value === "function"
        ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(text, args)
        : value;
    },
  });
  return { text: proxy as unknown as string, reads: () => reads };
}

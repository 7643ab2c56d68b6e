/**
 * A file the user made read-only stays so: this tool refuses to replace it
 * (an atomic write would otherwise swap in a new, writable file).
 *
 * @module
 */

import { FailureError } from "../errors.ts";

/**
 * Throw a one-line failure when `path` exists and its owner may not write it
 * (POSIX modes; Windows has none to read here). A missing file is fine.
 */
export async function refuseReadOnly(path: string): Promise<void> {
  let mode: number | null;
  try {
    mode = (await Deno.stat(path)).mode;
  } catch {
    // Missing or unreadable: the write itself reports what is wrong.
    return;
  }
  if (mode === null || (mode & 0o200) !== 0) return;
  throw new FailureError(
    `${path} is read-only (mode ${
      (mode & 0o777).toString(8).padStart(4, "0")
    }); it was left as it is`,
    `make it writable (chmod u+w '${path}') if this tool should change it`,
  );
}

/**
 * Finding a command on PATH without starting it (status must not run `claude`
 * to know it exists).
 *
 * @module
 */

import type { Context } from "./context.ts";
import { join } from "./fs/path.ts";

/** The executable `name` on PATH, or null when none is found (or PATH cannot be read). */
export function findOnPath(ctx: Pick<Context, "env" | "os">, name: string): string | null {
  let path: string | undefined;
  try {
    path = ctx.env.get("PATH");
  } catch {
    return null; // PATH not readable under these permissions
  }
  if (!path) return null;
  const windows = ctx.os === "windows";
  const names = windows ? [".exe", ".cmd", ".bat", ""].map((ext) => name + ext) : [name];
  for (const dir of path.split(windows ? ";" : ":")) {
    if (!dir) continue;
    for (const candidate of names) {
      const file = join(dir, candidate);
      try {
        const info = Deno.statSync(file);
        if (info.isFile && (windows || info.mode === null || (info.mode & 0o111) !== 0)) {
          return file;
        }
      } catch {
        // not there
      }
    }
  }
  return null;
}

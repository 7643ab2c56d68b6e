/**
 * Minimal path helpers. `node:path` would do, but loading any `node:` module
 * costs about 13 ms at start-up (measured), which the `token` path cannot afford.
 */

const isWindows = Deno.build.os === "windows";

/** The separator of the running OS. */
export const SEP: string = isWindows ? "\\" : "/";

function isSeparator(ch: string): boolean {
  return ch === "/" || (isWindows && ch === "\\");
}

/** Whether `path` is absolute on `os` (the running OS by default). */
export function isAbsolute(path: string, os: string = Deno.build.os): boolean {
  return os === "windows" ? /^([A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");
}

/** Join path segments with the OS separator, without doubling separators. */
export function join(...parts: string[]): string {
  let out = "";
  for (const part of parts) {
    if (part === "") continue;
    if (out === "" || isSeparator(out[out.length - 1])) out += part;
    else out += SEP + part;
  }
  return out;
}

/** The directory part of `path` (`.` when it has none). */
export function dirname(path: string): string {
  let end = path.length;
  while (end > 1 && isSeparator(path[end - 1])) end--;
  for (let i = end - 1; i >= 0; i--) {
    if (isSeparator(path[i])) {
      if (i === 0) return path[0];
      // Keep "C:\" whole on Windows.
      if (isWindows && i === 2 && path[1] === ":") return path.slice(0, 3);
      return path.slice(0, i);
    }
  }
  return ".";
}

/** The last segment of `path`. */
export function basename(path: string): string {
  let end = path.length;
  while (end > 1 && isSeparator(path[end - 1])) end--;
  for (let i = end - 1; i >= 0; i--) {
    if (isSeparator(path[i])) return path.slice(i + 1, end);
  }
  return path.slice(0, end);
}

/**
 * Minimal path helpers. `node:path` would do, but loading any `node:` module
 * costs about 13 ms at start-up (measured), which the `token` path cannot afford.
 *
 * @module
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

/** The longest file name common file systems take (NAME_MAX of ext4, APFS, tmpfs): 255 bytes. */
export const MAX_NAME_BYTES = 255;

const utf8 = new TextEncoder();

/** FNV-1a of `text` as 8 hex digits: short, synchronous, and enough to tell names apart. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * `prefix + name + suffix` as one file name that fits in MAX_NAME_BYTES. A
 * name derived from a file's (`auth.json.lock`, a temporary `.auth.json.…tmp`)
 * can be longer than the limit when the file's own name is close to it: then
 * `name` is cut on a character boundary and followed by `~` and a hash of the
 * whole name, so two long names that begin alike still get different names.
 */
export function fitName(name: string, suffix: string, prefix = ""): string {
  const whole = `${prefix}${name}${suffix}`;
  if (utf8.encode(whole).length <= MAX_NAME_BYTES) return whole;
  const tail = `~${shortHash(name)}${suffix}`;
  let budget = MAX_NAME_BYTES - utf8.encode(prefix + tail).length;
  let cut = "";
  for (const char of name) {
    const size = utf8.encode(char).length;
    if (size > budget) break;
    cut += char;
    budget -= size;
  }
  return `${prefix}${cut}${tail}`;
}

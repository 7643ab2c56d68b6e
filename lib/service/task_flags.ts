/**
 * Reading deno.json's `start` task (`deno run FLAGS main.ts`): its words and
 * its permission flags. Shared by `service install` (a job run under `deno run`
 * gets exactly these flags) and scripts/lib_compile.ts (the flags embedded in
 * the binaries), which re-exports it.
 *
 * @module
 */

/** The entry module the start task runs. */
export const ENTRY = "main.ts";

/**
 * Split a task command line into words. Understands the quoting a task may
 * need so that the same line pastes safely into bash, zsh, fish and
 * PowerShell: double or single quotes around (parts of) a word. Anything a
 * shell would expand (`$`, backquotes, backslashes, `;`, `|`, `&`, redirects)
 * is refused, so the words here are exactly the words Deno receives.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else if (quote === '"' && /[$`\\]/.test(char)) {
        throw new Error(`unsupported character ${char} inside double quotes in: ${line}`);
      } else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (/[$`\\;|&<>()]/.test(char)) {
      throw new Error(`unsupported shell syntax ${char} in: ${line}`);
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * The flags of the start task (`deno run FLAGS main.ts`), exactly as Deno
 * receives them (quotes removed). Throws when the task has another shape.
 */
export function startTaskFlags(task: string): string[] {
  const words = splitCommandLine(task);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== ENTRY || words.length < 3) {
    throw new Error(`the start task should be \`deno run FLAGS ${ENTRY}\`, got: ${task}`);
  }
  return words.slice(2, -1);
}

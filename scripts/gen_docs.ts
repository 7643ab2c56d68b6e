/**
 * Rewrites the generated blocks of docs/ from the tables in code:
 * docs/environment.md (lib/reference.ts's `environmentMarkdown()`) and the
 * exit-code table of docs/troubleshooting.md (`exitCodesMarkdown()`). A block
 * sits between `<!-- generated: NAME -->` and `<!-- end generated -->`;
 * everything around it is written by hand and left alone.
 *
 *   deno run --allow-read=docs --allow-write=docs scripts/gen_docs.ts          rewrite
 *   deno run --allow-read=docs scripts/gen_docs.ts --check                     exit 1 if stale
 *
 * tests/project/docs_test.ts checks that the blocks are up to date.
 */

import { environmentMarkdown, exitCodesMarkdown } from "../lib/reference.ts";

/** One generated block: its marker name, its file (relative to the repository) and its text. */
export interface GeneratedBlock {
  readonly name: string;
  readonly file: string;
  readonly content: () => string;
}

/** Every generated block of docs/. */
export const GENERATED_BLOCKS: readonly GeneratedBlock[] = [
  { name: "environment", file: "docs/environment.md", content: environmentMarkdown },
  { name: "exit-codes", file: "docs/troubleshooting.md", content: exitCodesMarkdown },
];

/** The line that closes every generated block. */
export const END_MARKER = "<!-- end generated -->";

/** The line that opens the block `name`. */
export function startMarker(name: string): string {
  return `<!-- generated: ${name} -->`;
}

/** Where the block `name` is in `text`: the offsets of its content. Throws when absent. */
function locate(text: string, name: string): { from: number; to: number } {
  const start = startMarker(name);
  const at = text.indexOf(`${start}\n`);
  if (at < 0 || text.indexOf(`${start}\n`, at + 1) >= 0) {
    throw new Error(`expected exactly one line ${start}`);
  }
  const from = at + start.length + 1;
  const to = text.indexOf(`${END_MARKER}`, from);
  if (to < 0) throw new Error(`${start} is not closed by ${END_MARKER}`);
  return { from, to };
}

/** The content of the block `name` in `text`, without the blank lines around it. */
export function extractBlock(text: string, name: string): string {
  const { from, to } = locate(text, name);
  return text.slice(from, to).replace(/^\n/, "").replace(/\n$/, "");
}

/** `text` with the block `name` replaced by `content` (which ends in a newline). */
export function replaceBlock(text: string, name: string, content: string): string {
  const { from, to } = locate(text, name);
  return `${text.slice(0, from)}\n${content}\n${text.slice(to)}`;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const root = new URL("../", import.meta.url);
  let stale = 0;
  for (const block of GENERATED_BLOCKS) {
    const url = new URL(block.file, root);
    const text = await Deno.readTextFile(url);
    const next = replaceBlock(text, block.name, block.content());
    if (next === text) continue;
    stale++;
    if (check) console.error(`${block.file}: the "${block.name}" block is out of date`);
    else {
      await Deno.writeTextFile(url, next);
      console.error(`${block.file}: rewrote the "${block.name}" block`);
    }
  }
  if (check && stale > 0) {
    console.error("run: deno run --allow-read=docs --allow-write=docs scripts/gen_docs.ts");
    Deno.exit(1);
  }
}

/**
 * Reading the permission flags of deno.json's start task (lib/service/task_flags.ts):
 * the small shell-word splitter and what it refuses.
 */

import assert from "node:assert/strict";
import { splitCommandLine, startTaskFlags } from "../../lib/service/task_flags.ts";

Deno.test("splitCommandLine: spaces split, quotes group and are removed", () => {
  assert.deepEqual(splitCommandLine(`deno run  --allow-env="A,B" 'x y' main.ts`), [
    "deno",
    "run",
    "--allow-env=A,B",
    "x y",
    "main.ts",
  ]);
  assert.deepEqual(splitCommandLine(`a "" b`), ["a", "", "b"]);
  assert.deepEqual(splitCommandLine("   "), []);
});

Deno.test("splitCommandLine: shell syntax it does not model is refused, not guessed", () => {
  for (const line of ["a; b", "a | b", "a $HOME", 'a "$HOME"', "a 'open", "a `b`", "a > f"]) {
    assert.throws(() => splitCommandLine(line), Error, line);
  }
});

Deno.test("startTaskFlags: the flags between `deno run` and main.ts", () => {
  assert.deepEqual(startTaskFlags(`deno run -q --allow-net="a,b" main.ts`), [
    "-q",
    "--allow-net=a,b",
  ]);
  for (const task of ["deno main.ts", "deno run -A other.ts", "node run main.ts"]) {
    assert.throws(() => startTaskFlags(task), Error);
  }
});

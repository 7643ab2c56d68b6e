/**
 * Reading what the user types (lib/prompt.ts): lines and the rest of stdin
 * from the same stream, and when the user can be asked at all. Prompts on a
 * real terminal: tests/commands/login_claude_code_test.ts and
 * tests/commands/login_replace_test.ts.
 */

import assert from "node:assert/strict";
import { canAsk, readAllStdin, readLine } from "../lib/prompt.ts";
import type { Io } from "../lib/ui.ts";

const encoder = new TextEncoder();

/** An Io whose stdin gives `chunks` in order; `terminal` for both stdin and stderr. */
function streamOf(chunks: string[], terminal = false): Io {
  const stdin = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return {
    stdin,
    stdinIsTerminal: () => terminal,
    stderrIsTerminal: () => terminal,
    setRaw: () => {},
    writeOut: () => {},
    writeErr: () => {},
  };
}

Deno.test("readLine keeps what follows a line in the same chunk for the next read", async () => {
  const io = streamOf(["first\r\n\nthird", " line\nrest\nof it"]);
  assert.equal(await readLine(io), "first");
  assert.equal(await readLine(io), "");
  assert.equal(await readLine(io), "third line");
  assert.equal(await readAllStdin(io), "rest\nof it");
  assert.equal(await readLine(io), null);
  const last = streamOf(["no newline at the end"]);
  assert.equal(await readLine(last), "no newline at the end");
  assert.equal(await readLine(last), null);
});

Deno.test("canAsk: only when stdin and stderr are both a terminal", () => {
  assert.equal(canAsk(streamOf([], true)), true);
  assert.equal(canAsk(streamOf([], false)), false);
  assert.equal(canAsk({ ...streamOf([], true), stderrIsTerminal: () => false }), false);
});

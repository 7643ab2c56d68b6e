/**
 * Progress (lib/progress.ts): a spinner on a colour terminal, one plain line
 * with NO_COLOR, nothing on a non-terminal, with --quiet or for a short wait.
 */

import assert from "node:assert/strict";
import { showWait, startProgress, withProgress } from "../lib/progress.ts";
import { Ui } from "../lib/ui.ts";
import { interactiveIo } from "./helpers/context.ts";

/** A Ui on a fake terminal (or not), with colour on or off (NO_COLOR). */
function progressUi(terminal: boolean, color: boolean, quiet = false) {
  const io = interactiveIo();
  io.stderrIsTerminal = () => terminal;
  return { io, ui: new Ui(io, { debug: false, quiet, color }) };
}

/** One macrotask later: a 0 ms timer set before has fired by then. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("progress on a colour terminal: a spinner frame with the text, cleared when the wait ends", async () => {
  const { io, ui } = progressUi(true, true);
  let finish!: () => void;
  const work = withProgress(
    ui,
    "Exchanging the code…",
    () => new Promise<void>((r) => finish = r),
    0,
  );
  assert(await io.waitForErr(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Exchanging the code…/, work));
  finish();
  await work;
  assert(io.err.endsWith("\r\x1b[2K"), JSON.stringify(io.err));
});

Deno.test("progress with NO_COLOR on a terminal: the text once as a plain line, no escape sequence", async () => {
  const { io, ui } = progressUi(true, false);
  await withProgress(ui, "Refreshing the browser sign-in…", nextTask, 0);
  assert.equal(io.err, "Refreshing the browser sign-in…\n");
});

Deno.test("progress: nothing on a non-terminal, nothing with --quiet, nothing for a wait shorter than the delay", async () => {
  for (const [terminal, quiet] of [[false, false], [true, true]]) {
    const { io, ui } = progressUi(terminal, true, quiet);
    await withProgress(ui, "Waiting…", nextTask, 0);
    assert.equal(io.err, "");
  }
  const { io, ui } = progressUi(true, true);
  const stop = startProgress(ui, "Waiting…");
  stop();
  await nextTask();
  assert.equal(io.err, "");
});

Deno.test("a lock wait (past its notice delay): a spinner on a colour terminal, else the one line as before", async () => {
  const colour = progressUi(true, true);
  const stop = showWait(colour.ui, "Waiting for another process…");
  assert(
    await colour.io.waitForErr(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for another process…/, new Promise(() => {})),
  );
  stop();
  assert(colour.io.err.endsWith("\r\x1b[2K"));
  for (const [terminal, color] of [[true, false], [false, false]]) {
    const plain = progressUi(terminal, color);
    showWait(plain.ui, "Waiting for another process…")();
    assert.equal(plain.io.err, "Waiting for another process…\n");
  }
});

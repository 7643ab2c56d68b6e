/**
 * Progress for waits that may be long (HTTP, a lock, `claude`): after about a
 * second, a spinner on a terminal, or with `NO_COLOR` the same text once as a
 * plain line; nothing on a non-terminal or with `--quiet`, so logs and pipes
 * stay clean.
 *
 * @module
 */

import type { Ui } from "./ui.ts";

/** How long a wait runs before its progress shows: short waits stay silent. */
export const PROGRESS_DELAY_MS = 1_000;

/**
 * Start showing `text` once `delayMs` has passed; returns the function that
 * stops (and clears) it. Safe to call twice.
 */
export function startProgress(ui: Ui, text: string, delayMs = PROGRESS_DELAY_MS): () => void {
  if (ui.options.quiet || !ui.io.stderrIsTerminal()) return () => {};
  let stopSpinner: (() => void) | null = null;
  let stopped = false;
  const timer = setTimeout(() => stopSpinner = showWait(ui, text), delayMs);
  return () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    stopSpinner?.();
  };
}

/**
 * Say that a wait is under way (past its notice delay): a spinner on a colour
 * terminal, else the text once as a line (with `NO_COLOR` no animation and no
 * escape sequences either). Returns the function that stops the spinner.
 */
export function showWait(ui: Ui, text: string): () => void {
  if (ui.options.color && ui.io.stderrIsTerminal()) return ui.spinner(text);
  ui.info(text);
  return () => {};
}

/** Run `work`, showing `text` as progress while it takes longer than about a second. */
export async function withProgress<T>(
  ui: Ui,
  text: string,
  work: () => Promise<T>,
  delayMs = PROGRESS_DELAY_MS,
): Promise<T> {
  const stop = startProgress(ui, text, delayMs);
  try {
    return await work();
  } finally {
    stop();
  }
}

/**
 * Ctrl-C anywhere: one line `cancelled`, exit 130 (128+N for SIGTERM and
 * SIGHUP), and nothing lost. main.ts installs the one handler of the real
 * process. Two kinds of code change what a signal does while they run:
 * - a write that must not be cut in half (auth.json, then the state that
 *   describes it; a refresh whose rotated token must be stored) runs inside
 *   `deferInterrupts`: the exit waits until it is done;
 * - code that must end a child first (`claude`, `run -- CMD`) claims the
 *   signals (`claimSignals`) and reports the signal itself.
 *
 * A leaf: it imports nothing of ours (main.ts loads it on every start).
 *
 * @module
 */

/** A signal that stops this tool. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

let onStop: ((signal: StopSignal) => void) | null = null;
let deferred = 0;
let claims = 0;
let pending: StopSignal | null = null;

/**
 * Call `handler` (which prints `cancelled` and exits) when a stop signal
 * arrives, unless a claimer handles it or a deferred write runs (then once
 * that ends). Returns the function that uninstalls it.
 */
export function installStopHandler(handler: (signal: StopSignal) => void): () => void {
  onStop = handler;
  const remove = addStopListener((signal) => {
    if (claims > 0) return;
    if (deferred > 0) {
      pending ??= signal;
      return;
    }
    onStop?.(signal);
  });
  return () => {
    remove();
    onStop = null;
    pending = null;
  };
}

/**
 * Call `listener` with SIGINT, SIGTERM or SIGHUP when one arrives, until the
 * returned function is called. Signals the OS does not have are skipped
 * (Windows has SIGINT and SIGBREAK only).
 */
export function addStopListener(listener: (signal: StopSignal) => void): () => void {
  const added: [StopSignal, () => void][] = [];
  for (const signal of STOP_SIGNALS) {
    const onSignal = () => listener(signal);
    try {
      Deno.addSignalListener(signal, onSignal);
      added.push([signal, onSignal]);
    } catch {
      // Not on this OS.
    }
  }
  return () => {
    for (const [signal, onSignal] of added) Deno.removeSignalListener(signal, onSignal);
  };
}

/** Run `work` to its end before a stop signal that arrives meanwhile takes effect. */
export async function deferInterrupts<T>(work: () => Promise<T>): Promise<T> {
  deferred++;
  try {
    return await work();
  } finally {
    deferred--;
    if (deferred === 0 && pending && claims === 0) {
      const signal = pending;
      pending = null;
      onStop?.(signal);
    }
  }
}

/**
 * Take the stop signals over (the caller listens itself and ends its child
 * first); returns the function that gives them back.
 */
export function claimSignals(): () => void {
  claims++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    claims--;
  };
}

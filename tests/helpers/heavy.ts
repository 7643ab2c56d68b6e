/**
 * The heaviest tests (a real OpenCode run, the 200 killed writers) take
 * turns: one at a time per suite run, so they never compete with each other
 * for the cores on top of the rest of the suite. The turn is an OS file lock
 * in the suite's temporary folder ($TMPDIR), so suites side by side (`deno
 * task soak`, each with its own TMPDIR) take turns only within themselves.
 */

/** The lock file heavy tests take turns on. */
function turnFile(): string {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  return `${tmp}/occa-heavy-tests.lock`;
}

/** Run `fn` once no other heavy test of this suite runs (no time limit: each ends or hangs alone). */
export async function oneHeavyAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const file = await Deno.open(turnFile(), { read: true, write: true, create: true });
  try {
    await file.lock(true);
    return await fn();
  } finally {
    await file.unlock().catch(() => {});
    file.close();
  }
}

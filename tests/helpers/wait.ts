/**
 * Waiting in tests: for an event (a file appears, a request arrives, a line
 * is printed), never for a length of time. The only limit is HANG_MS, which
 * exists to turn a hang into a failure that says so: it is minutes, so that
 * no machine is too slow or too loaded for a test that works.
 */

/** How long a test waits for something before calling it hung. */
export const HANG_MS = 300_000;

/** How often a polled condition is checked (cheap, and it only delays the next step). */
const POLL_MS = 25;

/** Wait until `check` holds (polled); fail after `limitMs` saying that `what` never happened. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = HANG_MS,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) {
      throw new Error(`hung: still waiting for ${what} after ${Math.round(limitMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `promise`, or a failure saying that `what` hung when it does not settle within `limitMs`. */
export async function hangGuard<T>(
  what: string,
  promise: Promise<T>,
  limitMs = HANG_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`hung: ${what} did not end within ${Math.round(limitMs / 1000)} s`)),
      limitMs,
    );
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A file that exists once `release()` is called: what a fake that must stay busy waits for. */
export class ReleaseFile {
  /** Create the handle; nothing is written until `release()`. */
  constructor(readonly path: string) {}

  /** Let the waiting fake go on. */
  async release(): Promise<void> {
    await Deno.writeTextFile(this.path, "go\n");
  }
}

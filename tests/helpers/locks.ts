/** Lock checks shared by the lock tests. */

import assert from "node:assert/strict";
import { withLock } from "../../lib/lock.ts";
import { waitFor } from "./wait.ts";

/**
 * Hold `lockPath` in this process until `release()` is called; resolves once
 * the lock is held (an event, not a guess at how long taking it takes).
 */
export async function holdLock(
  lockPath: string,
  options: { holder?: string } = {},
): Promise<{ release(): void; done: Promise<void> }> {
  let held = false;
  let release!: () => void;
  const done = withLock(lockPath, async () => {
    held = true;
    await new Promise<void>((resolve) => release = resolve);
  }, options);
  await waitFor(`the lock ${lockPath} to be taken`, () => held);
  return { release, done };
}

/**
 * Take `firstLock` and hold it, then ask for `secondLock`: the second holder
 * must not start until the first lets go (the same lock, however reached).
 * Each step waits for an event: the first is in, the second says it waits.
 */
export async function assertSecondWaitsForFirst(
  firstLock: string,
  secondLock: string,
): Promise<void> {
  const events: string[] = [];
  const first = await holdLock(firstLock);
  events.push("first in");
  let told = false;
  const second = withLock(secondLock, () => {
    events.push("second in");
    return Promise.resolve();
  }, { onWait: () => told = true });
  // The waiter's notice (after about 2 s of waiting) proves it is blocked by the first.
  await waitFor("the second holder to say it waits", () => told || events.length > 1);
  assert.deepEqual(events, ["first in"]);
  events.push("first out");
  first.release();
  await Promise.all([first.done, second]);
  assert.deepEqual(events, ["first in", "first out", "second in"]);
}

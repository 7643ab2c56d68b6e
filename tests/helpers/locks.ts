/** Lock checks shared by the lock tests. */

import assert from "node:assert/strict";
import { withLock } from "../../lib/lock.ts";

/**
 * Take `firstLock` and hold it, then ask for `secondLock`: the second holder
 * must not start until the first lets go (the same lock, however reached).
 */
export async function assertSecondWaitsForFirst(
  firstLock: string,
  secondLock: string,
): Promise<void> {
  const events: string[] = [];
  let release!: () => void;
  const first = withLock(firstLock, async () => {
    events.push("first in");
    await new Promise<void>((resolve) => release = resolve);
    events.push("first out");
  });
  await new Promise((r) => setTimeout(r, 50));
  const second = withLock(secondLock, () => {
    events.push("second in");
    return Promise.resolve();
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(events, ["first in"]);
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ["first in", "first out", "second in"]);
}

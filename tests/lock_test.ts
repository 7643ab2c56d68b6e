/**
 * The lock: one lock per file however it is reached (symlink, linked folder,
 * dangling link), a holder line for waiters, and the waiting notice.
 */

import assert from "node:assert/strict";
import { lockPathFor, withLock } from "../lib/lock.ts";
import { assertSecondWaitsForFirst, holdLock } from "./helpers/locks.ts";
import { waitFor } from "./helpers/wait.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const posix = Deno.build.os !== "windows";

/** A temporary folder for one test. */
function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("occa-lock-", fn);
}

Deno.test({
  name: "lockPathFor: a symlink, its target and a linked folder share one lock",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.mkdir(`${dir}/dotfiles/opencode`, { recursive: true });
      await Deno.writeTextFile(`${dir}/dotfiles/opencode/auth.json`, "{}");
      await Deno.mkdir(`${dir}/share`);
      // A file link, a relative link, a chain of links and a linked folder.
      await Deno.symlink(`${dir}/dotfiles/opencode/auth.json`, `${dir}/share/abs.json`);
      await Deno.symlink("../dotfiles/opencode/auth.json", `${dir}/share/rel.json`);
      await Deno.symlink(`${dir}/share/rel.json`, `${dir}/chain.json`);
      await Deno.symlink(`${dir}/dotfiles/opencode`, `${dir}/linked-dir`);
      const expected = `${dir}/dotfiles/opencode/auth.json.lock`;
      for (
        const path of [
          `${dir}/dotfiles/opencode/auth.json`,
          `${dir}/share/abs.json`,
          `${dir}/share/rel.json`,
          `${dir}/chain.json`,
          `${dir}/linked-dir/auth.json`,
          `${dir}/share/../dotfiles/opencode/auth.json`,
        ]
      ) {
        assert.equal(lockPathFor(path), expected, path);
      }
    });
  },
});

Deno.test({
  name:
    "lockPathFor: a dangling link locks its missing target; a loop or missing folder keeps its path",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.mkdir(`${dir}/real`);
      await Deno.symlink(`${dir}/real/auth.json`, `${dir}/auth.json`);
      assert.equal(lockPathFor(`${dir}/auth.json`), `${dir}/real/auth.json.lock`);
      assert.equal(lockPathFor(`${dir}/real/auth.json`), `${dir}/real/auth.json.lock`);
      await Deno.symlink(`${dir}/loop-b`, `${dir}/loop-a`);
      await Deno.symlink(`${dir}/loop-a`, `${dir}/loop-b`);
      assert.equal(lockPathFor(`${dir}/loop-a`), `${dir}/loop-a.lock`);
      assert.equal(lockPathFor(`${dir}/none/auth.json`), `${dir}/none/auth.json.lock`);
    });
  },
});

Deno.test({
  name: "withLock through a symlink and through the target: the second waits for the first",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/auth.json`, "{}");
      await Deno.symlink(`${dir}/auth.json`, `${dir}/link.json`);
      await assertSecondWaitsForFirst(
        lockPathFor(`${dir}/link.json`),
        lockPathFor(`${dir}/auth.json`),
      );
    });
  },
});

Deno.test("withLock writes the holder into the lock file and empties it on release", async () => {
  await withDir(async (dir) => {
    const lock = `${dir}/x.lock`;
    await withLock(lock, async () => {
      assert.equal(await Deno.readTextFile(lock), `pid ${Deno.pid}: refresh\n`);
    }, { holder: "refresh" });
    assert.equal(await Deno.readTextFile(lock), "");
    // A longer line before, a shorter one now: nothing of the old one remains.
    await Deno.writeTextFile(lock, "pid 1: a very long description of an older holder\n");
    await withLock(lock, async () => {
      assert.equal(await Deno.readTextFile(lock), `pid ${Deno.pid}\n`);
    });
  });
});

Deno.test("a waiter is told once, after a while, who holds the lock", async () => {
  await withDir(async (dir) => {
    const lock = `${dir}/y.lock`;
    const holder = await holdLock(lock, { holder: "token \x1b[31m\nforged" });
    const notices: (string | null)[] = [];
    const waiter = withLock(lock, () => Promise.resolve("done"), {
      onWait: (who) => notices.push(who),
    });
    // Not at once: the notice is for a wait that lasts (about 2 s).
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(notices, []);
    await waitFor("the waiting notice", () => notices.length > 0);
    // The holder's own text, sanitised and cut to its first line.
    assert.deepEqual(notices, [`pid ${Deno.pid}: token \\x1b[31m`]);
    holder.release();
    await holder.done;
    assert.equal(await waiter, "done");
    assert.equal(notices.length, 1, "told more than once");
  });
});

Deno.test("no notice when the lock is free, nor when the wait is short; the timeout stays", async () => {
  await withDir(async (dir) => {
    const lock = `${dir}/z.lock`;
    let told = 0;
    assert.equal(await withLock(lock, () => Promise.resolve(1), { onWait: () => told++ }), 1);
    const holder = await holdLock(lock);
    await assert.rejects(
      withLock(lock, () => Promise.resolve(), { timeoutMs: 300, onWait: () => told++ }),
      /another process has held the lock .*z\.lock for over 0 s/,
    );
    // The older form: a number is the timeout.
    await assert.rejects(withLock(lock, () => Promise.resolve(), 200), /held the lock/);
    holder.release();
    await holder.done;
    assert.equal(told, 0);
  });
});

Deno.test("a holder that wrote nothing is reported as unknown (null)", async () => {
  await withDir(async (dir) => {
    const lock = `${dir}/w.lock`;
    // Another program holds the lock without describing itself.
    const file = await Deno.open(lock, { read: true, write: true, create: true });
    await file.lock(true);
    const notices: (string | null)[] = [];
    const waiter = withLock(lock, () => Promise.resolve(), {
      timeoutMs: 2_500,
      onWait: (who) => notices.push(who),
    });
    await assert.rejects(waiter, /held the lock/);
    await file.unlock();
    file.close();
    assert.deepEqual(notices, [null]);
  });
});

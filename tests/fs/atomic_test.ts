import assert from "node:assert/strict";
import { removeStaleTempFiles, writeFileAtomic } from "../../lib/fs/atomic.ts";
import { withLock } from "../../lib/lock.ts";
import { assertSecondWaitsForFirst, holdLock } from "../helpers/locks.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "occa-fs-" });
}

Deno.test("writeFileAtomic creates the folder 0700 and the file 0600, replacing content whole", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/new/sub/auth.json`;
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, "two");
    assert.equal(await Deno.readTextFile(path), "two");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${dir}/new/sub`)).mode! & 0o777, 0o700);
    assert.deepEqual([...Deno.readDirSync(`${dir}/new/sub`)].map((e) => e.name), ["auth.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic writes through a symlink instead of replacing it", async () => {
  const dir = await tempDir();
  try {
    await Deno.mkdir(`${dir}/dotfiles`);
    await Deno.writeTextFile(`${dir}/dotfiles/auth.json`, "old");
    await Deno.symlink(`${dir}/dotfiles/auth.json`, `${dir}/auth.json`);
    await writeFileAtomic(`${dir}/auth.json`, "new");
    assert((await Deno.lstat(`${dir}/auth.json`)).isSymlink);
    assert.equal(await Deno.readTextFile(`${dir}/dotfiles/auth.json`), "new");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleTempFiles removes only this tool's leftovers for that file", async () => {
  const dir = await tempDir();
  try {
    for (
      const name of [
        ".auth.json.occa-1a2b.tmp",
        ".auth.json.occa-ffff.tmp",
        "auth.json.123.abc.tmp",
        "other",
      ]
    ) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    assert.equal(await removeStaleTempFiles(`${dir}/auth.json`), 2);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "auth.json.123.abc.tmp",
      "other",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock serialises holders: the second starts after the first ends", async () => {
  const dir = await tempDir();
  try {
    await assertSecondWaitsForFirst(`${dir}/x.lock`, `${dir}/x.lock`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock gives up with a clear failure after its timeout", async () => {
  const dir = await tempDir();
  try {
    const holder = await holdLock(`${dir}/y.lock`);
    await assert.rejects(withLock(`${dir}/y.lock`, () => Promise.resolve(), 200), /held the lock/);
    holder.release();
    await holder.done;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

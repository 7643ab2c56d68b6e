/**
 * Small robustness gaps of a first hour (issue 18, item 12): an unset,
 * empty or missing TMPDIR; a dangling `auth.json.lock` link; an auth.json
 * whose name is near the file-system limit (fitName itself: tests/fs/path_test.ts). Each works, or fails with one
 * clear line. The lock and name cases run in-process; TMPDIR is the
 * process's own, so those runs are spawned.
 */

import assert from "node:assert/strict";
import { lockPathFor, withLock } from "../../lib/lock.ts";
import { MAX_NAME_BYTES } from "../../lib/fs/path.ts";
import { writeFileAtomic } from "../../lib/fs/atomic.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { withTempDir } from "../helpers/temp_dir.ts";
import { assertStored, exists, staleClaudeSession } from "../helpers/claude_code_session.ts";

const posix = Deno.build.os !== "windows";
const KEY = "sk-ant-api03-robustness-0123456789abcdef";
const bytes = (text: string) => new TextEncoder().encode(text).length;

// ---------------------------------------------------------------- TMPDIR

for (
  const [what, tmpdir] of [
    ["missing folder", "/nonexistent-occa-tmpdir/deeper"],
    ["empty", ""],
    ["relative", "relative-tmp"],
  ] as const
) {
  Deno.test({
    name: `TMPDIR ${what}: a Claude Code refresh still runs claude in a removed temporary folder`,
    ignore: !posix,
    fn: async () => {
      await withSandbox(async (box) => {
        const { next, claude } = await staleClaudeSession(box);
        const result = await box.run(["login", "--method", "claude-code"], {
          env: { TMPDIR: tmpdir },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stderr, /unexpected error|tmpdir/i);
        await assertStored(box, next);
        const runs = await claude.runs();
        assert.equal(runs.length, 1);
        assert.equal(await exists(runs[0].cwd), false, `${runs[0].cwd} was left behind`);
        assert(!runs[0].cwd.startsWith(box.root), `claude ran inside the sandbox: ${runs[0].cwd}`);
      });
    },
  });
}

// ---------------------------------------------------------------- the lock file

Deno.test({
  name: "a dangling auth.json.lock link is replaced by a lock file; its target is never created",
  ignore: !posix,
  fn: async () => {
    await withSandbox(async (box) => {
      box.plant(KEY);
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      const target = `${box.root}/gone/elsewhere.lock`;
      await Deno.symlink(target, `${box.authFile}.lock`);
      const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
      assert.equal(login.code, 0, login.stderr);
      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
      const lock = await Deno.lstat(`${box.authFile}.lock`);
      assert(lock.isFile && !lock.isSymlink, "the link was replaced by a regular file");
      assert.equal(await exists(`${box.root}/gone`), false, "the link's target was not created");
    });
  },
});

Deno.test({
  name: "an auth.json.lock link to another file: that file is never written through the link",
  ignore: !posix,
  fn: async () => {
    await withTempDir("occa-robust-", async (dir) => {
      const victim = `${dir}/precious.txt`;
      await Deno.writeTextFile(victim, "keep me\n");
      await Deno.symlink(victim, `${dir}/auth.json.lock`);
      const seen = await withLock(
        lockPathFor(`${dir}/auth.json`),
        () => Promise.resolve(Deno.readTextFileSync(`${dir}/auth.json.lock`)),
        { holder: "test" },
      );
      assert.match(seen, /^pid \d+: test/);
      assert.equal(await Deno.readTextFile(victim), "keep me\n");
      assert((await Deno.lstat(`${dir}/auth.json.lock`)).isFile);
    });
  },
});

// ---------------------------------------------------------------- long names

Deno.test({
  name: "an auth.json whose name is 255 bytes long is written, locked and rewritten",
  ignore: !posix,
  fn: async () => {
    await withSandbox(async (box) => {
      box.plant(KEY);
      const dir = `${box.root}/long`;
      await Deno.mkdir(dir);
      const path = `${dir}/${"n".repeat(MAX_NAME_BYTES - 5)}.json`;
      assert.equal(bytes(path.slice(dir.length + 1)), MAX_NAME_BYTES);
      const login = await box.runInProcess(
        ["--auth-file", path, "login", "--method", "api-key"],
        { stdin: KEY },
      );
      assert.equal(login.code, 0, login.stderr);
      assert.deepEqual(JSON.parse(await Deno.readTextFile(path)).anthropic, {
        type: "api",
        key: KEY,
      });
      const logout = await box.runInProcess(["--auth-file", path, "logout"]);
      assert.equal(logout.code, 0, logout.stderr);
      assert.equal(JSON.parse(await Deno.readTextFile(path)).anthropic, undefined);
      for (const entry of Deno.readDirSync(dir)) {
        assert(bytes(entry.name) <= MAX_NAME_BYTES, entry.name);
        assert(!entry.name.endsWith(".tmp"), `temporary file left: ${entry.name}`);
      }
    });
  },
});

Deno.test({
  name: "writeFileAtomic: a 255-byte name with multi-byte characters",
  ignore: !posix,
  fn: async () => {
    await withTempDir("occa-robust-", async (dir) => {
      const path = `${dir}/${"é".repeat(125)}.json`;
      assert.equal(bytes(path.slice(dir.length + 1)), MAX_NAME_BYTES);
      assert.equal(await writeFileAtomic(path, "{}\n"), true);
      assert.equal(await Deno.readTextFile(path), "{}\n");
    });
  },
});

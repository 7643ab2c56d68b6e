/**
 * OpenCode's config files are outside text a cloned repository controls:
 * read bounded and regular-only, parsed without quoting, stripped in linear time.
 */

import assert from "node:assert/strict";
import { createContext, recordEnv } from "../../lib/context.ts";
import { scanPlugins, stripJsonc } from "../../lib/opencode/config.ts";
import { Ui } from "../../lib/ui.ts";
import { memoryIo } from "../helpers/context.ts";
import { countingReads, countingString } from "../helpers/counting.ts";

const posix = Deno.build.os !== "windows";

async function withProject(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "occa-config-bounds-" });
  try {
    await Deno.mkdir(`${root}/home`);
    await Deno.mkdir(`${root}/repo/.git`, { recursive: true });
    await Deno.mkdir(`${root}/repo/.opencode`);
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function contextIn(root: string) {
  const io = memoryIo();
  return createContext({
    env: recordEnv({ HOME: `${root}/home`, XDG_CONFIG_HOME: `${root}/home/.config` }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    authFile: `${root}/auth.json`,
    cwd: () => `${root}/repo`,
  });
}

Deno.test({
  name:
    "a committed opencode.json -> /dev/zero, a FIFO or a 2 GB file: skipped as unreadable, at once",
  ignore: !posix,
  fn: async () => {
    await withProject(async (root) => {
      const repo = `${root}/repo`;
      await Deno.symlink("/dev/zero", `${repo}/opencode.json`);
      assert(
        (await new Deno.Command("mkfifo", { args: [`${repo}/opencode.jsonc`] }).output())
          .success,
      );
      await Deno.writeTextFile(`${repo}/.opencode/opencode.json`, "{}");
      await Deno.truncate(`${repo}/.opencode/opencode.json`, 2 * 1024 ** 3);
      await Deno.writeTextFile(
        `${repo}/.opencode/opencode.jsonc`,
        '{ // mine\n "plugin": ["opencode-anthropic-auth",], }',
      );
      // Refused from what stat says: next to nothing read (the kernel's count, not a clock).
      const { value: scan, bytesRead } = await countingReads(() => scanPlugins(contextIn(root)));
      assert(bytesRead === null || bytesRead < 1 << 20, `read ${bytesRead} bytes`);
      assert.deepEqual(scan.unreadable.sort(), [
        `${repo}/.opencode/opencode.json`,
        `${repo}/opencode.json`,
        `${repo}/opencode.jsonc`,
      ]);
      assert.deepEqual(scan.oauthPlugins, ["opencode-anthropic-auth"]);
    });
  },
});

Deno.test("stripJsonc stays linear on a file full of trailing commas", () => {
  // Counted, not timed: each character is looked at a bounded number of times.
  const text = "[" + "[1,],".repeat(200_000) + "0]";
  const counted = countingString(text, 3 * text.length);
  const stripped = stripJsonc(counted.text);
  assert(counted.reads() >= text.length, "the scan was not counted: the test proves nothing");
  assert.equal(JSON.parse(stripped).length, 200_001);
});

Deno.test("stripJsonc keeps strings whole and drops comments and trailing commas", () => {
  assert.equal(
    stripJsonc('{"a": "x,}//y", /* c */ "b": [1, 2, ], // d\n}'),
    '{"a": "x,}//y",   "b": [1, 2 ] \n}',
  );
  assert.deepEqual(JSON.parse(stripJsonc('{"a":"\\"//",}')), { a: '"//' });
});

/** Finding a program on PATH without running it (lib/which.ts). */

import assert from "node:assert/strict";
import { type Context, recordEnv } from "../lib/context.ts";
import { findOnPath } from "../lib/which.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

/** The slice of the context findOnPath reads: PATH (or nothing) and the OS. */
function world(
  path: string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): Pick<Context, "env" | "os"> {
  return { env: recordEnv({ PATH: path }), os };
}

Deno.test({
  name:
    "findOnPath: the first executable file of that name, in PATH's order; not a folder, not a plain file",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withTempDir("which-", async (dir) => {
      for (const sub of ["a", "b", "c"]) await Deno.mkdir(`${dir}/${sub}`);
      await Deno.mkdir(`${dir}/a/claude`); // a folder of that name
      await Deno.writeTextFile(`${dir}/b/claude`, "plain"); // not executable
      await Deno.writeTextFile(`${dir}/c/claude`, "#!/bin/sh\n", { mode: 0o755 });
      await Deno.chmod(`${dir}/c/claude`, 0o755);
      const path = `${dir}/a::${dir}/b:${dir}/c`;
      assert.equal(findOnPath(world(path), "claude"), `${dir}/c/claude`);
      assert.equal(findOnPath(world(path), "security"), null);
    });
  },
});

Deno.test("findOnPath: no PATH, an empty one, or one the permissions hide finds nothing", () => {
  assert.equal(findOnPath(world(undefined), "claude"), null);
  assert.equal(findOnPath(world(""), "claude"), null);
  const hidden: Pick<Context, "env" | "os"> = {
    env: {
      get: () => {
        throw new Deno.errors.NotCapable("PATH");
      },
    },
    os: "linux",
  };
  assert.equal(findOnPath(hidden, "claude"), null);
});

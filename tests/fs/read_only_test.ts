/**
 * Refusing to touch a read-only file (lib/fs/read_only.ts): one failure that
 * says the mode and how to change it; a missing or writable file is fine.
 */

import assert from "node:assert/strict";
import { FailureError } from "../../lib/errors.ts";
import { refuseReadOnly } from "../../lib/fs/read_only.ts";
import { withTempDir } from "../helpers/temp_dir.ts";

Deno.test({
  name: "refuseReadOnly: a file its owner may not write is refused with its mode; others pass",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withTempDir("read-only-", async (dir) => {
      const path = `${dir}/auth.json`;
      await refuseReadOnly(path); // missing
      await Deno.writeTextFile(path, "{}", { mode: 0o600 });
      await Deno.chmod(path, 0o600);
      await refuseReadOnly(path);
      await Deno.chmod(path, 0o444);
      await assert.rejects(
        () => refuseReadOnly(path),
        (error: unknown) =>
          error instanceof FailureError && error.message.includes("is read-only (mode 0444)") &&
          error.message.includes(path),
      );
      assert.equal(await Deno.readTextFile(path), "{}");
    });
  },
});

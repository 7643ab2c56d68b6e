/**
 * The pure parts of the scheduled job (lib/service/job.ts): the program
 * argument from a module URL, the tool's own arguments, and PATH without
 * Deno's node shims. Each platform's file from a job: tests/service/<platform>_test.ts.
 */

import assert from "node:assert/strict";
import { modulePath, toolArgs, withoutDenoShims } from "../../lib/service/job.ts";

Deno.test("modulePath: a file URL becomes the OS's path (drive and UNC on Windows); a remote URL stays", () => {
  assert.equal(modulePath("file:///home/a%20b/main.ts", "linux"), "/home/a b/main.ts");
  assert.equal(modulePath("file:///C:/Users/a/main.ts", "windows"), "C:\\Users\\a\\main.ts");
  assert.equal(modulePath("file://server/share/main.ts", "windows"), "\\\\server\\share\\main.ts");
  assert.equal(modulePath("https://example.com/main.ts", "linux"), "https://example.com/main.ts");
});

Deno.test("toolArgs: the auth file in force, then refresh --ahead in whole units, quiet", () => {
  assert.deepEqual(toolArgs("/h/auth.json", 2 * 60 * 60 * 1000), [
    "--auth-file",
    "/h/auth.json",
    "refresh",
    "--ahead",
    "2h",
    "--quiet",
  ]);
  assert.equal(toolArgs("/h/auth.json", 90 * 1000)[4], "90s");
});

Deno.test("withoutDenoShims drops only Deno's node_compat_bin folders", () => {
  assert.equal(
    withoutDenoShims("/c/deno/node_compat_bin:/usr/bin:/opt/node_compat_bin/:/bin", "linux"),
    "/usr/bin:/bin",
  );
  assert.equal(
    withoutDenoShims("C:\\deno\\node_compat_bin;C:\\Windows", "windows"),
    "C:\\Windows",
  );
  assert.equal(
    withoutDenoShims("/usr/bin:/my_node_compat_bin_x", "linux"),
    "/usr/bin:/my_node_compat_bin_x",
  );
});

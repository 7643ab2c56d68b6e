import { envMilliseconds } from "../lib/environment.ts";
import assert from "node:assert/strict";
import { defaultAuthFile, defaultStateFile, homeDir, recordEnv } from "../lib/context.ts";
import { type CliError, UsageError } from "../lib/errors.ts";

Deno.test("auth.json: XDG_DATA_HOME first, else ~/.local/share (the same on Windows, under USERPROFILE)", () => {
  assert.equal(
    defaultAuthFile(recordEnv({ HOME: "/h", XDG_DATA_HOME: "/d" }), "linux"),
    "/d/opencode/auth.json",
  );
  assert.equal(
    defaultAuthFile(recordEnv({ HOME: "/h" }), "linux"),
    "/h/.local/share/opencode/auth.json",
  );
  assert.equal(
    defaultAuthFile(recordEnv({ HOME: "/Users/x" }), "darwin"),
    "/Users/x/.local/share/opencode/auth.json",
  );
  const windowsHome = homeDir(
    recordEnv({ USERPROFILE: "C:\\Users\\x", HOME: "/c/Users/x" }),
    "windows",
  );
  assert.equal(windowsHome, "C:\\Users\\x");
});

Deno.test("state file: XDG_CONFIG_HOME first, else ~/.config", () => {
  assert.equal(
    defaultStateFile(recordEnv({ HOME: "/h" }), "linux"),
    "/h/.config/opencode-claude-code-auth/state.json",
  );
  assert.equal(
    defaultStateFile(recordEnv({ HOME: "/h", XDG_CONFIG_HOME: "/c" }), "linux"),
    "/c/opencode-claude-code-auth/state.json",
  );
});

Deno.test("no home directory is a clear failure", () => {
  assert.throws(
    () => homeDir(recordEnv({}), "linux"),
    (e: CliError) => e.exitCode === 1 && /HOME/.test(e.hint!),
  );
});

Deno.test("numeric settings: default when unset, usage error when malformed", () => {
  assert.equal(envMilliseconds(recordEnv({}), "X", 60_000), 60_000);
  assert.equal(envMilliseconds(recordEnv({ X: "250" }), "X", 1), 250);
  for (const bad of ["-1", "1.5", "abc", "1e3", "99999999999999999"]) {
    assert.throws(() => envMilliseconds(recordEnv({ X: bad }), "X", 1), UsageError, bad);
  }
});

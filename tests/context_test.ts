import { envMilliseconds } from "../lib/environment.ts";
import assert from "node:assert/strict";
import {
  createContext,
  defaultAuthFile,
  defaultStateFile,
  deriveContext,
  homeDir,
  recordEnv,
} from "../lib/context.ts";
import { Ui } from "../lib/ui.ts";
import { memoryIo } from "./helpers/context.ts";
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

Deno.test("deriveContext carries every field of the original, overriding only what it names", () => {
  const io = memoryIo();
  const original = createContext({
    env: recordEnv({ HOME: "/h" }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    now: () => 42,
  });
  const signal = new AbortController().signal;
  const ui = new Ui(io, { debug: false, quiet: true, color: false });
  const derived = deriveContext(original, { ui, signal });
  // A field added to Context later is carried too: every own key of the original is present.
  for (const key of Reflect.ownKeys(original)) {
    assert.ok(key in derived, `derived context lacks ${String(key)}`);
    if (key === "ui" || key === "signal") continue;
    assert.equal(
      Reflect.get(derived, key),
      Reflect.get(original, key),
      `derived ${String(key)} differs from the original's`,
    );
  }
  assert.equal(derived.ui, ui);
  assert.equal(derived.signal, signal);
  assert.equal(derived.now(), 42);
  // A field unknown today (added to Context tomorrow) is carried as well.
  const widened = Object.assign(original, { later: "kept" });
  assert.equal(Reflect.get(deriveContext(widened, { ui }), "later"), "kept");
  // The original is untouched.
  assert.notEqual(original.ui, ui);
  assert.equal(original.signal, undefined);
});

Deno.test("deriveContext keeps the file paths lazy: deriving resolves nothing, and a path resolves once for both", () => {
  const io = memoryIo();
  let lookups = 0;
  const env = recordEnv({ HOME: "/h" });
  const original = createContext({
    env: {
      get(name) {
        lookups++;
        return env.get(name);
      },
    },
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
  });
  const derived = deriveContext(original, { signal: new AbortController().signal });
  assert.equal(lookups, 0, "deriving must not resolve authFile or stateFile");
  assert.equal(derived.authFile, "/h/.local/share/opencode/auth.json");
  const afterFirst = lookups;
  assert.ok(afterFirst > 0);
  assert.equal(original.authFile, derived.authFile);
  assert.equal(derived.stateFile, "/h/.config/opencode-claude-code-auth/state.json");
  const afterState = lookups;
  assert.equal(original.stateFile, derived.stateFile);
  assert.equal(
    lookups,
    afterState,
    "a path resolved through the derived context is not resolved again",
  );
  // A path override wins and is a plain value.
  assert.equal(deriveContext(original, { authFile: "/x/auth.json" }).authFile, "/x/auth.json");
});

/**
 * The state file's pure rules (lib/state.ts): what a read trusts, which
 * method keeps an entry alive, and when a recorded state applies to an entry.
 * Reads and writes under races: tests/store_test.ts and tests/behaviour/.
 */

import assert from "node:assert/strict";
import {
  type AnthropicState,
  fingerprint,
  methodFor,
  parseState,
  recordedFor,
  sourceOf,
  stateApplies,
} from "../lib/state.ts";

const OAUTH = { type: "oauth", access: "sk-ant-oat01-a", refresh: "r", expires: 1 } as const;
const API = { type: "api", key: "sk-ant-api03-k" } as const;

Deno.test("parseState: an unknown source is no state; a field of the wrong type is left out", () => {
  assert.equal(parseState(null), null);
  assert.equal(parseState({ source: "constructor" }), null);
  assert.equal(parseState({ source: "elsewhere" }), null);
  assert.deepEqual(
    parseState({
      source: "browser-oauth",
      email: "a@example.com",
      organization: 7,
      describes: "x".repeat(4097),
      lastRefresh: { at: 5, lifetimeMs: -1 },
      unknown: true,
    }),
    { source: "browser-oauth", email: "a@example.com" },
  );
  assert.deepEqual(parseState({ source: "api-key", lastRefresh: { at: 5, lifetimeMs: 10 } }), {
    source: "api-key",
    lastRefresh: { at: 5, lifetimeMs: 10 },
  });
});

Deno.test("sourceOf and methodFor: an oauth entry of unknown origin is a browser sign-in", () => {
  assert.equal(sourceOf("claude-code"), "claude-code-session");
  assert.equal(sourceOf("browser"), "browser-oauth");
  assert.equal(methodFor(API, null), "api-key");
  assert.equal(methodFor(OAUTH, null), "browser");
  assert.equal(methodFor(OAUTH, { source: "setup-token" }), "setup-token");
  assert.equal(methodFor(OAUTH, { source: "claude-code-session" }), "claude-code");
});

Deno.test("recordedFor and stateApplies: the file, the entry's type and its fingerprint must match", async () => {
  const old: AnthropicState = { source: "browser-oauth" };
  assert.equal(recordedFor(old, "/a/auth.json"), true);
  assert.equal(recordedFor({ ...old, authFile: "/b/auth.json" }, "/a/auth.json"), false);
  assert.equal(await stateApplies(old, "/a/auth.json", OAUTH), true);
  assert.equal(await stateApplies(old, "/a/auth.json", API), false);
  assert.equal(await stateApplies({ source: "api-key" }, "/a/auth.json", API), true);
  const describes = await fingerprint(OAUTH.access);
  assert.equal(describes.length, 16);
  assert.notEqual(describes, await fingerprint(API.key));
  assert.equal(await stateApplies({ ...old, describes }, "/a/auth.json", OAUTH), true);
  assert.equal(
    await stateApplies({ ...old, describes }, "/a/auth.json", {
      ...OAUTH,
      access: "sk-ant-oat01-b",
    }),
    false,
  );
});

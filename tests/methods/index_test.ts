/** The sign-in method table (lib/methods/index.ts): each method name loads its own implementation. */

import assert from "node:assert/strict";
import { signInMethod } from "../../lib/methods/index.ts";
import { apiKeyMethod } from "../../lib/methods/api_key.ts";
import { browserMethod } from "../../lib/methods/browser.ts";
import { claudeCodeMethod } from "../../lib/methods/claude_code.ts";
import { setupTokenMethod } from "../../lib/methods/setup_token.ts";

Deno.test("signInMethod: every method name gives that method's implementation", async () => {
  assert.equal(await signInMethod("api-key"), apiKeyMethod);
  assert.equal(await signInMethod("browser"), browserMethod);
  assert.equal(await signInMethod("claude-code"), claudeCodeMethod);
  assert.equal(await signInMethod("setup-token"), setupTokenMethod);
});

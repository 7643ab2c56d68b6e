import assert from "node:assert/strict";
import { redact, registerSecret, scrub } from "../lib/redact.ts";

Deno.test("redact keeps the token kind and the last three characters only", () => {
  assert.equal(redact("sk-ant-oat01-abcdefghijklmnopqrstuvwxyz9xQ"), "sk-ant-oat01-…9xQ");
  assert.equal(redact("sk-ant-api03-short"), "sk-ant-api03-…");
  assert.equal(redact("opaque-code-value-1234567890"), "…890");
  assert.equal(redact("tiny"), "…");
});

Deno.test("scrub removes registered secrets wherever they appear", () => {
  const secret = "verifier-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  registerSecret(secret);
  const out = scrub(`failed with ${secret} and again ${secret}.`);
  assert(!out.includes(secret));
  assert.match(out, /failed with …XYZ and again …XYZ\./);
});

Deno.test("scrub removes unregistered Anthropic tokens, bearer headers and JSON secret fields", () => {
  const text = [
    "token sk-ant-oat01-ZZZZZZZZZZZZZZZZZZZZZZZZ in a message",
    "Authorization: Bearer abc.def.ghijklmnop",
    '{"access_token":"opaque-access-value","refresh_token":"opaque-refresh-value","expires_in":3600}',
  ].join("\n");
  const out = scrub(text);
  for (
    const leaked of [
      "ZZZZZZZZZZZZZZZZZZZZ",
      "abc.def.ghijklmnop",
      "opaque-access-value",
      "opaque-refresh-value",
    ]
  ) {
    assert(!out.includes(leaked), `${leaked} survived: ${out}`);
  }
  assert.match(out, /"expires_in":3600/);
});

Deno.test("short strings are not registered (they would scrub ordinary words)", () => {
  registerSecret("abc");
  assert.equal(scrub("abc abc"), "abc abc");
});

import assert from "node:assert/strict";
import {
  base64url,
  challengeFor,
  createState,
  createVerifier,
  randomToken,
  timingSafeEqual,
} from "../../lib/oauth/pkce.ts";

const BASE64URL_43 = /^[A-Za-z0-9_-]{43}$/;

Deno.test("S256 challenge matches the RFC 7636 Appendix B test vector", async () => {
  assert.equal(
    await challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  );
});

Deno.test("base64url: the RFC 7636 Appendix B octets give the verifier; no padding, URL alphabet", () => {
  const octets = new Uint8Array([
    116,
    24,
    223,
    180,
    151,
    153,
    224,
    37,
    79,
    250,
    96,
    125,
    216,
    173,
    187,
    186,
    22,
    212,
    37,
    77,
    105,
    214,
    191,
    240,
    91,
    88,
    5,
    88,
    83,
    132,
    141,
    121,
  ]);
  assert.equal(base64url(octets), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  assert.equal(base64url(new Uint8Array([0xfb, 0xff])), "-_8");
  assert.equal(base64url(new Uint8Array([])), "");
  assert.equal(base64url(new Uint8Array([0])), "AA");
});

Deno.test("verifier: 43 base64url characters (32 random bytes), within RFC 7636's 43..128 unreserved set", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const verifier = createVerifier();
    assert.match(verifier, BASE64URL_43);
    // RFC 7636 section 4.1: ALPHA / DIGIT / "-" / "." / "_" / "~", 43 to 128 characters.
    assert.match(verifier, /^[A-Za-z0-9\-._~]{43,128}$/);
    seen.add(verifier);
  }
  assert.equal(seen.size, 200, "verifiers repeat");
});

Deno.test("challenge of a fresh verifier is 43 base64url characters and deterministic", async () => {
  const verifier = createVerifier();
  const challenge = await challengeFor(verifier);
  assert.match(challenge, BASE64URL_43);
  assert.equal(await challengeFor(verifier), challenge);
  assert.notEqual(challenge, verifier);
});

Deno.test("state is random, well formed and independent of the verifier", async () => {
  const states = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const verifier = createVerifier();
    const state = createState();
    assert.match(state, BASE64URL_43);
    assert.notEqual(state, verifier);
    assert.notEqual(state, await challengeFor(verifier));
    assert(!state.includes(verifier.slice(0, 12)));
    states.add(state);
  }
  assert.equal(states.size, 100);
  assert.match(randomToken(), BASE64URL_43);
});

Deno.test("timingSafeEqual: equal, different, prefix, empty and non-ASCII strings", () => {
  assert.equal(timingSafeEqual("abc", "abc"), true);
  assert.equal(timingSafeEqual("", ""), true);
  assert.equal(timingSafeEqual("abc", "abd"), false);
  assert.equal(timingSafeEqual("abc", "ab"), false);
  assert.equal(timingSafeEqual("ab", "abc"), false);
  assert.equal(timingSafeEqual("", "a"), false);
  assert.equal(timingSafeEqual("a", ""), false);
  assert.equal(timingSafeEqual("é", "é"), true);
  assert.equal(timingSafeEqual("é", "e"), false);
  // Two strings whose byte lengths differ by a multiple of 256 are still different.
  assert.equal(timingSafeEqual("a".repeat(256), ""), false);
  assert.equal(timingSafeEqual("a".repeat(300), "a".repeat(44)), false);
  assert.equal(timingSafeEqual("x\0", "x"), false);
  const state = createState();
  assert.equal(timingSafeEqual(state, `${state}`), true);
  assert.equal(
    timingSafeEqual(state, state.slice(0, -1) + (state.endsWith("A") ? "B" : "A")),
    false,
  );
});

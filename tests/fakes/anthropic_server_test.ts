/** The fake authorization server really checks what the real one would. */

import assert from "node:assert/strict";
import { challengeFor, createState, createVerifier } from "../../lib/oauth/pkce.ts";
import { CLIENT_ID, type FakeAnthropic, REDIRECT_URI } from "./anthropic_server.ts";
import { splitShown, withFake } from "../helpers/browser_login.ts";

async function authorize(fake: FakeAnthropic, verifier: string, state: string): Promise<string> {
  const url = new URL(`${fake.url}/oauth/authorize`);
  for (
    const [name, value] of [
      ["code", "true"],
      ["client_id", CLIENT_ID],
      ["response_type", "code"],
      ["redirect_uri", REDIRECT_URI],
      ["scope", "user:inference"],
      ["code_challenge", await challengeFor(verifier)],
      ["code_challenge_method", "S256"],
      ["state", state],
    ]
  ) url.searchParams.set(name, value);
  return splitShown(await fake.visit(url.toString())).code;
}

async function post(fake: FakeAnthropic, body: Record<string, string>) {
  const response = await fetch(`${fake.url}/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("fake server: the code exchange needs the right verifier, redirect_uri, client_id and state, once", async () => {
  await withFake(async (fake) => {
    const verifier = createVerifier();
    const state = createState();
    const exchange = (code: string, extra: Record<string, string> = {}) =>
      post(fake, {
        grant_type: "authorization_code",
        code,
        state,
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        ...extra,
      });
    const wrongVerifier = await exchange(await authorize(fake, verifier, state), {
      code_verifier: createVerifier(),
    });
    assert.equal(wrongVerifier.status, 400);
    assert.equal(wrongVerifier.body.error, "invalid_grant");
    const wrongRedirect = await exchange(await authorize(fake, verifier, state), {
      redirect_uri: "https://evil.example/cb",
    });
    assert.equal(wrongRedirect.body.error, "invalid_grant");
    const wrongState = await exchange(await authorize(fake, verifier, state), { state: "other" });
    assert.equal(wrongState.body.error, "invalid_grant");
    const wrongClient = await exchange(await authorize(fake, verifier, state), {
      client_id: "someone-else",
    });
    assert.equal(wrongClient.status, 401);
    const wrongGrant = await exchange(await authorize(fake, verifier, state), {
      grant_type: "password",
    });
    assert.equal(wrongGrant.body.error, "unsupported_grant_type");

    const code = await authorize(fake, verifier, state);
    const ok = await exchange(code);
    assert.equal(ok.status, 200);
    assert.equal(typeof ok.body.access_token, "string");
    const again = await exchange(code);
    assert.equal(again.body.error, "invalid_grant", "codes are single-use");
  });
});

Deno.test("fake server: refresh tokens rotate and die once used", async () => {
  await withFake(async (fake) => {
    const { refresh } = fake.issueTokens();
    const refreshWith = (token: string) =>
      post(fake, { grant_type: "refresh_token", refresh_token: token, client_id: CLIENT_ID });
    const first = await refreshWith(refresh);
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, refresh);
    assert.equal((await refreshWith(refresh)).body.error, "invalid_grant");
    assert.equal((await refreshWith(first.body.refresh_token)).status, 200);
    assert.equal(fake.refreshRequests().length, 3);
  });
});

Deno.test("fake server: the authorize endpoint refuses a request without PKCE", async () => {
  await withFake(async (fake) => {
    await assert.rejects(
      fake.visit(`${fake.url}/oauth/authorize?code=true&client_id=${CLIENT_ID}&state=x`),
      /code_challenge/,
    );
  });
});

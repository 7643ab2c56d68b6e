/**
 * Hostile token endpoint answers to a refresh (`token` on an expired browser
 * sign-in): whatever comes back, the stored entry stays as it was unless a
 * valid token set arrived, and the message is one clean line.
 */

import assert from "node:assert/strict";
import type { ScriptedResponse } from "../fakes/anthropic_server.ts";
import {
  type Fixture,
  type HostileCase,
  hostileCases,
  secret,
  STATE,
  storeBrowser,
} from "../helpers/hostile_corpus.ts";

const JSON_TYPE = { "content-type": "application/json" };

/** A case where the token endpoint answers with `responses` (in order). */
function answer(
  name: string,
  responses: (f: Fixture) => ScriptedResponse[],
  exit: 1 | 4,
  message: RegExp,
  extra: Partial<HostileCase> = {},
): HostileCase {
  return {
    name,
    args: ["token"],
    fake: true,
    setup: async (f) => {
      await storeBrowser(f);
      f.fake.script.push(...responses(f));
    },
    exit,
    message,
    ...extra,
  };
}

/**
 * After invalid_grant the state file records the refused token's fingerprint
 * (so no process asks with it again); auth.json itself stays as it was.
 */
const REFUSAL_REMEMBERED: Partial<HostileCase> = {
  changes: [STATE],
  check: async (f) => {
    const state = JSON.parse(await Deno.readTextFile(f.box.stateFile));
    assert.match(state.anthropic.rejectedRefresh, /^[0-9a-f]{16}$/);
  },
};

/** A 200 answer with `fields` as its JSON body. */
function ok(fields: Record<string, unknown>): ScriptedResponse {
  return { status: 200, headers: JSON_TYPE, body: JSON.stringify(fields) };
}

/** Fresh-looking tokens, planted so that the leak check looks for them. */
function tokens(f: Fixture): { access_token: string; refresh_token: string; expires_in: number } {
  const access = secret("sk-ant-oat01-hostile-");
  const refresh = secret("sk-ant-ort01-hostile-");
  f.box.plant(access, refresh);
  return { access_token: access, refresh_token: refresh, expires_in: 3600 };
}

const times = (n: number, response: ScriptedResponse) => Array.from({ length: n }, () => response);

hostileCases("token endpoint", [
  answer(
    "an HTML page with status 200",
    () => [{
      status: 200,
      headers: { "content-type": "text/html" },
      body: "<!doctype html><html><body>Sign in</body></html>",
    }],
    1,
    /HTML page/,
  ),
  answer(
    "a proxy's HTML error page (502), every attempt",
    () =>
      times(4, {
        status: 502,
        headers: { "content-type": "text/html" },
        body: "<html>bad gateway</html>",
      }),
    1,
    /HTTP 502 \(an HTML page/,
  ),
  answer(
    "JSON cut off in the middle of the access token",
    (f) => {
      const body = JSON.stringify(tokens(f));
      return [{ status: 200, headers: JSON_TYPE, body: body.slice(0, 40) }];
    },
    1,
    /not JSON/,
  ),
  answer(
    "a body larger than 1 MiB",
    (f) => [ok({ ...tokens(f), padding: "x".repeat(2 * 1024 * 1024) })],
    1,
    /larger than 1048576 bytes/,
  ),
  answer(
    "access_token is a number",
    (f) => [ok({ ...tokens(f), access_token: 1234567890 })],
    1,
    /invalid token response .*access_token/,
  ),
  answer(
    "refresh_token is empty",
    (f) => [ok({ ...tokens(f), refresh_token: "" })],
    1,
    /invalid token response .*refresh_token/,
  ),
  answer(
    "expires_in is a string",
    (f) => [ok({ ...tokens(f), expires_in: "3600" })],
    1,
    /invalid token response .*expires_in/,
  ),
  answer(
    "expires_in is negative",
    (f) => [ok({ ...tokens(f), expires_in: -5 })],
    1,
    /invalid token response .*expires_in/,
  ),
  answer(
    "expires_in so large the expiry is not a number JSON can hold",
    (f) => [{
      status: 200,
      headers: JSON_TYPE,
      body: JSON.stringify(tokens(f)).replace('"expires_in":3600', '"expires_in":1e308'),
    }],
    1,
    /invalid token response .*expires_in/,
  ),
  answer(
    "access_token with a line break and an escape sequence in it",
    (f) => [ok({ ...tokens(f), access_token: `sk-ant-oat01-${secret("x")}\n\u001b[2Jrm -rf` })],
    1,
    /invalid token response .*access_token/,
  ),
  answer("a JSON array", () => [ok([] as unknown as Record<string, unknown>)], 1, /token endpoint/),
  answer(
    "JSON null",
    () => [{ status: 200, headers: JSON_TYPE, body: "null" }],
    1,
    /token endpoint/,
  ),
  answer("an empty 200 body", () => [{ status: 200, body: "" }], 1, /empty body/),
  answer("204 No Content", () => [{ status: 204 }], 1, /token endpoint/),
  answer(
    "invalid_grant whose description echoes the refresh token: the entry is kept",
    (f) => [{
      status: 400,
      headers: JSON_TYPE,
      body: JSON.stringify({
        error: "invalid_grant",
        error_description: `refresh token ${f.vars.refresh} was revoked`,
      }),
    }],
    4,
    /invalid_grant.*kept/,
    REFUSAL_REMEMBERED,
  ),
  answer(
    "invalid_grant in Anthropic's nested error shape",
    () => [{
      status: 400,
      headers: JSON_TYPE,
      body: JSON.stringify({ type: "error", error: { type: "invalid_grant", message: "nope" } }),
    }],
    4,
    /invalid_grant/,
    REFUSAL_REMEMBERED,
  ),
  answer(
    "an error description with escape sequences and line breaks",
    () => [{
      status: 401,
      headers: JSON_TYPE,
      body: JSON.stringify({
        error: "invalid_client",
        error_description: "\u001b]0;pwned\u0007bad client\nsecond line\r\u001b[2K",
      }),
    }],
    1,
    /invalid_client/,
  ),
  answer(
    "HTTP 500 on every attempt",
    () => times(4, { status: 500, headers: JSON_TYPE, body: '{"error":"server_error"}' }),
    1,
    /HTTP 500/,
  ),
  answer(
    "429 with Retry-After beyond the bounded wait",
    () => [{ status: 429, headers: { "retry-after": "3600" }, body: "" }],
    1,
    /rate limiting.*retry after 3600 s/,
  ),
  answer(
    "429 with a nonsense Retry-After, every attempt",
    () => times(3, { status: 429, headers: { "retry-after": "soon-ish" }, body: "" }),
    1,
    /rate limiting/,
  ),
  answer(
    "no answer within CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS on any attempt",
    (f) => times(4, { ...ok(tokens(f)), stall: true }),
    1,
    /no answer within 200 ms\) after 4 attempts/,
    { env: () => ({ CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS: "200" }) },
  ),
  answer(
    "a redirect elsewhere, with a secret in its query: not followed, query not shown",
    (f) => {
      const leak = secret("stolen-");
      f.box.plant(leak);
      return [{
        status: 302,
        headers: { location: `https://evil.example/collect?refresh=${leak}` },
        body: "",
      }];
    },
    1,
    /redirected \(HTTP 302\) to https:\/\/evil\.example\/collect; redirects are not followed/,
  ),
  answer(
    "a 307 redirect to another path on the same host",
    (f) => [{ status: 307, headers: { location: `${f.fake.url}/v1/oauth/token2` }, body: "" }],
    1,
    /redirects are not followed/,
  ),
]);

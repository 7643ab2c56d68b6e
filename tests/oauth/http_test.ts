/**
 * lib/oauth/http.ts without a server: the retry rule (`nextStep`) row by row,
 * the alternate-endpoint rule of lib/oauth/client.ts, and the effectful loop
 * (`sendRequest`) driven through the context's `fetch`.
 */

import assert from "node:assert/strict";
import type { Context } from "../../lib/context.ts";
import { refusalFailure, tokenEndpoints } from "../../lib/oauth/client.ts";
import { loadOAuthConfig } from "../../lib/oauth/config.ts";
import { recordEnv } from "../../lib/context.ts";
import { EndpointError, type EndpointFailure } from "../../lib/oauth/errors.ts";
import {
  type AttemptCount,
  type AttemptOutcome,
  backoffMs,
  MAX_BODY_BYTES,
  nextStep,
  sendRequest,
  type Step,
} from "../../lib/oauth/http.ts";
import { memoryIo, testContext } from "../helpers/context.ts";

const SPEC = { what: "token refresh", url: "https://token.example/v1/oauth/token?x=1" };
const HOST = "token.example";
const LIMITS = { retryBaseMs: 100, maxRetryAfterMs: 30_000 };
const NOW = Date.parse("2025-01-01T00:00:00Z");

const fresh: AttemptCount = { failures: 0, rateLimited: 0 };
const answer = (
  status: number,
  extra: Partial<AttemptOutcome & { kind: "answer" }> = {},
): AttemptOutcome => ({
  kind: "answer",
  status,
  retryAfter: null,
  location: null,
  returnAsIs: false,
  ...extra,
});

Deno.test("nextStep: the retry rule, one row per case", () => {
  const rows: { name: string; count?: AttemptCount; outcome: AttemptOutcome; step: Step }[] = [
    { name: "a 2xx is the answer", outcome: answer(200), step: { action: "return" } },
    {
      name: "a 4xx is the answer (the caller words it)",
      outcome: answer(400),
      step: { action: "return" },
    },
    {
      name: "a refused connection is retried after the base wait; the request never left",
      outcome: { kind: "network", reason: "connection refused" },
      step: {
        action: "retry",
        waitMs: 100,
        count: { failures: 1, rateLimited: 0 },
        lost: undefined,
        note: "connection refused",
      },
    },
    {
      name: "a reset connection may have reached the server: its answer was lost",
      count: { failures: 1, rateLimited: 0 },
      outcome: { kind: "network", reason: "connection reset" },
      step: {
        action: "retry",
        waitMs: 200,
        count: { failures: 2, rateLimited: 0 },
        lost: "connection reset",
        note: "connection reset",
      },
    },
    {
      name: "the fourth network failure gives up, naming the attempts",
      count: { failures: 3, rateLimited: 0 },
      outcome: { kind: "network", reason: "connection refused" },
      step: {
        action: "fail",
        failure: {
          kind: "network",
          what: SPEC.what,
          host: HOST,
          reason: "connection refused",
          attempts: 4,
        },
      },
    },
    {
      name: "a body that broke off is retried, quietly, as a lost answer",
      outcome: { kind: "broken-off", reason: "connection closed" },
      step: {
        action: "retry",
        waitMs: 100,
        count: { failures: 1, rateLimited: 0 },
        lost: "the answer broke off: connection closed",
        note: undefined,
      },
    },
    {
      name: "a body that broke off on the last attempt gives up",
      count: { failures: 3, rateLimited: 1 },
      outcome: { kind: "broken-off", reason: "connection closed" },
      step: {
        action: "fail",
        failure: { kind: "broken-off", what: SPEC.what, host: HOST, reason: "connection closed" },
      },
    },
    {
      name: "a 5xx is retried with doubling backoff",
      count: { failures: 2, rateLimited: 0 },
      outcome: answer(503),
      step: {
        action: "retry",
        waitMs: 400,
        count: { failures: 3, rateLimited: 0 },
        lost: "HTTP 503",
        note: "HTTP 503",
      },
    },
    {
      name: "the last 5xx is returned for the caller to word",
      count: { failures: 3, rateLimited: 0 },
      outcome: answer(502),
      step: { action: "return" },
    },
    {
      name: "a redirect fails at once, its Location without the query",
      outcome: answer(307, { location: "https://elsewhere.example/token?code=secret" }),
      step: {
        action: "fail",
        failure: {
          kind: "redirect",
          what: SPEC.what,
          host: HOST,
          status: 307,
          location: "https://elsewhere.example/token",
        },
      },
    },
    {
      name: "a redirect without Location says so",
      outcome: answer(302),
      step: {
        action: "fail",
        failure: {
          kind: "redirect",
          what: SPEC.what,
          host: HOST,
          status: 302,
          location: "(no Location)",
        },
      },
    },
    {
      name: "a 429 waits its Retry-After seconds",
      outcome: answer(429, { retryAfter: "2" }),
      step: { action: "retry", waitMs: 2000, count: { failures: 0, rateLimited: 1 } },
    },
    {
      name: "a 429 waits until its Retry-After date",
      outcome: answer(429, { retryAfter: "Wed, 01 Jan 2025 00:00:05 GMT" }),
      step: { action: "retry", waitMs: 5000, count: { failures: 0, rateLimited: 1 } },
    },
    {
      name: "a 429 without Retry-After backs off from the base, doubling per 429",
      count: { failures: 2, rateLimited: 1 },
      outcome: answer(429, { retryAfter: "soon" }),
      step: { action: "retry", waitMs: 200, count: { failures: 2, rateLimited: 2 } },
    },
    {
      name: "a Retry-After longer than the limit gives up at once, naming it",
      outcome: answer(429, { retryAfter: "31" }),
      step: {
        action: "fail",
        failure: { kind: "rate-limited", what: SPEC.what, host: HOST, retryAfterS: 31 },
      },
    },
    {
      name: "the third 429 gives up; without Retry-After none is named",
      count: { failures: 0, rateLimited: 2 },
      outcome: answer(429),
      step: { action: "fail", failure: { kind: "rate-limited", what: SPEC.what, host: HOST } },
    },
    {
      name: "an edge refusal the caller asked for is returned without waiting",
      count: { failures: 0, rateLimited: 2 },
      outcome: answer(429, { returnAsIs: true, retryAfter: "600" }),
      step: { action: "return" },
    },
  ];
  for (const row of rows) {
    assert.deepEqual(
      nextStep(SPEC, row.count ?? fresh, row.outcome, LIMITS, NOW),
      row.step,
      row.name,
    );
  }
});

Deno.test("backoffMs: the base, doubling per retry", () => {
  assert.deepEqual([1, 2, 3, 4].map((retry) => backoffMs(500, retry)), [500, 1000, 2000, 4000]);
});

Deno.test("tokenEndpoints: the alternate is tried second, only when set and different", () => {
  const config = (env: Record<string, string>) => loadOAuthConfig(recordEnv(env));
  const rows: { env: Record<string, string>; endpoints: string[] }[] = [
    {
      env: {},
      endpoints: [
        "https://platform.claude.com/v1/oauth/token",
        "https://api.anthropic.com/v1/oauth/token",
      ],
    },
    {
      env: { CLAUDE_CODE_AUTH_ALT_TOKEN_URL: "none" },
      endpoints: ["https://platform.claude.com/v1/oauth/token"],
    },
    {
      env: { ANTHROPIC_TOKEN_URL: "https://proxy.example/t" },
      endpoints: ["https://proxy.example/t"],
    },
    {
      env: {
        ANTHROPIC_TOKEN_URL: "https://proxy.example/t",
        CLAUDE_CODE_AUTH_ALT_TOKEN_URL: "https://proxy.example/t",
      },
      endpoints: ["https://proxy.example/t"],
    },
  ];
  for (const row of rows) assert.deepEqual(tokenEndpoints(config(row.env)), row.endpoints);
});

Deno.test("refusalFailure: moved only when every endpoint answered 404", () => {
  const e = (status: number) => ({
    url: "https://t.example/token",
    status,
    answer: "an empty body",
  });
  assert.equal(refusalFailure([e(404)]).kind, "not-found");
  assert.equal(refusalFailure([e(404), e(404)]).kind, "not-found");
  assert.equal(refusalFailure([e(404), e(403)]).kind, "edge-blocked");
  assert.equal(refusalFailure([e(429)]).kind, "edge-blocked");
  assert.deepEqual(refusalFailure([e(403)]), { kind: "edge-blocked", endpoints: [e(403)] });
});

// ------------------------------------------------------------ the loop, through ctx.fetch

/** What the fake network saw, and the context whose `fetch` it answers. */
function fakeNetwork(answers: (() => Response | Promise<Response>)[]): {
  ctx: Context;
  seen: { url: string; init: RequestInit }[];
} {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = (url: string, init: RequestInit) => {
    seen.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${seen.length}`);
    return Promise.resolve().then(next);
  };
  const env = { CLAUDE_CODE_AUTH_RETRY_BASE_MS: "1" };
  return { ctx: testContext(env, "linux", memoryIo(), { fetch }), seen };
}

const refused = () => {
  throw new TypeError("fetch failed", { cause: new Error("connection refused") });
};

async function failureOf(promise: Promise<unknown>): Promise<EndpointFailure> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert(error instanceof EndpointError, `expected an EndpointError, got ${error}`);
  return error.failure;
}

Deno.test("sendRequest: one request with the headers, the body and no redirects followed", async () => {
  const { ctx, seen } = fakeNetwork([() => Response.json({ ok: true })]);
  const raw = await sendRequest(ctx, {
    method: "POST",
    url: "https://t.example/token",
    json: { grant_type: "refresh_token" },
    what: "token refresh",
  });
  assert.deepEqual(raw, {
    status: 200,
    contentType: "application/json",
    body: '{"ok":true}',
  });
  assert.equal(seen.length, 1);
  const { init } = seen[0];
  assert.equal(init.method, "POST");
  assert.equal(init.redirect, "manual");
  assert.equal(init.body, '{"grant_type":"refresh_token"}');
  const headers = init.headers as Record<string, string>;
  assert.equal(headers["content-type"], "application/json");
  assert.match(headers["user-agent"], /^opencode-claude-code-auth\//);
});

Deno.test("sendRequest: a 5xx is retried and the answer after it says how the first was lost", async () => {
  const { ctx, seen } = fakeNetwork([
    () => new Response("busy", { status: 503 }),
    () => Response.json({ error: "invalid_grant" }, { status: 400 }),
  ]);
  const raw = await sendRequest(ctx, { method: "POST", url: "https://t.example/token", what: "x" });
  assert.equal(seen.length, 2);
  assert.equal(raw.status, 400);
  assert.equal(raw.lostBefore, "HTTP 503");
});

Deno.test("sendRequest: refused connections give up after four attempts, with the cause", async () => {
  const { ctx, seen } = fakeNetwork([refused, refused, refused, refused]);
  const error = await sendRequest(ctx, { method: "GET", url: "https://t.example/m", what: "check" })
    .then(() => null, (e: unknown) => e);
  assert(error instanceof EndpointError);
  assert.deepEqual(error.failure, {
    kind: "network",
    what: "check",
    host: "t.example",
    reason: "connection refused",
    attempts: 4,
  });
  assert(error.cause instanceof TypeError);
  assert.equal(seen.length, 4);
});

Deno.test("sendRequest: redirects, caps, permissions and edge refusals end the loop", async () => {
  const spec = { method: "POST" as const, url: "https://t.example/token", what: "token refresh" };
  const redirected = fakeNetwork([
    () => new Response(null, { status: 301, headers: { location: "https://x.example/y?z=1" } }),
  ]);
  assert.deepEqual(await failureOf(sendRequest(redirected.ctx, spec)), {
    kind: "redirect",
    what: "token refresh",
    host: "t.example",
    status: 301,
    location: "https://x.example/y",
  });
  const huge = fakeNetwork([() => new Response("x".repeat(MAX_BODY_BYTES + 1))]);
  assert.deepEqual(await failureOf(sendRequest(huge.ctx, spec)), {
    kind: "too-large",
    host: "t.example",
    limit: MAX_BODY_BYTES,
  });
  const denied = fakeNetwork([() => {
    throw new Deno.errors.NotCapable("Requires net access to t.example");
  }]);
  assert.deepEqual(await failureOf(sendRequest(denied.ctx, spec)), {
    kind: "not-allowed",
    host: "t.example",
    hostname: "t.example",
  });
  assert.equal(denied.seen.length, 1, "a missing permission is not retried");
  const edge = fakeNetwork([() => new Response("<html>blocked</html>", { status: 429 })]);
  const raw = await sendRequest(edge.ctx, { ...spec, returnEdgeRefusal: true });
  assert.equal(raw.status, 429);
  assert.equal(edge.seen.length, 1, "an edge refusal is returned without waiting");
});

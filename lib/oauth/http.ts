/**
 * HTTP at the edge: one request with a time limit, bounded retries with
 * backoff on network errors and 5xx, `Retry-After` honoured on 429 within a
 * bounded wait, redirects refused (a token request must not be re-sent
 * elsewhere), and a cap on the body size. The request goes through the
 * context's `fetch`; whether to retry, and for how long to wait, is decided by
 * `nextStep`, a pure function of the attempt's outcome.
 *
 * @module
 */

import { envMilliseconds } from "../environment.ts";
import type { EnvContext, NetworkContext, OutputContext } from "../context.ts";
import { readAllCapped } from "../stream.ts";
import { userAgent } from "./config.ts";
import { EndpointError, type EndpointFailure } from "./errors.ts";
import { type RawResponse, refusedAtEdge } from "./token.ts";

/** Default time limit of one request (`CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS`). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default first backoff step (`CLAUDE_CODE_AUTH_RETRY_BASE_MS`); doubles each retry. */
export const DEFAULT_RETRY_BASE_MS = 500;
/** Longest `Retry-After` we wait for (`CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS`). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
/** Attempts for network errors and 5xx. */
export const MAX_ATTEMPTS = 4;
/** Attempts for 429 answers. */
export const MAX_RATE_LIMITED_ATTEMPTS = 3;
/** Largest body read from any endpoint. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP date (RFC 9110: IMF-fixdate, or the obsolete RFC 850 and asctime forms). */
const HTTP_DATE =
  /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Parse `Retry-After` (delay-seconds or an HTTP date) into milliseconds from
 * now; null when absent or malformed (Date.parse alone would read "-5" or
 * "1.5" as dates in the past).
 */
export function retryAfterMs(value: string | null, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function readCapped(response: Response, host: string): Promise<string> {
  if (!response.body) return "";
  try {
    const bytes = await readAllCapped(
      response.body,
      MAX_BODY_BYTES,
      () => new EndpointError({ kind: "too-large", host, limit: MAX_BODY_BYTES }),
    );
    return new TextDecoder().decode(bytes);
  } finally {
    await response.body.cancel().catch(() => {});
  }
}

/**
 * The useful part of a fetch failure: Deno says only "fetch failed" and puts
 * the reason ("connection refused", "connection closed ...") in `cause`.
 */
export function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  const text = cause || (error instanceof Error ? error.message : String(error));
  return text.replace(/^error sending request .*? \([^)]*\): /, "").split("\n")[0].trim() ||
    "network error";
}

/** A request to send. */
export interface RequestSpec {
  /** The HTTP method. */
  method: "GET" | "POST";
  /** The endpoint. */
  url: string;
  /** Headers besides `accept`, `user-agent` and `content-type`. */
  headers?: Record<string, string>;
  /** JSON body for POST. */
  json?: unknown;
  /** What the request is for, in messages ("token refresh"). */
  what: string;
  /**
   * Return a 429 refused at the edge (no OAuth error body) at once, without
   * waiting: the caller has another endpoint to try, and waiting does not cure it.
   */
  returnEdgeRefusal?: boolean;
}

/**
 * Whether a failed fetch may have reached the server (its answer then lost):
 * everything but a connection that was never made.
 */
export function maybeSent(reason: string): boolean {
  return !/refused|dns|resolve|lookup|unreachable|no route|not known/i.test(reason);
}

/** How one attempt ended, as `nextStep` needs to know it. */
export type AttemptOutcome =
  /** No answer: the fetch failed (`reason` in a few words). */
  | { kind: "network"; reason: string }
  /** The answer's body broke off while it was read. */
  | { kind: "broken-off"; reason: string }
  /** An answer: its status, its `Retry-After` and `Location`, and whether it is an edge refusal to return. */
  | {
    kind: "answer";
    status: number;
    retryAfter: string | null;
    location: string | null;
    returnAsIs: boolean;
  };

/** The attempts so far: failures (network, broken-off, 5xx) and 429s. */
export interface AttemptCount {
  /** Network errors, broken-off bodies and 5xx answers so far. */
  failures: number;
  /** 429 answers so far. */
  rateLimited: number;
}

/** The limits of the retry loop (from the environment). */
export interface RetryLimits {
  /** The first backoff step (`CLAUDE_CODE_AUTH_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /** The longest `Retry-After` waited for (`CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS`). */
  maxRetryAfterMs: number;
}

/** What to do after an attempt. */
export type Step =
  /** Hand the answer to the caller. */
  | { action: "return" }
  /**
   * Wait `waitMs` and try again; `lost`: how this attempt's answer may have
   * been lost after the request was sent; `note`: the `--debug` line's reason.
   */
  | { action: "retry"; waitMs: number; count: AttemptCount; lost?: string; note?: string }
  /** Give up: the request failed for the reason named. */
  | { action: "fail"; failure: EndpointFailure };

/** The backoff before retry number `retry` (1, 2, ...): base, doubling. */
export function backoffMs(base: number, retry: number): number {
  return base * 2 ** (retry - 1);
}

/**
 * The retry rule: network errors, broken-off bodies and 5xx are retried with
 * backoff up to MAX_ATTEMPTS (a last 5xx is returned for the caller to
 * word); a 429 waits its `Retry-After` (or backoff) up to
 * MAX_RATE_LIMITED_ATTEMPTS and never longer than the limit; a redirect
 * fails at once; anything else is the answer. Pure: `now` dates `Retry-After`.
 */
export function nextStep(
  spec: { what: string; url: string },
  count: AttemptCount,
  outcome: AttemptOutcome,
  limits: RetryLimits,
  now: number,
): Step {
  const host = new URL(spec.url).host;
  const { what } = spec;
  if (outcome.kind !== "answer") {
    const failures = count.failures + 1;
    const { reason } = outcome;
    const network = outcome.kind === "network";
    if (failures >= MAX_ATTEMPTS) {
      return {
        action: "fail",
        failure: network
          ? { kind: "network", what, host, reason, attempts: failures }
          : { kind: "broken-off", what, host, reason },
      };
    }
    return {
      action: "retry",
      waitMs: backoffMs(limits.retryBaseMs, failures),
      count: { ...count, failures },
      lost: !network ? `the answer broke off: ${reason}` : maybeSent(reason) ? reason : undefined,
      note: network ? reason : undefined,
    };
  }
  const { status } = outcome;
  if (status >= 300 && status < 400) {
    const location = (outcome.location ?? "(no Location)").split("?")[0];
    return { action: "fail", failure: { kind: "redirect", what, host, status, location } };
  }
  if (status === 429) {
    if (outcome.returnAsIs) return { action: "return" };
    const waitMs = retryAfterMs(outcome.retryAfter, now) ??
      limits.retryBaseMs * 2 ** count.rateLimited;
    const rateLimited = count.rateLimited + 1;
    if (rateLimited >= MAX_RATE_LIMITED_ATTEMPTS || waitMs > limits.maxRetryAfterMs) {
      const failure: EndpointFailure = { kind: "rate-limited", what, host };
      if (outcome.retryAfter) failure.retryAfterS = Math.ceil(waitMs / 1000);
      return { action: "fail", failure };
    }
    return { action: "retry", waitMs, count: { ...count, rateLimited } };
  }
  if (status >= 500) {
    const failures = count.failures + 1;
    if (failures >= MAX_ATTEMPTS) return { action: "return" };
    return {
      action: "retry",
      waitMs: backoffMs(limits.retryBaseMs, failures),
      count: { ...count, failures },
      lost: `HTTP ${status}`,
      note: `HTTP ${status}`,
    };
  }
  return { action: "return" };
}

/** The `--debug` line of a retry. */
function retryNote(what: string, step: Step & { action: "retry" }): string {
  return step.note === undefined
    ? `${what}: rate limited; waiting ${step.waitMs} ms as Retry-After asks`
    : `${what}: ${step.note}; retrying in ${step.waitMs} ms`;
}

/** The reason of a failed fetch or body read; a timeout says how long it waited. */
function failureReason(error: unknown, timedOut: string): string {
  return error instanceof DOMException && error.name === "TimeoutError"
    ? timedOut
    : networkReason(error);
}

/** What sending a request uses: the network, its settings from the environment, and debug output. */
export type HttpContext = NetworkContext & EnvContext & OutputContext;

/** The limits and headers of a request, from the environment and the spec. */
function prepare(ctx: EnvContext, spec: RequestSpec) {
  const ms = (name: string, fallback: number) => envMilliseconds(ctx.env, name, fallback);
  // Checked in this order: with several bad settings, the first named is reported.
  const timeoutMs = ms("CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  const limits: RetryLimits = {
    retryBaseMs: ms("CLAUDE_CODE_AUTH_RETRY_BASE_MS", DEFAULT_RETRY_BASE_MS),
    maxRetryAfterMs: ms("CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS", DEFAULT_MAX_RETRY_AFTER_MS),
  };
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": userAgent(ctx),
    ...spec.headers,
  };
  if (spec.json !== undefined) headers["content-type"] = "application/json";
  return { timeoutMs, limits, headers };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One attempt: how it ended, the answer when there was one, and the error underneath a failure. */
interface Attempt {
  outcome: AttemptOutcome;
  raw?: RawResponse;
  cause?: unknown;
}

/** Send the request once and read its answer (the effects; nothing decided here). */
async function attemptOnce(
  ctx: NetworkContext,
  spec: RequestSpec,
  prepared: ReturnType<typeof prepare>,
): Promise<Attempt> {
  const { timeoutMs, headers } = prepared;
  const url = new URL(spec.url);
  let response: Response;
  try {
    response = await ctx.fetch(spec.url, {
      method: spec.method,
      headers,
      body: spec.json === undefined ? undefined : JSON.stringify(spec.json),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      const failure: EndpointFailure = {
        kind: "not-allowed",
        host: url.host,
        hostname: url.hostname,
      };
      throw new EndpointError(failure, { cause: error });
    }
    const reason = failureReason(error, `no answer within ${timeoutMs} ms`);
    return { outcome: { kind: "network", reason }, cause: error };
  }
  let body: string;
  try {
    body = await readCapped(response, url.host);
  } catch (error) {
    if (error instanceof EndpointError) throw error;
    const reason = failureReason(error, `the body did not arrive within ${timeoutMs} ms`);
    return { outcome: { kind: "broken-off", reason }, cause: error };
  }
  const raw: RawResponse = {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body,
  };
  const returnAsIs = response.status === 429 && spec.returnEdgeRefusal === true &&
    refusedAtEdge(raw);
  return {
    outcome: {
      kind: "answer",
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      location: response.headers.get("location"),
      returnAsIs,
    },
    raw,
  };
}

/** Send `spec`, retrying as `nextStep` decides; returns the final response. */
export async function sendRequest(ctx: HttpContext, spec: RequestSpec): Promise<RawResponse> {
  const prepared = prepare(ctx, spec);
  let count: AttemptCount = { failures: 0, rateLimited: 0 };
  // How the first answer was lost after the request was sent: a retry's
  // invalid_grant then most likely means the first try went through.
  let lost: string | undefined;
  for (;;) {
    ctx.ui.debug(`${spec.method} ${spec.url} (${spec.what})`);
    const { outcome, raw, cause } = await attemptOnce(ctx, spec, prepared);
    if (raw !== undefined) {
      if (lost !== undefined) raw.lostBefore = lost;
      ctx.ui.debug(`${spec.what}: HTTP ${raw.status}`);
    }
    const step = nextStep(spec, count, outcome, prepared.limits, Date.now());
    if (step.action === "fail") throw new EndpointError(step.failure, { cause });
    if (step.action === "return" && raw !== undefined) return raw;
    // nextStep returns only answers; a failed attempt is retried or fails.
    if (step.action !== "retry") throw new Error("internal: no answer to return");
    lost ??= step.lost;
    count = step.count;
    if (step.note !== undefined || outcome.kind === "answer") {
      ctx.ui.debug(retryNote(spec.what, step));
    }
    await sleep(step.waitMs);
  }
}

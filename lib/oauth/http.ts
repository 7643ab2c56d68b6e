/**
 * HTTP at the edge: one request with a time limit, bounded retries with
 * backoff on network errors and 5xx, `Retry-After` honoured on 429 within a
 * bounded wait, redirects refused (a token request must not be re-sent
 * elsewhere), and a cap on the body size.
 */

import { envMilliseconds } from "../environment.ts";
import type { Context } from "../context.ts";
import { FailureError, PROGRAM, UsageError, VERSION } from "../errors.ts";
import { readAllCapped } from "../stream.ts";
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

/** The User-Agent sent with every request. */
export function userAgent(ctx: Context): string {
  const override = ctx.env.get("CLAUDE_CODE_AUTH_USER_AGENT");
  if (!override) return `${PROGRAM}/${VERSION}`;
  if (!/^[\x20-\x7e]+$/.test(override)) {
    throw new UsageError(
      "CLAUDE_CODE_AUTH_USER_AGENT must be printable ASCII on one line",
    );
  }
  return override;
}

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

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  try {
    const bytes = await readAllCapped(response.body, MAX_BODY_BYTES, () =>
      new FailureError(
        `the response from ${new URL(response.url).host} is larger than ${MAX_BODY_BYTES} bytes`,
      ));
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request to send. */
export interface RequestSpec {
  method: "GET" | "POST";
  url: string;
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
function maybeSent(reason: string): boolean {
  return !/refused|dns|resolve|lookup|unreachable|no route|not known/i.test(reason);
}

/** Send `spec`, retrying as described above; returns the final response. */
export async function sendRequest(ctx: Context, spec: RequestSpec): Promise<RawResponse> {
  const timeoutMs = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS",
    DEFAULT_TIMEOUT_MS,
  );
  const retryBase = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_RETRY_BASE_MS",
    DEFAULT_RETRY_BASE_MS,
  );
  const maxRetryAfter = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS",
    DEFAULT_MAX_RETRY_AFTER_MS,
  );
  const host = new URL(spec.url).host;
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": userAgent(ctx),
    ...spec.headers,
  };
  if (spec.json !== undefined) headers["content-type"] = "application/json";
  let failures = 0;
  let rateLimited = 0;
  // How the first answer was lost after the request was sent: a retry's
  // invalid_grant then most likely means the first try went through.
  let lost: string | undefined;
  for (;;) {
    ctx.ui.debug(`${spec.method} ${spec.url} (${spec.what})`);
    let response: Response;
    try {
      response = await fetch(spec.url, {
        method: spec.method,
        headers,
        body: spec.json === undefined ? undefined : JSON.stringify(spec.json),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) {
        throw new FailureError(
          `Deno's permissions do not allow network access to ${host}`,
          `endpoint overrides need their host added to --allow-net (for example --allow-net=...,${
            new URL(spec.url).hostname
          })`,
          { cause: error },
        );
      }
      const reason = error instanceof DOMException && error.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : networkReason(error);
      if (maybeSent(reason)) lost ??= reason;
      if (++failures >= MAX_ATTEMPTS) {
        throw new FailureError(
          `${spec.what} failed: cannot reach ${host} (${reason}) after ${failures} attempts`,
          "check your network connection and proxy settings, then try again",
          { cause: error },
        );
      }
      const wait = retryBase * 2 ** (failures - 1);
      ctx.ui.debug(`${spec.what}: ${reason}; retrying in ${wait} ms`);
      await sleep(wait);
      continue;
    }
    let body: string;
    try {
      body = await readCapped(response);
    } catch (error) {
      if (error instanceof FailureError) throw error;
      const reason = error instanceof DOMException && error.name === "TimeoutError"
        ? `the body did not arrive within ${timeoutMs} ms`
        : networkReason(error);
      lost ??= `the answer broke off: ${reason}`;
      if (++failures >= MAX_ATTEMPTS) {
        throw new FailureError(
          `${spec.what} failed: ${host} broke off the answer (${reason})`,
          undefined,
          { cause: error },
        );
      }
      await sleep(retryBase * 2 ** (failures - 1));
      continue;
    }
    const raw: RawResponse = {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body,
    };
    if (lost !== undefined) raw.lostBefore = lost;
    ctx.ui.debug(`${spec.what}: HTTP ${response.status}`);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location") ?? "(no Location)";
      throw new FailureError(
        `${spec.what} failed: ${host} redirected (HTTP ${response.status}) to ${
          location.split("?")[0]
        }; redirects are not followed`,
        "point the endpoint variable at the final URL",
      );
    }
    if (response.status === 429) {
      if (spec.returnEdgeRefusal && refusedAtEdge(raw)) return raw;
      const wait = retryAfterMs(response.headers.get("retry-after"), Date.now()) ??
        retryBase * 2 ** rateLimited;
      if (++rateLimited >= MAX_RATE_LIMITED_ATTEMPTS || wait > maxRetryAfter) {
        throw new FailureError(
          `${spec.what} failed: ${host} is rate limiting requests (HTTP 429${
            response.headers.get("retry-after") ? `, retry after ${Math.ceil(wait / 1000)} s` : ""
          })`,
          "wait a little and try again; this is a rate limit, not a sign-in problem",
        );
      }
      ctx.ui.debug(`${spec.what}: rate limited; waiting ${wait} ms as Retry-After asks`);
      await sleep(wait);
      continue;
    }
    if (response.status >= 500) {
      if (++failures >= MAX_ATTEMPTS) return raw;
      lost ??= `HTTP ${response.status}`;
      const wait = retryBase * 2 ** (failures - 1);
      ctx.ui.debug(`${spec.what}: HTTP ${response.status}; retrying in ${wait} ms`);
      await sleep(wait);
      continue;
    }
    return raw;
  }
}

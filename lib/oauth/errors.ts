/**
 * The errors of the protocol layer: what went wrong, as data (the status, the
 * OAuth `error`, which endpoint, what was malformed), never what a user should
 * do about it. lib/methods/oauth_errors.ts turns them into the messages,
 * hints and exit codes the user sees. A leaf: it imports nothing.
 *
 * @module
 */

/** Which request a protocol error is about. */
export type OAuthRequest = "exchange" | "refresh" | "create-api-key";

/** Base of every error lib/oauth/ throws on purpose. */
export class ProtocolError extends Error {
  /** Create the error; `message` is for `--debug` and stacks only. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/** A non-2xx answer carrying an OAuth error (`{"error":"invalid_grant"}`). */
export class OAuthError extends ProtocolError {
  /** Create the error for `request`'s answer. */
  constructor(
    readonly request: OAuthRequest,
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** How an earlier attempt's answer was lost, when this answer is a retry's. */
    readonly lostBefore?: string,
  ) {
    super(`${request}: HTTP ${status} (${error})`);
    this.name = "OAuthError";
  }
}

/**
 * An answer that is not what the protocol expects: a non-2xx without an
 * OAuth error, a body that is not a JSON object, or missing fields.
 */
export class InvalidResponseError extends ProtocolError {
  /** Create the error; `body` describes the body, `missing` names malformed fields. */
  constructor(
    readonly request: OAuthRequest,
    readonly status: number,
    readonly body: string,
    readonly missing: string[] = [],
  ) {
    super(`${request}: invalid answer (HTTP ${status}, ${missing.join(", ") || body})`);
    this.name = "InvalidResponseError";
  }
}

/** One endpoint that refused a request before looking at it, and its answer in a few words. */
export interface RefusingEndpoint {
  /** The endpoint, without its query. */
  url: string;
  /** The HTTP status it answered. */
  status: number;
  /** Its answer in a few words: the OAuth error, or what the body was. */
  answer: string;
}

/** Why an endpoint gave no usable answer. */
export type EndpointFailure =
  /** Every token endpoint tried answered 404 (moved) or refused at its edge. */
  | { kind: "not-found" | "edge-blocked"; endpoints: RefusingEndpoint[] }
  /** No connection, or no answer, on every attempt. */
  | { kind: "network"; what: string; host: string; reason: string; attempts: number }
  /** The answer's body broke off on the last attempt. */
  | { kind: "broken-off"; what: string; host: string; reason: string }
  /** A 3xx (redirects are not followed). */
  | { kind: "redirect"; what: string; host: string; status: number; location: string }
  /** 429 too often, or a `Retry-After` longer than we wait (`retryAfterS`: when it asked). */
  | { kind: "rate-limited"; what: string; host: string; retryAfterS?: number }
  /** A body larger than the cap. */
  | { kind: "too-large"; host: string; limit: number }
  /** Deno's permissions do not allow the host. */
  | { kind: "not-allowed"; host: string; hostname: string };

/** An endpoint gave no usable answer; `failure` says why. */
export class EndpointError extends ProtocolError {
  /** Create the error for `failure` (the underlying fetch error as `cause`). */
  constructor(readonly failure: EndpointFailure, options?: ErrorOptions) {
    super(`endpoint failure: ${failure.kind}`, options);
    this.name = "EndpointError";
  }
}

/** What is wrong with a pasted code. */
export type PasteProblem =
  | { kind: "empty" | "bad-url" | "authorize-url" | "no-code" | "no-code-before-hash" }
  | { kind: "page-error"; error: string; description: string | null }
  | { kind: "too-long" | "not-printable"; piece: "code" | "state" }
  | { kind: "state-mismatch" };

/** The pasted code (or callback URL) is not one this sign-in can use. */
export class PasteError extends ProtocolError {
  /** Create the error for `problem`. */
  constructor(readonly problem: PasteProblem) {
    super(`bad paste: ${problem.kind}`);
    this.name = "PasteError";
  }
}

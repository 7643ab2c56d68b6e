/**
 * Errors and exit codes, and the program's name and version. A leaf module: it
 * imports nothing, so every layer may use it (the `token` path loads it anyway).
 *
 * @module
 */

/** The program's name as users type it: every hint and message that names it uses this. */
export const PROGRAM = "opencode-claude-code-auth";

/**
 * The release version: deno.json's `version` (tests/project/publish_test.ts
 * checks they agree). A constant, not an import of deno.json: a JSON module
 * costs every start about 0.3 ms (measured).
 */
export const VERSION = "0.1.0";

/** Exit codes of the contract: 0 ok, 1 failure, 2 usage, 4 sign-in required. */
export type ExitCode = 0 | 1 | 2 | 4;

/** The signals that stop this tool, and the exit code each gives (128 + N). */
export const STOP_SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** A signal that stops this tool (Ctrl-C is SIGINT). */
export type StopSignal = keyof typeof STOP_SIGNAL_EXIT;

/** Options of every CliError: the underlying error (printed under `--debug`, redacted). */
export interface CliErrorOptions {
  /** What went wrong underneath (an OS or network error); ES2022 `ErrorOptions.cause`. */
  cause?: unknown;
}

/** An expected failure: printed as one line (plus an optional hint), never with a stack. */
export class CliError extends Error {
  /** Create an error that ends the program with `exitCode`. */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 4 | (typeof STOP_SIGNAL_EXIT)[StopSignal],
    readonly hint?: string,
    options?: CliErrorOptions,
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

/** Bad command line or bad input (exit 2). */
export class UsageError extends CliError {
  /** Create a usage error with an optional hint such as "see --help". */
  constructor(message: string, hint?: string, options?: CliErrorOptions) {
    super(message, 2, hint, options);
    this.name = "UsageError";
  }
}

/** Sign-in required: nothing stored, or stored credentials unusable (exit 4). */
export class SignInRequiredError extends CliError {
  /** Create a sign-in-required error; the hint says how to sign in again. */
  constructor(message: string, hint?: string, options?: CliErrorOptions) {
    super(message, 4, hint, options);
    this.name = "SignInRequiredError";
  }
}

/** Network, server or file-system failure (exit 1). */
export class FailureError extends CliError {
  /** Create a failure error with an optional hint naming the fix. */
  constructor(message: string, hint?: string, options?: CliErrorOptions) {
    super(message, 1, hint, options);
    this.name = "FailureError";
  }
}

/**
 * The user cancelled (Ctrl-C at a prompt or during a wait) or a signal
 * stopped the work: main.ts prints the one line `cancelled` and exits 128+N
 * (130 for Ctrl-C).
 */
export class CancelledError extends CliError {
  /** Create the cancellation for `signal` (Ctrl-C and Ctrl-D at a prompt count as SIGINT). */
  constructor(readonly signal: StopSignal = "SIGINT") {
    super("cancelled", STOP_SIGNAL_EXIT[signal]);
    this.name = "CancelledError";
  }
}

/** The first line of an error's message (or of the thrown value as text). */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

/**
 * The reason of an operating-system error, for messages that name the file
 * themselves: "Is a directory (os error 21): readfile '/x'" becomes "is a directory".
 */
export function osReason(error: unknown): string {
  const reason = firstLine(error).replace(/ \(os error \d+\).*$/, "");
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * A file-system error as a one-line failure naming `path`, with the OS error
 * as its cause; this tool's own errors and missing Deno permissions (reported
 * with their own hint) pass through.
 */
export function fileFailure(action: string, path: string, error: unknown): Error {
  if (error instanceof CliError || error instanceof Deno.errors.NotCapable) return error;
  if (error instanceof Deno.errors.PermissionDenied) {
    return new FailureError(
      `cannot ${action} ${path}: permission denied`,
      "check the owner and mode of the file and its folder",
      { cause: error },
    );
  }
  return new FailureError(`cannot ${action} ${path}: ${osReason(error)}`, undefined, {
    cause: error,
  });
}

/** Input quoted in a message, `'value'`, cut to `max` characters: messages stay one short line. */
export function quote(value: string, max = 80): string {
  const chars = [...value];
  return `'${chars.length > max ? `${chars.slice(0, max).join("")}…` : value}'`;
}

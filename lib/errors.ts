/** Exit codes of the contract: 0 ok, 1 failure, 2 usage, 4 sign-in required. */
export type ExitCode = 0 | 1 | 2 | 4;

/** An expected failure: printed as one line (plus an optional hint), never with a stack. */
export class CliError extends Error {
  /** Create an error that ends the program with `exitCode`. */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 4,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad command line or bad input (exit 2). */
export class UsageError extends CliError {
  /** Create a usage error with an optional hint such as "see --help". */
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
    this.name = "UsageError";
  }
}

/** Sign-in required: nothing stored, or stored credentials unusable (exit 4). */
export class SignInRequiredError extends CliError {
  /** Create a sign-in-required error; the hint says how to sign in again. */
  constructor(message: string, hint?: string) {
    super(message, 4, hint);
    this.name = "SignInRequiredError";
  }
}

/** Network, server or file-system failure (exit 1). */
export class FailureError extends CliError {
  /** Create a failure error with an optional hint naming the fix. */
  constructor(message: string, hint?: string) {
    super(message, 1, hint);
    this.name = "FailureError";
  }
}

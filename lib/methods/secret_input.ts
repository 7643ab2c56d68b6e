/**
 * Reading a secret the user hands over whole (an API key, a long-lived
 * token): from piped stdin, `--with-key` (stdin even on a terminal),
 * `--from-env NAME` or a masked prompt; never from argv. Shared by the
 * API-key and setup-token methods.
 *
 * @module
 */

import type { EnvContext, TerminalContext } from "../context.ts";
import { PROGRAM, UsageError } from "../errors.ts";
import type { AcquireOptions } from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { registerSecret } from "../redact.ts";

/** How one kind of secret is asked for, named and checked. */
export interface SecretSource {
  /** Its name in messages: "API key", "token". */
  noun: string;
  /** The variable it conventionally lives in, for hints (`ANTHROPIC_API_KEY`). */
  variable: string;
  /** The login arguments that take it on stdin, for hints (`login --with-key`). */
  loginArgs: string;
  /** The masked prompt on a terminal. */
  prompt: string;
  /** Raw input to the secret, or a UsageError; `from` says where it came from ("read from stdin"). */
  parse(raw: string, from: string): string;
}

/** How to hand the secret over without a terminal, for hints. */
function pipeHint(source: SecretSource): string {
  return `pipe it: printf '%s' "$${source.variable}" | ${PROGRAM} ${source.loginArgs}, ` +
    `or use --from-env ${source.variable}`;
}

/**
 * The value of variable `name`. A name the permission flags do not allow is
 * one line naming the flag to add; so is an unset or empty variable.
 */
export function readSecretVariable(ctx: EnvContext, name: string, source: SecretSource): string {
  // Never quoted back: a secret pasted in place of the name must not be printed.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
    throw new UsageError(
      "--from-env takes the name of a variable (letters, digits and _), not its value",
      `for example --from-env ${source.variable}; nothing was written`,
    );
  }
  let value: string | undefined;
  try {
    value = ctx.env.get(name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    throw new UsageError(
      `the permission flags do not allow reading ${name}; nothing was written`,
      `add ${name} to --allow-env (ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN are allowed), or ${
        pipeHint(source)
      }`,
      { cause: error },
    );
  }
  if (value === undefined) throw new UsageError(`${name} is not set; nothing was written`);
  if (value === "") throw new UsageError(`${name} is empty; nothing was written`);
  return value;
}

/** Read the secret as `options` say (see the module comment), check it, and register it for redaction. */
export async function readPastedSecret(
  ctx: TerminalContext & EnvContext,
  options: AcquireOptions,
  source: SecretSource,
): Promise<string> {
  // Loaded here: only a sign-in needs it.
  const { readAllStdin, readSecret } = await lazyImport<typeof import("../prompt.ts")>(
    "lib/prompt.ts",
  );
  let secret: string;
  if (options.fromEnv !== undefined) {
    secret = source.parse(
      readSecretVariable(ctx, options.fromEnv, source),
      `in ${options.fromEnv}`,
    );
  } else if (options.withKey || !ctx.io.stdinIsTerminal()) {
    const raw = await readAllStdin(ctx.io);
    if (raw === "") {
      throw new UsageError(
        `no ${source.noun} on stdin (it was empty); nothing was written`,
        pipeHint(source),
      );
    }
    secret = source.parse(raw, "read from stdin");
  } else {
    secret = source.parse(await readSecret(ctx.ui, source.prompt), "typed");
  }
  registerSecret(secret);
  return secret;
}

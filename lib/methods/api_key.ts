/**
 * The API-key method: a static key from piped stdin, `--with-key` (stdin even
 * on a terminal), `--from-env NAME` or a masked prompt; never from argv.
 * Nothing to renew.
 */

import type { Context } from "../context.ts";
import type { SignInResult } from "../credential_types.ts";
import { PROGRAM, UsageError } from "../errors.ts";
import type { AcquireOptions, CredentialOf, SignInMethod } from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { registerSecret } from "../redact.ts";

/** The variable a key conventionally lives in: what hints name. */
const KEY_VARIABLE = "ANTHROPIC_API_KEY";

/** How to hand over a key without a terminal, for hints. */
const PIPE_HINT = `pipe it: printf '%s' "$${KEY_VARIABLE}" | ${PROGRAM} login --with-key, ` +
  `or use --from-env ${KEY_VARIABLE}`;

/**
 * The value of variable `name`. A name the permission flags do not allow is
 * one line naming the flag to add; so is an unset or empty variable.
 */
export function readKeyVariable(ctx: Context, name: string): string {
  // Never quoted back: a key pasted in place of the name must not be printed.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
    throw new UsageError(
      "--from-env takes the name of a variable (letters, digits and _), not its value",
      `for example --from-env ${KEY_VARIABLE}; nothing was written`,
    );
  }
  let value: string | undefined;
  try {
    value = ctx.env.get(name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
    throw new UsageError(
      `the permission flags do not allow reading ${name}; nothing was written`,
      `add ${name} to --allow-env (ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN are allowed), or ${PIPE_HINT}`,
      { cause: error },
    );
  }
  if (value === undefined) throw new UsageError(`${name} is not set; nothing was written`);
  if (value === "") throw new UsageError(`${name} is empty; nothing was written`);
  return value;
}

/** Read the key (see the module comment) and check it. */
async function acquire(ctx: Context, options: AcquireOptions): Promise<SignInResult> {
  // Loaded here: only a sign-in needs them.
  const [{ hasAnthropicPrefix, parseApiKey }, { canAsk, confirm, readAllStdin, readSecret }] =
    await Promise
      .all([
        lazyImport<typeof import("../api_key.ts")>("lib/api_key.ts"),
        lazyImport<typeof import("../prompt.ts")>("lib/prompt.ts"),
      ]);
  const terminal = ctx.io.stdinIsTerminal();
  let key: string;
  if (options.fromEnv !== undefined) {
    key = parseApiKey(readKeyVariable(ctx, options.fromEnv), `in ${options.fromEnv}`);
  } else if (options.withKey || !terminal) {
    const raw = await readAllStdin(ctx.io);
    if (raw === "") {
      throw new UsageError("no API key on stdin (it was empty); nothing was written", PIPE_HINT);
    }
    key = parseApiKey(raw, "read from stdin");
  } else {
    key = parseApiKey(
      await readSecret(ctx.ui, "Paste your Anthropic API key (input is hidden): "),
      "typed",
    );
  }
  registerSecret(key);
  // A typo (a password, a token of another service) is caught here on a
  // terminal; without one it is accepted and login warns last (SPEC: warn, but accept).
  if (!hasAnthropicPrefix(key) && canAsk(ctx.io)) {
    const store = await confirm(
      ctx.ui,
      "The key does not start with `sk-ant-`, so it is likely not an Anthropic API key. Store it anyway?",
    );
    if (!store) throw new UsageError("the key was not stored; nothing was written");
  }
  return { method: "api-key", entry: { type: "api", key } };
}

/** The API-key method. */
export const apiKeyMethod: SignInMethod<CredentialOf<"api-key">> = {
  acquire,
  inspect: () => Promise.resolve({ kind: "use" }),
  renew: () => Promise.resolve({ entry: null, renewed: false }),
  renewability: () => Promise.resolve({ ok: true, why: "an API key does not expire" }),
};

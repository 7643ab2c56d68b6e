/**
 * The API-key method: a static key from piped stdin, `--with-key` (stdin even
 * on a terminal), `--from-env NAME` or a masked prompt; never from argv
 * (lib/methods/secret_input.ts). Nothing to renew.
 *
 * @module
 */

import type { Context } from "../context.ts";
import type { SignInResult } from "../credential_types.ts";
import { UsageError } from "../errors.ts";
import type { AcquireOptions, CredentialOf, SignInMethod } from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { readPastedSecret } from "./secret_input.ts";

/** Read the key (see the module comment) and check it. */
async function acquire(ctx: Context, options: AcquireOptions): Promise<SignInResult> {
  // Loaded here: only a sign-in needs them.
  const [{ hasAnthropicPrefix, parseApiKey }, { canAsk, confirm }] = await Promise.all([
    lazyImport<typeof import("../secret_line.ts")>("lib/secret_line.ts"),
    lazyImport<typeof import("../prompt.ts")>("lib/prompt.ts"),
  ]);
  const key = await readPastedSecret(ctx, options, {
    noun: "API key",
    variable: "ANTHROPIC_API_KEY",
    loginArgs: "login --with-key",
    prompt: "Paste your Anthropic API key (input is hidden): ",
    parse: parseApiKey,
  });
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

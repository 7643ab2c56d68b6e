/** The API-key method: a static key from stdin or a masked prompt; nothing to renew. */

import type { Context } from "../context.ts";
import type { SignInResult } from "../credential_types.ts";
import type { CredentialOf, SignInMethod } from "./method.ts";
import { lazyImport } from "../lazy.ts";
import { registerSecret } from "../redact.ts";

/** Read the key: piped stdin (CI), else a masked prompt. */
async function acquire(ctx: Context): Promise<SignInResult> {
  // Loaded here: only a sign-in needs them.
  const [{ hasAnthropicPrefix, parseApiKey }, { readAllStdin, readSecret }] = await Promise.all([
    lazyImport<typeof import("../api_key.ts")>("lib/api_key.ts"),
    lazyImport<typeof import("../prompt.ts")>("lib/prompt.ts"),
  ]);
  const raw = ctx.io.stdinIsTerminal()
    ? await readSecret(ctx.ui, "Paste your Anthropic API key (input is hidden): ")
    : await readAllStdin(ctx.io);
  const key = parseApiKey(raw);
  registerSecret(key);
  if (!hasAnthropicPrefix(key)) {
    ctx.ui.warn("the key does not start with `sk-ant-`; storing it anyway");
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

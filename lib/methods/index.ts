/** The sign-in methods by name: the table every dispatch on the method goes through. */

import type { Method } from "../credential_types.ts";
import { type Due, isDue } from "../credential_types.ts";
import type { CredentialOf, SignInMethod } from "./method.ts";
import { lazyImport } from "../lazy.ts";

/** Each method's module, loaded only when used (`token` on an API key loads none of them). */
const LOADERS: { [M in Method]: () => Promise<SignInMethod<CredentialOf<M>>> } = {
  "claude-code": async () =>
    (await lazyImport<typeof import("./claude_code.ts")>("lib/methods/claude_code.ts"))
      .claudeCodeMethod,
  browser: async () =>
    (await lazyImport<typeof import("./browser.ts")>("lib/methods/browser.ts")).browserMethod,
  "api-key": async () =>
    (await lazyImport<typeof import("./api_key.ts")>("lib/methods/api_key.ts")).apiKeyMethod,
};

/**
 * Whether a stored credential can be used as it is, decided without loading
 * its method's module (each module costs `token` start-up): an API key
 * always; a browser sign-in while it is not due; a Claude Code session never,
 * since it is re-synced from Claude Code's store on every use.
 */
const USABLE_AS_IS: { [M in Method]: (current: CredentialOf<M>, due: Due) => boolean } = {
  "claude-code": () => false,
  browser: (current, due) => !isDue(current.entry, due),
  "api-key": () => true,
};

/** Whether `current` can be used as it is (see USABLE_AS_IS). */
export function usableAsIs<M extends Method>(current: CredentialOf<M>, due: Due): boolean {
  const method: M = current.method;
  return USABLE_AS_IS[method](current, due);
}

/** The implementation of `method`. */
export function signInMethod<M extends Method>(method: M): Promise<SignInMethod<CredentialOf<M>>> {
  return LOADERS[method]();
}

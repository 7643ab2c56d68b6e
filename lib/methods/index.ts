/**
 * The sign-in methods by name: the table every dispatch on the method goes
 * through (lib/usable.ts decides without it whether a credential is usable
 * as it is, so `token` on a fresh credential loads none of this).
 *
 * @module
 */

import type { Method } from "../credential_types.ts";
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
  "setup-token": async () =>
    (await lazyImport<typeof import("./setup_token.ts")>("lib/methods/setup_token.ts"))
      .setupTokenMethod,
};

/** The implementation of `method`. */
export function signInMethod<M extends Method>(method: M): Promise<SignInMethod<CredentialOf<M>>> {
  return LOADERS[method]();
}

/** The sign-in methods by name: the table every dispatch on the method goes through. */

import type { Method } from "../credential_types.ts";
import type { CredentialOf, SignInMethod } from "./method.ts";

/** Each method's module, loaded only when used (`token` on an API key loads none of them). */
const LOADERS: { [M in Method]: () => Promise<SignInMethod<CredentialOf<M>>> } = {
  "claude-code": async () => (await import("./claude_code.ts")).claudeCodeMethod,
  browser: async () => (await import("./browser.ts")).browserMethod,
  "api-key": async () => (await import("./api_key.ts")).apiKeyMethod,
};

/** The implementation of `method`. */
export function signInMethod<M extends Method>(method: M): Promise<SignInMethod<CredentialOf<M>>> {
  return LOADERS[method]();
}

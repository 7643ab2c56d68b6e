/**
 * Building the authorize URL and reading back what the user pastes. The paste
 * is checked strictly (the code, the `state`, no URL or cut-off code) because
 * a wrong paste found here costs nothing, while one sent to the token endpoint
 * is an `invalid_grant`.
 *
 * @module
 */

import { isPrintableToken, MAX_TOKEN_LENGTH } from "../credential_types.ts";
import { excerpt } from "../ui.ts";
import type { OAuthConfig } from "./config.ts";
import { PasteError } from "./errors.ts";
import { timingSafeEqual } from "./pkce.ts";

/** The authorize URL with the contract's parameters, in the contract's order. */
export function buildAuthorizeUrl(
  base: string,
  config: OAuthConfig,
  pkce: { challenge: string; state: string },
): string {
  const url = new URL(base);
  const params: [string, string][] = [
    ["code", "true"],
    ["client_id", config.clientId],
    ["response_type", "code"],
    ["redirect_uri", config.redirectUri],
    ["scope", config.scope],
    ["code_challenge", pkce.challenge],
    ["code_challenge_method", "S256"],
    ["state", pkce.state],
  ];
  for (const [name, value] of params) url.searchParams.set(name, value);
  return url.toString();
}

/** What the user pasted: the code, and the state when it came with one. */
export interface PastedCode {
  /** The authorization code. */
  code: string;
  /** The `state` pasted with it, or null when the paste held only the code. */
  state: string | null;
}

function checkPiece(value: string, piece: "code" | "state"): string {
  if (value.length > MAX_TOKEN_LENGTH) throw new PasteError({ kind: "too-long", piece });
  if (!isPrintableToken(value)) throw new PasteError({ kind: "not-printable", piece });
  return value;
}

/**
 * Parse a pasted `code#state`, a full callback URL with `code` and `state`
 * query parameters, or a bare code.
 */
export function parsePastedCode(input: string): PastedCode {
  const text = input.trim();
  if (text === "") {
    throw new PasteError({ kind: "empty" });
  }
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new PasteError({ kind: "bad-url" });
    }
    if (url.searchParams.has("code_challenge") || url.searchParams.has("response_type")) {
      // The authorize URL has `code=true` and our own state: never send "true" as a code.
      throw new PasteError({ kind: "authorize-url" });
    }
    const code = url.searchParams.get("code");
    if (!code) {
      const error = url.searchParams.get("error");
      const description = url.searchParams.get("error_description");
      throw new PasteError(
        error
          ? {
            kind: "page-error",
            error: excerpt(error, 60),
            description: description ? excerpt(description, 120) : null,
          }
          : { kind: "no-code" },
      );
    }
    const state = url.searchParams.get("state") ?? (url.hash.length > 1 ? url.hash.slice(1) : null);
    return { code: checkPiece(code, "code"), state: state ? checkPiece(state, "state") : null };
  }
  const hash = text.indexOf("#");
  if (hash === -1) return { code: checkPiece(text, "code"), state: null };
  const code = text.slice(0, hash);
  const state = text.slice(hash + 1);
  if (code === "") throw new PasteError({ kind: "no-code-before-hash" });
  return {
    code: checkPiece(code, "code"),
    state: state === "" ? null : checkPiece(state, "state"),
  };
}

/** Reject a pasted state that is present and differs from ours (constant-time compare). */
export function checkState(pasted: PastedCode, expected: string): void {
  if (pasted.state !== null && !timingSafeEqual(pasted.state, expected)) {
    throw new PasteError({ kind: "state-mismatch" });
  }
}

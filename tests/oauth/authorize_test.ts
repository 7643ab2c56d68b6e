import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { buildAuthorizeUrl, checkState, parsePastedCode } from "../../lib/oauth/authorize.ts";
import { loadOAuthConfig } from "../../lib/oauth/config.ts";
import { recordEnv } from "../../lib/context.ts";
import { worded } from "../helpers/worded.ts";

const CONFIG = loadOAuthConfig(recordEnv({}));
const PKCE = { challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", state: "st4te-abc_DEF" };

function usageError(fn: () => unknown, fragment: RegExp): void {
  assert.throws(() => worded(fn), (error: unknown) => {
    assert(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, fragment);
    assert(!error.message.includes("\n"), "message is not one line");
    return true;
  });
}

Deno.test("authorize URL: the contract's parameters, values and order", () => {
  const url = new URL(buildAuthorizeUrl(CONFIG.authorizeUrl, CONFIG, PKCE));
  assert.equal(url.origin + url.pathname, "https://claude.com/cai/oauth/authorize");
  assert.deepEqual([...url.searchParams.keys()], [
    "code",
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "state",
  ]);
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    code: "true",
    client_id: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    response_type: "code",
    redirect_uri: "https://platform.claude.com/oauth/code/callback",
    scope:
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
    code_challenge: PKCE.challenge,
    code_challenge_method: "S256",
    state: PKCE.state,
  });
  assert.equal(url.hash, "");
});

Deno.test("authorize URL: the console base and overridden client settings", () => {
  const config = loadOAuthConfig(recordEnv({
    ANTHROPIC_CLIENT_ID: "my-client",
    ANTHROPIC_REDIRECT_URI: "http://localhost:5555/cb?x=1&y=2",
    ANTHROPIC_SCOPE: "user:inference",
  }));
  const url = new URL(buildAuthorizeUrl(config.consoleAuthorizeUrl, config, PKCE));
  assert.equal(url.origin + url.pathname, "https://platform.claude.com/oauth/authorize");
  assert.equal(url.searchParams.get("client_id"), "my-client");
  // Reserved characters of a parameter value are encoded, not spliced in.
  assert.equal(url.searchParams.get("redirect_uri"), "http://localhost:5555/cb?x=1&y=2");
  assert.equal(url.searchParams.get("scope"), "user:inference");
  assert.equal(url.searchParams.getAll("state").length, 1);
});

Deno.test("paste: code#state, with surrounding whitespace and CRLF", () => {
  assert.deepEqual(parsePastedCode("abc123#st4te"), { code: "abc123", state: "st4te" });
  assert.deepEqual(parsePastedCode("  abc123#st4te \r\n"), { code: "abc123", state: "st4te" });
});

Deno.test("paste: a full callback URL with code and state query parameters", () => {
  assert.deepEqual(
    parsePastedCode(
      "https://platform.claude.com/oauth/code/callback?code=abc-123_X&state=st4te",
    ),
    { code: "abc-123_X", state: "st4te" },
  );
  assert.deepEqual(
    parsePastedCode("https://platform.claude.com/oauth/code/callback?state=s&code=c%2Bd"),
    { code: "c+d", state: "s" },
  );
  assert.deepEqual(
    parsePastedCode("http://localhost:1455/callback?code=abc"),
    { code: "abc", state: null },
  );
  // A state carried in the fragment, as the hosted page shows it.
  assert.deepEqual(
    parsePastedCode("https://platform.claude.com/oauth/code/callback?code=abc#st4te"),
    { code: "abc", state: "st4te" },
  );
});

Deno.test("paste: a bare code", () => {
  assert.deepEqual(parsePastedCode("abc123"), { code: "abc123", state: null });
  assert.deepEqual(parsePastedCode("abc123\n"), { code: "abc123", state: null });
  // Trailing '#' with nothing after it carries no state.
  assert.deepEqual(parsePastedCode("abc123#"), { code: "abc123", state: null });
});

Deno.test("paste: bad inputs are exit-2 usage errors with one-line messages", () => {
  usageError(() => parsePastedCode(""), /nothing was pasted/);
  usageError(() => parsePastedCode("   \t "), /nothing was pasted/);
  usageError(() => parsePastedCode("#st4te"), /no code before '#'/);
  usageError(() => parsePastedCode("abc def"), /spaces or non-printable/);
  usageError(() => parsePastedCode("abc\u0007def"), /non-printable/);
  usageError(() => parsePastedCode("abc\u001b[31mdef"), /non-printable/);
  usageError(() => parsePastedCode("cödé"), /non-printable/);
  usageError(() => parsePastedCode("abc#st ate"), /state contains spaces/);
  usageError(() => parsePastedCode("x".repeat(5000)), /too long/);
  usageError(() => parsePastedCode("https://[bad"), /not a valid URL/);
  usageError(
    () => parsePastedCode("https://platform.claude.com/oauth/code/callback?state=s"),
    /no `code` parameter/,
  );
  usageError(
    () =>
      parsePastedCode(
        "https://platform.claude.com/oauth/code/callback?error=access_denied&state=s",
      ),
    /reported an error: access_denied/,
  );
});

Deno.test("paste: the authorize URL itself is refused rather than sent as code 'true'", () => {
  const url = buildAuthorizeUrl(CONFIG.authorizeUrl, CONFIG, PKCE);
  usageError(() => parsePastedCode(url), /sign-in URL itself/);
});

Deno.test("paste: an error description from the page is shown without control characters", () => {
  assert.throws(
    () =>
      worded(() =>
        parsePastedCode(
          "https://x.example/cb?error=access_denied%0A%1B%5B31mFAKE&error_description=no",
        )
      ),
    (error: unknown) => {
      assert(error instanceof UsageError);
      assert(/^[\x20-\x7e]*$/.test(error.message), JSON.stringify(error.message));
      return true;
    },
  );
});

Deno.test("checkState: absent state passes, equal passes, different fails with exit 2", () => {
  checkState({ code: "c", state: null }, "ours");
  checkState({ code: "c", state: "ours" }, "ours");
  usageError(() => checkState({ code: "c", state: "theirs" }, "ours"), /does not match/);
  usageError(() => checkState({ code: "c", state: "ours2" }, "ours"), /nothing was written/);
  usageError(() => checkState({ code: "c", state: "our" }, "ours"), /does not match/);
  usageError(() => checkState({ code: "c", state: "OURS" }, "ours"), /does not match/);
});

import assert from "node:assert/strict";
import { recordEnv } from "../../lib/context.ts";
import { testContext } from "../helpers/context.ts";
import { UsageError } from "../../lib/errors.ts";
import { browserCommand } from "../../lib/browser_open.ts";
import {
  apiUrl,
  checkEndpointUrl,
  loadOAuthConfig,
  OAUTH_SETTINGS,
  overridesInForce,
} from "../../lib/oauth/config.ts";

function refused(value: string, fragment: RegExp = /must be an https: URL/): void {
  assert.throws(() => checkEndpointUrl("ANTHROPIC_TOKEN_URL", value), (error: unknown) => {
    assert(error instanceof UsageError, `expected a UsageError for ${value}, got ${error}`);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /ANTHROPIC_TOKEN_URL/);
    assert.match(error.message, fragment);
    return true;
  });
}

Deno.test("checkEndpointUrl: https anywhere", () => {
  for (
    const value of [
      "https://platform.claude.com/v1/oauth/token",
      "https://example.com:8443/x?y=1",
      "https://127.0.0.1/x",
      "HTTPS://Example.COM/x",
    ]
  ) {
    assert.equal(checkEndpointUrl("ANTHROPIC_TOKEN_URL", value).protocol, "https:");
  }
});

Deno.test("checkEndpointUrl: http only on 127.0.0.1, localhost and [::1]", () => {
  for (
    const value of [
      "http://127.0.0.1:8080/v1/oauth/token",
      "http://localhost/x",
      "http://LOCALHOST:1/x",
      "http://[::1]:9999/x",
      "http://[0:0:0:0:0:0:0:1]/x",
    ]
  ) {
    assert.equal(checkEndpointUrl("ANTHROPIC_TOKEN_URL", value).protocol, "http:", value);
  }
  for (
    const value of [
      "http://example.com/x",
      "http://127.0.0.2/x",
      "http://10.0.0.1/x",
      "http://localhost.example.com/x",
      "http://127.0.0.1.nip.io/x",
      "http://[::2]/x",
      "http://0.0.0.0/x",
    ]
  ) {
    refused(value);
  }
});

Deno.test("checkEndpointUrl: other schemes, credentials and non-URLs are usage errors", () => {
  refused("ftp://127.0.0.1/x");
  refused("file:///etc/passwd");
  refused("ws://localhost/x");
  refused("javascript:alert(1)");
  refused("platform.claude.com/v1/oauth/token", /not a valid URL/);
  refused("", /not a valid URL/);
  refused("https://user:pw@platform.claude.com/x", /user name or password/);
  refused("http://127.0.0.1@example.com/x", /user name or password/);
});

Deno.test("loadOAuthConfig: contract defaults", () => {
  assert.deepEqual(loadOAuthConfig(recordEnv({})), {
    authorizeUrl: "https://claude.com/cai/oauth/authorize",
    consoleAuthorizeUrl: "https://platform.claude.com/oauth/authorize",
    tokenUrl: "https://platform.claude.com/v1/oauth/token",
    altTokenUrl: "https://api.anthropic.com/v1/oauth/token",
    baseUrl: "https://api.anthropic.com",
    clientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    redirectUri: "https://platform.claude.com/oauth/code/callback",
    scope:
      "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
  });
  assert.deepEqual(
    Object.values(OAUTH_SETTINGS).map((s) => s.env).sort(),
    [
      "ANTHROPIC_AUTH_URL",
      "ANTHROPIC_BASE_URL",
      "ANTHROPIC_CLIENT_ID",
      "ANTHROPIC_CONSOLE_AUTH_URL",
      "ANTHROPIC_REDIRECT_URI",
      "ANTHROPIC_SCOPE",
      "ANTHROPIC_TOKEN_URL",
    ],
  );
});

Deno.test("loadOAuthConfig: the alternate token endpoint is named, turned off, or Anthropic's", () => {
  const alt = (env: Record<string, string>) => loadOAuthConfig(recordEnv(env)).altTokenUrl;
  assert.equal(alt({}), "https://api.anthropic.com/v1/oauth/token");
  assert.equal(alt({ CLAUDE_CODE_AUTH_ALT_TOKEN_URL: "none" }), null);
  assert.equal(
    alt({
      ANTHROPIC_TOKEN_URL: "http://127.0.0.1:9/t",
      CLAUDE_CODE_AUTH_ALT_TOKEN_URL: " http://127.0.0.1:9/alt ",
    }),
    "http://127.0.0.1:9/alt",
  );
  assert.deepEqual(
    overridesInForce(recordEnv({ CLAUDE_CODE_AUTH_ALT_TOKEN_URL: "none" })),
    [{ env: "CLAUDE_CODE_AUTH_ALT_TOKEN_URL", value: "none" }],
  );
});

Deno.test("loadOAuthConfig: overrides are used, blank ones ignored, every URL checked", () => {
  const config = loadOAuthConfig(recordEnv({
    ANTHROPIC_TOKEN_URL: " http://127.0.0.1:1234/token ",
    ANTHROPIC_BASE_URL: "https://proxy.example/anthropic/",
    ANTHROPIC_CLIENT_ID: "",
    ANTHROPIC_SCOPE: "   ",
  }));
  assert.equal(config.tokenUrl, "http://127.0.0.1:1234/token");
  // An overridden token endpoint has no alternate unless one is named.
  assert.equal(config.altTokenUrl, null);
  assert.equal(config.clientId, "9d1c250a-e61b-44d9-88ed-5944d1962f5e");
  assert.equal(
    config.scope,
    "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
  );
  assert.equal(apiUrl(config, "/v1/models"), "https://proxy.example/anthropic/v1/models");
  for (
    const name of [
      "ANTHROPIC_AUTH_URL",
      "ANTHROPIC_CONSOLE_AUTH_URL",
      "ANTHROPIC_TOKEN_URL",
      "ANTHROPIC_BASE_URL",
      "CLAUDE_CODE_AUTH_ALT_TOKEN_URL",
    ]
  ) {
    assert.throws(
      () => loadOAuthConfig(recordEnv({ [name]: "http://example.com/x" })),
      (error: unknown) =>
        error instanceof UsageError && error.exitCode === 2 && error.message.includes(name),
      name,
    );
  }
  assert.deepEqual(
    overridesInForce(
      recordEnv({ ANTHROPIC_TOKEN_URL: "https://x.example/t", ANTHROPIC_SCOPE: "" }),
    ),
    [{ env: "ANTHROPIC_TOKEN_URL", value: "https://x.example/t" }],
  );
});

function contextFor(os: typeof Deno.build.os, env: Record<string, string> = {}) {
  return testContext(env, os);
}

Deno.test("browser opener: open on macOS, rundll32 on Windows, xdg-open with a display, none without", () => {
  const url = "https://claude.ai/oauth/authorize?code=true&state=a";
  assert.deepEqual(browserCommand(contextFor("darwin"), url), { command: "open", args: [url] });
  assert.deepEqual(browserCommand(contextFor("windows"), url), {
    command: "rundll32",
    args: ["url.dll,FileProtocolHandler", url],
  });
  assert.deepEqual(browserCommand(contextFor("linux", { DISPLAY: ":0" }), url), {
    command: "xdg-open",
    args: [url],
  });
  assert.deepEqual(browserCommand(contextFor("linux", { WAYLAND_DISPLAY: "wayland-0" }), url), {
    command: "xdg-open",
    args: [url],
  });
  assert.equal(browserCommand(contextFor("linux"), url), null);
});

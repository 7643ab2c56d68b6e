/**
 * The real consumer of an `oauth` entry: a real OpenCode (opencode-ai) with
 * the npm plugin `opencode-anthropic-auth` (0.0.13) loaded by file path from
 * opencode.json's `plugin` list, talking to a fake Messages API on loopback
 * (`provider.anthropic.options.baseURL`). `opencode run` runs with stdin
 * closed, HOME and XDG in the sandbox, and every outside host behind a
 * recording proxy: the plugin's hard-coded token endpoint
 * (console.anthropic.com) is tunnelled to a loopback TLS fake signed by a
 * throwaway CA, so what the plugin would send there can be read; every other
 * host is refused. Nothing leaves the machine.
 *
 * .ci/run installs both packages into .tools/ and sets OPENCODE_BIN and
 * OPENCODE_ANTHROPIC_AUTH_PLUGIN. One `opencode run` takes about 3 s here.
 */

import assert from "node:assert/strict";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { oneHeavyAtATime } from "../helpers/heavy.ts";
import { HANG_MS } from "../helpers/wait.ts";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import {
  FakeMessagesApi,
  FakeTlsHost,
  makeTestPki,
  RecordingProxy,
  type SeenApiRequest,
  type TestPki,
} from "../fakes/messages_server.ts";
import { claudePayload, claudeTokens } from "../fakes/claude_code.ts";
import { plantFakeSecrets, seedBrowserEntry } from "../helpers/browser_login.ts";
import { OPENCODE, PLUGIN } from "../helpers/real_opencode.ts";

const OPENSSL = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();
const SKIP = !OPENCODE || !PLUGIN || !OPENSSL;
if (SKIP) {
  console.warn(
    `OpenCode plugin-consumer tests skipped: ${
      [
        !OPENCODE && "no OpenCode (set OPENCODE_BIN)",
        !PLUGIN && "no opencode-anthropic-auth plugin (set OPENCODE_ANTHROPIC_AUTH_PLUGIN)",
        !OPENSSL && "no openssl (it makes the test CA)",
      ].filter(Boolean).join(", ")
    }; run .ci/run to install them`,
  );
}

/** The model asked for; OpenCode 1.18.33 knows it without fetching models.dev. */
const MODEL = "anthropic/claude-sonnet-4-5";
/** The hosts the plugin or OpenCode could send a refresh token to. */
const TOKEN_HOSTS = ["console.anthropic.com", "platform.claude.com"];
/** Kill a hung `opencode run` after this long. */
const OPENCODE_LIMIT_MS = HANG_MS;

/** Everything one `opencode run` saw and did. */
interface ConsumerRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Requests to the fake Messages API. */
  api: SeenApiRequest[];
  /** Requests that reached the fake token host through the proxy (decrypted). */
  tokenHost: SeenApiRequest[];
  /** Hosts OpenCode asked the proxy to CONNECT to. */
  connects: string[];
}

/** The loopback world OpenCode runs against. */
interface World {
  api: FakeMessagesApi;
  proxy: RecordingProxy;
  tokenHost: FakeTlsHost;
  pki: TestPki;
}

async function withWorld(box: Sandbox, fn: (world: World) => Promise<void>): Promise<void> {
  const pkiDir = `${box.root}/pki`;
  await Deno.mkdir(pkiDir);
  const pki = await makeTestPki(pkiDir, TOKEN_HOSTS);
  assert(pki, "openssl could not make the test CA");
  const api = await FakeMessagesApi.start();
  const proxy = RecordingProxy.start();
  const tokenHost = await FakeTlsHost.start(pki);
  for (const host of TOKEN_HOSTS) proxy.intercept.set(`${host}:443`, tokenHost.port);
  try {
    await fn({ api, proxy, tokenHost, pki });
  } finally {
    proxy.close();
    await api.close();
    await tokenHost.close();
  }
}

/**
 * Run `opencode run --model MODEL hi` with stdin closed, the plugin in the
 * global opencode.json (by plain absolute path) and the Anthropic base URL
 * on the fake API; returns what it printed and what every fake saw.
 */
async function opencodeRun(box: Sandbox, world: World): Promise<ConsumerRun> {
  const config = {
    $schema: "https://opencode.ai/config.json",
    plugin: [PLUGIN!],
    provider: { anthropic: { options: { baseURL: `${world.api.url}/v1` } } },
    // No git snapshots of the empty project folder: less work per run (measured
    // ~0.3 s of CPU), and nothing the plugin's requests depend on.
    snapshot: false,
  };
  await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
  await Deno.writeTextFile(
    `${box.configHome}/opencode/opencode.json`,
    JSON.stringify(config, null, 2),
  );
  const project = `${box.root}/project`;
  await Deno.mkdir(project, { recursive: true });
  return await oneHeavyAtATime(() => runOpencode(box, world, project));
}

/** `opencode run` itself (one heavy test at a time): see `opencodeRun`. */
async function runOpencode(box: Sandbox, world: World, project: string): Promise<ConsumerRun> {
  const apiBefore = world.api.requests.length;
  const tokenBefore = world.tokenHost.requests.length;
  const connectsBefore = world.proxy.targets.length;
  const child = new Deno.Command(OPENCODE!, {
    args: ["run", "--model", MODEL, "hi"],
    cwd: project,
    clearEnv: true,
    env: {
      HOME: box.home,
      XDG_DATA_HOME: box.dataHome,
      XDG_CONFIG_HOME: box.configHome,
      XDG_STATE_HOME: `${box.root}/state`,
      XDG_CACHE_HOME: `${box.root}/cache`,
      PATH: "/usr/bin:/bin",
      NO_COLOR: "1",
      // No models.dev download and no update check (both would be refused anyway).
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      // Only the sandbox's global opencode.json, whatever lies above the project folder.
      OPENCODE_DISABLE_PROJECT_CONFIG: "1",
      // Every outside host goes through the recording proxy; loopback does not.
      HTTP_PROXY: world.proxy.url,
      HTTPS_PROXY: world.proxy.url,
      http_proxy: world.proxy.url,
      https_proxy: world.proxy.url,
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
      NODE_EXTRA_CA_CERTS: world.pki.caFile,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, OPENCODE_LIMIT_MS);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    // deno-lint-ignore no-control-regex
    const plain = (bytes: Uint8Array) => decoder.decode(bytes).replace(/\x1b\[[0-9;]*m/g, "");
    const result: ConsumerRun = {
      code: output.code,
      stdout: plain(output.stdout),
      stderr: plain(output.stderr),
      api: world.api.requests.slice(apiBefore).filter((r) => r.path === "/v1/messages"),
      tokenHost: world.tokenHost.requests.slice(tokenBefore),
      connects: world.proxy.targets.slice(connectsBefore).filter((t) => t.startsWith("CONNECT "))
        .map((t) => t.slice(8).replace(/:\d+$/, "")),
    };
    assert(
      output.signal === null,
      `opencode run hung: killed after ${OPENCODE_LIMIT_MS / 1000} s:\n${result.stderr}`,
    );
    box.assertNoLeak(["opencode", "run"], result);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Every request OpenCode sent (API and token host), as one text (to search for a token in). */
function everythingSent(run: ConsumerRun): string {
  return [...run.api, ...run.tokenHost].map((r) =>
    `${r.method} ${r.path}${r.search}\n${JSON.stringify(r.headers)}\n${r.body}`
  ).join("\n\n");
}

/** The `authorization` headers OpenCode sent to the Messages API. */
function authorizations(run: ConsumerRun): string[] {
  return run.api.map((r) => r.headers.authorization ?? "(none)");
}

/** A Claude Code session as this tool stores it: Claude Code's refresh token stays out. */
async function seedClaudeCodeSession(
  box: Sandbox,
  expiresAt: number,
): Promise<{ accessToken: string; refreshToken: string }> {
  const tokens = claudeTokens(expiresAt);
  box.plant(tokens.accessToken, tokens.refreshToken);
  // Claude Code's own store keeps its refresh token.
  await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
  await Deno.writeTextFile(`${box.home}/.claude/.credentials.json`, claudePayload(tokens), {
    mode: 0o600,
  });
  if (expiresAt > Date.now() + 3_600_000) {
    // A fresh session is stored the real way: by this tool's login.
    const login = await box.run(["login", "--method", "claude-code"]);
    assert.equal(login.code, 0, login.stderr);
    const entry = (await box.readAuth()).anthropic as Record<string, unknown>;
    assert.equal(entry.refresh, "", "login stored Claude Code's refresh token");
    return tokens;
  }
  await box.writeAuth({
    anthropic: { type: "oauth", refresh: "", access: tokens.accessToken, expires: expiresAt },
  });
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  await Deno.writeTextFile(
    box.stateFile,
    JSON.stringify({ anthropic: { source: "claude-code-session", authFile: box.authFile } }),
    { mode: 0o600 },
  );
  return tokens;
}

Deno.test({
  name:
    "a real OpenCode with opencode-anthropic-auth sends Bearer <new access> after a scheduled-style refresh of a due browser sign-in",
  ignore: SKIP,
  async fn() {
    await withSandbox(async (box) => {
      const fake = await FakeAnthropic.start();
      try {
        await withWorld(box, async (world) => {
          // A browser sign-in due in 2 minutes: inside a 4-minute look-ahead.
          const old = await seedBrowserEntry(box, fake, { expires: Date.now() + 120_000 });
          // What the scheduled job runs (`service install` defaults): the entry expires in 2 minutes.
          const refreshArgs = ["refresh", "--ahead", "4m", "--quiet"];
          const refresh = await box.run(refreshArgs, { env: fake.env() });
          plantFakeSecrets(box, fake);
          box.assertNoLeak(refreshArgs, refresh);
          assert.equal(refresh.code, 0, refresh.stderr);
          assert.equal(fake.refreshRequests().length, 1, "our tool refreshes once");
          const fresh = fake.issued[1];
          assert(fresh && fresh.access !== old.access, "a new access token was granted");
          const stored = (await box.readAuth()).anthropic as Record<string, unknown>;
          assert.equal(stored.access, fresh.access);
          assert((stored.expires as number) > Date.now() + 3_600_000, "the entry is fresh now");
          const authBefore = await box.readAuthText();

          const run = await opencodeRun(box, world);
          assert.equal(run.code, 0, `opencode run failed:\n${run.stderr}`);
          assert.match(run.stdout, /pong from the fake API/);
          assert(run.api.length >= 1, "OpenCode sent no request to the fake API");
          for (const auth of authorizations(run)) assert.equal(auth, `Bearer ${fresh.access}`);
          for (const request of run.api) {
            assert.match(request.headers["anthropic-beta"] ?? "", /oauth-2025-04-20/);
            assert.equal(request.headers["x-api-key"], undefined);
          }
          const sent = everythingSent(run);
          assert(!sent.includes(old.access), "the old access token was sent");
          assert(!sent.includes(old.refresh) && !sent.includes(fresh.refresh));
          // The plugin did not refresh by itself: no token endpoint was tried.
          assert.deepEqual(run.tokenHost, []);
          assert.deepEqual(run.connects.filter((h) => TOKEN_HOSTS.includes(h)), []);
          assert.equal(fake.tokenRequests().length, 1, "only our own refresh hit the token fake");
          assert.equal(await box.readAuthText(), authBefore, "OpenCode left auth.json as it was");
        });
      } finally {
        await fake.close();
      }
    });
  },
});

Deno.test({
  name:
    'a real OpenCode with opencode-anthropic-auth sends a fresh Claude Code session\'s access token (refresh "")',
  ignore: SKIP,
  async fn() {
    await withSandbox((box) =>
      withWorld(box, async (world) => {
        const tokens = await seedClaudeCodeSession(box, Date.now() + 8 * 3_600_000);
        const run = await opencodeRun(box, world);
        assert.equal(run.code, 0, `opencode run failed:\n${run.stderr}`);
        assert(run.api.length >= 1, "OpenCode sent no request to the fake API");
        for (const auth of authorizations(run)) assert.equal(auth, `Bearer ${tokens.accessToken}`);
        assert.deepEqual(run.tokenHost, []);
        assert.deepEqual(run.connects.filter((h) => TOKEN_HOSTS.includes(h)), []);
        assert(!everythingSent(run).includes(tokens.refreshToken));
      })
    );
  },
});

Deno.test({
  name:
    'an expired Claude Code session (refresh "") under the plugin: it fails with its own error and no refresh token leaves',
  ignore: SKIP,
  async fn() {
    await withSandbox((box) =>
      withWorld(box, async (world) => {
        const tokens = await seedClaudeCodeSession(box, Date.now() - 60_000);
        const authBefore = await box.readAuthText();
        const run = await opencodeRun(box, world);
        // What the user sees: the plugin's own message, with the endpoint's status
        // (our fake answers like Anthropic does for an unknown refresh token).
        assert.notEqual(run.code, 0, run.stdout);
        assert.match(run.stderr, /Error: Token refresh failed: 400/);
        // The plugin tried its hard-coded endpoint, with an empty refresh token:
        // Claude Code's refresh token went nowhere.
        assert(run.tokenHost.length >= 1, "the plugin did not try to refresh");
        for (const request of run.tokenHost) {
          assert.equal(request.headers.host, "console.anthropic.com");
          assert.equal(request.path, "/v1/oauth/token");
          const body = JSON.parse(request.body);
          assert.equal(body.grant_type, "refresh_token");
          assert.equal(body.refresh_token, "");
        }
        assert.deepEqual(run.api, [], "no model request without a valid token");
        assert(!everythingSent(run).includes(tokens.refreshToken));
        assert.equal(await box.readAuthText(), authBefore, "auth.json was not rewritten");
      })
    );
  },
});

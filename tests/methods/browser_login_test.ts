/**
 * Browser sign-in (PKCE) against the fake Anthropic: paste forms, state
 * mismatches, bad pastes and token answers, --create-api-key, the opener,
 * URL overrides, User-Agent and --debug. In-process, with an interactive Io
 * that pastes what the page shows once the prompt is on stderr. Spawned: only
 * the first test, the whole flow through a real process's pipes (and under
 * the start task's permission flags).
 */

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { fingerprint } from "../../lib/state.ts";
import { CLIENT_ID, REDIRECT_URI } from "../fakes/anthropic_server.ts";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { interactiveIo } from "../helpers/context.ts";
import { waitFor } from "../helpers/wait.ts";
import { assertCleanError, modeOf, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import {
  ageLastRefresh,
  BAD_TOKEN_RESPONSES,
  browserLoginArgs,
  type BrowserLoginDrive,
  type BrowserLoginRun,
  driveBrowserLogin,
  errorLines,
  findAuthorizeUrl,
  plantFakeSecrets,
  SCRIPTED_TOKENS,
  seedBrowserEntry,
  snapshotFiles,
  splitShown,
  withFake,
} from "../helpers/browser_login.ts";
import { onlyAuthJson } from "../helpers/stores.ts";

const OTHER = { openai: { type: "api", key: "sk-openai-PLANTED-0123456789" } };

/**
 * `driveBrowserLogin` in this process: run `login --method browser` through
 * `runCli`, and once the URL and the prompt are on stderr, visit the URL on the
 * fake and paste what the page shows (or `drive.paste` of it), then end stdin.
 * Scanned for every secret the fake handed out, like the spawned driver.
 */
async function driveInProcess(
  box: Sandbox,
  fake: FakeAnthropic,
  drive: BrowserLoginDrive = {},
): Promise<BrowserLoginRun> {
  const args = browserLoginArgs(drive);
  const io = interactiveIo();
  const done = box.runInProcess(args, {
    env: { ...fake.env(), ...drive.env },
    io,
    skipLeakCheck: true,
  });
  let url = "";
  let shown = "";
  if (await io.waitForErr(/Paste the code/, done)) {
    url = findAuthorizeUrl(io.err) ?? "";
    assert(url, `no authorize URL before the prompt:\n${io.err}`);
    shown = await fake.visit(url);
    box.plant(splitShown(shown).code);
    const line = drive.paste ? drive.paste(shown, new URL(url)) : shown;
    if (line !== null) io.send(`${line}\n`);
  }
  io.end();
  const result = { ...(await done), url, shown };
  plantFakeSecrets(box, fake);
  box.assertNoLeak(args, result);
  return result;
}

Deno.test("browser login through piped stdin: URL on its own line, PKCE exchange, entry and account stored", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(OTHER.openai.key);
      await box.writeAuth(OTHER);
      const before = Date.now();
      const login = await driveBrowserLogin(box, fake);
      assert.equal(login.code, 0, login.stderr);
      assert.equal(login.stdout, "");

      // The URL is printed on a line of its own, with our state in it.
      assert(login.stderr.split("\n").includes(login.url), login.stderr);
      const url = new URL(login.url);
      assert.equal(url.origin + url.pathname, `${fake.url}/oauth/authorize`);
      assert.equal(url.searchParams.get("client_id"), CLIENT_ID);
      assert.equal(url.searchParams.get("redirect_uri"), REDIRECT_URI);
      assert.equal(url.searchParams.get("code_challenge_method"), "S256");
      const { state } = splitShown(login.shown);
      assert.equal(url.searchParams.get("state"), state);
      assert.notEqual(url.searchParams.get("state"), url.searchParams.get("code_challenge"));

      // One code exchange, which the fake accepted only with the right verifier.
      const requests = fake.tokenRequests();
      assert.equal(requests.length, 1);
      const body = JSON.parse(requests[0].body);
      assert.deepEqual(Object.keys(body).sort(), [
        "client_id",
        "code",
        "code_verifier",
        "grant_type",
        "redirect_uri",
        "state",
      ]);
      assert.equal(body.grant_type, "authorization_code");
      assert.equal(body.state, state);
      assert.match(body.code_verifier, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(requests[0].headers["content-type"], "application/json");

      const auth = await box.readAuth();
      assert.deepEqual(auth.openai, OTHER.openai);
      const entry = auth.anthropic as Record<string, unknown>;
      const issued = fake.issued[0];
      assert.deepEqual(Object.keys(entry), ["type", "refresh", "access", "expires"]);
      assert.equal(entry.type, "oauth");
      assert.equal(entry.access, issued.access);
      assert.equal(entry.refresh, issued.refresh);
      assert(Number.isInteger(entry.expires));
      assert(
        (entry.expires as number) >= before + 28_800_000 &&
          (entry.expires as number) <= Date.now() + 28_800_000,
      );
      assert.equal(await modeOf(box.authFile), 0o600);

      const stateFile = JSON.parse(await Deno.readTextFile(box.stateFile));
      // The state names the entry it describes by a fingerprint, never the token itself,
      // and records the proof that this tool obtained the refresh token (lib/ownership.ts).
      assert.deepEqual(stateFile.anthropic, {
        source: "browser-oauth",
        authFile: box.authFile,
        describes: await fingerprint(String(entry.access)),
        email: "dev@example.com",
        organization: "Example Org",
        mintedRefresh: await fingerprint(String(entry.refresh)),
      });
      assert.equal(await modeOf(box.stateFile), 0o600);
      assert.match(login.stderr, /Signed in with browser sign-in \(OAuth\) as dev@example\.com/);

      const status = await box.run(["status", "--json"], { env: fake.env() });
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual(JSON.parse(status.stdout), {
        loggedIn: true,
        method: "browser",
        type: "oauth",
        authFile: box.authFile,
        expiresAt: entry.expires,
        fresh: true,
        account: { email: "dev@example.com", organization: "Example Org" },
        stores: onlyAuthJson(box.authFile, {
          method: "browser",
          type: "oauth",
          expiresAt: entry.expires,
        }),
      });
      const human = await box.run(["status"], { env: fake.env() });
      assert.match(human.stdout, /account: dev@example\.com/);
      assert.match(human.stdout, /organization: Example Org/);

      const token = await box.run(["token"], { env: fake.env(), allowOnStdout: [issued.access] });
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${issued.access}\n`);
      assert.equal(fake.tokenRequests().length, 1, "a fresh token needs no request");
    })
  );
});

const PASTE_FORMS: [string, (shown: string) => string][] = [
  ["code#state", (shown) => shown],
  [
    "full callback URL",
    (shown) => {
      const { code, state } = splitShown(shown);
      return `${REDIRECT_URI}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
    },
  ],
  ["bare code", (shown) => splitShown(shown).code],
  ["code#state with surrounding blanks and CRLF", (shown) => `  ${shown}  \r`],
  ["code#state after blank lines (Enter pressed first)", (shown) => `\n \r\n${shown}`],
];

for (const [name, paste] of PASTE_FORMS) {
  Deno.test(`browser login accepts a pasted ${name}`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const login = await driveInProcess(box, fake, { paste });
        assert.equal(login.code, 0, login.stderr);
        assert.equal(fake.tokenRequests().length, 1);
        const entry = (await box.readAuth()).anthropic as Record<string, unknown>;
        assert.equal(entry.access, fake.issued[0].access);
        assert.equal(
          JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic.source,
          "browser-oauth",
        );
      })
    );
  });
}

const MISMATCHES: [string, (shown: string) => string][] = [
  ["code#state", (shown) => `${splitShown(shown).code}#someone-elses-state-0123456789`],
  [
    "callback URL",
    (shown) => `${REDIRECT_URI}?code=${splitShown(shown).code}&state=someone-elses-state`,
  ],
  ["state one character short", (shown) => shown.slice(0, -1)],
];

for (const [name, paste] of MISMATCHES) {
  Deno.test(`state mismatch (${name}): exit 2, no request, auth.json and state file unchanged`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        box.plant(OTHER.openai.key);
        await seedBrowserEntry(box, fake, {
          expires: Date.now() + 3_600_000,
          otherProviders: OTHER,
        });
        const before = await snapshotFiles(box);
        const login = await driveInProcess(box, fake, { paste });
        assert.equal(login.code, 2, login.stderr);
        assertCleanError(login, "does not match");
        assert.match(login.stderr, /nothing was written/);
        assert.equal(errorLines(login).length, 1);
        assert.equal(fake.tokenRequests().length, 0, "the code must not be exchanged");
        assert.deepEqual(await snapshotFiles(box), before);
      })
    );
  });
}

Deno.test("bad pastes: nothing, end of input, spaces, the sign-in URL itself — exit 2, nothing written", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const cases: [(shown: string, url: URL) => string | null, RegExp][] = [
        [() => null, /no code was pasted/],
        [() => "\n  \n", /no code was pasted \(end of input\)/],
        [(shown) => `${shown} extra words`, /spaces or non-printable/],
        [(_shown, url) => url.toString(), /sign-in URL itself/],
        [() => `${REDIRECT_URI}?error=access_denied&state=x`, /reported an error: access_denied/],
      ];
      for (const [paste, message] of cases) {
        const login = await driveInProcess(box, fake, { paste });
        assert.equal(login.code, 2, login.stderr);
        assertCleanError(login, message);
        assert.equal(errorLines(login).length, 1);
      }
      assert.equal(fake.tokenRequests().length, 0);
      assert.deepEqual(await snapshotFiles(box), { auth: null, state: null });
    })
  );
});

Deno.test("a code from another sign-in attempt is refused by the server: exit 4, nothing written", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      // Another attempt's code (its PKCE challenge and state are not ours).
      const other = await driveInProcess(box, fake, { paste: () => null });
      const foreign = splitShown(other.shown).code;
      const login = await driveInProcess(box, fake, { paste: () => foreign });
      assert.equal(login.code, 4, login.stderr);
      assertCleanError(login, /code was rejected \(invalid_grant\)/);
      assert.match(login.stderr, /login --method browser/);
      assert.deepEqual(await snapshotFiles(box), { auth: null, state: null });
    })
  );
});

for (const bad of BAD_TOKEN_RESPONSES) {
  Deno.test(`login with a bad token response (${bad.name}): exit ${bad.code}, one clear line, nothing written`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        box.plant(...SCRIPTED_TOKENS, OTHER.openai.key);
        await seedBrowserEntry(box, fake, {
          expires: Date.now() + 3_600_000,
          otherProviders: OTHER,
        });
        const before = await snapshotFiles(box);
        fake.script.push(bad.response);
        const login = await driveInProcess(box, fake);
        assert.equal(login.code, bad.code, login.stderr);
        assertCleanError(login, bad.message);
        const errors = errorLines(login);
        assert.equal(errors.length, 1, login.stderr);
        assert.match(errors[0], bad.message);
        assert.equal(login.stdout, "");
        assert.equal(fake.tokenRequests().length, 1, "4xx and bad 2xx answers are not retried");
        assert.deepEqual(await snapshotFiles(box), before);
      })
    );
  });
}

Deno.test("login --create-api-key: console authorize URL, key minted with the bearer token, stored as api", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await driveInProcess(box, fake, { args: ["--create-api-key"] });
      assert.equal(login.code, 0, login.stderr);
      assert.equal(new URL(login.url).pathname, "/console/oauth/authorize");
      assert.equal(fake.minted.length, 1);
      const key = fake.minted[0];
      const create = fake.requests.filter((r) => r.path === "/api/oauth/claude_cli/create_api_key");
      assert.equal(create.length, 1);
      assert.equal(create[0].method, "POST");
      assert.equal(create[0].headers.authorization, `Bearer ${fake.issued[0].access}`);

      const text = (await box.readAuthText())!;
      assert.deepEqual(JSON.parse(text), { anthropic: { type: "api", key } });
      // The Console OAuth tokens used to mint the key are not kept anywhere.
      assert(!text.includes(fake.issued[0].access) && !text.includes(fake.issued[0].refresh));
      const state = JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
      assert.equal(state.source, "api-key");
      assert.equal(state.email, "dev@example.com");
      assert.doesNotMatch(login.stderr, /ignores an `oauth` entry/);

      const token = await box.runInProcess(["token"], { env: fake.env(), allowOnStdout: [key] });
      assert.equal(token.stdout, `${key}\n`);
      fake.acceptApiKey(key);
      const check = await box.runInProcess(["status", "--check"], { env: fake.env() });
      assert.equal(check.code, 0, check.stderr);
    })
  );
});

Deno.test("login --create-api-key: a refused mint is a clear failure and nothing is written", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      // A subscription (non-Console) authorize URL gives a token the mint refuses.
      const login = await driveInProcess(box, fake, {
        args: ["--create-api-key"],
        env: { ANTHROPIC_CONSOLE_AUTH_URL: `${fake.url}/oauth/authorize` },
      });
      assert.equal(login.code, 1, login.stderr);
      assertCleanError(login, /creating an API key failed: HTTP 403/);
      assert.deepEqual(await snapshotFiles(box), { auth: null, state: null });
    })
  );
});

Deno.test("--create-api-key with another method is a usage error", async () => {
  await withSandbox(async (box) => {
    const result = await box.runInProcess(["login", "--method", "api-key", "--create-api-key"], {
      stdin: "sk-ant-api03-xxxxxxxxxxxx",
    });
    assert.equal(result.code, 2);
    assertCleanError(result, "--create-api-key");
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("the browser is opened with the platform opener unless --no-browser", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const log = `${box.root}/xdg-open.log`;
      await box.installExecutable(
        "xdg-open",
        `#!/bin/sh\nprintf '%s\\n' "$@" >> '${log}'\n`,
      );
      const opened = await driveInProcess(box, fake, {
        allowBrowser: true,
        env: { DISPLAY: ":0" },
      });
      assert.equal(opened.code, 0, opened.stderr);
      assert.match(opened.stderr, /browser window should have opened/);
      // The opener runs detached; wait for its record.
      let recorded = "";
      await waitFor("the browser opener's record", async () => {
        recorded = await Deno.readTextFile(log).catch(() => "");
        return recorded !== "";
      });
      assert.equal(recorded, `${opened.url}\n`);

      await Deno.remove(log);
      const notOpened = await driveInProcess(box, fake, { env: { DISPLAY: ":0" } });
      assert.equal(notOpened.code, 0, notOpened.stderr);
      assert.doesNotMatch(notOpened.stderr, /browser window should have opened/);
      await assert.rejects(Deno.stat(log));

      // No display: nothing to start, the URL is still printed.
      const headless = await driveInProcess(box, fake, { allowBrowser: true });
      assert.equal(headless.code, 0, headless.stderr);
      assert(findAuthorizeUrl(headless.stderr));
      await assert.rejects(Deno.stat(log));
    })
  );
});

Deno.test("an http: non-loopback override is refused with exit 2 before any request", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      const before = await snapshotFiles(box);
      for (
        const [name, value] of [
          ["ANTHROPIC_TOKEN_URL", "http://example.com/x"],
          ["ANTHROPIC_AUTH_URL", "http://example.com/oauth/authorize"],
          ["ANTHROPIC_BASE_URL", "http://192.168.1.10:8080"],
          ["ANTHROPIC_CONSOLE_AUTH_URL", "ftp://127.0.0.1/x"],
        ]
      ) {
        const env = { ...fake.env(), [name]: value };
        const commands = [
          ["login", "--method", "browser", "--no-browser"],
          ["login", "--method", "browser", "--create-api-key", "--no-browser"],
          ["token"],
          ["refresh", "--force"],
          ["status", "--check"],
        ];
        const results = await Promise.all(
          commands.map((args) => box.runInProcess(args, { env, stdin: "code#state\n" })),
        );
        results.forEach((result, i) => {
          assert.equal(result.code, 2, `${name} ${commands[i].join(" ")}: ${result.stderr}`);
          assertCleanError(result, name);
          assert.equal(result.stdout, "");
          assert.equal(findAuthorizeUrl(result.stderr), null, "no URL may be printed");
        });
      }
      assert.equal(fake.requests.length, 0, "the fake must see no request at all");
      assert.deepEqual(await snapshotFiles(box), before);
    })
  );
});

Deno.test("User-Agent names the tool and its version; CLAUDE_CODE_AUTH_USER_AGENT overrides it", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await driveInProcess(box, fake);
      assert.equal(login.code, 0, login.stderr);
      assert.equal(
        fake.tokenRequests()[0].headers["user-agent"],
        `opencode-claude-code-auth/${denoJson.version}`,
      );
      const seenBefore = fake.requests.length;
      const refresh = await box.runInProcess(["refresh", "--force"], {
        env: { ...fake.env(), CLAUDE_CODE_AUTH_USER_AGENT: "acme-wrapper/2.0 (ci)" },
      });
      assert.equal(refresh.code, 0, refresh.stderr);
      const check = await box.runInProcess(["status", "--check"], {
        env: { ...fake.env(), CLAUDE_CODE_AUTH_USER_AGENT: "acme-wrapper/2.0 (ci)" },
      });
      assert.equal(check.code, 0, check.stderr);
      const later = fake.requests.slice(seenBefore);
      assert(later.length >= 2);
      for (const request of later) {
        assert.equal(request.headers["user-agent"], "acme-wrapper/2.0 (ci)", request.path);
      }
      const bad = await box.runInProcess(["status", "--check"], {
        env: { ...fake.env(), CLAUDE_CODE_AUTH_USER_AGENT: "x\u0007y" },
      });
      assert.equal(bad.code, 2, bad.stderr);
      assertCleanError(bad, "CLAUDE_CODE_AUTH_USER_AGENT");
    })
  );
});

Deno.test("--debug shows what happens without any secret (code, verifier, tokens)", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await driveInProcess(box, fake, { args: ["--debug"] });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /debug: POST .*\/v1\/oauth\/token \(code exchange\)/);
      assert.match(login.stderr, /debug: code exchange: HTTP 200/);
      const env = { ...fake.env(), CLAUDE_CODE_AUTH_DEBUG: "1" };
      const refresh = await box.runInProcess(["refresh", "--force"], { env });
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.match(refresh.stderr, /debug: POST .* \(token refresh\)/);
      fake.script.push({
        status: 400,
        body: JSON.stringify({
          error: "invalid_request",
          error_description: `echo ${fake.issued[1].refresh}`,
        }),
        headers: { "content-type": "application/json" },
      });
      await ageLastRefresh(box);
      const failed = await box.runInProcess(["refresh", "--force", "--debug"], { env });
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /invalid_request: echo sk-ant-ort01-…/);
      // Plant every issued token, code and verifier, and scan all three runs again.
      plantFakeSecrets(box, fake);
      for (
        const [args, run] of [[["login"], login], [["refresh"], refresh], [
          ["refresh"],
          failed,
        ]] as const
      ) {
        box.assertNoLeak([...args], run);
      }
      assert(box.secrets.size >= 6);
    })
  );
});

/**
 * `login --method setup-token` and what every other command does with the
 * long-lived token, in-process (`box.runInProcess`, a fixed clock), table
 * driven: the ways it is read, the inputs refused, `--expires`, the status
 * boundaries (31 days, 29 days, expired), token/refresh/run/doctor while it
 * lasts and once it has run out. Every run is scanned for the token
 * (only `token`'s stdout may hold it). Spawned: one run under the README's
 * exact permission flags (`--from-env CLAUDE_CODE_OAUTH_TOKEN`, then `token`).
 */

import assert from "node:assert/strict";
import { interactiveIo } from "../helpers/context.ts";
import { withFake } from "../helpers/browser_login.ts";
import { assertCleanError, modeOf, type Sandbox, withSandbox } from "../helpers/sandbox.ts";

const TOKEN = "sk-ant-oat01-SETUPTOKEN-abcdefghijklmnopqrstuvwxyz0123456789_-AAAA";
const NOW = Date.UTC(2026, 11, 2, 12, 0);
const DAY = 24 * 60 * 60 * 1000;
const YEAR = 365 * DAY;

const OTHER = { openai: { type: "api", key: "sk-openai-PLANTED-0123456789" } };

/** A sandbox with the token planted for the leak scan, and another provider's entry. */
async function setUp(box: Sandbox): Promise<void> {
  box.plant(TOKEN, OTHER.openai.key);
  await box.writeAuth(OTHER);
}

/** Log in with the token on stdin at `NOW`, plus `args`; must succeed. */
async function login(box: Sandbox, args: string[] = []): Promise<void> {
  const result = await box.runInProcess(["login", "--method", "setup-token", ...args], {
    stdin: `${TOKEN}\n`,
    now: () => NOW,
  });
  assert.equal(result.code, 0, result.stderr);
}

/** The `anthropic` entry and state as stored now. */
async function stored(box: Sandbox): Promise<{ entry: unknown; source: unknown }> {
  const entry = (await box.readAuth()).anthropic;
  const state = JSON.parse(await Deno.readTextFile(box.stateFile));
  return { entry, source: state.anthropic?.source };
}

// ------------------------------------------------------------------ login

interface LoginCase {
  name: string;
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
}

const LOGIN_CASES: LoginCase[] = [
  { name: "piped stdin", args: [], stdin: `${TOKEN}\n` },
  { name: "stdin with CRLF", args: [], stdin: `${TOKEN}\r\n` },
  { name: "--with-key", args: ["--with-key"], stdin: TOKEN },
  {
    name: "--from-env CLAUDE_CODE_OAUTH_TOKEN",
    args: ["--from-env", "CLAUDE_CODE_OAUTH_TOKEN"],
    env: { CLAUDE_CODE_OAUTH_TOKEN: TOKEN },
  },
];

for (const c of LOGIN_CASES) {
  Deno.test(`setup-token login through ${c.name}: an oauth entry without a refresh token, a year ahead`, async () => {
    await withSandbox(async (box) => {
      await setUp(box);
      const result = await box.runInProcess(["login", "--method", "setup-token", ...c.args], {
        stdin: c.stdin,
        env: c.env,
        now: () => NOW,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /Signed in with long-lived token/);
      assert.match(result.stderr, /365 days left \(expires 2027-12-02 12:00 UTC\)/);
      const auth = await box.readAuth();
      assert.deepEqual(auth.anthropic, {
        type: "oauth",
        refresh: "",
        access: TOKEN,
        expires: NOW + YEAR,
      });
      assert.deepEqual(auth.openai, OTHER.openai, "another provider's entry is kept");
      assert.equal((await stored(box)).source, "setup-token");
      assert.equal(await modeOf(box.authFile), 0o600);
    });
  });
}

interface BadInput {
  name: string;
  stdin: string;
  /** What the one error line says. */
  want: RegExp;
  args?: string[];
}

const BAD_INPUTS: BadInput[] = [
  { name: "empty stdin", stdin: "", want: /no token on stdin \(it was empty\)/ },
  { name: "a newline only", stdin: "\n", want: /the token read from stdin is empty/ },
  {
    name: "multi-line",
    stdin: `${TOKEN}\n${TOKEN}\n`,
    want: /spans more than one line/,
  },
  {
    name: "an API key",
    stdin: "sk-ant-api03-NOTATOKEN-abcdefghijklmnopqrstuvwxyz0123",
    want: /is an API key, not a long-lived token/,
  },
  {
    name: "a refresh token",
    stdin: "sk-ant-ort01-NOTATOKEN-abcdefghijklmnopqrstuvwxyz0123",
    want: /is a refresh token/,
  },
  {
    name: "another service's token",
    stdin: "ghp_NOTATOKEN0123456789abcdefghijklmnopqrstuv",
    want: /does not start with `sk-ant-oat01-`/,
  },
  { name: "cut off", stdin: "sk-ant-oat01-abc", want: /too short/ },
  {
    name: "too long",
    stdin: `sk-ant-oat01-${"a".repeat(5000)}`,
    want: /longer than 4096 characters/,
  },
  { name: "a control character", stdin: `${TOKEN}\u0007x`, want: /non-printable/ },
  { name: "an inner space", stdin: `${TOKEN} x`, want: /contains whitespace/ },
  {
    name: "--expires in the past",
    stdin: TOKEN,
    args: ["--expires", "2026-12-01"],
    want: /--expires '2026-12-01' is in the past/,
  },
  {
    name: "--expires unparsable",
    stdin: TOKEN,
    args: ["--expires", "next year"],
    want: /--expires needs a date/,
  },
  {
    name: "--expires a date that does not exist",
    stdin: TOKEN,
    args: ["--expires", "2027-02-30"],
    want: /--expires needs a date/,
  },
  {
    name: "--expires a timestamp without a zone",
    stdin: TOKEN,
    args: ["--expires", "2027-06-01T10:00:00"],
    want: /--expires needs a date/,
  },
];

for (const c of BAD_INPUTS) {
  Deno.test(`setup-token login refuses ${c.name}: exit 2, one error line, nothing written`, async () => {
    await withSandbox(async (box) => {
      await setUp(box);
      box.plant(c.stdin.trim() || TOKEN);
      const before = await box.readAuthText();
      const result = await box.runInProcess(
        ["login", "--method", "setup-token", ...(c.args ?? [])],
        { stdin: c.stdin, now: () => NOW },
      );
      assert.equal(result.code, 2, result.stderr);
      assertCleanError(result, c.want);
      assert.equal(result.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
      assert.equal(await box.readAuthText(), before);
      await assert.rejects(Deno.stat(box.stateFile));
    });
  });
}

Deno.test("--expires takes a date (start of that day, UTC) or an ISO timestamp; only with setup-token", async () => {
  await withSandbox(async (box) => {
    await setUp(box);
    for (
      const [value, want] of [
        ["2027-06-01", Date.UTC(2027, 5, 1)],
        ["2027-06-01T10:30:00Z", Date.UTC(2027, 5, 1, 10, 30)],
        ["2027-06-01T10:30:00.250+02:00", Date.UTC(2027, 5, 1, 8, 30, 0, 250)],
      ] as const
    ) {
      await login(box, ["--expires", value, "--force"]);
      assert.equal(
        (await box.readAuth() as { anthropic: { expires: number } }).anthropic.expires,
        want,
        value,
      );
    }
    const withApiKey = await box.runInProcess(
      ["login", "--method", "api-key", "--expires", "2027-06-01"],
      { stdin: "sk-ant-api03-x", now: () => NOW },
    );
    assert.equal(withApiKey.code, 2);
    assertCleanError(withApiKey, "--expires works with --method setup-token only");
    const withBrowser = await box.runInProcess(
      ["login", "--method", "browser", "--with-key"],
      { stdin: TOKEN, now: () => NOW },
    );
    assert.equal(withBrowser.code, 2);
    assertCleanError(withBrowser, /--with-key reads an API key or a long-lived token/);
  });
});

Deno.test("the picker offers the long-lived token (needing a plugin) and reads it at a masked prompt", async () => {
  await withSandbox(async (box) => {
    box.plant(TOKEN);
    // A terminal: the picker and the masked prompt, answered as the user reads them.
    const io = Object.assign(interactiveIo(), {
      stdinIsTerminal: () => true,
      stderrIsTerminal: () => true,
    });
    const run = box.runInProcess(["login"], { io, now: () => NOW });
    assert(await io.waitForErr(/Choose 1-4 \[3\]: $/, run), io.err);
    assert.match(io.err, /^ +4\) Long-lived token - needs an OpenCode plugin$/m);
    assert.match(io.err, /`claude setup-token`/);
    io.send("4\n");
    assert(await io.waitForErr(/input is hidden\): $/, run), io.err);
    io.send(`${TOKEN}\r`);
    const result = await run;
    io.end();
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await stored(box)).source, "setup-token");
    assert.equal(
      (await box.readAuth() as { anthropic: { access: string } }).anthropic.access,
      TOKEN,
    );
  });
});

// --------------------------------------------------- the commands on it

interface UseCase {
  name: string;
  args: string[];
  /** Days after the login at NOW with the default expiry (a year). */
  at: number;
  wantCode: 0 | 1 | 4;
  wantStdout?: RegExp;
  /** Patterns of stderr; `null`: stderr must be empty. */
  wantStderr?: RegExp | null;
  /** Whether stdout is exactly the token and a newline. */
  printsToken?: boolean;
}

const EXPIRED_HINT =
  /make a new one with `claude setup-token`, then `opencode-claude-code-auth login --method setup-token`/;

const USE_CASES: UseCase[] = [
  {
    name: "status, 31 days left: no warning",
    args: ["status"],
    at: 365 - 31,
    wantCode: 0,
    wantStdout: /long-lived token: 31 days left \(expires 2027-12-02 12:00 UTC\)/,
    wantStderr: null,
  },
  {
    name: "status, 29 days left: a warning naming claude setup-token",
    args: ["status"],
    at: 365 - 29,
    wantCode: 0,
    wantStdout: /29 days left/,
    wantStderr: /warning: the long-lived token runs out soon: 29 days left.*claude setup-token/,
  },
  {
    name: "status --json, 29 days left: method setup-token, and the warning on stderr",
    args: ["status", "--json"],
    at: 365 - 29,
    wantCode: 0,
    wantStdout: new RegExp(
      `^\\{"loggedIn":true,"method":"setup-token","type":"oauth",.*"expiresAt":${
        NOW + YEAR
      },"fresh":true,"account":null,"stores":\\[\\{"kind":"opencode1-auth-json",.*"method":"setup-token".*\\}\\]\\}\n$`,
    ),
    wantStderr: /warning: the long-lived token runs out soon/,
  },
  {
    name: "status, expired: exit 4 naming claude setup-token",
    args: ["status"],
    at: 366,
    wantCode: 4,
    wantStdout: /expired 1 day ago[\s\S]*not usable: .*claude setup-token/,
  },
  {
    name: "status --json, expired: exit 4, not fresh",
    args: ["status", "--json"],
    at: 366,
    wantCode: 4,
    wantStdout: /"method":"setup-token".*"fresh":false/,
  },
  { name: "token while valid", args: ["token"], at: 364, wantCode: 0, printsToken: true },
  {
    name: "token once expired: exit 4",
    args: ["token"],
    at: 365,
    wantCode: 4,
    wantStderr: EXPIRED_HINT,
  },
  {
    name: "refresh while valid: nothing to refresh",
    args: ["refresh"],
    at: 10,
    wantCode: 0,
    wantStderr: /A long-lived token has nothing to refresh: 355 days left/,
  },
  {
    name: "refresh --force while valid: nothing to refresh",
    args: ["refresh", "--force"],
    at: 10,
    wantCode: 0,
    wantStderr: /nothing to refresh/,
  },
  {
    name: "refresh --ahead (the service's job) a minute before expiry: nothing to refresh",
    args: ["refresh", "--ahead", "4m"],
    at: 365 - 1 / (24 * 60),
    wantCode: 0,
    wantStderr: /nothing to refresh: expires in 1m 0s/,
  },
  {
    name: "refresh once expired: exit 4",
    args: ["refresh"],
    at: 400,
    wantCode: 4,
    wantStderr: EXPIRED_HINT,
  },
  {
    name: "refresh --force once expired: exit 4",
    args: ["refresh", "--force"],
    at: 400,
    wantCode: 4,
    wantStderr: EXPIRED_HINT,
  },
  {
    name: "refresh --ahead once expired: exit 4",
    args: ["refresh", "--ahead", "4m"],
    at: 400,
    wantCode: 4,
    wantStderr: EXPIRED_HINT,
  },
  {
    name: "run once expired: exit 4, the command never starts",
    args: ["run", "--", "definitely-not-started"],
    at: 400,
    wantCode: 4,
    wantStderr: EXPIRED_HINT,
  },
  {
    name: "doctor, 31 days left: ok",
    args: ["doctor", "--json"],
    at: 365 - 31,
    wantCode: 0,
    wantStdout: /"name":"anthropic entry","status":"ok","message":"long-lived token: 31 days left/,
  },
  {
    name: "doctor, 29 days left: warn",
    args: ["doctor", "--json"],
    at: 365 - 29,
    wantCode: 0,
    wantStdout:
      /"name":"anthropic entry","status":"warn","message":"long-lived token: 29 days left.*claude setup-token/,
  },
  {
    name: "doctor, expired: fail",
    args: ["doctor", "--json"],
    at: 365,
    wantCode: 1,
    wantStdout:
      /"name":"anthropic entry","status":"fail","message":"long-lived token: expired 0s ago/,
  },
];

for (const c of USE_CASES) {
  Deno.test(`setup-token: ${c.name}`, async () => {
    await withSandbox(async (box) => {
      await setUp(box);
      await login(box);
      const before = await box.readAuthText();
      const result = await box.runInProcess(c.args, {
        now: () => NOW + c.at * DAY,
        allowOnStdout: c.printsToken ? [TOKEN] : [],
      });
      assert.equal(result.code, c.wantCode, result.stderr);
      if (c.printsToken) assert.equal(result.stdout, `${TOKEN}\n`);
      if (c.wantStdout) assert.match(result.stdout, c.wantStdout);
      if (c.wantStderr === null) assert.equal(result.stderr, "");
      else if (c.wantStderr) assertCleanError(result, c.wantStderr);
      // Nothing renews it: the entry is as login wrote it, never with a refresh token.
      assert.equal(await box.readAuthText(), before);
      assert.equal(
        (await box.readAuth() as { anthropic: { refresh: string } }).anthropic.refresh,
        "",
      );
    });
  });
}

Deno.test("setup-token: service install is refused without --force, and says why", async () => {
  await withSandbox(async (box) => {
    await setUp(box);
    await login(box);
    const result = await box.runInProcess(["service", "install", "--dry-run"], { now: () => NOW });
    assert.equal(result.code, 2, result.stderr);
    assertCleanError(result, /nothing to refresh: .*a long-lived token/);
    const forced = await box.runInProcess(["service", "install", "--dry-run", "--force"], {
      now: () => NOW,
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /installing anyway \(--force\)/);
  });
});

Deno.test("setup-token: a re-login replaces it, logout removes it and keeps the other entries", async () => {
  await withSandbox(async (box) => {
    await setUp(box);
    await login(box);
    await login(box, ["--expires", "2027-01-31"]);
    assert.deepEqual((await stored(box)).entry, {
      type: "oauth",
      refresh: "",
      access: TOKEN,
      expires: Date.UTC(2027, 0, 31),
    });
    const logout = await box.runInProcess(["logout"], { now: () => NOW });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(await box.readAuth(), OTHER);
  });
});

Deno.test("setup-token login --from-env then token, spawned under the README's permission flags", async () => {
  await withSandbox(async (box) => {
    await setUp(box);
    const env = { CLAUDE_CODE_OAUTH_TOKEN: TOKEN };
    const login = await box.run(
      ["login", "--method", "setup-token", "--from-env", "CLAUDE_CODE_OAUTH_TOKEN"],
      { env },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "");
    const entry = (await box.readAuth()).anthropic as Record<string, unknown>;
    assert.equal(entry.access, TOKEN);
    assert.equal(entry.refresh, "");
    const token = await box.run(["token"], { allowOnStdout: [TOKEN] });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout, `${TOKEN}\n`);
    assert.equal(token.stderr, "");
  });
});

Deno.test("setup-token: status --check with a refused token asks once, refreshes nothing, names claude setup-token", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await setUp(box);
      await login(box);
      const before = await box.readAuthText();
      const check = await box.runInProcess(["status", "--check"], {
        env: fake.env(),
        now: () => NOW,
      });
      assert.equal(check.code, 4, check.stderr);
      assert.match(check.stdout, /The API refused the long-lived token \(HTTP 401\)/);
      assert.match(check.stdout, /make a new one with `claude setup-token`/);
      const probes = fake.requests.filter((r) => r.path === "/v1/models");
      assert.equal(probes.length, 1, "no retry: there is nothing to refresh");
      assert.equal(probes[0].headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(fake.tokenRequests().length, 0);
      assert.equal(await box.readAuthText(), before);
    })
  );
});

Deno.test("setup-token: run -- CMD while it lasts starts CMD and exits with its code", async () => {
  await withSandbox(async (box) => {
    await setUp(box);
    await login(box);
    await box.installExecutable("exit-seven", "#!/bin/sh\nexit 7\n");
    const result = await box.runInProcess(["run", "--", "exit-seven"], { now: () => NOW });
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stderr, "");
  });
});

/**
 * Least privilege, proved. The CLI runs under exactly the flags of
 * `deno task start` (the README's `deno run` line, embedded in the binaries):
 *
 * - the set is checked against the code: every allowed environment variable
 *   and program is one the code uses, every one the code uses is allowed, and
 *   --allow-net is exactly the hosts the CLI itself sends requests to by
 *   default (the authorize pages are opened by the browser, not fetched, so
 *   claude.ai is not needed) plus loopback, the only hosts the contract allows
 *   plain http: for;
 * - every sign-in method and command works under it;
 * - withholding a needed permission gives one clean line, not a stack trace.
 *
 * --allow-read and --allow-write stay unscoped: the files live under HOME,
 * XDG_DATA_HOME, XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR, the override variables and
 * --auth-file, known only at run time, while Deno's flags are fixed strings
 * (and compiled into the binaries on the build machine).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { COMMANDS } from "../../lib/cli.ts";
import { OAUTH_SETTINGS } from "../../lib/oauth/config.ts";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { seedBrowserEntry } from "../helpers/browser_login.ts";
import { installFakeServiceManagers } from "../fakes/service_managers.ts";
import {
  claudePayload,
  claudeTokens,
  installFakeClaude,
  installFakeSecurity,
} from "../fakes/claude_code.ts";
import {
  assertCleanError,
  CLI_FLAGS,
  type RunOptions,
  type RunResult,
  type Sandbox,
  withSandbox,
} from "../helpers/sandbox.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KEY = "sk-ant-api03-PERMISSIONS-TEST-0123456789abcdefghijklmnop";
const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/** The values of `--NAME=a,b,c` in the start task's flags. */
function listOf(flags: readonly string[], name: string): string[] {
  const flag = flags.find((f) => f.startsWith(`--${name}=`));
  assert(flag, `--${name} should be scoped`);
  return flag.slice(name.length + 3).split(",");
}

/** The flags with `item` removed from `--NAME=...`'s list. */
function withoutItem(name: string, item: string): string[] {
  return CLI_FLAGS.map((flag) => {
    if (!flag.startsWith(`--${name}=`)) return flag;
    const items = listOf([flag], name);
    assert(items.includes(item), `${item} is not in --${name}`);
    return `--${name}=${items.filter((i) => i !== item).join(",")}`;
  });
}

/** The flags without `flag`. */
function withoutFlag(flag: string): string[] {
  assert(CLI_FLAGS.includes(flag), `${flag} is not a start task flag`);
  return CLI_FLAGS.filter((f) => f !== flag);
}

/** Run main.ts under `flags` (not the start task's) in the sandbox, with its leak scan. */
function runWith(
  box: Sandbox,
  flags: string[],
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return box.run(args, { ...options, flags });
}

/** One clean `error:` line (plus at most a hint), no stack trace. */
function assertOneLine(result: RunResult, fragment: string | RegExp): void {
  assertCleanError(result, fragment);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(errors.length, 1, result.stderr);
  assert(!/NotCapable|PermissionDenied|\bat file:/.test(result.stderr), result.stderr);
}

/** Every .ts source of the CLI (main.ts and lib/), as text. */
function cliSources(): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) sources.set(path, Deno.readTextFileSync(path));
    }
  };
  walk(`${ROOT}lib`);
  sources.set(`${ROOT}main.ts`, Deno.readTextFileSync(`${ROOT}main.ts`));
  return sources;
}

function stringLiterals(): Set<string> {
  const literals = new Set<string>();
  for (const text of cliSources().values()) {
    for (const match of text.matchAll(/"([^"\\\n]*)"/g)) literals.add(match[1]);
  }
  return literals;
}

// ------------------------------------------------------- the set itself

Deno.test("the permission set: no -A, nothing but env, read, write, net and run, all but files scoped", () => {
  assert.deepEqual(CLI_FLAGS.slice(0, 3), ["-q", "--no-config", "--no-prompt"]);
  const kinds = CLI_FLAGS.slice(3).map((flag) => /^--allow-([a-z]+)(=|$)/.exec(flag)?.[1]);
  assert.deepEqual(kinds, ["env", "read", "write", "net", "run"]);
  for (const kind of ["env", "net", "run"]) listOf(CLI_FLAGS, `allow-${kind}`);
  assert(CLI_FLAGS.includes("--allow-read") && CLI_FLAGS.includes("--allow-write"));
});

Deno.test("--allow-net is exactly the default hosts the CLI sends requests to, plus loopback", () => {
  const fetched = [OAUTH_SETTINGS.tokenUrl, OAUTH_SETTINGS.baseUrl]
    .map((setting) => new URL(setting.fallback).host);
  assert.deepEqual(listOf(CLI_FLAGS, "allow-net"), [...new Set(fetched), ...LOOPBACK]);
  // The authorize pages are opened in the browser (another process), never fetched.
  const opened = new URL(OAUTH_SETTINGS.authorizeUrl.fallback).host;
  assert(!listOf(CLI_FLAGS, "allow-net").includes(opened) || fetched.includes(opened));
  // Every request goes through the context's one fetch (tests/project/architecture_test.ts
  // checks lib/context.ts is the only caller of the global), to the URLs of lib/oauth/config.ts.
});

Deno.test("--allow-env: every allowed variable is used by the code, every variable used is allowed", () => {
  const allowed = listOf(CLI_FLAGS, "allow-env");
  const exact = allowed.filter((name) => !name.endsWith("*"));
  const prefixes = allowed.filter((name) => name.endsWith("*")).map((name) => name.slice(0, -1));
  assert.deepEqual(prefixes, ["CLAUDE_CODE_AUTH_"], "only the tool's own namespace is a wildcard");
  const literals = stringLiterals();
  for (const name of exact) assert(literals.has(name), `${name} is allowed but never used`);
  for (const prefix of prefixes) {
    assert([...literals].some((l) => l.startsWith(prefix)), `${prefix}* is allowed but unused`);
  }
  const envLike = [...literals].filter((l) =>
    /^(HOME|USERPROFILE|DISPLAY|PATH|(XDG|OPENCODE|CLAUDE|ANTHROPIC|WAYLAND)_[A-Z0-9_]+)$/.test(l)
  );
  assert(envLike.length >= exact.length);
  for (const name of envLike) {
    assert(
      exact.includes(name) || prefixes.some((p) => name.startsWith(p)),
      `${name} is read by the code but not in --allow-env`,
    );
  }
});

Deno.test("--allow-run: the Claude CLI, the Keychain tool, OpenCode, the three browser openers, the three service managers and kill", () => {
  const allowed = listOf(CLI_FLAGS, "allow-run");
  assert.deepEqual(allowed, [
    "claude",
    "security",
    "opencode",
    "open",
    "xdg-open",
    "rundll32",
    "systemctl",
    "launchctl",
    "schtasks",
    "kill",
  ]);
  const literals = stringLiterals();
  for (const program of allowed) assert(literals.has(program), `${program} is never started`);
  for (const [path, text] of cliSources()) {
    for (const match of text.matchAll(/new Deno\.Command\(\s*"([^"]+)"/g)) {
      assert(allowed.includes(match[1]), `${path} starts ${match[1]}, which is not allowed`);
    }
    // Through runBounded too (process.ts's optional `kill` helper is tried only where allowed).
    for (const match of text.matchAll(/\bcommand: "([^"]+)"/g)) {
      assert(allowed.includes(match[1]), `${path} starts ${match[1]}, which is not allowed`);
    }
  }
  // The service managers' command lines are [program, ...args] arrays, in lib/service/'s managers.
  const service = [...cliSources()]
    .filter(([path, text]) =>
      path.startsWith(`${ROOT}lib/service/`) && /\): ServiceManager \{/.test(text)
    )
    .map(([, text]) => text).join("\n");
  const managers = new Set(
    [...service.matchAll(/\[\s*"([a-z]+)",\s*(?:"|\.\.\.)/g)].map((m) => m[1]),
  );
  assert.deepEqual([...managers].sort(), ["launchctl", "schtasks", "systemctl"]);
  for (const program of managers) assert(allowed.includes(program), `${program} is not allowed`);
});

Deno.test("the README's deno run line is the start task", async () => {
  const task = denoJson.tasks.start;
  let readme: string;
  try {
    readme = await Deno.readTextFile(`${ROOT}README.md`);
  } catch {
    console.warn("README.md not written yet: checked deno.json's start task alone");
    assert.match(task, /^deno run .* main\.ts$/);
    return;
  }
  const flags = task.slice("deno run ".length, -" main.ts".length);
  const lines = readme.split("\n").filter((line) => /^\s*deno run .*--allow-/.test(line));
  assert(lines.length > 0, "README has no `deno run` line with the permission flags");
  for (const line of lines) {
    assert(
      line.trim().startsWith(`deno run ${flags} `),
      `README line differs from the start task:\n  ${line.trim()}\nshould start with\n  ${task}`,
    );
  }
  assert(lines.some((line) => line.trim().startsWith(task)), "no README line runs main.ts");
});

// ------------------------------------------------ sufficient: it works

/** Whether `service` is wired into the CLI (the command table and main.ts's module table). */
const SERVICE_WIRED = "service" in COMMANDS &&
  Deno.readTextFileSync(`${ROOT}main.ts`).includes("lib/commands/service.ts");

Deno.test({
  name: "under exactly the set: service install, status and uninstall with a fake systemctl",
  ignore: !SERVICE_WIRED,
  fn: async () => {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box, ["systemctl"]);
      const install = await box.run(["service", "install"]);
      assert.equal(install.code, 0, install.stderr);
      assert.deepEqual(await fakes.calls(), [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "opencode-claude-code-auth-refresh.timer"],
      ]);
      const unit = await Deno.readTextFile(
        `${box.configHome}/systemd/user/opencode-claude-code-auth-refresh.service`,
      );
      assert(unit.includes(`Environment="PATH=${box.bin}"`), unit);
      assert(unit.includes(`"--allow-run=${listOf(CLI_FLAGS, "allow-run").join(",")}"`), unit);
      const status = await box.run(["service", "status"]);
      assert.equal(status.code, 1, "installed, but no run recorded yet");
      assert.match(status.stdout, /^Service: installed, /);
      assert.match(status.stdout, /^ {2}enabled: yes$/m);
      const uninstall = await box.run(["service", "uninstall"]);
      assert.equal(uninstall.code, 0, uninstall.stderr);
      assert(!/permission/i.test(install.stderr + status.stderr + uninstall.stderr));
    });
  },
});

Deno.test("under exactly the set: API key login, status, token, refresh, run -- opencode, logout", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    const login = await box.run(["login", "--method", "api-key"], { stdin: KEY });
    assert.equal(login.code, 0, login.stderr);
    const status = await box.run(["status", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).method, "api-key");
    const token = await box.run(["token"], { allowOnStdout: [KEY] });
    assert.deepEqual([token.code, token.stdout, token.stderr], [0, `${KEY}\n`, ""]);
    assert.equal((await box.run(["refresh"])).code, 0);
    await box.installExecutable("opencode", '#!/bin/sh\necho "opencode ran: $*"\nexit 3\n');
    const run = await box.run(["run", "--", "opencode", "serve"]);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, "opencode ran: serve\n");
    const doctor = await box.run(["doctor", "--json"]);
    assert(!/permission/i.test(doctor.stderr), doctor.stderr);
    JSON.parse(doctor.stdout);
    assert.equal((await box.run(["logout"])).code, 0);
    assert.equal((await box.run(["completions", "bash"])).code, 0);
  });
});

Deno.test("under exactly the set: a browser sign-in refreshes against a loopback endpoint", async () => {
  const fake = await FakeAnthropic.start();
  try {
    await withSandbox(async (box) => {
      Object.assign(box.env, fake.env());
      await seedBrowserEntry(box, fake, { expires: 1 });
      const token = await box.run(["token"], { allowOnStdout: fake.issued.map((p) => p.access) });
      for (const p of fake.issued) box.plant(p.access, p.refresh);
      assert.equal(token.code, 0, token.stderr);
      assert.equal(fake.refreshRequests().length, 1);
      assert.equal(token.stdout, `${fake.issued.at(-1)!.access}\n`);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("under exactly the set: Claude Code session from the Keychain tool and refreshed by claude", async () => {
  await withSandbox(async (box) => {
    const fresh = claudeTokens(Date.now() + 3_600_000);
    box.plant(fresh.accessToken, fresh.refreshToken);
    await installFakeSecurity(box, { "occa-test-service": { payload: claudePayload(fresh) } });
    const viaKeychain = await box.run(["login", "--method", "claude-code"], {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "occa-test-service" },
    });
    assert.equal(viaKeychain.code, 0, viaKeychain.stderr);
    assert.equal(
      (await box.readAuth() as { anthropic: { access: string } }).anthropic.access,
      fresh.accessToken,
    );

    const credentialsPath = `${box.home}/.claude/.credentials.json`;
    const stale = claudeTokens(Date.now() - 60_000);
    const next = claudeTokens(Date.now() + 3_600_000);
    box.plant(stale.accessToken, stale.refreshToken, next.accessToken, next.refreshToken);
    await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
    await Deno.writeTextFile(credentialsPath, claudePayload(stale));
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath,
      next: claudePayload(next),
    });
    const viaClaude = await box.run(["login", "--method", "claude-code"]);
    assert.equal(viaClaude.code, 0, viaClaude.stderr);
    assert.equal((await claude.runs()).length, 1);
    assert.equal(
      (await box.readAuth() as { anthropic: { access: string } }).anthropic.access,
      next.accessToken,
    );
  });
});

// ------------------------------------ necessary: withheld, it fails cleanly

Deno.test("without --allow-write: login fails in one clean line and writes nothing", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    const result = await runWith(box, withoutFlag("--allow-write"), [
      "login",
      "--method",
      "api-key",
    ], {
      stdin: KEY,
    });
    assert.equal(result.code, 1, result.stderr);
    assertOneLine(result, /missing Deno permission: .*write access/);
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("without --allow-read: status fails in one clean line", async () => {
  await withSandbox(async (box) => {
    await box.writeAuth({ anthropic: { type: "api", key: KEY } });
    box.plant(KEY);
    const result = await runWith(box, withoutFlag("--allow-read"), ["status"]);
    assert.equal(result.code, 1, result.stderr);
    assertOneLine(result, /missing Deno permission: .*read access/);
  });
});

Deno.test("without one environment variable: the error names it", async () => {
  await withSandbox(async (box) => {
    const noXdg = await runWith(box, withoutItem("allow-env", "XDG_DATA_HOME"), ["status"]);
    assert.equal(noXdg.code, 1, noXdg.stderr);
    assertOneLine(noXdg, /missing Deno permission: .*"XDG_DATA_HOME"/);
    const noOwn = await runWith(box, withoutItem("allow-env", "CLAUDE_CODE_AUTH_*"), ["status"]);
    assert.equal(noOwn.code, 1, noOwn.stderr);
    assertOneLine(noOwn, /missing Deno permission: .*"CLAUDE_CODE_AUTH_/);
  });
});

Deno.test("without the endpoint's host in --allow-net: a refresh fails cleanly, nothing sent or changed", async () => {
  const fake = await FakeAnthropic.start();
  try {
    await withSandbox(async (box) => {
      Object.assign(box.env, fake.env());
      await seedBrowserEntry(box, fake, { expires: 1 });
      const before = await box.readAuthText();
      const result = await runWith(box, withoutItem("allow-net", "127.0.0.1"), ["token"]);
      assert.equal(result.code, 1, result.stderr);
      assertOneLine(
        result,
        `Deno's permissions do not allow network access to ${new URL(fake.url).host}`,
      );
      assert.match(result.stderr, /--allow-net/);
      assert.equal(result.stdout, "");
      assert.equal(fake.requests.length, 0);
      assert.equal(await box.readAuthText(), before);

      // The same under the exact set, for an override to a host it does not list.
      const other = await box.run(["token"], {
        env: { ANTHROPIC_TOKEN_URL: "https://token.example.test/v1/oauth/token" },
      });
      assert.equal(other.code, 1, other.stderr);
      assertOneLine(other, "Deno's permissions do not allow network access to token.example.test");
      assert.equal(fake.requests.length, 0);
      assert.equal(await box.readAuthText(), before);
    });
  } finally {
    await fake.close();
  }
});

Deno.test("run -- a program outside --allow-run fails cleanly (exit 2), also opencode when withheld", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    await box.writeAuth({ anthropic: { type: "api", key: KEY } });
    await box.installExecutable("opencode", "#!/bin/sh\nexit 0\n");
    await box.installExecutable("env", "#!/bin/sh\nexit 0\n");
    const other = await box.run(["run", "--", "env"]);
    assert.equal(other.code, 2, other.stderr);
    assertOneLine(other, "do not allow starting 'env'");
    const withheld = await runWith(box, withoutItem("allow-run", "opencode"), [
      "run",
      "--",
      "opencode",
    ]);
    assert.equal(withheld.code, 2, withheld.stderr);
    assertOneLine(withheld, "do not allow starting 'opencode'");
  });
});

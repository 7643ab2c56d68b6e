/**
 * `doctor [--json]`: each check ok / warn / fail with its fix, exit 1 when one
 * fails, and the check users need most: will their OpenCode use an `oauth`
 * entry at all (a fake `opencode` reports version 1.18.33)? In-process
 * (`box.runInProcess`; the fakes are real children). Spawned: only the first
 * test, the doctor smoke run under the start task's permission flags.
 */

import assert from "node:assert/strict";
import { installFakeClaude, installFakeSecurity } from "../fakes/claude_code.ts";
import { type RunResult, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import {
  freshTokens,
  seedClaudeSession,
  staleTokens,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";
import { unwrapReport } from "../helpers/report.ts";

interface Check {
  name: string;
  status: "ok" | "info" | "warn" | "fail";
  message: string;
  fix?: string;
}

interface Report {
  ok: boolean;
  checks: Check[];
}

function parseReport(result: RunResult): Report {
  assert.equal(result.stdout.trim().split("\n").length, 1, result.stdout);
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(typeof report.ok, "boolean");
  for (const check of report.checks) {
    assert.equal(typeof check.name, "string");
    assert(["ok", "info", "warn", "fail"].includes(check.status), check.status);
    assert.equal(typeof check.message, "string");
    if (check.status === "fail") assert(check.fix, `no fix for failing check ${check.name}`);
  }
  return report;
}

function check(report: Report, name: string): Check {
  const found = report.checks.find((c) => c.name === name);
  assert(found, `no check named ${name}: ${JSON.stringify(report.checks.map((c) => c.name))}`);
  return found;
}

function installOpenCode(box: Sandbox, version = "1.18.33"): Promise<string> {
  return box.installExecutable(
    "opencode",
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\nexit 1\n`,
  );
}

/** A healthy Claude Code session: files 0600, fresh token, claude and opencode found. */
async function healthySession(box: Sandbox): Promise<void> {
  const tokens = freshTokens(box);
  await writeClaudeFile(box, tokens);
  await installFakeClaude(box, { mode: "fail" });
  await installOpenCode(box);
  const login = await box.runInProcess(["login", "--method", "claude-code"]);
  assert.equal(login.code, 0, login.stderr);
}

Deno.test("doctor with nothing set up: the auth file check fails (exit 1) with its fix", async () => {
  await withSandbox(async (box) => {
    const human = await box.run(["doctor"]);
    assert.equal(human.code, 1, human.stderr);
    assert.equal(human.stdout, "");
    assert.match(unwrapReport(human.stderr), /^FAIL +auth file: .*does not exist/m);
    assert.match(human.stderr, /^ +fix: run `opencode-claude-code-auth login`/m);
    assert.match(human.stderr, /Some checks failed/);

    const json = await box.run(["doctor", "--json"]);
    assert.equal(json.code, 1);
    const report = parseReport(json);
    assert.equal(report.ok, false);
    assert.equal(check(report, "auth file").status, "fail");
    // Not using Claude Code: its absence is only told (info), not warned about.
    assert.equal(check(report, "claude CLI").status, "info");
    assert.equal(check(report, "Claude Code credentials").status, "info");
    // Not finding the OpenCode CLI changes nothing this tool writes: told, with how to get it.
    assert.equal(check(report, "opencode").status, "info");
    assert.match(check(report, "opencode").fix!, /opencode-ai/);
  });
});

Deno.test("doctor on a healthy Claude Code session without an OpenCode plugin: ok checks, one warning with the fix, exit 0", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    const json = await box.runInProcess(["doctor", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const report = parseReport(json);
    assert.equal(report.ok, true);
    for (const name of ["auth file", "anthropic entry", "state file", "claude CLI"]) {
      assert.equal(check(report, name).status, "ok", JSON.stringify(check(report, name)));
    }
    assert.match(check(report, "auth file").message, /valid JSON.*0600/);
    assert.match(check(report, "claude CLI").message, /2\.1\.0/);
    assert.equal(check(report, "Claude Code credentials").status, "ok");
    assert.match(check(report, "Claude Code credentials").message, /expires in/);
    assert.equal(check(report, "opencode").status, "ok");
    assert.match(check(report, "opencode").message, /1\.18\.33/);
    assert.equal(check(report, "endpoints").status, "ok");
    assert.equal(check(report, "OPENCODE_AUTH_CONTENT").status, "ok");

    const use = check(report, "oauth entry use");
    assert.equal(use.status, "warn");
    assert.match(use.message, /Anthropic API key is missing/);
    assert.match(use.fix!, /--method api-key/);
    assert.match(use.fix!, /--method browser --create-api-key/);

    const human = await box.runInProcess(["doctor"]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, "");
    assert.match(human.stderr, /^warn +oauth entry use: /m);
    assert.match(human.stderr, /^ok +claude CLI: /m);
    assert.match(human.stderr, /No check failed/);
  });
});

Deno.test("doctor finds a plugin that consumes the oauth entry in OpenCode's config: then no warning at all", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
    await Deno.writeTextFile(
      `${box.configHome}/opencode/opencode.json`,
      JSON.stringify({ plugin: ["some-other-plugin", "opencode-anthropic-auth"] }),
    );
    const report = parseReport(await box.runInProcess(["doctor", "--json"]));
    const use = check(report, "oauth entry use");
    assert.equal(use.status, "ok");
    assert.match(use.message, /opencode-anthropic-auth/);
    assert.doesNotMatch(use.message, /some-other-plugin/);
    // A healthy Claude Code session with a consumer: nothing to warn about.
    assert.deepEqual(withStatus(report, "warn"), []);
    assert.deepEqual(withStatus(report, "fail"), []);
  });
});

Deno.test("doctor: an old OpenCode (< 1.3) has built-in Anthropic OAuth", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    await installOpenCode(box, "0.15.2");
    const report = parseReport(await box.runInProcess(["doctor", "--json"]));
    assert.equal(check(report, "oauth entry use").status, "ok");
  });
});

Deno.test("doctor: an API key needs no plugin (no oauth check)", async () => {
  await withSandbox(async (box) => {
    const key = "sk-ant-api03-DOCTOR-abcdefghijklmnopqrstuvwxyz0123";
    box.plant(key);
    await installOpenCode(box);
    const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: key });
    assert.equal(login.code, 0, login.stderr);
    const result = await box.runInProcess(["doctor", "--json"]);
    const report = parseReport(result);
    assert.equal(check(report, "anthropic entry").status, "ok");
    assert.match(check(report, "anthropic entry").message, /API key/);
    assert(!report.checks.some((c) => c.name === "oauth entry use"));
  });
});

Deno.test("doctor reports OPENCODE_AUTH_CONTENT and endpoint overrides in force", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    box.plant("oc-auth-content-PLANTED-0123456789");
    const env = {
      OPENCODE_AUTH_CONTENT: JSON.stringify({
        anthropic: { type: "api", key: "oc-auth-content-PLANTED-0123456789" },
      }),
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    };
    const result = await box.runInProcess(["doctor", "--json"], { env });
    assert.equal(result.code, 0, result.stderr);
    const report = parseReport(result);
    const content = check(report, "OPENCODE_AUTH_CONTENT");
    assert.equal(content.status, "warn");
    assert.match(content.message, /ignores auth\.json/);
    assert.match(content.fix!, /unset OPENCODE_AUTH_CONTENT/);
    const endpoints = check(report, "endpoints");
    assert.equal(endpoints.status, "info");
    assert.match(endpoints.message, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:9/);

    const bad = await box.runInProcess(["doctor", "--json"], {
      env: { ANTHROPIC_BASE_URL: "http://example.com" },
    });
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(check(parseReport(bad), "endpoints").status, "fail");

    const human = await box.runInProcess(["doctor"], { env });
    assert.match(unwrapReport(human.stderr), /^warn +OPENCODE_AUTH_CONTENT: is set/m);
  });
});

Deno.test("doctor on a Claude Code session without the claude CLI fails (exit 1) and says how to fix it", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    await Deno.remove(`${box.bin}/claude`);
    const result = await box.runInProcess(["doctor", "--json"]);
    assert.equal(result.code, 1, result.stderr);
    const report = parseReport(result);
    assert.equal(report.ok, false);
    const cli = check(report, "claude CLI");
    assert.equal(cli.status, "fail");
    assert.match(cli.fix!, /install Claude Code/);
  });
});

Deno.test("doctor: stale Claude Code credentials and a stale stored token are warnings with a fix", async () => {
  await withSandbox(async (box) => {
    await installFakeClaude(box, { mode: "fail" });
    await installOpenCode(box);
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    await seedClaudeSession(box, stale);
    await Deno.chmod(box.authFile, 0o600);
    await Deno.chmod(`${box.dataHome}/opencode`, 0o700);
    const result = await box.runInProcess(["doctor", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const report = parseReport(result);
    const creds = check(report, "Claude Code credentials");
    assert.equal(creds.status, "warn");
    assert.match(creds.message, /expired/);
    assert.match(creds.fix!, /refresh|claude auth login/);
    const entry = check(report, "anthropic entry");
    assert.equal(entry.status, "warn");
    assert.match(entry.fix!, /refresh/);
    // doctor only looks: it never runs claude.
    const claude = await installFakeClaude(box, { mode: "fail" });
    await box.runInProcess(["doctor"]);
    assert.deepEqual(await claude.runs(), []);
  });
});

Deno.test("doctor warns about loose modes and invalid state, and fails a corrupt auth.json", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    await Deno.chmod(box.authFile, 0o644);
    await Deno.writeTextFile(box.stateFile, "{oops");
    const report = parseReport(await box.runInProcess(["doctor", "--json"]));
    const auth = check(report, "auth file");
    assert.equal(auth.status, "warn");
    assert.match(auth.message, /0644/);
    assert.match(auth.fix!, /chmod 600/);
    assert.equal(check(report, "state file").status, "warn");

    await box.writeAuth('{"anthropic": ');
    const corrupt = await box.runInProcess(["doctor", "--json"]);
    assert.equal(corrupt.code, 1, corrupt.stderr);
    const failed = check(parseReport(corrupt), "auth file");
    assert.equal(failed.status, "fail");
    assert.match(failed.message, /not valid JSON/);
    assert(failed.fix);
  });
});

Deno.test("doctor with a locked Keychain reports it as a check (with its fix), and scrubs what security printed", async () => {
  await withSandbox(async (box) => {
    await healthySession(box);
    const leaked = "sk-ant-oat01-PLANTEDinSecurityStderr0123456789";
    box.plant(leaked);
    await installFakeSecurity(box, {
      Locked: { exitCode: 36 },
      Odd: { exitCode: 51, stderr: `security: odd failure ${leaked}` },
    });
    const locked = await box.runInProcess(["doctor", "--json"], {
      env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "Locked" },
    });
    assert.equal(locked.code, 1, locked.stderr);
    const creds = check(parseReport(locked), "Claude Code credentials");
    assert.equal(creds.status, "fail");
    assert.match(creds.message, /locked/);
    assert.match(creds.fix!, /unlock/);

    for (const args of [["doctor", "--json"], ["doctor"]]) {
      const odd = await box.runInProcess(args, {
        env: { CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: "Odd" },
      });
      assert.equal(odd.code, 1, odd.stderr);
      assert.match(odd.stdout + unwrapReport(odd.stderr), /security exit 51/);
    }
  });
});

/** OpenCode installed, and an API key stored by `login`. */
async function apiKeySetup(box: Sandbox): Promise<void> {
  await installOpenCode(box);
  const login = await box.runInProcess(["login", "--method", "api-key"], {
    stdin: "sk-ant-api03-healthy\n",
  });
  assert.equal(login.code, 0, login.stderr);
}

/** The checks of `report` with status `status`, as "name: message" lines. */
function withStatus(report: Report, status: Check["status"]): string[] {
  return report.checks.filter((c) => c.status === status).map((c) => `${c.name}: ${c.message}`);
}

Deno.test("doctor on a healthy API-key setup: no warning; Claude Code's absence is info without a fix", async () => {
  await withSandbox(async (box) => {
    await apiKeySetup(box);
    // OpenCode's folder as OpenCode makes it (0755): the file itself is 0600.
    await Deno.chmod(`${box.dataHome}/opencode`, 0o755);
    const report = parseReport(await box.runInProcess(["doctor", "--json"]));
    assert.deepEqual(withStatus(report, "warn"), []);
    assert.deepEqual(withStatus(report, "fail"), []);
    assert.equal(check(report, "claude CLI").status, "info");
    assert.equal(check(report, "Claude Code credentials").status, "info");
    assert.equal(check(report, "auth directory").status, "info");
    const human = await box.runInProcess(["doctor"]);
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stderr, /^warn/m);
    assert.doesNotMatch(human.stderr, /claude auth login/);
    assert.match(human.stderr, /^info +claude CLI: /m);
  });
});

Deno.test("doctor: a state folder that cannot be created fails the state check (not 'not created yet')", async () => {
  await withSandbox(async (box) => {
    await apiKeySetup(box);
    // A file where the state folder belongs: nothing can be written under it (even as root).
    await Deno.remove(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
    await Deno.writeTextFile(`${box.configHome}/opencode-claude-code-auth`, "");
    const report = parseReport(await box.runInProcess(["doctor", "--json"]));
    const state = check(report, "state file");
    assert.equal(state.status, "fail", JSON.stringify(state));
    assert.match(state.message, /cannot be written: .*is not a folder/);
    assert.match(state.fix!, /writable/);
  });
});

/**
 * No secret in `--debug` output: every command, run once with `--debug` (in
 * process) and once with CLAUDE_CODE_AUTH_DEBUG=1 (a real process), on setups that make it handle every kind
 * of secret (API keys, browser and Claude Code tokens, codes, verifiers,
 * minted keys, secrets quoted back by servers and by `claude`). The scan is the
 * harness's single check, `Sandbox.assertNoLeak` (through `box.run` or the
 * browser driver); only `token`'s stdout may hold the token it prints.
 */

import assert from "node:assert/strict";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { claudePayload, claudeTokens, installFakeClaude } from "../fakes/claude_code.ts";
import { type RunResult, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import {
  ageLastRefresh,
  driveBrowserLogin,
  plantFakeSecrets,
  seedBrowserEntry,
} from "../helpers/browser_login.ts";

/**
 * How debug output is switched on, and where the CLI runs: every scenario once
 * in a real process (what Deno itself prints is scanned too) and once in-process.
 */
const MODES: { name: string; args: string[]; env: Record<string, string>; spawn: boolean }[] = [
  { name: "--debug", args: ["--debug"], env: {}, spawn: false },
  {
    name: "CLAUDE_CODE_AUTH_DEBUG=1",
    args: [],
    env: { CLAUDE_CODE_AUTH_DEBUG: "1" },
    spawn: true,
  },
];

interface World {
  box: Sandbox;
  fake: FakeAnthropic;
  debug: { args: string[]; env: Record<string, string> };
  /**
   * Run the CLI with debug on and the fake's endpoints, then scan it: after
   * the run, so that tokens the fake issued during it are planted too.
   * `allowOnStdout` (evaluated after the run) names what `token` may print.
   */
  run(
    args: string[],
    options?: { stdin?: string; allowOnStdout?: () => string[] },
  ): Promise<RunResult>;
}

function assertDebugged(result: RunResult, what: string): void {
  assert.match(result.stderr, /^debug: /m, `${what}: no debug output:\n${result.stderr}`);
}

async function claudeSession(w: World, stale: boolean): Promise<{ fresh: string }> {
  const path = `${w.box.home}/.claude/.credentials.json`;
  await Deno.mkdir(`${w.box.home}/.claude`, { recursive: true });
  const old = claudeTokens(Date.now() + (stale ? -60_000 : 8 * 3600_000));
  const renewed = claudeTokens(Date.now() + 8 * 3600_000);
  w.box.plant(old.accessToken, old.refreshToken, renewed.accessToken, renewed.refreshToken);
  await Deno.writeTextFile(path, claudePayload(old));
  await installFakeClaude(w.box, {
    mode: "refresh",
    credentialsPath: path,
    next: claudePayload(renewed),
  });
  return { fresh: stale ? renewed.accessToken : old.accessToken };
}

/** The scenarios: each runs once per debug mode in a fresh sandbox. */
const SCENARIOS: { name: string; fn: (w: World) => Promise<void> }[] = [
  {
    name: "login --method api-key, status, status --json, refresh --force, logout",
    fn: async (w) => {
      const key = "sk-ant-api03-LEAKTEST-0123456789abcdefghij";
      w.box.plant(key);
      for (
        const [args, stdin] of [
          [["login", "--method", "api-key"], key],
          [["status"]],
          [["status", "--json"]],
          [["refresh", "--force"]],
          [["logout"]],
        ] as [string[], string?][]
      ) {
        const result = await w.run(args, { stdin });
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
        assertDebugged(result, args.join(" "));
      }
    },
  },
  {
    name: "token on an API key prints the key only on stdout",
    fn: async (w) => {
      const key = "sk-ant-api03-LEAKTEST-token-0123456789abcdef";
      w.box.plant(key);
      await w.run(["login", "--method", "api-key"], { stdin: key });
      const result = await w.run(["token"], { allowOnStdout: () => [key] });
      assert.equal(result.stdout, `${key}\n`);
      assertDebugged(result, "token");
    },
  },
  {
    name: "login --method browser (code, state, verifier, tokens)",
    fn: async (w) => {
      const result = await driveBrowserLogin(w.box, w.fake, {
        args: w.debug.args,
        env: w.debug.env,
      });
      assert.equal(result.code, 0, result.stderr);
      assertDebugged(result, "login --method browser");
    },
  },
  {
    name: "login --method browser --create-api-key (minted key)",
    fn: async (w) => {
      const result = await driveBrowserLogin(w.box, w.fake, {
        args: ["--create-api-key", ...w.debug.args],
        env: w.debug.env,
      });
      assert.equal(result.code, 0, result.stderr);
      assertDebugged(result, "login --create-api-key");
    },
  },
  {
    name: "token, refresh --force, status --check on a browser sign-in (rotating tokens)",
    fn: async (w) => {
      await seedBrowserEntry(w.box, w.fake);
      const newest = () => w.fake.issued[w.fake.issued.length - 1].access;
      const token = await w.run(["token"], { allowOnStdout: () => [newest()] });
      assert.equal(token.stdout, `${newest()}\n`);
      assertDebugged(token, "token (refresh)");
      // As if the minimum interval had passed: a forced refresh is then allowed.
      await ageLastRefresh(w.box);
      for (const args of [["refresh", "--force"], ["status", "--check"], ["status", "--json"]]) {
        const result = await w.run(args);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
        assertDebugged(result, args.join(" "));
      }
    },
  },
  {
    name: "a refresh rejected with the refresh token quoted back (invalid_grant)",
    fn: async (w) => {
      const seeded = await seedBrowserEntry(w.box, w.fake);
      w.fake.script.push({
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          error: "invalid_grant",
          error_description: `token ${seeded.refresh} revoked; access ${seeded.access}`,
        }),
      });
      const result = await w.run(["refresh", "--force"]);
      assert.equal(result.code, 4, result.stderr);
      assertDebugged(result, "refresh (invalid_grant)");
    },
  },
  {
    name: "login --method claude-code, token and refresh --force on a Claude Code session",
    fn: async (w) => {
      const session = await claudeSession(w, true);
      const login = await w.run(["login", "--method", "claude-code"]);
      assert.equal(login.code, 0, login.stderr);
      assertDebugged(login, "login --method claude-code");
      const token = await w.run(["token"], { allowOnStdout: () => [session.fresh] });
      assert.equal(token.stdout, `${session.fresh}\n`);
      const refresh = await w.run(["refresh", "--force"]);
      assert.equal(refresh.code, 0, refresh.stderr);
      assertDebugged(refresh, "refresh --force (claude)");
    },
  },
  {
    name: "a failing `claude` whose stderr quotes the tokens",
    fn: async (w) => {
      const path = `${w.box.home}/.claude/.credentials.json`;
      await Deno.mkdir(`${w.box.home}/.claude`, { recursive: true });
      const old = claudeTokens(Date.now() - 60_000);
      w.box.plant(old.accessToken, old.refreshToken);
      await Deno.writeTextFile(path, claudePayload(old));
      await installFakeClaude(w.box, {
        mode: "fail",
        stderr: `OAuth error: refresh ${old.refreshToken} failed for ${old.accessToken}`,
      });
      const result = await w.run(["login", "--method", "claude-code"]);
      assert.equal(result.code, 4, result.stderr);
      assertDebugged(result, "login (claude fails)");
    },
  },
  {
    name: "doctor, doctor --json, run -- opencode, completions with secrets stored",
    fn: async (w) => {
      await claudeSession(w, false);
      await w.run(["login", "--method", "claude-code"]);
      await w.box.installExecutable("opencode", "#!/bin/sh\necho opencode-ran\n");
      for (
        const args of [
          ["doctor"],
          ["doctor", "--json"],
          ["run", "--", "opencode", "serve"],
          ["completions", "bash"],
        ]
      ) {
        const result = await w.run(args);
        assert.notEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        assertDebugged(result, args.join(" "));
      }
    },
  },
];

for (const mode of MODES) {
  for (const scenario of SCENARIOS) {
    Deno.test(`leak (${mode.name}): ${scenario.name}`, async () => {
      await withSandbox(async (box) => {
        const fake = await FakeAnthropic.start();
        try {
          const world: World = {
            box,
            fake,
            debug: mode,
            run: async (args, options = {}) => {
              const full = [...mode.args, ...args];
              const runOptions = {
                stdin: options.stdin,
                env: { ...fake.env(), ...mode.env },
                skipLeakCheck: true, // scanned below, once the run's tokens are planted
              };
              const result = mode.spawn
                ? await box.run(full, runOptions)
                : await box.runInProcess(full, runOptions);
              plantFakeSecrets(box, fake);
              box.assertNoLeak(full, result, options.allowOnStdout?.() ?? []);
              return result;
            },
          };
          await scenario.fn(world);
        } finally {
          await fake.close();
        }
      });
    });
  }
}

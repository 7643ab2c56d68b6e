/**
 * Refreshing a Claude Code session through the `claude` CLI (a fake that
 * records its arguments, working directory and stdin): fresh tokens are copied
 * without running it; stale ones make it run exactly as the contract says;
 * hangs, failures and a missing CLI end in exit 4 with the contract's sentence.
 * In-process (`box.runInProcess`, the fake `claude` still a real child).
 * Spawned: the stdin-closed check (only a real process has a stdin `claude`
 * could inherit), the hang and SIGTERM kills (signals), and the 20-process stampede.
 */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens, installFakeClaude } from "../fakes/claude_code.ts";
import { assertCleanError, withSandbox } from "../helpers/sandbox.ts";
import {
  assertStored,
  defaultClaudeFile,
  exists,
  freshTokens,
  HOURS_8,
  seedClaudeSession,
  staleClaudeSession,
  staleTokens,
  storedEntry,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";

/** Whether process `pid` exists (`kill -0`). */
async function isRunning(pid: number): Promise<boolean> {
  const probe = await new Deno.Command("/bin/sh", {
    args: ["-c", `kill -0 ${pid} 2>/dev/null`],
    stdout: "null",
    stderr: "null",
  }).output();
  return probe.success;
}

const STILL_EXPIRED =
  "Claude session is still expired. Run `claude auth login --claudeai` and try again.";
const LOGIN = ["login", "--method", "claude-code"];
/** Data on the CLI's stdin: a `claude` that inherited it would read it. */
const STDIN = "this line must not reach claude\n";

Deno.test("fresh credentials are copied to auth.json without running claude", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    const claude = await installFakeClaude(box, { mode: "fail" });
    const result = await box.runInProcess(LOGIN, { stdin: STDIN });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    await assertStored(box, tokens);
    assert.deepEqual(await claude.runs(), []);

    const token = await box.runInProcess(["token"], { allowOnStdout: [tokens.accessToken] });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout, `${tokens.accessToken}\n`);
    assert.equal(token.stderr, "");
    assert.deepEqual(await claude.runs(), []);
  });
});

Deno.test("stale credentials: claude runs with exactly `-p . --model claude-haiku-4-5`, stdin closed, in a removed temporary directory", async () => {
  await withSandbox(async (box) => {
    const { next, claude } = await staleClaudeSession(box);
    const project = `${box.root}/my project`;
    await Deno.mkdir(project);
    const result = await box.run(LOGIN, { stdin: STDIN, cwd: project });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, next);

    const runs = await claude.runs();
    assert.equal(runs.length, 1);
    const [run] = runs;
    assert.deepEqual(run.args, ["-p", ".", "--model", "claude-haiku-4-5"]);
    assert.equal(run.stdin, "eof", "claude must get a closed stdin, not the CLI's");
    assert.notEqual(run.cwd, project);
    assert(!run.cwd.startsWith(box.root), `claude ran inside the sandbox: ${run.cwd}`);
    assert(!run.cwd.startsWith(box.home), run.cwd);
    assert.equal(await exists(run.cwd), false, `temporary directory ${run.cwd} was left behind`);
    // Nothing landed in the user's project.
    assert.deepEqual([...Deno.readDirSync(project)], []);
  });
});

Deno.test("CLAUDE_CODE_AUTH_REFRESH_MODEL picks the model; each refresh gets its own directory", async () => {
  await withSandbox(async (box) => {
    const file = await writeClaudeFile(box, staleTokens(box));
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(freshTokens(box)),
    });
    const env = { CLAUDE_CODE_AUTH_REFRESH_MODEL: "claude-sonnet-4-5" };
    const first = await box.runInProcess(LOGIN, { env });
    assert.equal(first.code, 0, first.stderr);
    await writeClaudeFile(box, staleTokens(box));
    const second = await box.runInProcess(LOGIN, { env });
    assert.equal(second.code, 0, second.stderr);
    const runs = await claude.runs();
    assert.equal(runs.length, 2);
    for (const run of runs) {
      assert.deepEqual(run.args, ["-p", ".", "--model", "claude-sonnet-4-5"]);
      assert.equal(await exists(run.cwd), false);
    }
    assert.notEqual(runs[0].cwd, runs[1].cwd);
  });
});

Deno.test("staleness uses the 60 s skew, and CLAUDE_CODE_AUTH_REFRESH_SKEW_MS overrides it", async () => {
  await withSandbox(async (box) => {
    // Expires in 30 s: stale under the default 60 s skew.
    const soon = claudeTokens(Date.now() + 30_000);
    box.plant(soon.accessToken, soon.refreshToken);
    const file = await writeClaudeFile(box, soon);
    const next = freshTokens(box);
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(next),
    });
    const skewed = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "1000" },
    });
    assert.equal(skewed.code, 0, skewed.stderr);
    await assertStored(box, soon);
    assert.equal((await claude.runs()).length, 0);

    const byDefault = await box.runInProcess(LOGIN);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    await assertStored(box, next);
    assert.equal((await claude.runs()).length, 1);

    // Expires in 2 h: stale with a 3 h skew (the fake's refresh gives 8 h).
    const twoHours = claudeTokens(Date.now() + 2 * 3600_000);
    box.plant(twoHours.accessToken, twoHours.refreshToken);
    await writeClaudeFile(box, twoHours);
    const big = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "10800000" },
    });
    assert.equal(big.code, 0, big.stderr);
    assert.equal((await claude.runs()).length, 2);
    await assertStored(box, next);

    const bad = await box.runInProcess(LOGIN, {
      env: { CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "soon" },
    });
    assert.equal(bad.code, 2);
    assertCleanError(bad, "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS");
  });
});

Deno.test("a claude that hangs is killed at CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: exit 4, the sentence and the reason", async () => {
  await withSandbox(async (box) => {
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    const claude = await installFakeClaude(box, { mode: "hang" });
    const result = await box.run(LOGIN, {
      env: { CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "300" },
    });
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(result, STILL_EXPIRED);
    assert.match(result.stderr, /timed out/);
    const [run] = await claude.runs();
    assert(run, "claude never started");
    assert.equal(await isRunning(run.pid), false, "the hanging claude is still running");
    assert.equal(await exists(run.cwd), false);
    assert.equal(await box.readAuthText(), null);
  });
});

Deno.test("a claude that fails: exit 4, the exact sentence, its stderr as the reason with secrets redacted", async () => {
  await withSandbox(async (box) => {
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    const apiKey = "sk-ant-api03-PLANTEDkeyInClaudeStderr0123456789";
    box.plant(apiKey);
    await installFakeClaude(box, {
      mode: "fail",
      exitCode: 3,
      stderr:
        `OAuth token refresh failed for ${stale.refreshToken} (access ${stale.accessToken}, key ${apiKey}): 400 invalid_grant`,
    });
    // A stored session whose token is stale too: `token` must fail the same way.
    await seedClaudeSession(box, stale);
    // --debug too: its lines are scanned for the planted secrets like every message.
    for (const args of [LOGIN, ["token"], ["refresh"], ["--debug", "token"]]) {
      const result = await box.runInProcess(args);
      assert.equal(result.code, 4, `${args.join(" ")}: ${result.stderr}`);
      if (args[0] === "--debug") assert(result.stderr.includes(STILL_EXPIRED), result.stderr);
      else assertCleanError(result, STILL_EXPIRED);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /exit(ed with)? code 3/);
      assert.match(result.stderr, /400 invalid_grant/);
      assert.match(
        result.stderr,
        /sk-ant-ort01-…/,
        "the redacted token should still be recognisable",
      );
      assert.equal(result.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
    }
    await assertStored(box, stale);
  });
});

Deno.test("a claude that exits non-zero but did refresh is a success (credentials re-read whatever the exit code)", async () => {
  await withSandbox(async (box) => {
    const file = await writeClaudeFile(box, staleTokens(box));
    const next = freshTokens(box);
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(next),
      exitCode: 1,
    });
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, next);
    assert.equal((await claude.runs()).length, 1);
  });
});

Deno.test("a claude that exits 0 but renews nothing: exit 4 with the sentence and why", async () => {
  await withSandbox(async (box) => {
    await writeClaudeFile(box, staleTokens(box));
    await installFakeClaude(box, { mode: "noop" });
    const result = await box.runInProcess(LOGIN);
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(result, STILL_EXPIRED);
    assert.match(result.stderr, /did not renew/);
  });
});

Deno.test("claude missing from PATH: exit 4 with the sentence, saying claude was not found", async () => {
  await withSandbox(async (box) => {
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    await seedClaudeSession(box, stale);
    for (const args of [LOGIN, ["token"]]) {
      const result = await box.runInProcess(args);
      assert.equal(result.code, 4, result.stderr);
      assertCleanError(result, STILL_EXPIRED);
      assert.match(result.stderr, /`claude` CLI was not found/);
    }
  });
});

Deno.test("20 concurrent `token` calls on a stale session start claude exactly once and print the same token", async () => {
  await withSandbox(async (box) => {
    const { next, claude } = await staleClaudeSession(box, {
      stored: true,
      delayMs: 400,
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => box.run(["token"], { allowOnStdout: [next.accessToken] })),
    );
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${next.accessToken}\n`);
    }
    assert.equal((await claude.runs()).length, 1);
    await assertStored(box, next);
  });
});

Deno.test("`token` picks up a refresh Claude Code did on its own, without running claude", async () => {
  await withSandbox(async (box) => {
    const old = staleTokens(box);
    await seedClaudeSession(box, old);
    const renewed = freshTokens(box);
    await writeClaudeFile(box, renewed);
    const claude = await installFakeClaude(box, { mode: "fail" });
    const token = await box.runInProcess(["token"], { allowOnStdout: [renewed.accessToken] });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout, `${renewed.accessToken}\n`);
    await assertStored(box, renewed);
    assert.deepEqual(await claude.runs(), []);

    // Also when the stored token was still fresh: Claude Code's newer one wins.
    const newer = claudeTokens(Date.now() + HOURS_8 + 3600_000);
    box.plant(newer.accessToken, newer.refreshToken);
    await writeClaudeFile(box, newer);
    const again = await box.runInProcess(["token"], { allowOnStdout: [newer.accessToken] });
    assert.equal(again.stdout, `${newer.accessToken}\n`);
    await assertStored(box, newer);
    assert.deepEqual(await claude.runs(), []);
  });
});

Deno.test("`token` with Claude Code's credentials gone: a fresh stored token still works (warning), a stale one is exit 4", async () => {
  await withSandbox(async (box) => {
    const stored = freshTokens(box);
    await seedClaudeSession(box, stored);
    const ok = await box.runInProcess(["token"], { allowOnStdout: [stored.accessToken] });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `${stored.accessToken}\n`);
    assert.match(ok.stderr, /warning: .*not found/);

    const stale = staleTokens(box);
    await seedClaudeSession(box, stale);
    const ko = await box.runInProcess(["token"]);
    assert.equal(ko.code, 4, ko.stderr);
    assertCleanError(ko, "no Claude Code sign-in found");
    assert.equal(ko.stdout, "");
  });
});

Deno.test("`refresh` runs claude only when stale; `refresh --force` always does", async () => {
  await withSandbox(async (box) => {
    const fresh = freshTokens(box);
    const file = await writeClaudeFile(box, fresh);
    await seedClaudeSession(box, fresh);
    const next = freshTokens(box);
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(next),
    });

    const idle = await box.runInProcess(["refresh"]);
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(idle.stderr, /still fresh/);
    assert.equal((await claude.runs()).length, 0);
    await assertStored(box, fresh);

    const forced = await box.runInProcess(["refresh", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await claude.runs()).length, 1);
    assert.match(forced.stderr, /Refreshed the Claude Code session/);
    await assertStored(box, next);

    // Stale: a plain refresh runs claude.
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    await seedClaudeSession(box, stale);
    const newest = freshTokens(box);
    await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(newest),
    });
    const plain = await box.runInProcess(["refresh"]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal((await claude.runs()).length, 2);
    await assertStored(box, newest);
    assert.equal((await storedEntry(box)).access, newest.accessToken);
  });
});

Deno.test("`refresh --force` when claude keeps the same (fresh) token: success, says the token was kept", async () => {
  await withSandbox(async (box) => {
    const fresh = freshTokens(box);
    await writeClaudeFile(box, fresh);
    await seedClaudeSession(box, fresh);
    const claude = await installFakeClaude(box, { mode: "noop" });
    const result = await box.runInProcess(["refresh", "--force"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await claude.runs()).length, 1);
    assert.match(result.stderr, /kept its current token/);
    await assertStored(box, fresh);
  });
});

Deno.test("the Claude Code session is re-read from the file Claude Code rewrote, not from a cached path", async () => {
  await withSandbox(async (box) => {
    // Claude Code's file is in CLAUDE_CONFIG_DIR; the refresh writes there.
    const dir = `${box.root}/cfg`;
    const file = await writeClaudeFile(box, staleTokens(box), `${dir}/.credentials.json`);
    const next = freshTokens(box);
    await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(next),
    });
    const result = await box.runInProcess(LOGIN, { env: { CLAUDE_CONFIG_DIR: dir } });
    assert.equal(result.code, 0, result.stderr);
    await assertStored(box, next);
    assert.equal(await exists(defaultClaudeFile(box)), false);
  });
});

Deno.test("a claude that ignores SIGTERM at the time limit is killed anyway", async () => {
  await withSandbox(async (box) => {
    await writeClaudeFile(box, staleTokens(box));
    const pidFile = `${box.root}/stubborn.pid`;
    await box.installExecutable(
      "claude",
      `#!/bin/sh\nPATH=/usr/bin:/bin\ntrap '' TERM\necho $$ > '${pidFile}'\nwhile :; do sleep 0.1; done\n`,
    );
    const result = await box.run(LOGIN, { env: { CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "200" } });
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(result, STILL_EXPIRED);
    assert.match(result.stderr, /timed out/);
    const pid = Number((await Deno.readTextFile(pidFile)).trim());
    assert.equal(await isRunning(pid), false, "the stubborn claude is still running");
  });
});

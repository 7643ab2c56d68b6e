/**
 * `run -- CMD` with a Claude Code session: the child is a fake `opencode` sh
 * script (the permission flags allow starting only claude, security,
 * opencode and browser openers).
 */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens, installFakeClaude } from "../fakes/claude_code.ts";
import { assertCleanError, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { memoryIo } from "../helpers/context.ts";
import { HANG_MS, hangGuard } from "../helpers/wait.ts";
import {
  assertStored,
  exists,
  freshTokens,
  seedClaudeSession,
  staleClaudeSession,
  staleTokens,
  waitFor,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A real OpenCode (OPENCODE_BIN, or the one .ci/run installs into .tools/), if present. */
const REAL_OPENCODE = [Deno.env.get("OPENCODE_BIN"), `${ROOT}.tools/node_modules/.bin/opencode`]
  .find((candidate) => {
    if (!candidate) return false;
    try {
      Deno.statSync(candidate);
      return true;
    } catch {
      return false;
    }
  });

const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Install a fake `opencode` running `body` (sh), with PATH set and ROOT the
 * sandbox root. The body runs with default signal dispositions: a test run
 * started from a background shell inherits SIGINT and SIGQUIT ignored, which
 * sh could neither trap nor reset (the forwarding test would then wait forever).
 */
async function installChild(box: Sandbox, body: string): Promise<string> {
  await Deno.writeTextFile(
    `${box.root}/opencode-body.sh`,
    `PATH=/usr/bin:/bin\nROOT=${shQuote(box.root)}\n${body}\n`,
  );
  return await box.installExecutable(
    "opencode",
    `#!/bin/sh\nexec /usr/bin/env --default-signal=INT,QUIT /bin/sh ${
      shQuote(`${box.root}/opencode-body.sh`)
    } "$@"\n`,
  );
}

Deno.test("run -- opencode ARGS: the child gets its arguments and the fresh token, and its exit code is returned", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    const claude = await installFakeClaude(box, { mode: "fail" });
    await installChild(
      box,
      `for a in "$@"; do printf '%s\\n' "$a"; done > "$ROOT/child-args"\necho "child says hi"\nexit 3`,
    );
    const args = ["serve", "--port", "4096", "--debug", "--", "two words"];
    const result = await box.run(["run", "--", "opencode", ...args]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, "child says hi\n");
    assert.equal(await Deno.readTextFile(`${box.root}/child-args`), args.join("\n") + "\n");
    assert.deepEqual(await claude.runs(), []);

    for (const code of [0, 1, 77]) {
      await installChild(box, `exit ${code}`);
      const again = await box.run(["run", "--", "opencode"]);
      assert.equal(again.code, code, again.stderr);
    }
  });
});

Deno.test("run -- CMD on a stale session refreshes before the child starts", async () => {
  await withSandbox(async (box) => {
    const { next, claude } = await staleClaudeSession(box, { stored: true });
    await installChild(box, `cp "$XDG_DATA_HOME/opencode/auth.json" "$ROOT/child-saw.json"`);
    const result = await box.run(["run", "--", "opencode"]);
    assert.equal(result.code, 0, result.stderr);
    const saw = JSON.parse(await Deno.readTextFile(`${box.root}/child-saw.json`));
    assert.equal(saw.anthropic.access, next.accessToken);
    assert.equal((await claude.runs()).length, 1);
  });
});

Deno.test("run -- CMD refreshes again before expiry while a long child runs", async () => {
  await withSandbox(async (box) => {
    // In this process, on a clock the test moves: fresh when `run` starts, due once the
    // child has recorded the first token. The refresh then happens on the refresher's next
    // timer, however long the start took on a loaded machine.
    const skewMs = 2_000;
    const start = Date.now();
    let clock = start;
    const first = claudeTokens(start + skewMs + 500);
    box.plant(first.accessToken, first.refreshToken);
    const next = freshTokens(box);
    const file = await writeClaudeFile(box, first);
    await seedClaudeSession(box, first);
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath: file,
      next: claudePayload(next),
      delayMs: 500, // long enough for a spinner to draw, if one were shown
    });
    // The child records what it saw at start, then waits for the new token.
    await installChild(
      box,
      `AUTH="$XDG_DATA_HOME/opencode/auth.json"
cp "$AUTH" "$ROOT/child-start.json"
: > "$ROOT/child-started"
until grep -q ${shQuote(next.accessToken)} "$AUTH"; do sleep 0.05; done
cp "$AUTH" "$ROOT/child-end.json"`,
    );
    // Its stderr is a terminal, as when `run -- opencode` is used: the child owns the screen.
    const io = Object.assign(memoryIo(), { stderrIsTerminal: () => true });
    const run = box.runInProcess(["--debug", "run", "--", "opencode", "serve"], {
      io,
      now: () => clock,
      env: { CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: String(skewMs) },
    });
    await waitFor("the child to start", () => exists(`${box.root}/child-started`));
    clock = first.expiresAt;
    const result = await hangGuard("`run -- opencode` (the child never saw the new token?)", run);
    assert.equal(result.code, 0, result.stderr);
    const atStart = JSON.parse(await Deno.readTextFile(`${box.root}/child-start.json`));
    assert.equal(atStart.anthropic.access, first.accessToken, "refreshed before the child started");
    const atEnd = JSON.parse(await Deno.readTextFile(`${box.root}/child-end.json`));
    assert.equal(atEnd.anthropic.access, next.accessToken);
    const runs = await claude.runs();
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].args, ["-p", ".", "--model", "claude-haiku-4-5"]);
    assert.equal(runs[0].stdin, "eof");
    assert.match(result.stderr, /debug: refreshed the token/);
    // No spinner or progress line drawn over the child's screen.
    assert.doesNotMatch(result.stderr, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|Refreshing the Claude Code session/);
    await assertStored(box, next);
  });
});

for (const [signal, code] of [["SIGTERM", 42], ["SIGINT", 43]] as const) {
  Deno.test(`run -- CMD forwards ${signal} to the child and returns its exit code`, async () => {
    await withSandbox(async (box) => {
      const tokens = freshTokens(box);
      await writeClaudeFile(box, tokens);
      await seedClaudeSession(box, tokens);
      await installChild(
        box,
        `trap 'echo TERM > "$ROOT/child-signal"; kill $pid; exit 42' TERM
trap 'echo INT > "$ROOT/child-signal"; kill $pid; exit 43' INT
sleep 1000 &
pid=$!
echo "$$ $pid" > "$ROOT/child-started"
wait $pid
exit 5`,
      );
      const cli = box.command(["run", "--", "opencode"]).spawn();
      await cli.stdin.close();
      await waitFor("the child to start", () => exists(`${box.root}/child-started`));
      const pids = (await Deno.readTextFile(`${box.root}/child-started`)).trim().split(" ");
      cli.kill(signal);
      // A run that did not end, or a child left running (its pipes keep output() open),
      // must fail this test with what was still running, not hang the suite.
      let hung: string | null = null;
      const guard = setTimeout(() => {
        hung = stillRunning([String(cli.pid), ...pids]);
        for (const pid of [cli.pid, ...pids.map(Number)]) {
          try {
            Deno.kill(pid, "SIGKILL");
          } catch { /* already gone */ }
        }
      }, HANG_MS);
      const output = await cli.output();
      clearTimeout(guard);
      assert.equal(hung, null, `\`run -- opencode\` hung; still running then:\n${hung}`);
      assert.equal(output.signal, null, "`run -- opencode` was killed");
      const result = {
        code: output.code,
        stdout: new TextDecoder().decode(output.stdout),
        stderr: new TextDecoder().decode(output.stderr),
      };
      box.assertNoLeak(["run", "--", "opencode"], result);
      assert.equal(result.code, code, result.stderr);
      assert.equal(
        (await Deno.readTextFile(`${box.root}/child-signal`)).trim(),
        signal.slice(3),
      );
    });
  });
}

// Every signal, not only the forwarded ones (Linux numbering; this suite runs on Linux).
const SIGNAL_EXITS = [
  ["KILL", 137],
  ["QUIT", 131],
  ["ABRT", 134],
  ["USR1", 138],
  ["SEGV", 139],
  ["USR2", 140],
  ["PIPE", 141],
  ["ALRM", 142],
] as const;

Deno.test("run -- CMD: a child ended by any signal gives 128 + its number", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    for (const [signal, code] of SIGNAL_EXITS) {
      await installChild(box, `kill -${signal} $$`);
      const result = await box.run(["run", "--", "opencode"]);
      assert.equal(result.code, code, `SIG${signal}: ${result.stderr}`);
    }
  });
});

Deno.test("run -- CMD that the permission flags do not allow: exit 2, clear message, nothing started", async () => {
  await withSandbox(async (box) => {
    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    await box.installExecutable(
      "mytool",
      `#!/bin/sh\necho ran > ${shQuote(`${box.root}/mytool-ran`)}\n`,
    );
    const result = await box.run(["run", "--", "mytool", "--flag"]);
    assert.equal(result.code, 2, result.stderr);
    assertCleanError(result, "the permission flags do not allow starting 'mytool'");
    assert.match(result.stderr, /--allow-run/);
    assert.equal(await exists(`${box.root}/mytool-ran`), false);
  });
});

Deno.test("run -- CMD: missing command is exit 1; no command is exit 2; not signed in is exit 4 without starting it", async () => {
  await withSandbox(async (box) => {
    await installChild(box, `echo ran > "$ROOT/child-ran"`);
    const notSignedIn = await box.run(["run", "--", "opencode"]);
    assert.equal(notSignedIn.code, 4, notSignedIn.stderr);
    assertCleanError(notSignedIn, "not signed in");
    assert.equal(await exists(`${box.root}/child-ran`), false);

    const tokens = freshTokens(box);
    await writeClaudeFile(box, tokens);
    await seedClaudeSession(box, tokens);
    await Deno.remove(`${box.bin}/opencode`);
    const missing = await box.run(["run", "--", "opencode"]);
    assert.equal(missing.code, 1, missing.stderr);
    assertCleanError(missing, "command not found: opencode");

    const none = await box.run(["run"]);
    assert.equal(none.code, 2, none.stderr);
    assertCleanError(none, "needs a command");
  });
});

Deno.test("run -- CMD when claude cannot revive a stale session: exit 4 with the sentence, child not started", async () => {
  await withSandbox(async (box) => {
    const stale = staleTokens(box);
    await writeClaudeFile(box, stale);
    await seedClaudeSession(box, stale);
    await installFakeClaude(box, { mode: "fail", stderr: "Error: not logged in" });
    await installChild(box, `echo ran > "$ROOT/child-ran"`);
    const result = await box.run(["run", "--", "opencode"]);
    assert.equal(result.code, 4, result.stderr);
    assertCleanError(
      result,
      "Claude session is still expired. Run `claude auth login --claudeai` and try again.",
    );
    assert.equal(await exists(`${box.root}/child-ran`), false);
  });
});

Deno.test({
  name:
    "with a real OpenCode: `run -- opencode auth list` shows Anthropic as oauth, and doctor reads its version",
  ignore: !REAL_OPENCODE,
  async fn() {
    await withSandbox(async (box) => {
      await writeClaudeFile(box, freshTokens(box));
      await Deno.symlink(await Deno.realPath(REAL_OPENCODE!), `${box.bin}/opencode`);
      const login = await box.run(["login", "--method", "claude-code"]);
      assert.equal(login.code, 0, login.stderr);
      const list = await box.run(["run", "--", "opencode", "auth", "list"]);
      assert.equal(list.code, 0, list.stderr);
      // deno-lint-ignore no-control-regex
      const text = (list.stdout + list.stderr).replace(/\x1b\[[0-9;]*m/g, "");
      assert.match(text, /Anthropic\s+oauth/);
      const doctor = await box.run(["doctor", "--json"]);
      const checks = JSON.parse(doctor.stdout).checks as { name: string; message: string }[];
      assert.match(checks.find((c) => c.name === "opencode")!.message, /\d+\.\d+\.\d+/);
    });
  },
});

/** `ps` lines of those of `pids` that still run (for a hang's message). */
function stillRunning(pids: string[]): string {
  const ps = new Deno.Command("ps", {
    args: ["-o", "pid,ppid,pgid,stat,args", "-p", pids.join(",")],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  return new TextDecoder().decode(ps.stdout);
}

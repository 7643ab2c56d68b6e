/**
 * A `claude` that is timed out or interrupted is ended with everything it
 * started, and its temporary folder is removed on every exit path (issue 10,
 * class 8). Real processes under the start task's flags (`kill` is allowed,
 * so the whole process group is signalled), since signals and process groups
 * are what is tested.
 */

import assert from "node:assert/strict";
import { claudeTokens } from "../fakes/claude_code.ts";
import {
  exists,
  seedClaudeSession,
  staleClaudeSession,
  waitFor,
  writeClaudeFile,
} from "../helpers/claude_code_session.ts";
import { alive, gone, readPid } from "../helpers/processes.ts";
import { hangGuard } from "../helpers/wait.ts";
import { withSandbox } from "../helpers/sandbox.ts";

/**
 * A fake `claude` that starts a grandchild (its pid written down), records its
 * cwd, and hangs. The sandbox's PATH holds only fakes; a real one holds `kill`
 * (/bin/kill), which the tool uses to end a whole process group.
 */
async function installHangingClaude(
  box: { root: string; installExecutable: (n: string, s: string) => Promise<string> },
) {
  await box.installExecutable("kill", '#!/bin/sh\nexec /bin/kill "$@"\n');
  await box.installExecutable(
    "claude",
    `#!/bin/sh
PATH=/usr/bin:/bin
echo $$ > '${box.root}/claude-pid'
pwd > '${box.root}/claude-cwd'
sleep 300 &
echo $! > '${box.root}/grandchild'
wait
`,
  );
}

/** The hanging `claude`'s grandchild ended and its temporary folder (its cwd) is gone. */
async function assertClaudeCleanedUp(box: { root: string }): Promise<void> {
  const grandchild = Number(await Deno.readTextFile(`${box.root}/grandchild`));
  assert(await gone(grandchild), `grandchild ${grandchild} still runs: hung?`);
  const cwd = (await Deno.readTextFile(`${box.root}/claude-cwd`)).trim();
  assert.equal(await exists(cwd), false, `temporary folder ${cwd} left behind`);
}

const posix = Deno.build.os !== "windows";

Deno.test({
  name:
    "a `claude` past its time limit: exit 4, its grandchild ended, its temporary folder removed",
  ignore: !posix,
  fn: async () => {
    await withSandbox(async (box) => {
      await staleClaudeSession(box, { stored: true });
      await installHangingClaude(box);
      const result = await box.run(["token"], {
        env: { CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "800" },
      });
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /timed out after 0\.8 s/);
      await assertClaudeCleanedUp(box);
    });
  },
});

for (
  const [signal, code, line] of [
    ["SIGINT", 130, /^cancelled$/m],
    ["SIGTERM", 143, /^cancelled \(SIGTERM\)$/m],
    ["SIGHUP", 129, /^cancelled \(SIGHUP\)$/m],
  ] as const
) {
  Deno.test({
    name:
      `${signal} while \`claude\` runs: exit ${code}, one line, its grandchild ended, its temporary folder removed, auth.json untouched`,
    ignore: !posix,
    fn: async () => {
      await withSandbox(async (box) => {
        await staleClaudeSession(box, { stored: true });
        await installHangingClaude(box);
        const before = await box.readAuthText();
        const child = box.command(["token"], {
          env: { CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "600000" },
        }).spawn();
        await child.stdin.close();
        // The grandchild is written after the CLI listens for signals (it does before spawning).
        await waitFor("claude to start", () => exists(`${box.root}/grandchild`));
        child.kill(signal);
        const output = await child.output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, code, stderr);
        assert.match(stderr, line);
        assert.doesNotMatch(stderr, /error:/);
        await assertClaudeCleanedUp(box);
        assert.equal(await box.readAuthText(), before);
      });
    },
  });
}

Deno.test({
  name:
    "run -- CMD that ends while a background `claude` refresh runs: that refresh is ended too, nothing left behind",
  ignore: !posix,
  fn: async () => {
    await withSandbox(async (box) => {
      // In this process, on a clock the test moves: fresh when `run` starts, due once the
      // child runs, so the background refresh (a hanging `claude`) starts on its next timer
      // whatever the machine's speed. `claude`'s own limit is 10 minutes: a `run` that waited
      // for it instead of ending it would hang, and the guard below says so.
      const skewMs = 2_000;
      const start = Date.now();
      let clock = start;
      const tokens = claudeTokens(start + skewMs + 500);
      box.plant(tokens.accessToken, tokens.refreshToken);
      await writeClaudeFile(box, tokens);
      await seedClaudeSession(box, tokens);
      await installHangingClaude(box);
      await box.installExecutable(
        "opencode",
        `#!/bin/sh\nPATH=/usr/bin:/bin\n: > '${box.root}/child-started'\nwhile [ ! -e '${box.root}/grandchild' ]; do sleep 0.05; done\nexit 7\n`,
      );
      const run = box.runInProcess(["run", "--", "opencode"], {
        now: () => clock,
        env: {
          CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: String(skewMs),
          CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "600000",
        },
      });
      await waitFor("the child to start", () => exists(`${box.root}/child-started`));
      clock = tokens.expiresAt;
      const result = await hangGuard(
        "`run -- opencode` (waiting for the background refresh?)",
        run,
      );
      assert.equal(result.code, 7, result.stderr);
      // `run` returned only after the refresh it cancelled had ended.
      assert.equal(
        await alive(await readPid(`${box.root}/claude-pid`)),
        false,
        "claude still runs",
      );
      await assertClaudeCleanedUp(box);
      assert.doesNotMatch(result.stderr, /background refresh failed/);
    });
  },
});

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
} from "./session_helpers.ts";
import { alive } from "../helpers/processes.ts";
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
  await waitFor("the grandchild to end", async () => !await alive(grandchild), 5_000);
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
          env: { CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS: "60000" },
        }).spawn();
        await child.stdin.close();
        await waitFor("claude to start", () => exists(`${box.root}/grandchild`), 10_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
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
      // Fresh at start, due 1 s later (skew 2 s): the background refresh starts a hanging claude.
      const tokens = claudeTokens(Date.now() + 3_000);
      box.plant(tokens.accessToken, tokens.refreshToken);
      await writeClaudeFile(box, tokens);
      await seedClaudeSession(box, tokens);
      await installHangingClaude(box);
      await box.installExecutable(
        "opencode",
        `#!/bin/sh\nwhile [ ! -e '${box.root}/grandchild' ]; do sleep 0.05; done\nexit 7\n`,
      );
      const started = Date.now();
      const result = await box.run(["run", "--", "opencode"], {
        env: { CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "2000" },
      });
      assert.equal(result.code, 7, result.stderr);
      assert(Date.now() - started < 15_000, "run waited for the refresh to time out");
      await assertClaudeCleanedUp(box);
      assert.doesNotMatch(result.stderr, /background refresh failed/);
    });
  },
});

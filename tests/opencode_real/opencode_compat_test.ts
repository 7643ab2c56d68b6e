/**
 * Compatibility with a real OpenCode: after our writes, `opencode auth list`
 * (with XDG_DATA_HOME pointed at the sandbox) shows what OpenCode reads.
 * .ci/run installs opencode-ai into .tools/ and sets OPENCODE_BIN.
 */

import assert from "node:assert/strict";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { claudePayload, claudeTokens } from "../fakes/claude_code.ts";
import { OPENCODE } from "../helpers/real_opencode.ts";
import { oneHeavyAtATime } from "../helpers/heavy.ts";
import { HANG_MS } from "../helpers/wait.ts";

if (!OPENCODE) {
  console.warn(
    "OpenCode compatibility tests skipped: set OPENCODE_BIN or run .ci/run to install opencode-ai",
  );
}

/** `opencode auth list` as OpenCode sees the sandbox, colours stripped. */
async function opencodeAuthList(box: Sandbox): Promise<string> {
  const output = await oneHeavyAtATime(() =>
    new Deno.Command(OPENCODE!, {
      args: ["auth", "list"],
      env: {
        HOME: box.home,
        XDG_DATA_HOME: box.dataHome,
        XDG_CONFIG_HOME: box.configHome,
        NO_COLOR: "1",
        PATH: "/usr/bin:/bin",
      },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(HANG_MS),
    }).output()
  );
  assert.equal(output.signal, null, `opencode auth list hung: killed after ${HANG_MS / 1000} s`);
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

const OTHERS = {
  openai: { type: "api", key: "sk-openai-compat-0123456789" },
  google: { type: "api", key: "AIza-compat-0123456789" },
};

Deno.test({
  name: "a real OpenCode lists Anthropic as api after api-key login, with every other provider",
  ignore: !OPENCODE,
  async fn() {
    await withSandbox(async (box) => {
      const key = "sk-ant-api03-compat-0123456789abcdef";
      box.plant(key);
      await box.writeAuth(OTHERS);
      const login = await box.run(["login", "--method", "api-key"], { stdin: key });
      assert.equal(login.code, 0, login.stderr);
      const list = await opencodeAuthList(box);
      assert.match(list, /Anthropic\s+api/, list);
      assert.match(list, /OpenAI\s+api/, list);
      assert.match(list, /Google\s+api/, list);
      assert.match(list, /3 credentials/, list);

      const logout = await box.run(["logout"]);
      assert.equal(logout.code, 0, logout.stderr);
      const after = await opencodeAuthList(box);
      assert.doesNotMatch(after, /Anthropic/, after);
      assert.match(after, /2 credentials/, after);
    });
  },
});

Deno.test({
  name: 'a real OpenCode lists Anthropic as oauth after login --method claude-code (refresh "")',
  ignore: !OPENCODE,
  async fn() {
    await withSandbox(async (box) => {
      const tokens = claudeTokens(Date.now() + 3_600_000);
      box.plant(tokens.accessToken, tokens.refreshToken);
      await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
      await Deno.writeTextFile(`${box.home}/.claude/.credentials.json`, claudePayload(tokens));
      await box.writeAuth(OTHERS);
      const login = await box.run(["login", "--method", "claude-code"]);
      assert.equal(login.code, 0, login.stderr);
      // Claude Code's refresh token stays in Claude Code's store; "" is still a valid entry.
      assert.equal(
        (await box.readAuth() as { anthropic: { refresh: string } }).anthropic.refresh,
        "",
      );
      const list = await opencodeAuthList(box);
      assert.match(list, /Anthropic\s+oauth/, list);
      assert.match(list, /OpenAI\s+api/, list);
      assert.match(list, /3 credentials/, list);
    });
  },
});

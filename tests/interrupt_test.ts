/**
 * Ctrl-C anywhere is one line `cancelled` and exit 130, and nothing is lost:
 * at the picker, the replace question, the masked key prompt and the code
 * prompt (on a real pseudo-terminal), and during a refresh, whose rotated
 * token is stored before the exit. Progress: tests/progress_test.ts.
 * Signals during `claude` (128+N): tests/claude_code/cli_cleanup_test.ts.
 */

import assert from "node:assert/strict";
import { type Sandbox, withSandbox } from "./helpers/sandbox.ts";
import { type PtyStep, runOnPty } from "./helpers/claude_code_session.ts";
import { seedBrowserEntry, withFake } from "./helpers/browser_login.ts";

const posix = Deno.build.os !== "windows";
const KEY = "sk-ant-api03-INTERRUPT-abcdefghijklmnopqrstuvwxyz0123";
const CTRL_C = "\x03";

/** Assert a run ended by Ctrl-C: exit 130, `cancelled` as the last line, no `error:`. */
function assertCancelled(result: { code: number; stderr: string; failed: string | null }) {
  assert.equal(result.failed, null, `a prompt never came:\n${result.stderr}`);
  assert.equal(result.code, 130, result.stderr);
  const lines = result.stderr.trimEnd().split(/\r?\n/);
  assert.equal(lines.at(-1), "cancelled", result.stderr);
  assert.doesNotMatch(result.stderr, /error:/);
}

async function storeKey(box: Sandbox): Promise<string> {
  box.plant(KEY);
  const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
  assert.equal(login.code, 0, login.stderr);
  return await Deno.readTextFile(box.authFile);
}

const PROMPTS: {
  name: string;
  args: string[];
  steps: PtyStep[];
  stored: boolean;
  /** Needs the fake Anthropic server (a browser sign-in). */
  server?: boolean;
}[] = [
  {
    name: "the picker",
    args: ["login"],
    steps: [{ expect: "Choose 1-4", send: CTRL_C }],
    stored: false,
  },
  {
    name: "the replace question",
    args: ["login", "--method", "api-key"],
    steps: [{ expect: "Replace it? [y/N] ", send: CTRL_C }],
    stored: true,
  },
  {
    name: "the masked key prompt (raw mode)",
    args: ["login", "--method", "api-key", "--force"],
    steps: [{ expect: "input is hidden): ", send: CTRL_C }],
    stored: true,
  },
  {
    name: "the code prompt of a browser sign-in",
    args: ["login", "--method", "browser", "--no-browser"],
    steps: [{ expect: "Paste the code", send: CTRL_C }],
    stored: false,
    server: true,
  },
];

for (const prompt of PROMPTS) {
  Deno.test({
    name: `Ctrl-C at ${prompt.name}: one line 'cancelled', exit 130, auth.json as it was`,
    ignore: !posix,
    fn: async () => {
      await withSandbox(async (box) => {
        const before = prompt.stored ? await storeKey(box) : null;
        const run = (env: Record<string, string> = {}) =>
          runOnPty(box, prompt.args, prompt.steps, env);
        let result: Awaited<ReturnType<typeof run>> | undefined;
        if (prompt.server) {
          await withFake(async (fake) => {
            result = await run(fake.env());
          });
        } else {
          result = await run();
        }
        assertCancelled(result!);
        assert.equal(await box.readAuthText(), before);
      });
    },
  });
}

Deno.test({
  name: "SIGINT during a refresh: the rotated token is stored first, then 'cancelled' and exit 130",
  ignore: !posix,
  fn: async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        const stale = await seedBrowserEntry(box, fake);
        // The refresh answer is held until the test has sent SIGINT (the request was seen),
        // then given a moment for the signal to be taken: an event first, not a race.
        let answer = () => {};
        fake.refreshGate = new Promise<void>((resolve) => answer = resolve);
        const child = box.command(["token"], { env: fake.env() }).spawn();
        await child.stdin.close();
        while (fake.refreshRequests().length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        child.kill("SIGINT");
        setTimeout(answer, 1_000);
        const output = await child.output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, 130, stderr);
        assert.equal(stderr.trimEnd().split("\n").at(-1), "cancelled");
        assert.equal(new TextDecoder().decode(output.stdout), "");
        // The old refresh token is spent: losing the new pair would sign the user out.
        const stored = (await box.readAuth()).anthropic as { access: string; refresh: string };
        const issued = fake.issued.at(-1)!;
        box.plant(issued.access, issued.refresh);
        assert.notEqual(stored.refresh, stale.refresh);
        assert.equal(stored.refresh, issued.refresh);
      })
    );
  },
});

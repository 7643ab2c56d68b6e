/**
 * Ctrl-C anywhere is one line `cancelled` and exit 130, and nothing is lost:
 * at the picker, the replace question, the masked key prompt and the code
 * prompt (on a real pseudo-terminal), and during a refresh, whose rotated
 * token is stored before the exit. Progress (lib/progress.ts): a spinner on a
 * colour terminal, one plain line with NO_COLOR, nothing on a non-terminal.
 * Signals during `claude` (128+N): tests/claude_code/cli_cleanup_test.ts.
 */

import assert from "node:assert/strict";
import { showWait, startProgress, withProgress } from "../lib/progress.ts";
import { Ui } from "../lib/ui.ts";
import { interactiveIo } from "./helpers/context.ts";
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

// ------------------------------------------------------------------ progress

/** A Ui on a fake terminal (or not), with colour on or off (NO_COLOR). */
function progressUi(terminal: boolean, color: boolean, quiet = false) {
  const io = interactiveIo();
  io.stderrIsTerminal = () => terminal;
  return { io, ui: new Ui(io, { debug: false, quiet, color }) };
}

/** One macrotask later: a 0 ms timer set before has fired by then. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("progress on a colour terminal: a spinner frame with the text, cleared when the wait ends", async () => {
  const { io, ui } = progressUi(true, true);
  let finish!: () => void;
  const work = withProgress(
    ui,
    "Exchanging the code…",
    () => new Promise<void>((r) => finish = r),
    0,
  );
  assert(await io.waitForErr(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Exchanging the code…/, work));
  finish();
  await work;
  assert(io.err.endsWith("\r\x1b[2K"), JSON.stringify(io.err));
});

Deno.test("progress with NO_COLOR on a terminal: the text once as a plain line, no escape sequence", async () => {
  const { io, ui } = progressUi(true, false);
  await withProgress(ui, "Refreshing the browser sign-in…", nextTask, 0);
  assert.equal(io.err, "Refreshing the browser sign-in…\n");
});

Deno.test("progress: nothing on a non-terminal, nothing with --quiet, nothing for a wait shorter than the delay", async () => {
  for (const [terminal, quiet] of [[false, false], [true, true]]) {
    const { io, ui } = progressUi(terminal, true, quiet);
    await withProgress(ui, "Waiting…", nextTask, 0);
    assert.equal(io.err, "");
  }
  const { io, ui } = progressUi(true, true);
  const stop = startProgress(ui, "Waiting…");
  stop();
  await nextTask();
  assert.equal(io.err, "");
});

Deno.test("a lock wait (past its notice delay): a spinner on a colour terminal, else the one line as before", async () => {
  const colour = progressUi(true, true);
  const stop = showWait(colour.ui, "Waiting for another process…");
  assert(
    await colour.io.waitForErr(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for another process…/, new Promise(() => {})),
  );
  stop();
  assert(colour.io.err.endsWith("\r\x1b[2K"));
  for (const [terminal, color] of [[true, false], [false, false]]) {
    const plain = progressUi(terminal, color);
    showWait(plain.ui, "Waiting for another process…")();
    assert.equal(plain.io.err, "Waiting for another process…\n");
  }
});

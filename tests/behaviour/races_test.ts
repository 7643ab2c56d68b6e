/**
 * No lost sign-in under races (issue 10, class 1): every write is a
 * compare-and-swap under the lock. Each race is ordered by events, never by
 * sleeps: the refreshing `token` (a real process, under the start task's
 * flags) is held inside its refresh (a fake `claude` that waits for a release
 * file, a fake server that holds the refresh answer) until the other side has
 * done its part, and the final files are asserted, not only exit codes. The
 * other side (`login`, `logout`) runs in this process, so its stderr can be
 * watched for the moment it waits for the lock.
 */

import assert from "node:assert/strict";
import { fingerprint } from "../../lib/state.ts";
import { staleClaudeSession, waitFor } from "../helpers/claude_code_session.ts";
import { interactiveIo } from "../helpers/context.ts";
import { type RunResult, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { ReleaseFile } from "../helpers/wait.ts";
import { seedBrowserEntry, withFake } from "../helpers/browser_login.ts";

const KEY = "sk-ant-api03-race-winner-0123456789abcdef";
const OTHERS = { openai: { type: "api", key: "sk-openai-RACE-PLANTED-0123456789" } };
/** What a command prints while it waits for the lock another process holds. */
const WAITING = /Waiting for another opencode-claude-code-auth process \(pid \d+: /;

/** The state file's `anthropic` record, or undefined. */
async function recorded(box: Sandbox): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once the fake `claude` has started (its run is recorded first
 * thing). It runs under the lock, so the lock is held from then on.
 */
async function claudeStarted(claude: { runs(): Promise<unknown[]> }): Promise<void> {
  await waitFor("claude to start", async () => (await claude.runs()).length > 0);
}

/**
 * Run `args` in this process while another process holds the lock; once it
 * says it waits for that process, call `release` (which lets the holder
 * finish). Fails if it never waits.
 */
async function runWhileLocked(
  box: Sandbox,
  args: string[],
  release: () => Promise<void> | void,
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const io = interactiveIo();
  if (options.stdin) io.send(options.stdin);
  io.end();
  const run = box.runInProcess(args, { io, env: options.env });
  const waited = await io.waitForErr(WAITING, run);
  await release();
  const result = await run;
  assert(waited, `\`${args.join(" ")}\` did not wait for the lock:\n${result.stderr}`);
  return result;
}

Deno.test("race: `login --method api-key` during a slow `claude` refresh wins; it waits for the lock and says so", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY, OTHERS.openai.key);
    const go = new ReleaseFile(`${box.root}/claude-go`);
    const { next, claude } = await staleClaudeSession(box, { stored: true, waitForFile: go.path });
    await box.writeAuth({ ...OTHERS, ...(await box.readAuth()) });
    const token = box.run(["token"], { allowOnStdout: [next.accessToken] });
    await claudeStarted(claude);
    // The login waits for the refresh instead of being overwritten by it, and says why.
    const login = await runWhileLocked(box, ["login", "--method", "api-key"], () => go.release(), {
      stdin: KEY,
    });
    const first = await token;
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `${next.accessToken}\n`);
    assert.equal(login.code, 0, login.stderr);
    const auth = await box.readAuth();
    assert.deepEqual(auth.anthropic, { type: "api", key: KEY });
    assert.deepEqual(auth.openai, OTHERS.openai);
    const state = await recorded(box);
    assert.equal(state?.source, "api-key");
    assert.equal(state?.describes, await fingerprint(KEY));
    // The next `token` acts on the API key, not on the Claude Code session.
    const after = await box.run(["token"], { allowOnStdout: [KEY] });
    assert.equal(after.stdout, `${KEY}\n`);
    assert.equal((await claude.runs()).length, 1);
  });
});

Deno.test("race: `logout` during a slow `claude` refresh wins: the entry does not come back", async () => {
  await withSandbox(async (box) => {
    box.plant(OTHERS.openai.key);
    const go = new ReleaseFile(`${box.root}/claude-go`);
    const { next, claude } = await staleClaudeSession(box, { stored: true, waitForFile: go.path });
    await box.writeAuth({ ...OTHERS, ...(await box.readAuth()) });
    const token = box.run(["token"], { allowOnStdout: [next.accessToken] });
    await claudeStarted(claude);
    const logout = await runWhileLocked(box, ["logout"], () => go.release());
    assert.equal((await token).code, 0);
    assert.equal(logout.code, 0, logout.stderr);
    const auth = await box.readAuth();
    assert.equal(auth.anthropic, undefined, "the refresh wrote the entry back after logout");
    assert.deepEqual(auth.openai, OTHERS.openai);
    assert.equal(await recorded(box), undefined);
  });
});

Deno.test("race: an unlocked writer (OpenCode) that replaces the entry during a `claude` refresh keeps its write", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY, OTHERS.openai.key);
    const go = new ReleaseFile(`${box.root}/claude-go`);
    const { next, claude } = await staleClaudeSession(box, { stored: true, waitForFile: go.path });
    const token = box.run(["token"], { allowOnStdout: [next.accessToken, KEY] });
    await claudeStarted(claude);
    // OpenCode takes no lock: it rewrites the whole file while `claude` runs.
    await box.writeAuth({ ...OTHERS, anthropic: { type: "api", key: KEY } });
    await go.release();
    const result = await token;
    assert.equal(result.code, 0, result.stderr);
    const auth = await box.readAuth();
    assert.deepEqual(auth.anthropic, { type: "api", key: KEY }, "the stale write won");
    assert.deepEqual(auth.openai, OTHERS.openai);
  });
});

Deno.test("race: `login --method api-key` during a slow browser refresh wins, and the refresh spends its token once", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      box.plant(KEY);
      await seedBrowserEntry(box, fake);
      let answer!: () => void;
      fake.refreshGate = new Promise<void>((resolve) => answer = resolve);
      // The refreshed token is only known once issued: the scan runs below, after planting it.
      const token = box.run(["token"], { env: fake.env(), skipLeakCheck: true });
      await waitFor("the refresh request", () => fake.refreshRequests().length > 0);
      const login = await runWhileLocked(box, ["login", "--method", "api-key"], () => answer(), {
        stdin: KEY,
      });
      const refreshed = await token;
      assert.equal(refreshed.code, 0, refreshed.stderr);
      assert.equal(login.code, 0, login.stderr);
      for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
      // `token` prints the token it refreshed (stored before the login took the lock):
      // that one on its stdout is its answer, not a leak; nothing else may appear.
      assert.equal(refreshed.stdout, `${fake.issued[1].access}\n`);
      box.assertNoLeak(["token"], refreshed, [fake.issued[1].access]);
      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
      assert.equal((await recorded(box))?.source, "api-key");
      assert.equal(fake.refreshRequests().length, 1);
    })
  );
});

Deno.test("race: a state left describing the old method (login's state write lost) spends nothing", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      // A Claude Code session was stored; then a browser login replaced auth.json but its
      // state write was lost: the state still says claude-code-session, for the old entry.
      const { stale, claude } = await staleClaudeSession(box, { stored: true });
      await Deno.writeTextFile(
        box.stateFile,
        JSON.stringify({
          anthropic: {
            source: "claude-code-session",
            authFile: box.authFile,
            describes: await fingerprint(stale.accessToken),
          },
        }),
      );
      const pair = fake.issueTokens();
      box.plant(pair.access, pair.refresh);
      await box.writeAuth({
        anthropic: { type: "oauth", refresh: pair.refresh, access: pair.access, expires: 1 },
      });
      const before = await box.readAuthText();
      const result = await box.run(["token"], { env: fake.env(), allowOnStdout: [] });
      for (const issued of fake.issued) box.plant(issued.access, issued.refresh);
      box.assertNoLeak(["token"], { ...result, stdout: "" });
      // Without login's state there is no proof this tool obtained the refresh token:
      // nothing is spent, Claude Code's token is not copied over it, nothing is written.
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /cannot be refreshed here: not created here/);
      assert.equal(fake.refreshRequests().length, 0);
      assert.equal((await claude.runs()).length, 0);
      assert.equal(await box.readAuthText(), before);
      assert.equal((await recorded(box))?.source, "claude-code-session");
    })
  );
});

Deno.test("race: one auth.json reached through a symlink and through its real path is one lock: 16 processes, one refresh", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake);
      fake.refreshDelayMs = 300;
      const link = `${box.root}/dotfiles-auth.json`;
      await Deno.symlink(box.authFile, link);
      const runs = Array.from({ length: 16 }, (_, i) =>
        box.run(i % 2 ? ["--auth-file", link, "token"] : ["token"], {
          env: fake.env(),
          skipLeakCheck: true,
        }));
      const results = await Promise.all(runs);
      for (const result of results) {
        assert.equal(result.code, 0, result.stderr);
      }
      assert.equal(fake.refreshRequests().length, 1, "two locks: more than one refresh");
      const printed = new Set(results.map((r) =>
        r.stdout
      ));
      assert.equal(printed.size, 1);
      assert.equal([...printed][0], `${fake.issued[1].access}\n`);
      assert((await Deno.lstat(link)).isSymlink, "the link was replaced by a file");
    })
  );
});

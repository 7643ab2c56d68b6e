/**
 * Helpers for Claude Code session tests: place Claude Code's credentials where
 * the CLI looks for them, seed a stored Claude Code session, drive the CLI on
 * a real pseudo-terminal (and re-export the unit-test Context).
 */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens, installFakeClaude } from "../fakes/claude_code.ts";

/** The handle `installFakeClaude` returns. */
type FakeClaude = Awaited<ReturnType<typeof installFakeClaude>>;
import { CLI_FLAGS, MAIN, type RunResult, type Sandbox } from "./sandbox.ts";
import { HANG_MS } from "./wait.ts";

/** A token pair as the fakes make it. */
export type Tokens = ReturnType<typeof claudeTokens>;

/** Far enough in the future to be fresh whatever the machine's speed. */
export const HOURS_8 = 8 * 3600_000;

/** Claude Code's default credentials file in the sandbox (`~/.claude/.credentials.json`). */
export function defaultClaudeFile(box: Sandbox): string {
  return `${box.home}/.claude/.credentials.json`;
}

/** Fresh tokens (expiring in 8 h), planted for the leak scan. */
export function freshTokens(box: Sandbox): Tokens {
  const tokens = claudeTokens(Date.now() + HOURS_8);
  box.plant(tokens.accessToken, tokens.refreshToken);
  return tokens;
}

/** Stale tokens (expired a minute ago), planted for the leak scan. */
export function staleTokens(box: Sandbox): Tokens {
  const tokens = claudeTokens(Date.now() - 60_000);
  box.plant(tokens.accessToken, tokens.refreshToken);
  return tokens;
}

/**
 * A stale Claude Code sign-in (in the default file) whose fake `claude`
 * refreshes it to fresh tokens; with `stored`, auth.json already holds it.
 */
export async function staleClaudeSession(
  box: Sandbox,
  options: { stored?: boolean; delayMs?: number; waitForFile?: string } = {},
): Promise<{ stale: Tokens; next: Tokens; file: string; claude: FakeClaude }> {
  const stale = staleTokens(box);
  const next = freshTokens(box);
  const file = await writeClaudeFile(box, stale);
  if (options.stored) await seedClaudeSession(box, stale);
  const claude = await installFakeClaude(box, {
    mode: "refresh",
    credentialsPath: file,
    next: claudePayload(next),
    delayMs: options.delayMs,
    waitForFile: options.waitForFile,
  });
  return { stale, next, file, claude };
}

/** Write Claude Code's credentials file (default location unless `path` is given). */
export async function writeClaudeFile(
  box: Sandbox,
  tokens: Tokens | string,
  path = defaultClaudeFile(box),
): Promise<string> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, typeof tokens === "string" ? tokens : claudePayload(tokens));
  return path;
}

/** Seed auth.json and the state file as `login --method claude-code` leaves them. */
export async function seedClaudeSession(
  box: Sandbox,
  stored: Tokens,
  options: { legacy?: boolean } = {},
): Promise<void> {
  await box.writeAuth({
    anthropic: {
      type: "oauth",
      // Before issue 9, the entry carried Claude Code's refresh token; now it is "".
      refresh: options.legacy ? stored.refreshToken : "",
      access: stored.accessToken,
      expires: stored.expiresAt,
    },
  });
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  await Deno.writeTextFile(
    box.stateFile,
    JSON.stringify({ anthropic: { source: "claude-code-session", authFile: box.authFile } }),
    { mode: 0o600 },
  );
}

/** The stored `anthropic` entry. */
export async function storedEntry(box: Sandbox): Promise<Record<string, unknown>> {
  return (await box.readAuth()).anthropic as Record<string, unknown>;
}

/** Assert the stored entry is the OAuth entry for `tokens`, without Claude Code's refresh token. */
export async function assertStored(box: Sandbox, tokens: Tokens): Promise<void> {
  assert.deepEqual(await storedEntry(box), {
    type: "oauth",
    refresh: "",
    access: tokens.accessToken,
    expires: tokens.expiresAt,
  });
}

export { pathExists as exists } from "../../lib/fs/atomic.ts";

export { waitFor } from "./wait.ts";

/**
 * One step of a terminal session: wait for `expect` in the output, then type
 * `send` and/or create the file `touch` (a ReleaseFile a fake waits for).
 */
export interface PtyStep {
  expect: string;
  send?: string;
  touch?: string;
}

const PTY_DRIVER = `
import json, os, pty, select, sys, time
spec = json.loads(sys.stdin.read())
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec["cwd"])
    os.execve(spec["argv"][0], spec["argv"], spec["env"])
out = b""
def pump(limit):
    global out
    r, _, _ = select.select([fd], [], [], limit)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True
failed = None
for step in spec["steps"]:
    deadline = time.time() + spec["limit"]
    while step["expect"].encode() not in out:
        if time.time() > deadline or not pump(0.2):
            failed = step["expect"]
            break
    if failed:
        break
    if step.get("touch"):
        open(step["touch"], "w").close()
    if step.get("send"):
        os.write(fd, step["send"].encode())
deadline = time.time() + spec["limit"]
while time.time() < deadline and pump(0.2):
    pass
if failed or time.time() >= deadline:
    # A prompt that never came (or a run that never ended) must not hang the test.
    try:
        os.kill(pid, 9)
    except OSError:
        pass
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stdout.write(json.dumps({"code": code, "output": out.decode("utf-8", "replace"), "failed": failed}))
`;

/**
 * Run the CLI on a real pseudo-terminal (stdin, stdout and stderr all on it),
 * answering prompts as `steps` say; the output is scanned for planted secrets.
 */
export async function runOnPty(
  box: Sandbox,
  args: string[],
  steps: PtyStep[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult & { failed: string | null }> {
  const child = new Deno.Command("python3", {
    args: ["-c", PTY_DRIVER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const spec = {
    argv: [Deno.execPath(), "run", ...CLI_FLAGS, MAIN, ...args],
    env: { TERM: "xterm", ...box.runEnv(env) },
    cwd: box.root,
    steps,
    // Only a hang takes this long (seconds, for the driver).
    limit: HANG_MS / 1000,
  };
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(spec)));
  await writer.close();
  const output = await child.output();
  const text = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, `pty driver failed: ${new TextDecoder().decode(output.stderr)}`);
  const parsed = JSON.parse(text) as { code: number; output: string; failed: string | null };
  // On a terminal everything lands on one stream: scan it as stderr.
  const result = { code: parsed.code, stdout: "", stderr: parsed.output, failed: parsed.failed };
  box.assertNoLeak(args, result);
  return result;
}

export { memoryIo, testContext } from "./context.ts";

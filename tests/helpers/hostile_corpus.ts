/**
 * The hostile-input corpus runner. Each case sets up a sandbox (files, fakes,
 * environment), runs the CLI once under the start task's flags and asserts
 * what the contract promises for bad input:
 *
 * - the contract's exit code;
 * - on failure, exactly one `error:` line, optionally followed by one `hint:`
 *   line, free of control characters and of reasonable length; no stack trace;
 * - no planted secret on stderr (nor on stdout, except `token`'s own output):
 *   the runs go through the harness's single leak check, `Sandbox.assertNoLeak`;
 * - no change to any file the case does not allow to change: every file,
 *   folder and link under the sandbox is snapshotted (bytes, mode, link
 *   target) before and after.
 */

import assert from "node:assert/strict";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { fingerprint } from "../../lib/state.ts";
import { type RunResult, type Sandbox, withSandbox } from "./sandbox.ts";

/** What a case's functions get. */
export interface Fixture {
  box: Sandbox;
  /** The fake Anthropic server, when the case asked for one. */
  fake: FakeAnthropic;
  /** Values the setup wants to pass to later steps (expected output, paths). */
  vars: Record<string, string>;
}

/** One hostile-input case. */
export interface HostileCase {
  name: string;
  /** Command-line arguments. */
  args: string[] | ((f: Fixture) => string[]);
  /** Prepare files and fakes (plant every secret written). */
  setup?: (f: Fixture) => Promise<unknown>;
  /** Bytes or text on stdin (then closed). */
  stdin?: string | Uint8Array;
  /** Environment for the run (after the fake's, when `fake` is set). */
  env?: (f: Fixture) => Record<string, string | undefined>;
  /** Start the fake Anthropic server and point the CLI at it. */
  fake?: boolean;
  /** The contract's exit code. */
  exit: 0 | 1 | 2 | 4;
  /** Must match the `error:` line (failures) or stderr (successes). */
  message?: RegExp;
  /** Exact stdout expected (default: empty, except where `token` succeeds). */
  stdout?: (f: Fixture) => string;
  /** Paths (relative to the sandbox root) this case may change; default none. */
  changes?: string[];
  /** Further checks after the common ones. */
  check?: (f: Fixture, result: RunResult) => Promise<void>;
  /** Skip the case (with the reason in the name) where it cannot run. */
  ignore?: boolean;
  /** A hang is the failure looked for: run as a real process, killed and failed as hung after HANG_MS. */
  mayHang?: boolean;
  /** Needs a real process under the start task's flags (a permission is what is tested). */
  process?: boolean;
}

/** Files the harness and the fakes write on their own; never compared. */
const UNWATCHED = [/^bin\//, /\.lock$/, /^claude-runs\.log$/, /^security-calls\.log$/];

/** One entry of a sandbox snapshot. */
type Entry = { kind: "file"; mode: number; digest: string } | { kind: "dir"; mode: number } | {
  kind: "link";
  target: string;
} | { kind: "other" };

/** Files above this size are compared by identity and times, not content. */
const DIGEST_MAX_BYTES = 4 * 1024 * 1024;

async function digest(path: string, info: Deno.FileInfo): Promise<string> {
  // The over-the-cap auth.json cases (64 MiB, sparse) would be hashed twice per
  // case; any write to them (in place or by rename) changes their inode or mtime.
  if (info.size > DIGEST_MAX_BYTES) {
    return `${info.size}:ino ${info.ino}:mtime ${info.mtime?.getTime()}:ctime ${info.ctime?.getTime()}`;
  }
  const bytes = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `${bytes.length}:${Array.from(hash.slice(0, 12), (b) => b.toString(16)).join("")}`;
}

/** Every path under `root` with its type, mode and content digest. */
export async function snapshot(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (dir: string, rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return; // unreadable folder (a case made it so): its entry's mode still counts
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (UNWATCHED.some((re) => re.test(relPath))) continue;
      const info = await Deno.lstat(path);
      if (info.isSymlink) {
        out.set(relPath, { kind: "link", target: await Deno.readLink(path) });
      } else if (info.isDirectory) {
        out.set(relPath, { kind: "dir", mode: info.mode! & 0o7777 });
        await walk(path, relPath);
      } else if (info.isFile) {
        let hash: string;
        try {
          hash = await digest(path, info);
        } catch {
          hash = "unreadable";
        }
        out.set(relPath, { kind: "file", mode: info.mode! & 0o7777, digest: hash });
      } else {
        out.set(relPath, { kind: "other" });
      }
    }
  };
  await walk(root, "");
  return out;
}

/** Assert that only the allowed paths differ between two snapshots. */
export function assertSameExcept(
  before: Map<string, Entry>,
  after: Map<string, Entry>,
  allowed: string[],
  what: string,
): void {
  const paths = new Set([...before.keys(), ...after.keys()]);
  for (const path of paths) {
    if (allowed.includes(path)) continue;
    assert.deepEqual(
      after.get(path),
      before.get(path),
      `${what}: ${path} changed (before ${JSON.stringify(before.get(path))}, after ${
        JSON.stringify(after.get(path))
      })`,
    );
  }
}

/**
 * Run the CLI with raw stdin bytes; the leak check is the harness's. In
 * process (the same runCli as main.ts), except for a case with a hang limit:
 * a read that blocks must be a killed process and a failed case, never a
 * test runner that waits forever.
 */
export function runCli(
  box: Sandbox,
  args: string[],
  options: {
    stdin?: string | Uint8Array;
    env?: Record<string, string | undefined>;
    allowOnStdout?: string[];
    /** A real process (killed and failed as hung after HANG_MS), not an in-process run. */
    spawned?: boolean;
  } = {},
): Promise<RunResult> {
  if (!options.spawned) return box.runInProcess(args, options);
  return box.run(args, options);
}

/** Longest `error:` or `hint:` line accepted: messages quote input, but never all of it. */
const MAX_LINE = 600;

/** Assert a failure's stderr: one error line, an optional hint right after, no stack trace. */
export function assertOneLineError(stderr: string, what: string): string {
  assert(!/^\s+at .+[:(]\d+/m.test(stderr), `${what}: stack trace on stderr:\n${stderr}`);
  assert(!/Stack backtrace|Uncaught|panicked/.test(stderr), `${what}: crash on stderr:\n${stderr}`);
  const lines = stderr.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const errors = lines.flatMap((line, i) => line.startsWith("error: ") ? [i] : []);
  assert.equal(errors.length, 1, `${what}: expected exactly one error line:\n${stderr}`);
  const index = errors[0];
  const tail = lines.slice(index + 1);
  assert(
    tail.length === 0 || (tail.length === 1 && tail[0].startsWith("hint: ")),
    `${what}: only a hint line may follow the error line:\n${stderr}`,
  );
  for (const line of lines.slice(index)) {
    assert(line.length <= MAX_LINE, `${what}: a ${line.length}-character line:\n${stderr}`);
    assert(
      // deno-lint-ignore no-control-regex
      !/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/.test(line),
      `${what}: control character in ${JSON.stringify(line)}`,
    );
  }
  return lines[index];
}

/** Register `cases` as tests named `hostile <group>: <case>`. */
export function hostileCases(group: string, cases: HostileCase[]): void {
  for (const c of cases) {
    Deno.test({
      name: `hostile ${group}: ${c.name}`,
      ignore: c.ignore,
      fn: () => runCase(c),
    });
  }
}

/** Count the cases of a group (the corpus size test reads this). */
export async function runCase(c: HostileCase): Promise<void> {
  await withSandbox(async (box) => {
    const fake = c.fake ? await FakeAnthropic.start() : (undefined as unknown as FakeAnthropic);
    try {
      const f: Fixture = { box, fake, vars: {} };
      await c.setup?.(f);
      const args = typeof c.args === "function" ? c.args(f) : c.args;
      const env = { ...(c.fake ? fake.env() : {}), ...c.env?.(f) };
      const before = await snapshot(box.root);
      const expectedStdout = c.stdout?.(f) ?? "";
      const result = await runCli(box, args, {
        stdin: c.stdin,
        env,
        allowOnStdout: c.exit === 0 && args.includes("token") ? [expectedStdout.trim()] : [],
        spawned: c.mayHang === true || c.process === true,
      });
      const what = `${c.name} (\`${args.join(" ").slice(0, 200)}\`)`;
      assert.equal(result.code, c.exit, `${what}: exit ${result.code}\n${result.stderr}`);
      if (c.exit === 0) {
        assert(!/^error: /m.test(result.stderr), `${what}: error on success:\n${result.stderr}`);
        assert(!/^\s+at .+[:(]\d+/m.test(result.stderr), `${what}: stack trace:\n${result.stderr}`);
        if (c.message) assert.match(result.stderr, c.message, what);
      } else {
        const line = assertOneLineError(result.stderr, what);
        if (c.message) assert.match(line, c.message, `${what}: error line: ${line}`);
      }
      assert.equal(result.stdout, expectedStdout, `${what}: stdout`);
      assertSameExcept(before, await snapshot(box.root), c.changes ?? [], what);
      await c.check?.(f, result);
    } finally {
      if (c.fake) await fake.close();
    }
  });
}

// ---------------------------------------------------------------------------
// Fixtures shared by the groups.

/** Other providers' entries, written as text so byte-for-byte checks mean something. */
export const OTHERS_TEXT = `{
  "openai": {
    "type": "api",
    "key": "sk-openai-HOSTILE-PLANTED-0123456789"
  },
  "zeta": {"type":"oauth","refresh":"zeta-refresh-PLANTED-0123","access":"zeta-access-PLANTED-0123","expires": 1e400, "x": [1, 2.50]}
}`;

/** The secrets inside OTHERS_TEXT. */
export const OTHERS_SECRETS = [
  "sk-openai-HOSTILE-PLANTED-0123456789",
  "zeta-refresh-PLANTED-0123",
  "zeta-access-PLANTED-0123",
];

/** Relative paths of the files cases talk about. */
export const AUTH = "data/opencode/auth.json";
export const STATE = "config/opencode-claude-code-auth/state.json";
export const STATE_DIR = "config/opencode-claude-code-auth";
export const CLAUDE_FILE = "home/.claude/.credentials.json";

let serial = 0;
/** A unique fake secret with a recognisable prefix. */
export function secret(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(serial++).toString(36)}${
    crypto.randomUUID().replaceAll("-", "")
  }`;
}

/** auth.json text: OTHERS_TEXT with an `anthropic` member added. */
export function withAnthropic(entry: unknown): string {
  return OTHERS_TEXT.replace(/\n}$/, `,\n  "anthropic": ${JSON.stringify(entry)}\n}`);
}

/** Write auth.json text and plant the other providers' secrets. */
export async function writeAuthText(box: Sandbox, text: string | Uint8Array): Promise<void> {
  box.plant(...OTHERS_SECRETS);
  await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true, mode: 0o700 });
  if (typeof text === "string") await Deno.writeTextFile(box.authFile, text, { mode: 0o600 });
  else await Deno.writeFile(box.authFile, text, { mode: 0o600 });
  await Deno.chmod(box.authFile, 0o600);
}

/** Write this tool's state file recording `source`. */
export async function writeState(
  box: Sandbox,
  source: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(
    box.stateFile,
    JSON.stringify({ anthropic: { source, authFile: box.authFile, ...extra } }, null, 2) + "\n",
    { mode: 0o600 },
  );
}

/** Store a fresh API key (planted); returns it. */
export async function storeApiKey(box: Sandbox): Promise<string> {
  const key = secret("sk-ant-api03-hostile-");
  box.plant(key);
  await writeAuthText(box, withAnthropic({ type: "api", key }));
  await writeState(box, "api-key");
  return key;
}

/** Store a browser sign-in issued by `fake`, expired unless `fresh`; returns its tokens. */
export async function storeBrowser(
  f: Fixture,
  options: { fresh?: boolean } = {},
): Promise<{ access: string; refresh: string }> {
  const tokens = f.fake.issueTokens();
  f.box.plant(tokens.access, tokens.refresh);
  await writeAuthText(
    f.box,
    withAnthropic({
      type: "oauth",
      refresh: tokens.refresh,
      access: tokens.access,
      expires: options.fresh ? Date.now() + 8 * 3600_000 : Date.now() - 60_000,
    }),
  );
  // A sign-in of ours: the state proves this tool obtained the refresh token.
  await writeState(f.box, "browser-oauth", { mintedRefresh: await fingerprint(tokens.refresh) });
  f.vars.access = tokens.access;
  f.vars.refresh = tokens.refresh;
  return tokens;
}

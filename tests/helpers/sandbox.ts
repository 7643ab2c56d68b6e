/**
 * The test harness: a temporary home with its own XDG folders and PATH, and
 * a runner that spawns main.ts under exactly the permission flags of
 * `deno task start` (read from deno.json), never -A. Every run is scanned
 * for planted secrets: only `token`'s stdout may contain one.
 */

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import type { Io } from "../../lib/ui.ts";
import { startTaskFlags } from "../../scripts/lib_compile.ts";
import { memoryIo, sandboxWorld } from "./context.ts";
import { HANG_MS } from "./wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Absolute path of main.ts. */
export const MAIN = `${ROOT}main.ts`;

/**
 * The CLI's permission flags, exactly as `deno task start` passes them to
 * Deno (the task quotes some of them for zsh and fish; the quotes are removed).
 */
export const CLI_FLAGS: string[] = startTaskFlags(denoJson.tasks.start);

/** The result of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of one CLI run. */
export interface RunOptions {
  /** Text or bytes written to stdin (then closed); default: empty stdin. */
  stdin?: string | Uint8Array;
  /** Permission flags instead of the start task's (only for permission tests). */
  flags?: string[];
  /** Extra or overriding environment variables (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** Secrets that may appear on stdout (only for `token`). */
  allowOnStdout?: string[];
  /** Skip the leak scan (for tests that check redaction themselves). */
  skipLeakCheck?: boolean;
  /** Working directory (default: the sandbox root). */
  cwd?: string;
}

const decoder = new TextDecoder();

/** A temporary world for the CLI: home, XDG folders, PATH with fakes. */
export class Sandbox {
  /** Secrets planted by the test, which must never show up in messages. */
  readonly secrets = new Set<string>();
  /** Extra environment applied to every run. */
  readonly env: Record<string, string> = {};

  private constructor(readonly root: string) {}

  /** Create a sandbox under a new temporary directory. */
  static async create(): Promise<Sandbox> {
    const root = await Deno.makeTempDir({ prefix: "occa-test-" });
    const box = new Sandbox(root);
    for (const dir of [box.home, box.bin, box.dataHome, box.configHome]) {
      await Deno.mkdir(dir, { recursive: true });
    }
    return box;
  }

  /** The fake home directory. */
  get home(): string {
    return `${this.root}/home`;
  }
  /** Folder of fake executables; the only entry on PATH. */
  get bin(): string {
    return `${this.root}/bin`;
  }
  /** $XDG_DATA_HOME. */
  get dataHome(): string {
    return `${this.root}/data`;
  }
  /** $XDG_CONFIG_HOME. */
  get configHome(): string {
    return `${this.root}/config`;
  }
  /** OpenCode's auth.json in this sandbox. */
  get authFile(): string {
    return `${this.dataHome}/opencode/auth.json`;
  }
  /** This tool's state file in this sandbox. */
  get stateFile(): string {
    return `${this.configHome}/opencode-claude-code-auth/state.json`;
  }

  /** Remember a secret the leak scan must look for. */
  plant(...secrets: string[]): void {
    for (const secret of secrets) this.secrets.add(secret);
  }

  /** Write auth.json (creating its folder). */
  async writeAuth(content: string | Record<string, unknown>): Promise<void> {
    await Deno.mkdir(`${this.dataHome}/opencode`, { recursive: true });
    const text = typeof content === "string" ? content : JSON.stringify(content, null, 2);
    await Deno.writeTextFile(this.authFile, text);
  }

  /** auth.json's text, or null when missing. */
  async readAuthText(): Promise<string | null> {
    try {
      return await Deno.readTextFile(this.authFile);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** auth.json parsed. */
  async readAuth(): Promise<Record<string, unknown>> {
    const text = await this.readAuthText();
    if (text === null) throw new Error("auth.json should exist");
    return JSON.parse(text);
  }

  /** Install an executable script into the sandbox's PATH folder. */
  async installExecutable(name: string, script: string): Promise<string> {
    const path = `${this.bin}/${name}`;
    await Deno.writeTextFile(path, script, { mode: 0o755 });
    await Deno.chmod(path, 0o755);
    return path;
  }

  /** The environment a run gets: nothing leaks in from the real one. */
  runEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      HOME: this.home,
      XDG_DATA_HOME: this.dataHome,
      XDG_CONFIG_HOME: this.configHome,
      PATH: this.bin,
      NO_COLOR: "1",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      ...this.env,
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
    );
  }

  /** The command line that runs the CLI (for spawning it yourself). */
  command(args: string[], options: RunOptions = {}): Deno.Command {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", ...(options.flags ?? CLI_FLAGS), MAIN, ...args],
      cwd: options.cwd ?? this.root,
      env: this.runEnv(options.env),
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
  }

  /**
   * Run the CLI to completion and scan its output for leaked secrets; a run
   * that outlives HANG_MS (minutes: only a hang takes that long) is killed and
   * fails the test as hung.
   */
  async run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const child = this.command(args, options).spawn();
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, HANG_MS);
    try {
      const writer = child.stdin.getWriter();
      const input = typeof options.stdin === "string"
        ? new TextEncoder().encode(options.stdin)
        : options.stdin;
      if (input?.length) await writer.write(input).catch(() => {});
      await writer.close().catch(() => {});
      const output = await child.output();
      const result = {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
      assert(
        output.signal === null,
        `\`${args.join(" ")}\` hung: killed after ${
          Math.round(HANG_MS / 1000)
        } s without ending (signal ${output.signal}):\n${result.stderr}`,
      );
      if (!options.skipLeakCheck) this.assertNoLeak(args, result, options.allowOnStdout ?? []);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run the CLI in this process, through the same `runCli` as main.ts, with
   * the sandbox's environment and recorded streams: no Deno start-up, so a
   * behaviour test costs milliseconds. Child processes (`claude`, `security`)
   * are still real, found on the sandbox's PATH. Scanned for leaks like `run`.
   * For what needs a real process (permissions, signals, exit of the process,
   * crash safety), use `run`.
   */
  async runInProcess(
    args: string[],
    options: RunOptions & {
      now?: () => number;
      os?: typeof Deno.build.os;
      /** Streams instead of recorded ones fed with `stdin` (see `interactiveIo`). */
      io?: Io & { out: string; err: string };
    } = {},
  ): Promise<RunResult> {
    const { runCli } = await import("../../main.ts");
    const io = options.io ?? memoryIo(options.stdin);
    const code = await runCli(args, {
      ...sandboxWorld(this.runEnv(options.env), options.cwd ?? this.root),
      io,
      os: options.os,
      now: options.now,
    });
    const result = { code, stdout: io.out, stderr: io.err };
    if (!options.skipLeakCheck) this.assertNoLeak(args, result, options.allowOnStdout ?? []);
    return result;
  }

  /**
   * Fail if any planted secret appears in stderr, or in stdout unless allowed.
   * The single leak check every spawning test goes through.
   */
  assertNoLeak(args: string[], result: RunResult, allowOnStdout: string[] = []): void {
    for (const secret of this.secrets) {
      assert(
        !result.stderr.includes(secret),
        `secret ${secret.slice(0, 10)}… leaked on stderr of \`${
          args.join(" ")
        }\`:\n${result.stderr}`,
      );
      if (!allowOnStdout.includes(secret)) {
        assert(
          !result.stdout.includes(secret),
          `secret ${secret.slice(0, 10)}… leaked on stdout of \`${args.join(" ")}\``,
        );
      }
    }
  }

  /** Remove the sandbox. */
  async cleanup(): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}

/** Run `fn` with a fresh sandbox, removed afterwards. */
export async function withSandbox(fn: (box: Sandbox) => Promise<void>): Promise<void> {
  const box = await Sandbox.create();
  try {
    await fn(box);
  } finally {
    await box.cleanup();
  }
}

/** The file's permission bits. */
export async function modeOf(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

/** Assert the stderr is a clean one-line message (no stack trace) containing `fragment`. */
export function assertCleanError(result: RunResult, fragment: string | RegExp): void {
  assert(!/^\s+at .+:\d+:\d+/m.test(result.stderr), `stack trace on stderr:\n${result.stderr}`);
  const matches = typeof fragment === "string"
    ? result.stderr.includes(fragment)
    : fragment.test(result.stderr);
  assert(matches, `stderr should mention ${fragment}:\n${result.stderr}`);
}

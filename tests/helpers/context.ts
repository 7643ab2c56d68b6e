/**
 * In-process Contexts for tests: recorded output, no terminal, chosen env and
 * OS. `commandContext` is the one context for command tests (`runX(ctx, …)`
 * in this process, in a Sandbox, with the spawned tests' leak scan);
 * `sandboxWorld` is the part it shares with `Sandbox.runInProcess`.
 */

import { type Context, createContext, envFlag, recordEnv } from "../../lib/context.ts";
import type { EnvReader } from "../../lib/environment.ts";
import { CliError } from "../../lib/errors.ts";
import { type Io, Ui } from "../../lib/ui.ts";
import type { Sandbox } from "./sandbox.ts";

/** An Io that records what is written and reads `stdin` (default: empty), then end of input. */
export function memoryIo(stdin: string | Uint8Array = ""): Io & { err: string; out: string } {
  const bytes = typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin;
  const io = {
    err: "",
    out: "",
    stdin: new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.length > 0) c.enqueue(bytes);
        c.close();
      },
    }),
    stdinIsTerminal: () => false,
    stderrIsTerminal: () => false,
    setRaw: () => {},
    writeOut(text: string) {
      io.out += text;
    },
    writeErr(text: string) {
      io.err += text;
    },
    // As processIo: a prompt leaves the line open, and the next message starts a new one.
    stderrLineOpen: () => io.err !== "" && !/[\r\n]$/.test(io.err) && !io.err.endsWith("\r\x1b[2K"),
  };
  return io;
}

/**
 * An Io for a command that prompts: a memoryIo whose stdin stays open until
 * `end()`, and the test answers with `send()` once stderr shows what it waits
 * for (a user reading a prompt and typing), like a spawned run's piped stdin.
 */
export function interactiveIo(): Io & {
  err: string;
  out: string;
  /** Type `text` into stdin. */
  send(text: string): void;
  /** Close stdin (end of input). */
  end(): void;
  /** Resolve true once stderr matches `pattern`, false if `until` settles first. */
  waitForErr(pattern: RegExp, until: Promise<unknown>): Promise<boolean>;
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const waiters = new Set<() => void>();
  const base = memoryIo();
  const io = Object.assign(base, {
    stdin: new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    }),
    writeErr(text: string) {
      io.err += text;
      for (const wake of waiters) wake();
    },
    send(text: string) {
      if (!ended) controller.enqueue(new TextEncoder().encode(text));
    },
    end() {
      if (!ended) controller.close();
      ended = true;
    },
    waitForErr(pattern: RegExp, until: Promise<unknown>): Promise<boolean> {
      return new Promise<boolean>((resolve) => {
        const check = () => {
          if (!pattern.test(io.err)) return;
          waiters.delete(check);
          resolve(true);
        };
        waiters.add(check);
        until.finally(() => {
          waiters.delete(check);
          resolve(pattern.test(io.err));
        }).catch(() => {});
        check();
      });
    },
  });
  return io;
}

/** A Context for unit tests with the given environment, OS and (optionally) streams. */
export function testContext(
  env: Record<string, string | undefined>,
  os: typeof Deno.build.os = "linux",
  io: Io = memoryIo(),
  files: { authFile?: string; stateFile?: string; fetch?: Context["fetch"] } = {},
): Context {
  return createContext({
    env: recordEnv(env),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os,
    authFile: files.authFile ?? "/nonexistent/auth.json",
    stateFile: files.stateFile,
    fetch: files.fetch,
  });
}

/** What an in-process run takes from a sandbox: its environment, working directory and children. */
export interface SandboxWorld {
  env: EnvReader;
  cwd: () => string;
  spawn: Context["spawn"];
}

/**
 * The outside world of an in-process run in a sandbox: exactly `env` (nothing
 * of the test process's own), `cwd`, and a `spawn` that starts real child
 * processes found on `env.PATH` (the sandbox's fakes), with `env` only.
 * Shared by `Sandbox.runInProcess` and `commandContext`.
 */
export function sandboxWorld(env: Record<string, string>, cwd: string): SandboxWorld {
  return {
    env: recordEnv(env),
    cwd: () => cwd,
    spawn: (command, options) =>
      new Deno.Command(findOnSandboxPath(env.PATH ?? "", command), {
        cwd,
        ...options,
        env: { ...env, ...options.env },
        clearEnv: true,
      }).spawn(),
  };
}

/** `command` found in the folders of `path` (the sandbox's PATH), or the name as given. */
function findOnSandboxPath(path: string, command: string): string {
  if (command.includes("/")) return command;
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${command}`).isFile) return `${dir}/${command}`;
    } catch {
      // not in this folder
    }
  }
  return command;
}

/** Options of `commandContext`. */
export interface CommandContextOptions {
  /** Extra or overriding environment variables on top of the sandbox's (undefined removes one). */
  env?: Record<string, string | undefined>;
  /** The clock (default: the real one). */
  now?: () => number;
  /** The operating system the command believes it runs on (default: this one). */
  os?: typeof Deno.build.os;
  /** What stdin holds (then end of input); default: empty. */
  stdin?: string | Uint8Array;
  /** `--auth-file` (default: resolved from the sandbox's XDG_DATA_HOME, as the CLI does). */
  authFile?: string;
  /** `--quiet`. */
  quiet?: boolean;
  /** `--debug` (default: CLAUDE_CODE_AUTH_DEBUG of the environment, as the CLI does). */
  debug?: boolean;
  /** Working directory (default: the sandbox root). */
  cwd?: string;
  /** The network door (default: the real `fetch`); a test may answer requests itself. */
  fetch?: Context["fetch"];
  /** Names the run in leak-scan failures (default "in-process command"). */
  name?: string;
}

/** How one in-process command call ended: its exit code, and the error it threw if any. */
export interface Outcome {
  /** The returned exit code, or the thrown CliError's `exitCode` (what main.ts exits with). */
  code: number;
  /** The CliError the command threw, if it threw one. */
  error?: CliError;
}

/** An in-process command run: the context to pass to `runX`, its recorded output, its leak scan. */
export interface CommandContext {
  /** The context to hand to `runX(ctx, options)`. */
  readonly ctx: Context;
  /** What was written to stdout so far. */
  out(): string;
  /** What was written to stderr so far. */
  err(): string;
  /**
   * Await a `runX` call: its exit code, or the `exitCode` of the CliError it
   * threw (any other error is rethrown: main.ts would report it as unexpected).
   */
  settle(run: Promise<number>): Promise<Outcome>;
  /**
   * Fail if a planted secret appears on stderr, in the message or hint of an
   * error `settle` saw (main.ts prints both), or on stdout unless allowed:
   * the same scan as the spawned tests (`Sandbox.assertNoLeak`).
   */
  assertNoLeak(allowOnStdout?: string[]): void;
}

/**
 * One in-process test context for command tests: the sandbox's environment
 * (plus `options.env`), recorded streams, real child processes found on the
 * sandbox's PATH, and the spawned tests' leak scan.
 */
export function commandContext(box: Sandbox, options: CommandContextOptions = {}): CommandContext {
  const env = box.runEnv(options.env);
  const world = sandboxWorld(env, options.cwd ?? box.root);
  const io = memoryIo(options.stdin);
  const ui = new Ui(io, {
    debug: options.debug ?? envFlag(world.env, "CLAUDE_CODE_AUTH_DEBUG"),
    quiet: options.quiet ?? false,
    color: false,
  });
  const ctx = createContext({
    ...world,
    io,
    ui,
    os: options.os,
    now: options.now,
    authFile: options.authFile,
    fetch: options.fetch,
  });
  const errors: CliError[] = [];
  return {
    ctx,
    out: () => io.out,
    err: () => io.err,
    async settle(run) {
      try {
        return { code: await run };
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        errors.push(error);
        return { code: error.exitCode, error };
      }
    },
    assertNoLeak(allowOnStdout = []) {
      const thrown = errors.map((e) => `${e.message}\n${e.hint ?? ""}\n`).join("");
      box.assertNoLeak(
        [options.name ?? "in-process command"],
        { code: 0, stdout: io.out, stderr: io.err + thrown },
        allowOnStdout,
      );
    },
  };
}

/**
 * opencode-claude-code-auth: sign OpenCode into Anthropic and keep it signed in.
 * This file only parses the command line, dispatches to one module per
 * command (loaded lazily, so `token` loads nothing it does not use) and maps
 * errors to the contract's exit codes.
 *
 * @module
 */

import {
  commandHelp,
  type CommandName,
  globalHelp,
  parseCommandLine,
  type ParsedArgs,
} from "./lib/cli.ts";
import { type Context, createContext, envFlag, processEnv } from "./lib/context.ts";
import type { EnvReader } from "./lib/environment.ts";
import {
  CancelledError,
  CliError,
  type ExitCode,
  firstLine,
  PROGRAM,
  STOP_SIGNAL_EXIT,
  VERSION,
} from "./lib/errors.ts";
import { installStopHandler } from "./lib/interrupt.ts";
import { type Io, processIo, Ui } from "./lib/ui.ts";
import { lazyImport, type LazyModule } from "./lib/lazy.ts";

/** A command module: turns its parsed arguments into options and runs. */
interface CommandModule<C extends CommandName> {
  /** `run -- CMD` passes CMD's exit code through; every other command exits with the contract's codes. */
  run(ctx: Context, args: ParsedArgs<C>): Promise<C extends "run" ? number : ExitCode>;
}

/**
 * One module per command, loaded lazily (and through lazyImport, which Deno
 * does not prepare ahead) so `token` loads nothing it does not use.
 */
const COMMAND_MODULES = {
  login: "lib/commands/login.ts",
  switch: "lib/commands/switch.ts",
  status: "lib/commands/status.ts",
  token: "lib/commands/token.ts",
  refresh: "lib/commands/refresh.ts",
  logout: "lib/commands/logout.ts",
  doctor: "lib/commands/doctor.ts",
  run: "lib/commands/run.ts",
  service: "lib/commands/service.ts",
  completions: "lib/commands/completions.ts",
} as const satisfies { [C in CommandName]: LazyModule };

/**
 * Each command module's type, for the check below (type positions only:
 * nothing here is loaded, see lib/lazy.ts).
 */
type CommandModuleTypes = {
  login: typeof import("./lib/commands/login.ts");
  switch: typeof import("./lib/commands/switch.ts");
  status: typeof import("./lib/commands/status.ts");
  token: typeof import("./lib/commands/token.ts");
  refresh: typeof import("./lib/commands/refresh.ts");
  logout: typeof import("./lib/commands/logout.ts");
  doctor: typeof import("./lib/commands/doctor.ts");
  run: typeof import("./lib/commands/run.ts");
  service: typeof import("./lib/commands/service.ts");
  completions: typeof import("./lib/commands/completions.ts");
};

/** Fails to compile unless each command's module has the `run` dispatch calls. */
type _CommandModulesFit = Holds<
  {
    [C in CommandName]: CommandModuleTypes[C] extends CommandModule<C> ? true : false;
  }[CommandName] extends true ? true : false
>;
/** `T`, which must be `true`. */
type Holds<T extends true> = T;

/** Load command `C`'s module and run it. */
async function dispatch<C extends CommandName>(ctx: Context, args: ParsedArgs<C>): Promise<number> {
  // Checked above (_CommandModulesFit); TypeScript cannot narrow the table by a generic C.
  const module = await lazyImport<CommandModule<C>>(COMMAND_MODULES[args.command]);
  return await module.run(ctx, args);
}

/** What the CLI takes from the outside world; tests pass their own. */
export interface CliWorld {
  /** The process streams. */
  io: Io;
  /** The environment variables. */
  env: EnvReader;
  /** The OS to act for; the real one when absent. */
  os?: typeof Deno.build.os;
  /** The clock, in epoch milliseconds; `Date.now` when absent. */
  now?: () => number;
  /** The working directory; the real one when absent. */
  cwd?: () => string | undefined;
  /** How child processes start; `Deno.Command` when absent. */
  spawn?: Context["spawn"];
}

/**
 * Run the CLI with `argv` and return the process exit code. Ctrl-C (or
 * SIGTERM, SIGHUP) at any point prints `cancelled` and exits 128+N; what is
 * being written then is finished first (lib/interrupt.ts).
 *
 * @example Print a token for a script, as the command line does
 * ```ts
 * import { main } from "@occa/opencode-claude-code-auth";
 *
 * Deno.exit(await main(["token"]));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIo();
  const uninstall = installStopHandler((signal) => {
    const ui = new Ui(io, { debug: false, quiet: false, color: false });
    reportCancelled(ui, signal);
    Deno.exit(STOP_SIGNAL_EXIT[signal]);
  });
  try {
    return await runCli(argv, { io, env: processEnv() });
  } finally {
    uninstall();
  }
}

/** The one line of a cancelled run, on a line of its own (a prompt may have left one open). */
function reportCancelled(ui: Ui, signal: keyof typeof STOP_SIGNAL_EXIT): void {
  const lead = ui.io.stderrLineOpen?.() ? "\n" : "";
  ui.line(signal === "SIGINT" ? "cancelled" : `cancelled (${signal})`, lead);
}

/**
 * Run the CLI with `argv` in `world` (the real one, or a test's) and return the exit code.
 *
 * @example Read `status --json` in-process instead of from a child's stdout
 * ```ts
 * import { runCli } from "@occa/opencode-claude-code-auth";
 *
 * let stdout = "";
 * const code = await runCli(["status", "--json"], {
 *   io: {
 *     stdin: new Blob([]).stream(),
 *     stdinIsTerminal: () => false,
 *     stderrIsTerminal: () => false,
 *     setRaw: () => {},
 *     writeOut: (text) => {
 *       stdout += text;
 *     },
 *     writeErr: (text) => console.error(text.trimEnd()),
 *   },
 *   env: { get: (name) => Deno.env.get(name) },
 * });
 * // 0 when signed in and usable, 4 when a sign-in is required.
 * console.log(code, JSON.parse(stdout).loggedIn);
 * ```
 */
export async function runCli(argv: readonly string[], world: CliWorld): Promise<number> {
  const { io, env } = world;
  const color = !Deno.noColor && io.stderrIsTerminal();
  let ui = new Ui(io, { debug: false, quiet: false, color });
  try {
    const envDebug = envFlag(env, "CLAUDE_CODE_AUTH_DEBUG");
    ui = new Ui(io, { debug: envDebug, quiet: false, color });
    const parsed = parseCommandLine(argv);
    ui = new Ui(io, {
      debug: envDebug || parsed.values.debug === true,
      quiet: parsed.values.quiet === true,
      color,
    });
    if (parsed.version) {
      ui.data(`${PROGRAM} ${VERSION}\n`);
      return 0;
    }
    if (parsed.values.help) {
      if (parsed.topic === "environment") {
        const { environmentHelp } = await lazyImport<typeof import("./lib/reference.ts")>(
          "lib/reference.ts",
        );
        ui.data(environmentHelp());
      } else {
        ui.data(parsed.command ? commandHelp(parsed.command) : globalHelp(VERSION));
      }
      return 0;
    }
    if (!parsed.command) {
      // No command: the help on stderr, line by line through Ui (a usage error, exit 2).
      for (const line of globalHelp(VERSION).trimEnd().split("\n")) ui.line(line);
      return 2;
    }
    const ctx = createContext({
      env,
      io,
      ui,
      authFile: parsed.values["auth-file"],
      os: world.os,
      now: world.now,
      cwd: world.cwd,
      spawn: world.spawn,
    });
    ui.debug(`${PROGRAM} ${VERSION}, deno ${Deno.version.deno}, ${Deno.build.target}`);
    return await dispatch(ctx, parsed);
  } catch (error) {
    return reportError(ui, error);
  }
}

/** Print an error as one line (plus a hint) and choose the exit code. */
function reportError(ui: Ui, error: unknown): number {
  if (error instanceof CancelledError) {
    reportCancelled(ui, error.signal);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    ui.error(error.message);
    if (error.hint) ui.hint(error.hint);
    // Expected failures never print a stack trace, not even with --debug: only their causes.
    debugCauses(ui, error);
    return error.exitCode;
  }
  if (error instanceof Deno.errors.NotCapable) {
    ui.error(`missing Deno permission: ${firstLine(error)}`);
    ui.hint(
      "run with the permission flags from the README (`deno task start`), or use a release binary",
    );
    return 1;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    ui.error(`permission denied: ${firstLine(error)}`);
    return 1;
  }
  if (error instanceof Deno.errors.Interrupted) {
    reportCancelled(ui, "SIGINT");
    return STOP_SIGNAL_EXIT.SIGINT;
  }
  ui.error(`unexpected error: ${firstLine(error)}`);
  if (error instanceof Error && error.stack) {
    if (ui.options.debug) ui.debug(error.stack);
    else ui.hint("run again with --debug for details");
  }
  return 1;
}

/** Under --debug, the chain of causes behind an error, one line each (scrubbed by Ui). */
function debugCauses(ui: Ui, error: Error): void {
  let cause = error.cause;
  for (let depth = 0; cause !== undefined && depth < 8; depth++) {
    ui.debug(
      `caused by: ${cause instanceof Error ? `${cause.name}: ${firstLine(cause)}` : String(cause)}`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

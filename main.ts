/**
 * opencode-claude-code-auth: sign OpenCode into Anthropic and keep it signed in.
 * This file only parses the command line, dispatches to one module per
 * command (loaded lazily, so `token` loads nothing it does not use) and maps
 * errors to the contract's exit codes.
 *
 * @module
 */

import meta from "./deno.json" with { type: "json" };
import { commandHelp, globalHelp, parseCommandLine, PROGRAM } from "./lib/cli.ts";
import { createContext, envFlag, processEnv } from "./lib/context.ts";
import { CliError } from "./lib/errors.ts";
import { processIo, Ui } from "./lib/ui.ts";

/** A command module: turns parsed values into its options and runs. */
interface CommandModule {
  run(
    ctx: import("./lib/context.ts").Context,
    args: import("./lib/cli.ts").ParsedCommandLine,
  ): Promise<number>;
}

const COMMAND_MODULES: Record<string, () => Promise<CommandModule>> = {
  login: () => import("./lib/commands/login.ts"),
  status: () => import("./lib/commands/status.ts"),
  token: () => import("./lib/commands/token.ts"),
  refresh: () => import("./lib/commands/refresh.ts"),
  logout: () => import("./lib/commands/logout.ts"),
  doctor: () => import("./lib/commands/doctor.ts"),
  run: () => import("./lib/commands/run.ts"),
  completions: () => import("./lib/commands/completions.ts"),
};

/** Run the CLI with `argv` and return the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIo();
  const env = processEnv();
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
      io.writeOut(`${PROGRAM} ${meta.version}\n`);
      return 0;
    }
    if (parsed.values.help) {
      io.writeOut(parsed.command ? commandHelp(parsed.command) : globalHelp(meta.version));
      return 0;
    }
    if (!parsed.command) {
      io.writeErr(globalHelp(meta.version));
      return 2;
    }
    const ctx = createContext({
      env,
      io,
      ui,
      authFile: parsed.values["auth-file"] as string | undefined,
    });
    ui.debug(`${PROGRAM} ${meta.version}, deno ${Deno.version.deno}, ${Deno.build.target}`);
    const module = await COMMAND_MODULES[parsed.command]();
    return await module.run(ctx, parsed);
  } catch (error) {
    return reportError(ui, error);
  }
}

/** Print an error as one line (plus a hint) and choose the exit code. */
function reportError(ui: Ui, error: unknown): number {
  if (error instanceof CliError) {
    ui.error(error.message);
    if (error.hint) ui.hint(error.hint);
    // Expected failures never print a stack trace, not even with --debug.
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
    ui.error("interrupted");
    return 130;
  }
  ui.error(`unexpected error: ${firstLine(error)}`);
  if (error instanceof Error && error.stack) {
    if (ui.options.debug) ui.debug(error.stack);
    else ui.hint("run again with --debug for details");
  }
  return 1;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

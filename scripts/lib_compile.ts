/**
 * The pure parts of `deno task compile`: the flags to embed (those of
 * deno.json's `start` task, the single source of truth), the exact
 * `deno compile` argument list per target, output names, the SHA256SUMS text,
 * and the reading of `deno compile`'s failures. scripts/compile.ts does the
 * running; tests/scripts/compile_test.ts tests both.
 */

/** The release targets, in release order. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One release target (a Rust target triple, as `deno compile --target` takes it). */
export type Target = typeof TARGETS[number];

/** The program's name, the prefix of every binary. */
export const PROGRAM = "opencode-claude-code-auth";

export { ENTRY, splitCommandLine, startTaskFlags } from "../lib/service/task_flags.ts";
import { startTaskFlags } from "../lib/service/task_flags.ts";

/**
 * Flags that set Deno's own log level. `deno compile` takes `-q` too and
 * embeds it (as log level "ERROR"), which keeps a binary as quiet as
 * `deno run -q`: without it every start prints an "Info Failed to resolve
 * 'security' for allow-run" line for each --allow-run program that is not
 * installed (security, rundll32 and open on Linux, for example).
 */
const LOG_FLAGS = new Set(["-q", "--quiet"]);

/**
 * `--no-config`: `deno run` then neither looks for a deno.json nor applies one.
 * A binary has no config to find; `deno compile` takes the flag too (it then
 * ignores the repository's deno.json, which the program does not need).
 */
const CONFIG_FLAGS = new Set(["--no-config"]);

/** Whether `flag` is one of Deno's permission options (all of which `deno compile` embeds). */
export function isPermissionFlag(flag: string): boolean {
  return flag === "--no-prompt" ||
    /^--(allow|deny)-(read|write|net|env|sys|run|ffi|import)(=.*)?$/.test(flag) ||
    /^--ignore-env(=.*)?$/.test(flag);
}

/**
 * The flags to embed in the binaries: exactly the start task's flags, which
 * must all be permission flags, `-q` or `--no-config`. Anything else makes this throw, so a
 * change to the start task cannot silently drift from what the binaries get.
 * `--no-prompt` matters here: without it `deno compile` records `prompt: true`
 * and a binary would stop to ask on a terminal instead of failing cleanly.
 */
export function compileFlags(startTask: string): string[] {
  const flags = startTaskFlags(startTask);
  if (flags.some((flag) => flag === "-A" || flag === "--allow-all")) {
    throw new Error("the start task must not use -A/--allow-all");
  }
  const unknown = flags.filter((flag) =>
    !isPermissionFlag(flag) && !LOG_FLAGS.has(flag) && !CONFIG_FLAGS.has(flag)
  );
  if (unknown.length > 0) {
    throw new Error(
      `the start task has ${
        unknown.join(" ")
      }, which is neither a permission flag nor -q nor --no-config; ` +
        "decide whether the binaries need it and teach scripts/lib_compile.ts",
    );
  }
  return flags;
}

/** Whether `name` is a release target. */
export function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}

/** The binary's file name for `target` (`.exe` on Windows). */
export function outputName(target: Target): string {
  return `${PROGRAM}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The exact arguments of `deno` that build `target`: `compile`, the flags to
 * embed, the target, the output path, an `--include` for each module the
 * program loads through a computed specifier (lib/lazy.ts's LAZY_MODULES,
 * which deno compile cannot find by itself) and the entry module.
 */
export function compileArgs(
  target: Target,
  flags: readonly string[],
  options: { outDir: string; entry: string; includes?: readonly string[] },
): string[] {
  return [
    "compile",
    ...flags,
    "--target",
    target,
    "--output",
    `${options.outDir}/${outputName(target)}`,
    ...(options.includes ?? []).flatMap((module) => ["--include", module]),
    options.entry,
  ];
}

/** Lower-case hex SHA-256 of `data`, with Web Crypto. */
export async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The SHA256SUMS text, in `sha256sum`'s format (`<hex>  <name>`, two spaces:
 * text mode, which `sha256sum -c` and `shasum -a 256 -c` both read), sorted
 * by file name, one line each.
 */
export function sha256sums(entries: readonly { name: string; hex: string }[]): string {
  return [...entries]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((entry) => {
      if (!/^[0-9a-f]{64}$/.test(entry.hex)) throw new Error(`not a SHA-256 hex: ${entry.hex}`);
      if (/[\n\\/]/.test(entry.name)) throw new Error(`not a plain file name: ${entry.name}`);
      return `${entry.hex}  ${entry.name}\n`;
    })
    .join("");
}

/** The parsed command line of scripts/compile.ts. */
export interface CompileCommandLine {
  /** Targets to build, in release order. */
  targets: Target[];
  help: boolean;
}

/** Usage of scripts/compile.ts. */
export const USAGE = `usage: deno task compile [--target TARGET]...

Builds ${PROGRAM} for every target (or only the given ones) into dist/, with the
start task's permission flags embedded, and writes dist/SHA256SUMS.

targets: ${TARGETS.join(", ")}

environment:
  DENORT_BIN  path of Deno's denort runtime for the one --target being built (offline builds;
              without it, deno compile downloads denort from dl.deno.land)
`;

/** Parse the script's arguments; throws a UsageProblem on bad input. */
export function parseCompileArgs(args: readonly string[]): CompileCommandLine {
  const chosen = new Set<Target>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let value: string | undefined;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    } else if (arg === "--target") {
      value = args[++i];
      if (value === undefined) throw new UsageProblem("--target needs a value");
    } else if (arg.startsWith("--target=")) {
      value = arg.slice("--target=".length);
    } else {
      throw new UsageProblem(`unknown argument '${arg}'`);
    }
    if (!isTarget(value)) {
      throw new UsageProblem(`unknown target '${value}' (known: ${TARGETS.join(", ")})`);
    }
    chosen.add(value);
  }
  const targets = chosen.size === 0 ? [...TARGETS] : TARGETS.filter((t) => chosen.has(t));
  return { targets, help };
}

/** A bad command line or environment (exit 2). */
export class UsageProblem extends Error {
  /** Create a usage problem. */
  constructor(message: string) {
    super(message);
    this.name = "UsageProblem";
  }
}

/**
 * Check the DENORT_BIN rule: one denort is a runtime for one platform, and
 * `deno compile` uses it for whatever `--target` it is given (an x86_64 Linux
 * denort would silently become the "aarch64" binary), so DENORT_BIN needs
 * exactly one target.
 */
export function checkDenortTargets(denortBin: string | undefined, targets: readonly Target[]) {
  if (denortBin && targets.length !== 1) {
    throw new UsageProblem(
      `DENORT_BIN is the runtime of one platform: build one target with it, e.g. --target ${
        TARGETS[0]
      }`,
    );
  }
}

/** Remove ANSI colour codes. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * A one-line explanation of a failed `deno compile`, when the failure is one
 * of the known base-binary problems; null for anything else (a type error,
 * say), whose own output is then shown.
 */
export function explainCompileFailure(
  stderr: string,
  target: Target,
  denortBin: string | undefined,
): string | null {
  const text = stripAnsi(withoutBacktrace(stderr));
  const url = /https:\/\/dl\.deno\.land\/\S+?\.zip/.exec(text)?.[0];
  if (url || (/Setting up base binary/.test(text) && !denortBin)) {
    const causes = text.split("\n")
      .map((line) => /^\s*\d+: (.*)$/.exec(line)?.[1])
      .filter((line): line is string => line !== undefined);
    const cause = causes.at(-1)?.trim() ?? "download failed";
    return `cannot download denort, Deno's runtime for ${target}, from ${url ?? "dl.deno.land"}: ` +
      `${cause}. To build offline, set DENORT_BIN to that denort binary (unzipped) and pass ` +
      `--target ${target}.`;
  }
  const missing = /Could not find denort at '([^']*)'/.exec(text);
  if (missing) {
    return `DENORT_BIN points at ${missing[1]}, which does not exist: set it to the unzipped ` +
      `denort binary for ${target}, or unset it to download one.`;
  }
  if (denortBin && /Invalid object|Failed to parse|not a valid|Writing binary bytes/.test(text)) {
    return `DENORT_BIN (${denortBin}) is not a denort runtime for ${target}: use the denort ` +
      `binary of this Deno version built for ${target}.`;
  }
  return null;
}

/**
 * Drop Deno's "Stack backtrace:" block (an internal Rust backtrace, of no use
 * to whoever runs the build) from `deno compile` output shown on failure.
 */
export function withoutBacktrace(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const index = stderr.search(/^\s*(\x1b\[[0-9;]*m)*Stack backtrace:/m);
  return (index === -1 ? stderr : stderr.slice(0, index)).trimEnd() + "\n";
}

/** The `--version` line a built binary must print. */
export function expectedVersionLine(version: string): string {
  return `${PROGRAM} ${version}`;
}

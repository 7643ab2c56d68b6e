/**
 * `deno task compile [--target TARGET]...`: one self-contained binary per
 * target in dist/, each with exactly the flags of `deno task start` embedded
 * (its permission flags and -q), and dist/SHA256SUMS (Web Crypto).
 *
 * `deno compile` takes its runtime base (denort) from DENORT_BIN, or downloads
 * it from dl.deno.land; a failed download is reported in one line that names
 * DENORT_BIN. The binary built for this machine is run once (`--version`) so
 * that a wrong base (the deno CLI itself, which makes a file that behaves as
 * `deno`, not as this program) is caught here rather than by a user.
 *
 * Exit codes: 0 built, 1 a build failed, 2 bad arguments.
 */

import { fileURLToPath } from "node:url";
import meta from "../deno.json" with { type: "json" };
import {
  checkDenortTargets,
  compileArgs,
  compileFlags,
  ENTRY,
  expectedVersionLine,
  explainCompileFailure,
  outputName,
  parseCompileArgs,
  sha256Hex,
  sha256sums,
  type Target,
  USAGE,
  UsageProblem,
  withoutBacktrace,
} from "./lib_compile.ts";
import { LAZY_MODULES } from "../lib/lazy.ts";

/** Where the binaries go, relative to the working directory (the project root under `deno task`). */
const OUT_DIR = "dist";
const decoder = new TextDecoder();

class BuildFailure extends Error {}

function say(line: string): void {
  console.error(line);
}

async function runDeno(args: string[]): Promise<Deno.CommandOutput> {
  try {
    return await new Deno.Command("deno", { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BuildFailure("cannot run deno: it is not on PATH");
    }
    throw error;
  }
}

/** Run the binary built for this machine and check that it is this program. */
async function smokeTest(path: string, target: Target, denortBin: string | undefined) {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new BuildFailure(
      `${path} does not start (${(error as Error).message.split("\n")[0]}); ` +
        (denortBin ? `is DENORT_BIN (${denortBin}) the denort runtime for ${target}?` : ""),
    );
  }
  const printed = decoder.decode(output.stdout).trim() || decoder.decode(output.stderr).trim();
  const expected = expectedVersionLine(meta.version);
  if (output.code === 0 && printed === expected) return;
  // Not deleted here: Deno refuses writes to a path that --allow-run lists.
  const firstLine = printed.split("\n")[0].slice(0, 120);
  throw new BuildFailure(
    `${path} is not usable: it does not run as ${expected.split(" ")[0]} ` +
      `(\`--version\` printed '${firstLine}', exit ${output.code}); delete it. ` +
      (denortBin
        ? `DENORT_BIN (${denortBin}) must be Deno's denort runtime for ${target} ` +
          `(denort-${target}.zip), not the deno CLI.`
        : "Check the deno installation."),
  );
}

async function build(targets: Target[], denortBin: string | undefined): Promise<void> {
  const flags = compileFlags(meta.tasks.start);
  const entry = fileURLToPath(new URL(`../${ENTRY}`, import.meta.url));
  const includes = LAZY_MODULES.map((module) =>
    fileURLToPath(new URL(`../${module}`, import.meta.url))
  );
  await Deno.mkdir(OUT_DIR, { recursive: true });
  await Deno.remove(`${OUT_DIR}/SHA256SUMS`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  say(`embedding: ${flags.join(" ")}`);
  const sums: { name: string; hex: string }[] = [];
  for (const target of targets) {
    const name = outputName(target);
    const path = `${OUT_DIR}/${name}`;
    say(`compiling ${target} -> ${path}`);
    const output = await runDeno(compileArgs(target, flags, { outDir: OUT_DIR, entry, includes }));
    if (output.code !== 0) {
      const stderr = decoder.decode(output.stderr);
      const explained = explainCompileFailure(stderr, target, denortBin);
      if (explained) throw new BuildFailure(explained);
      Deno.stderr.writeSync(new TextEncoder().encode(withoutBacktrace(stderr)));
      throw new BuildFailure(`deno compile failed for ${target} (exit code ${output.code})`);
    }
    if (target === Deno.build.target) await smokeTest(path, target, denortBin);
    const bytes = await Deno.readFile(path);
    sums.push({ name, hex: await sha256Hex(bytes) });
    say(`  ${path} (${(bytes.length / 1024 / 1024).toFixed(1)} MB)`);
  }
  await Deno.writeTextFile(`${OUT_DIR}/SHA256SUMS`, sha256sums(sums));
  say(`wrote ${OUT_DIR}/SHA256SUMS (${sums.length} file${sums.length === 1 ? "" : "s"})`);
}

/** Run the script; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  try {
    const commandLine = parseCompileArgs(args);
    if (commandLine.help) {
      console.log(USAGE);
      return 0;
    }
    const denortBin = Deno.env.get("DENORT_BIN") || undefined;
    checkDenortTargets(denortBin, commandLine.targets);
    await build(commandLine.targets, denortBin);
    return 0;
  } catch (error) {
    if (error instanceof UsageProblem) {
      say(`error: ${error.message}`);
      say("see: deno task compile --help");
      return 2;
    }
    if (error instanceof BuildFailure) {
      say(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof Deno.errors.NotCapable) {
      say(`error: missing Deno permission: ${error.message.split("\n")[0]}`);
      say("hint: run it as `deno task compile` (deno.json has the flags)");
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

/**
 * `deno task soak [--rounds N] [--side-by-side P] [--load K]`: the suite under
 * load, the way a contributor's machine loads it. N rounds (default 3); in
 * each, P copies of the whole suite run side by side (default 2), each with
 * its own temporary folders (TMPDIR), optionally beside K busy loops. Prints
 * every run's result and wall time, then which tests failed in which run
 * (each run's full output is kept in a log file); exits 1 if any run failed.
 * Not part of `deno task test`: a red run here is a flaky test to fix.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { testCommand } from "./test.ts";

/** What a soak does. */
export interface SoakOptions {
  rounds: number;
  sideBySide: number;
  load: number;
}

/** How one copy of the suite ended. */
export interface SoakRun {
  round: number;
  copy: number;
  passed: boolean;
  ms: number;
  /** Failed tests as `name (file:line:column)`, from the suite's output. */
  failed: string[];
  /** Where its whole output is. */
  log: string;
}

const USAGE = "usage: deno task soak [--rounds N] [--side-by-side P] [--load K]";

/** The options from the command line, or the usage error to print. */
export function parseSoakArgs(args: readonly string[]): SoakOptions | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        rounds: { type: "string" },
        "side-by-side": { type: "string" },
        load: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: `${error instanceof Error ? error.message : error}\n${USAGE}` };
  }
  const number = (name: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > 64) {
      throw new Error(`--${name} needs a whole number from ${min} to 64, got '${text}'`);
    }
    return value;
  };
  try {
    return {
      rounds: number("rounds", values.rounds, 3, 1),
      sideBySide: number("side-by-side", values["side-by-side"], 2, 1),
      load: number("load", values.load, 0, 0),
    };
  } catch (error) {
    return { error: `${(error as Error).message}\n${USAGE}` };
  }
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The failed tests listed in the FAILURES section of `deno test` output, as
 * `name (./tests/file.ts:line:column)`, in order. A file that failed to load
 * names no test: the caller points at the log.
 */
export function failedTests(output: string): string[] {
  const lines = output.replace(ANSI, "").split("\n").map((line) => line.trimEnd());
  const start = lines.findIndex((line) => line.trim() === "FAILURES");
  if (start === -1) return [];
  const failed: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") {
      if (failed.length > 0) break;
      continue;
    }
    const at = line.lastIndexOf(" => ");
    failed.push(at === -1 ? line.trim() : `${line.slice(0, at).trim()} (${line.slice(at + 4)})`);
  }
  return failed;
}

/** Minutes and seconds, for wall times. */
function wall(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** The report's lines: one per run, a total, then every failed test by run. */
export function soakReport(runs: readonly SoakRun[]): string[] {
  const lines = runs.map((r) =>
    `round ${r.round} copy ${r.copy}: ${r.passed ? "ok" : "FAILED"} in ${wall(r.ms)}`
  );
  const green = runs.filter((r) => r.passed).length;
  lines.push(`${green} of ${runs.length} runs green`);
  for (const run of runs.filter((r) => !r.passed)) {
    lines.push(`failed in round ${run.round} copy ${run.copy} (log: ${run.log}):`);
    if (run.failed.length === 0) lines.push("  (no failed test named: see the log)");
    for (const name of run.failed) lines.push(`  ${name}`);
  }
  return lines;
}

/** Start `count` busy loops (workers spinning), each a core's worth of load; returns their stop. */
function busyLoops(count: number): () => void {
  const url = URL.createObjectURL(new Blob(["for (;;) {}"], { type: "text/javascript" }));
  const workers = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
  return () => {
    for (const worker of workers) worker.terminate();
    URL.revokeObjectURL(url);
  };
}

/**
 * Run one copy of the suite with its own temporary folder `tmp` (kept short:
 * socket paths under it must fit 108 bytes); its output goes to `log`.
 */
async function runCopy(tmp: string, log: string, round: number, copy: number): Promise<SoakRun> {
  await Deno.mkdir(tmp, { recursive: true });
  const started = performance.now();
  const output = await testCommand([], { TMPDIR: tmp, TMP: tmp, TEMP: tmp }, "piped").output();
  const ms = performance.now() - started;
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  await Deno.writeTextFile(log, text);
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  const run = { round, copy, passed: output.success, ms, failed: failedTests(text), log };
  console.log(soakReport([run])[0]);
  return run;
}

if (import.meta.main) {
  const options = parseSoakArgs(Deno.args);
  if ("error" in options) {
    console.error(`error: ${options.error}`);
    Deno.exit(2);
  }
  const root = await Deno.makeTempDir({ prefix: "occa-soak-" });
  console.log(
    `soak: ${options.rounds} rounds of ${options.sideBySide} suites side by side` +
      `${options.load ? ` beside ${options.load} busy loops` : ""}; ` +
      `${navigator.hardwareConcurrency} cores; logs in ${root}`,
  );
  const stopLoad = busyLoops(options.load);
  const runs: SoakRun[] = [];
  const started = performance.now();
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const copies = Array.from(
        { length: options.sideBySide },
        (_, i) =>
          runCopy(
            `${root}/${round}.${i + 1}`,
            `${root}/round-${round}-copy-${i + 1}.log`,
            round,
            i + 1,
          ),
      );
      runs.push(...await Promise.all(copies));
    }
  } finally {
    stopLoad();
  }
  console.log("");
  for (const line of soakReport(runs)) console.log(line);
  console.log(`soak wall time: ${wall(performance.now() - started)}`);
  Deno.exit(runs.every((r) => r.passed) ? 0 : 1);
}

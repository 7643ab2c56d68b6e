/**
 * The suite itself, as `deno task test` runs it after fmt, lint and check:
 * `deno test` over tests/ with the permissions the tests need, in parallel,
 * sized to the machine. DENO_JOBS (how many test files run at once) is the
 * number of cores, at least 2; a DENO_JOBS set in the environment wins.
 * Extra arguments go to `deno test` (a file, `--filter NAME`).
 *
 * @module
 */

/** The permission flags the suite runs under (the tests spawn the CLI under the start task's). */
export const TEST_FLAGS: readonly string[] = [
  "--no-prompt",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-env",
  "--allow-net=127.0.0.1",
];

/** DENO_JOBS for this machine: the environment's when it is a whole number of at least 1, else the cores (at least 2). */
export function testJobs(fromEnv: string | undefined, cores: number): number {
  const asked = Number(fromEnv);
  if (fromEnv !== undefined && fromEnv.trim() !== "" && Number.isInteger(asked) && asked >= 1) {
    return asked;
  }
  return Math.max(2, Number.isInteger(cores) ? cores : 0);
}

/** The `deno test` arguments: the whole of tests/ unless `extra` names files. */
export function testArgs(extra: readonly string[] = []): string[] {
  const namesFiles = extra.some((arg) => !arg.startsWith("-") && /\.ts$|\/$/.test(arg));
  return ["test", ...TEST_FLAGS, "--parallel", ...extra, ...(namesFiles ? [] : ["tests/"])];
}

/** The suite as one command, with `env` added (a soak copy's own TMPDIR). */
export function testCommand(
  extra: readonly string[] = [],
  env: Record<string, string> = {},
  output: "inherit" | "piped" = "inherit",
): Deno.Command {
  const jobs = testJobs(env.DENO_JOBS ?? Deno.env.get("DENO_JOBS"), navigator.hardwareConcurrency);
  return new Deno.Command(Deno.execPath(), {
    args: testArgs(extra),
    env: { ...env, DENO_JOBS: String(jobs) },
    stdin: "null",
    stdout: output,
    stderr: output,
  });
}

if (import.meta.main) {
  const status = await testCommand(Deno.args).spawn().status;
  Deno.exit(status.code);
}

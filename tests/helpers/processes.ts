/** Watching test processes from outside: is it alive, wait for it to go, read the pid it wrote. */

import assert from "node:assert/strict";
import { HANG_MS, waitFor } from "./wait.ts";

const decoder = new TextDecoder();

/**
 * Whether process `pid` still runs, from `ps` (no /proc access needed). A
 * zombie counts as gone: it is dead and only waits for whoever reaps orphans.
 */
export async function alive(pid: number): Promise<boolean> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const state = decoder.decode(stdout).trim();
  return state !== "" && !state.startsWith("Z");
}

/**
 * Wait until `pid` is gone; true when it went, false when it still ran after
 * `ms` (a hang limit: a process being killed goes in milliseconds).
 */
export async function gone(pid: number, ms = HANG_MS): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (!await alive(pid)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pid written to `path`, once something has written it. */
export async function readPid(path: string): Promise<number> {
  let pid = 0;
  await waitFor(`a pid in ${path}`, async () => {
    try {
      pid = Number((await Deno.readTextFile(path)).trim()) || 0;
    } catch { /* not yet */ }
    return pid > 0;
  });
  return pid;
}

/** The grandchild whose pid was written to `pidFile` ends (fails only if it never does). */
export async function assertGrandchildGone(pidFile: string): Promise<void> {
  const grandchild = await readPid(pidFile);
  assert(await gone(grandchild), `grandchild ${grandchild} still runs: hung?`);
}

/**
 * Run a scheduled job's command the way a service manager does: its own
 * environment only, from `/`, stdin closed. Returns the decoded result.
 */
export async function runLikeScheduler(
  program: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    cwd: "/",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

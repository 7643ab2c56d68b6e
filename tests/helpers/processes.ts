/** Watching test processes from outside: is it alive, wait for it to go, read the pid it wrote. */

import assert from "node:assert/strict";

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

/** Wait until `pid` is gone, up to `ms`; true when it went. */
export async function gone(pid: number, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!await alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function readPid(path: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    try {
      const text = (await Deno.readTextFile(path)).trim();
      if (text) return Number(text);
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no pid in ${path}`);
}

/** The grandchild whose pid was written to `pidFile` is gone (within `gone`'s wait). */
export async function assertGrandchildGone(pidFile: string): Promise<void> {
  const grandchild = await readPid(pidFile);
  assert(await gone(grandchild), `grandchild ${grandchild} still runs`);
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

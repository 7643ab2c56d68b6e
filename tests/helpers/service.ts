/**
 * Inputs for unit tests of lib/service/: a place on any OS (its paths under
 * a fake home), a job, and a child's result as runBounded reports it.
 */

import { recordEnv } from "../../lib/context.ts";
import type { BoundedResult } from "../../lib/process.ts";
import type { Job } from "../../lib/service/job.ts";
import type { ServicePlace } from "../../lib/service/manager.ts";

/**
 * A place on `os` with home /home/u (USERPROFILE too: lib/fs/path.ts joins
 * with the host's separator, so every OS's paths here are POSIX); `owner`
 * answers ownerOf, and each path asked is recorded.
 */
export function placeOn(
  os: string,
  owner: (path: string) => number | null = () => 501,
): ServicePlace & { ownerAsked: string[] } {
  const asked: string[] = [];
  return {
    env: recordEnv({ HOME: "/home/u", USERPROFILE: "/home/u" }),
    os,
    stateFile: "/home/u/.config/opencode-claude-code-auth/state.json",
    ownerOf(path) {
      asked.push(path);
      return owner(path);
    },
    ownerAsked: asked,
  };
}

/** A job as buildJob makes it (the plans only carry it into text). */
export const JOB: Job = {
  program: "/usr/bin/deno",
  args: ["run", "main.ts", "refresh", "--ahead", "4m", "--quiet"],
  env: { PATH: "/usr/bin:/bin" },
};

/** The default schedule: every 2 minutes, 4 minutes ahead. */
export const SCHEDULE = { every: 2 * 60_000, ahead: 4 * 60_000 };

const encoder = new TextEncoder();

/** A finished child: exit `code` with the given output (text), nothing else remarkable. */
export function ran(
  code: number | null,
  output: { stdout?: string; stderr?: string } = {},
  extra: Partial<BoundedResult> = {},
): BoundedResult {
  return {
    code,
    signal: null,
    timedOut: false,
    notFound: false,
    notAllowed: false,
    stdout: encoder.encode(output.stdout ?? ""),
    stderr: encoder.encode(output.stderr ?? ""),
    stdoutTruncated: false,
    stderrTruncated: false,
    ...extra,
  };
}

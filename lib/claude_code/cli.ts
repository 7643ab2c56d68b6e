/**
 * Refreshing Claude Code's session by running its CLI: Claude Code refreshes
 * its own token when it makes an API call near expiry, so a one-shot prompt
 * with a cheap model does it. We never use its refresh token ourselves.
 *
 * @module
 */

import { PROGRAM } from "../errors.ts";
import { makeTempDirWithFallback } from "../fs/atomic.ts";
import { dirname, join } from "../fs/path.ts";
import { envMilliseconds } from "../environment.ts";
import type { EnvContext, FilesContext, OutputContext, ProcessContext } from "../context.ts";
import { runBounded } from "../process.ts";
import { startProgress } from "../progress.ts";
import { lastLine } from "../ui.ts";

/** Default model for the refresh prompt (`CLAUDE_CODE_AUTH_REFRESH_MODEL`). */
export const DEFAULT_REFRESH_MODEL = "claude-haiku-4-5";
/** Default time limit for `claude` (`CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS`). */
export const DEFAULT_REFRESH_TIMEOUT_MS = 60_000;
/** Of `claude`'s stderr only the end is kept: its last line says what went wrong. */
const STDERR_TAIL_BYTES = 16 * 1024;

/** The arguments `claude` is run with. */
export function refreshArgs(model: string): string[] {
  return ["-p", ".", "--model", model];
}

/** How a `claude` run ended. */
export interface ClaudeRunResult {
  /** Exit code, or null when it could not be started or was killed. */
  code: number | null;
  /** Whether it was stopped at its time limit. */
  timedOut: boolean;
  /** Why it did not succeed, for messages (secrets redacted); null on exit 0. */
  reason: string | null;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * Run `claude -p . --model MODEL` with stdin closed, in a fresh temporary
 * working directory (so no session history lands in the user's project),
 * stopped with its whole process group at the time limit or on an interrupt.
 * The temporary folder is removed on every way out.
 */
export async function runClaudeRefresh(
  ctx: EnvContext & ProcessContext & OutputContext & FilesContext,
): Promise<ClaudeRunResult> {
  const model = ctx.env.get("CLAUDE_CODE_AUTH_REFRESH_MODEL") || DEFAULT_REFRESH_MODEL;
  const timeoutMs = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    DEFAULT_REFRESH_TIMEOUT_MS,
  );
  // An unset, empty or missing TMPDIR must not stop a refresh: fall back to
  // /tmp, then to a folder beside this tool's state.
  const cwd = await makeTempDirWithFallback(`${PROGRAM}-`, [
    ...(ctx.os === "windows" ? [] : ["/tmp"]),
    join(dirname(ctx.stateFile), "tmp"),
  ]);
  try {
    ctx.ui.debug(
      `running claude ${refreshArgs(model).join(" ")} in ${cwd} (time limit ${timeoutMs} ms)`,
    );
    const stopSpinner = startProgress(
      ctx.ui,
      "Refreshing the Claude Code session (running `claude`)…",
    );
    let result;
    try {
      result = await runBounded(ctx, {
        command: "claude",
        args: refreshArgs(model),
        cwd,
        timeoutMs,
        maxOutputBytes: STDERR_TAIL_BYTES,
        stdout: "null",
        stderr: "piped",
      });
    } finally {
      stopSpinner();
    }
    if (result.notFound) {
      return { code: null, timedOut: false, reason: "the `claude` CLI was not found on PATH" };
    }
    if (result.notAllowed) {
      return {
        code: null,
        timedOut: false,
        reason: "the permission flags do not allow running the `claude` CLI",
      };
    }
    ctx.ui.debug(
      `claude exited with code ${result.code}${result.timedOut ? " after the time limit" : ""}`,
    );
    if (result.timedOut) {
      return {
        code: null,
        timedOut: true,
        reason: `\`claude\` timed out after ${formatSeconds(timeoutMs)} and was stopped`,
      };
    }
    if (result.code === 0) return { code: 0, timedOut: false, reason: null };
    const detail = lastLine(result.stderr, 300);
    return {
      code: result.code,
      timedOut: false,
      reason: `\`claude\` exited with code ${result.code}${detail ? `: ${detail}` : ""}`,
    };
  } finally {
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

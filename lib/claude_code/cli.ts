/**
 * Refreshing Claude Code's session by running its CLI: Claude Code refreshes
 * its own token when it makes an API call near expiry, so a one-shot prompt
 * with a cheap model does it. We never use its refresh token ourselves.
 */

import { type Context, envMilliseconds } from "../context.ts";
import { scrub } from "../redact.ts";

/** Default model for the refresh prompt (`CLAUDE_CODE_AUTH_REFRESH_MODEL`). */
export const DEFAULT_REFRESH_MODEL = "claude-haiku-4-5";
/** Default time limit for `claude` (`CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS`). */
export const DEFAULT_REFRESH_TIMEOUT_MS = 60_000;
/** Grace between SIGTERM and SIGKILL for a `claude` that overran its time. */
const KILL_GRACE_MS = 2_000;

/** The arguments `claude` is run with. */
export function refreshArgs(model: string): string[] {
  return ["-p", ".", "--model", model];
}

/** How a `claude` run ended. */
export interface ClaudeRunResult {
  /** Exit code, or null when it could not be started or was killed. */
  code: number | null;
  timedOut: boolean;
  /** Why it did not succeed, for messages (secrets redacted); null on exit 0. */
  reason: string | null;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

function startSpinner(ctx: Context, text: string): () => void {
  if (!ctx.io.stderrIsTerminal() || ctx.ui.options.quiet) return () => {};
  let frame = 0;
  const timer = setInterval(() => {
    ctx.io.writeErr(`\r${SPINNER[frame++ % SPINNER.length]} ${text}`);
  }, 100);
  return () => {
    clearInterval(timer);
    ctx.io.writeErr("\r\x1b[2K");
  };
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Keep the last 16 KiB a stream produces; `finish` stops reading shortly after exit. */
function collectTail(stream: ReadableStream<Uint8Array>): { finish(): Promise<Uint8Array> } {
  const limit = 16 * 1024;
  let tail = new Uint8Array(0);
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const joined = new Uint8Array(tail.length + value.length);
        joined.set(tail);
        joined.set(value, tail.length);
        tail = joined.length > limit ? joined.slice(joined.length - limit) : joined;
      }
    } catch {
      // Cancelled after exit.
    }
  })();
  return {
    async finish() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise((resolve) => timer = setTimeout(resolve, 200));
      await Promise.race([done, grace]);
      clearTimeout(timer);
      await reader.cancel().catch(() => {});
      return tail;
    },
  };
}

/** The last meaningful line of the CLI's stderr, redacted and shortened. */
function stderrSummary(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).split("\n").map((l) => l.trim()).filter(Boolean);
  const line = scrub(lines[lines.length - 1] ?? "");
  return line.length > 300 ? line.slice(0, 300) + "…" : line;
}

/**
 * Run `claude -p . --model MODEL` with stdin closed, in a fresh temporary
 * working directory (so no session history lands in the user's project),
 * killed at the time limit.
 */
export async function runClaudeRefresh(ctx: Context): Promise<ClaudeRunResult> {
  const model = ctx.env.get("CLAUDE_CODE_AUTH_REFRESH_MODEL") || DEFAULT_REFRESH_MODEL;
  const timeoutMs = envMilliseconds(
    ctx.env,
    "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    DEFAULT_REFRESH_TIMEOUT_MS,
  );
  const cwd = await Deno.makeTempDir({ prefix: "opencode-claude-code-auth-" });
  ctx.ui.debug(
    `running claude ${refreshArgs(model).join(" ")} in ${cwd} (time limit ${timeoutMs} ms)`,
  );
  const stopSpinner = startSpinner(ctx, "Refreshing the Claude Code session (running `claude`)…");
  try {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command("claude", {
        args: refreshArgs(model),
        cwd,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable) {
        return { code: null, timedOut: false, reason: "the `claude` CLI was not found on PATH" };
      }
      throw error;
    }
    let timedOut = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      killTimer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, KILL_GRACE_MS);
    }, timeoutMs);
    const stderr = collectTail(child.stderr);
    // Wait for the process, not its pipes: a grandchild may hold stderr open.
    const status = await child.status;
    clearTimeout(timer);
    clearTimeout(killTimer);
    const stderrBytes = await stderr.finish();
    ctx.ui.debug(
      `claude exited with code ${status.code}${timedOut ? " after the time limit" : ""}`,
    );
    if (timedOut) {
      return {
        code: null,
        timedOut,
        reason: `\`claude\` timed out after ${formatSeconds(timeoutMs)} and was stopped`,
      };
    }
    if (status.success) return { code: status.code, timedOut, reason: null };
    const detail = stderrSummary(stderrBytes);
    return {
      code: status.code,
      timedOut,
      reason: `\`claude\` exited with code ${status.code}${detail ? `: ${detail}` : ""}`,
    };
  } finally {
    stopSpinner();
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

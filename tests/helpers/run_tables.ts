/** Fixtures shared by the table-driven in-process command tests (token, status, refresh, logout). */

import assert from "node:assert/strict";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { type FakeClaudeBehaviour, installFakeClaude } from "../fakes/claude_code.ts";
import type { CommandContext, Outcome } from "./context.ts";
import type { Sandbox } from "./sandbox.ts";
import { seedBrowserEntry } from "./browser_login.ts";
import { seedClaudeSession, type Tokens, writeClaudeFile } from "./claude_code_session.ts";

/** The fixed clock of the tables. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
/** One hour in milliseconds. */
export const HOUR = 3600_000;

/** A Claude Code token pair with a fixed, recognisable name, expiring at `expiresAt`. */
export function namedClaudeTokens(
  table: string,
  name: string,
  expiresAt: number,
): { accessToken: string; refreshToken: string; expiresAt: number } {
  return {
    accessToken: `sk-ant-oat01-${table}-${name}-0123456789`,
    refreshToken: `sk-ant-ort01-${table}-${name}-0123456789`,
    expiresAt,
  };
}

/** The entry this tool stores for a Claude Code session (never with Claude Code's refresh token). */
export function claudeCodeEntry(t: { accessToken: string; expiresAt: number }) {
  return { type: "oauth", refresh: "", access: t.accessToken, expires: t.expiresAt };
}

/** What a case sees: the sandbox, the fake Anthropic, and the browser pair it seeded. */
export interface World {
  box: Sandbox;
  fake: FakeAnthropic;
  seeded?: { access: string; refresh: string; expires: number };
}

/** The entry after one refresh against the fake: the rotated pair and its new expiry. */
export const rotatedEntry = (w: World) => ({
  type: "oauth",
  refresh: w.fake.issued[1].refresh,
  access: w.fake.issued[1].access,
  expires: NOW + w.fake.expiresIn * 1000,
});

/** A case setup: a browser sign-in whose access token expires at `expires`. */
export const browser = (expires: number) => async ({ box, fake }: World) => {
  await seedBrowserEntry(box, fake, { expires });
};

/**
 * A case setup: a stored Claude Code session holding `stored`, Claude Code's
 * own file holding `file` (default: the same tokens), and with `claude`, a
 * fake `claude` that behaves so (a "refresh" writes its `next` to that file).
 */
export function claudeSession(
  stored: Tokens,
  options: { file?: Tokens; claude?: Omit<FakeClaudeBehaviour, "credentialsPath"> } = {},
): (w: World) => Promise<void> {
  return async ({ box }) => {
    await seedClaudeSession(box, stored);
    const file = await writeClaudeFile(box, options.file ?? stored);
    if (options.claude) await installFakeClaude(box, { ...options.claude, credentialsPath: file });
  };
}

/** The exit code a case wants, and its error's message (or no error). */
export function assertOutcome(
  t: Pick<CommandContext, "err">,
  outcome: Outcome,
  want: { wantCode: number; wantError?: RegExp },
): void {
  assert.equal(outcome.code, want.wantCode, `${outcome.error?.message ?? ""}\n${t.err()}`);
  if (want.wantError) assert.match(outcome.error?.message ?? "(no error)", want.wantError);
  else assert.equal(outcome.error, undefined);
}

/**
 * Helpers for browser sign-in tests: drive `login --method browser` the way a
 * user does (read the URL from stderr, "visit" it on the fake server, paste
 * what the page shows), seed a stored browser sign-in, and a TCP server that
 * breaks every connection (network errors).
 */

import assert from "node:assert/strict";
import { FakeAnthropic, type ScriptedResponse } from "../fakes/anthropic_server.ts";
import { fingerprint } from "../../lib/state.ts";
import { listenLoopback } from "../fakes/loopback.ts";
import type { RunResult, Sandbox } from "./sandbox.ts";
import { HANG_MS } from "./wait.ts";

/** The result of a driven browser login. */
export interface BrowserLoginRun extends RunResult {
  /** The authorize URL printed on stderr ("" when none was printed). */
  url: string;
  /** What the hosted page showed after the visit (`code#state`), "" without a visit. */
  shown: string;
}

/** How to drive one browser login. */
export interface BrowserLoginDrive {
  /** Extra arguments after `login --method browser --no-browser`. */
  args?: string[];
  /** Extra environment (after the fake's own). */
  env?: Record<string, string | undefined>;
  /**
   * The line to paste, from what the page showed and the URL; null closes
   * stdin without a line. Default: paste `code#state` as shown.
   */
  paste?: (shown: string, url: URL) => string | null;
  /** Leave out `--no-browser`. */
  allowBrowser?: boolean;
}

const decoder = new TextDecoder();

/** The authorize URL on a line of its own in `stderr`, or null. */
export function findAuthorizeUrl(stderr: string): string | null {
  for (const line of stderr.split("\n")) {
    if (/^https?:\/\/\S+\?\S*code_challenge=/.test(line.trim())) return line.trim();
  }
  return null;
}

/** The `code` and `state` of a `code#state` page text. */
export function splitShown(shown: string): { code: string; state: string } {
  const hash = shown.indexOf("#");
  assert(hash > 0, `unexpected page text: ${shown}`);
  return { code: shown.slice(0, hash), state: shown.slice(hash + 1) };
}

/**
 * Plant every secret the fake knows of (issued tokens, minted keys, codes and
 * verifiers it was sent), so the leak scan looks for them.
 */
export function plantFakeSecrets(box: Sandbox, fake: FakeAnthropic): void {
  for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
  box.plant(...fake.minted);
  for (const request of fake.tokenRequests()) {
    try {
      const body = JSON.parse(request.body);
      for (const field of ["code", "code_verifier", "refresh_token"]) {
        if (typeof body[field] === "string" && body[field].length >= 8) box.plant(body[field]);
      }
    } catch {
      // not JSON: nothing to plant
    }
  }
}

/** The command line of a browser login as the drivers run it (`--no-browser` unless allowed). */
export function browserLoginArgs(drive: BrowserLoginDrive): string[] {
  return [
    "login",
    "--method",
    "browser",
    ...(drive.allowBrowser ? [] : ["--no-browser"]),
    ...(drive.args ?? []),
  ];
}

/**
 * Run `login --method browser --no-browser` against `fake`, paste what the
 * page shows (or what `drive.paste` makes of it) on piped stdin, and wait for
 * the end. The result is scanned for leaks of every secret the fake handed out.
 */
export async function driveBrowserLogin(
  box: Sandbox,
  fake: FakeAnthropic,
  drive: BrowserLoginDrive = {},
): Promise<BrowserLoginRun> {
  const args = browserLoginArgs(drive);
  const child = box.command(args, { env: { ...fake.env(), ...drive.env } }).spawn();
  // A hung child must not hang the test run (this is a safety net, not an assertion).
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, HANG_MS);
  const stdoutText = new Response(child.stdout).text();
  const writer = child.stdin.getWriter();
  const reader = child.stderr.getReader();
  let stderr = "";
  let url = "";
  let shown = "";
  let pasted = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += decoder.decode(value, { stream: true });
      if (!pasted) {
        const found = findAuthorizeUrl(stderr);
        // Wait for the prompt so the URL line is complete.
        if (found && /Paste the code/.test(stderr)) {
          pasted = true;
          url = found;
          shown = await fake.visit(url);
          box.plant(splitShown(shown).code);
          const line = drive.paste ? drive.paste(shown, new URL(url)) : shown;
          if (line !== null) {
            await writer.write(new TextEncoder().encode(`${line}\n`)).catch(() => {});
          }
          await writer.close().catch(() => {});
        }
      }
    }
  } finally {
    reader.releaseLock();
    if (!pasted) await writer.close().catch(() => {});
    clearTimeout(guard);
  }
  const status = await child.status;
  if (hung) throw new Error(`\`${args.join(" ")}\` hung: killed after ${HANG_MS / 1000} s`);
  const result: BrowserLoginRun = {
    code: status.code,
    stdout: await stdoutText,
    stderr,
    url,
    shown,
  };
  plantFakeSecrets(box, fake);
  box.assertNoLeak(args, result);
  return result;
}

/** Write this tool's state file for a browser sign-in of `box.authFile`. */
export async function writeBrowserState(
  box: Sandbox,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  await Deno.writeTextFile(
    box.stateFile,
    JSON.stringify({ anthropic: { source: "browser-oauth", authFile: box.authFile, ...extra } }),
    { mode: 0o600 },
  );
}

/**
 * Move the recorded last refresh `ms` into the past, as if that long had
 * passed: the minimum interval between two refreshes (30 s, or half the
 * token's lifetime) would otherwise refuse a second refresh in a test.
 */
export async function ageLastRefresh(box: Sandbox, ms = 24 * 3600_000): Promise<void> {
  const data = JSON.parse(await Deno.readTextFile(box.stateFile));
  if (data.anthropic?.lastRefresh) data.anthropic.lastRefresh.at -= ms;
  await Deno.writeTextFile(box.stateFile, JSON.stringify(data), { mode: 0o600 });
}

/**
 * Store a browser sign-in whose tokens the fake issued (so it accepts them),
 * expiring at `expires` (default: already expired), with the state `login`
 * records: the account and the proof that this tool obtained the refresh
 * token (`minted: false` leaves the proof out, as older versions did).
 * Returns the stored pair.
 */
export async function seedBrowserEntry(
  box: Sandbox,
  fake: FakeAnthropic,
  options: { expires?: number; otherProviders?: Record<string, unknown>; minted?: boolean } = {},
): Promise<{ access: string; refresh: string; expires: number }> {
  const pair = fake.issueTokens();
  box.plant(pair.access, pair.refresh);
  const expires = options.expires ?? Date.now() - 60_000;
  await box.writeAuth({
    ...options.otherProviders,
    anthropic: { type: "oauth", refresh: pair.refresh, access: pair.access, expires },
  });
  await writeBrowserState(box, {
    email: "dev@example.com",
    organization: "Example Org",
    ...(options.minted === false ? {} : { mintedRefresh: await fingerprint(pair.refresh) }),
  });
  return { ...pair, expires };
}

/** auth.json and state file bytes, to prove that nothing was written. */
export async function snapshotFiles(
  box: Sandbox,
): Promise<{ auth: string | null; state: string | null }> {
  const read = (path: string) => Deno.readTextFile(path).catch(() => null);
  return { auth: await read(box.authFile), state: await read(box.stateFile) };
}

/** A TCP server on 127.0.0.1 that accepts and immediately closes every connection. */
export class ClosingServer {
  /** Connections accepted so far. */
  connections = 0;
  private constructor(private readonly listener: Deno.Listener, readonly url: string) {}

  /** Start on a free port. */
  static start(): ClosingServer {
    const { listener, url } = listenLoopback((conn) => {
      server.connections++;
      conn.close();
    });
    const server = new ClosingServer(listener, url);
    return server;
  }

  /** Stop listening. */
  close(): void {
    try {
      this.listener.close();
    } catch {
      // already closed
    }
  }
}

/** Run `fn` with a started fake Anthropic, closed afterwards. */
export async function withFake(fn: (fake: FakeAnthropic) => Promise<void>): Promise<void> {
  const fake = await FakeAnthropic.start();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

/** The single `error:` line of a failed run. */
export function errorLines(result: RunResult): string[] {
  return result.stderr.split("\n").filter((line) => line.startsWith("error:"));
}

/** A bad answer of the token endpoint and what the CLI must make of it. */
export interface BadTokenResponse {
  name: string;
  response: ScriptedResponse;
  /** Expected exit code. */
  code: 1 | 4;
  /** Expected in the error line. */
  message: RegExp;
}

const jsonResponse = (status: number, body: unknown): ScriptedResponse => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

const TOKENS = {
  access_token: "sk-ant-oat01-scripted-access-0123456789",
  refresh_token: "sk-ant-ort01-scripted-refresh-0123456789",
  expires_in: 3600,
};

/** Every kind of bad token response, for login and for refresh. */
export const BAD_TOKEN_RESPONSES: BadTokenResponse[] = [
  {
    name: "non-JSON body",
    response: { status: 200, body: "ok, tokens coming", headers: { "content-type": "text/plain" } },
    code: 1,
    message: /token endpoint answered HTTP 200 with a body that is not JSON/,
  },
  {
    name: "HTML error page",
    response: {
      status: 200,
      body: "<!DOCTYPE html><html><body>Please sign in to the proxy</body></html>",
      headers: { "content-type": "text/html; charset=utf-8" },
    },
    code: 1,
    message: /HTML page, not JSON/,
  },
  {
    name: "empty body",
    response: { status: 200, body: "" },
    code: 1,
    message: /with an empty body/,
  },
  {
    name: "JSON array",
    response: jsonResponse(200, [TOKENS]),
    code: 1,
    message: /not a JSON object/,
  },
  {
    name: "missing access_token",
    response: jsonResponse(200, { ...TOKENS, access_token: undefined }),
    code: 1,
    message: /invalid token response \(missing or malformed: access_token\)/,
  },
  {
    name: "access_token of the wrong type",
    response: jsonResponse(200, { ...TOKENS, access_token: 12345 }),
    code: 1,
    message: /missing or malformed: access_token\)/,
  },
  {
    // Left out, the server kept it (RFC 6749 §6); present, it is checked like every field.
    name: "empty refresh_token",
    response: jsonResponse(200, { ...TOKENS, refresh_token: "" }),
    code: 1,
    message: /missing or malformed: refresh_token\)/,
  },
  {
    name: "refresh_token of the wrong type",
    response: jsonResponse(200, { ...TOKENS, refresh_token: ["x"] }),
    code: 1,
    message: /missing or malformed: refresh_token\)/,
  },
  {
    name: "missing expires_in",
    response: jsonResponse(200, { ...TOKENS, expires_in: undefined }),
    code: 1,
    message: /missing or malformed: expires_in\)/,
  },
  {
    name: "expires_in as a string",
    response: jsonResponse(200, { ...TOKENS, expires_in: "3600" }),
    code: 1,
    message: /missing or malformed: expires_in\)/,
  },
  {
    name: "negative expires_in",
    response: jsonResponse(200, { ...TOKENS, expires_in: -1 }),
    code: 1,
    message: /missing or malformed: expires_in\)/,
  },
  {
    name: "invalid_grant",
    response: jsonResponse(400, { error: "invalid_grant", error_description: "Invalid grant" }),
    code: 4,
    message: /invalid_grant/,
  },
  {
    name: "other 400 (invalid_request)",
    response: jsonResponse(400, { error: "invalid_request", error_description: "Bad request" }),
    code: 1,
    message: /token endpoint answered HTTP 400 \(invalid_request: Bad request\)/,
  },
  {
    name: "401 invalid_client",
    response: jsonResponse(401, { error: "invalid_client" }),
    code: 1,
    message: /HTTP 401 \(invalid_client\)/,
  },
  {
    name: "403 HTML page",
    response: {
      status: 403,
      body: "<html><body>Forbidden</body></html>",
      headers: { "content-type": "text/html" },
    },
    code: 1,
    message: /HTTP 403 \(an HTML page/,
  },
];

/** The scripted tokens of BAD_TOKEN_RESPONSES (planted: they must never be shown). */
export const SCRIPTED_TOKENS = [TOKENS.access_token, TOKENS.refresh_token];

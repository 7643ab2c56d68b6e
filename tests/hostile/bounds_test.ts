/**
 * Hostile corpus, issue 10: reads and waits without bounds, outside text on
 * the terminal, excerpts of file contents in messages, numbers out of range.
 * Several variants of each class: other files, other devices, other fields.
 */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens } from "../fakes/claude_code.ts";
import type { Sandbox } from "../helpers/sandbox.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { unwrapReport } from "../helpers/report.ts";
import {
  CLAUDE_FILE,
  type HostileCase,
  hostileCases,
  secret,
  storeBrowser,
} from "../helpers/hostile_corpus.ts";

const LOGIN = ["login", "--method", "claude-code"];
const SERVICE = "Hostile Claude Code-credentials";
const posix = Deno.build.os !== "windows";

function fresh(box: Sandbox) {
  const tokens = claudeTokens(Date.now() + 8 * 3600_000);
  box.plant(tokens.accessToken, tokens.refreshToken);
  return tokens;
}

async function claudeFile(box: Sandbox, text: string) {
  const path = `${box.root}/${CLAUDE_FILE}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** Claude Code's credentials file replaced by `make(path)` (a device link, a FIFO). */
function claudeFileIs(
  name: string,
  make: (box: Sandbox, path: string) => Promise<void>,
  message: RegExp,
): HostileCase {
  return {
    name: `file: ${name}`,
    args: LOGIN,
    ignore: !posix,
    setup: async ({ box }) => {
      const path = `${box.root}/${CLAUDE_FILE}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await make(box, path);
    },
    exit: 1,
    message,
    mayHang: true,
  };
}

/** A credentials payload whose `field` is `value` (the rest valid and fresh). */
function claudeField(name: string, field: string, value: unknown, message: RegExp): HostileCase {
  return {
    name: `file: ${name}`,
    args: LOGIN,
    setup: async ({ box }) => {
      const tokens = fresh(box);
      await claudeFile(
        box,
        JSON.stringify({ claudeAiOauth: { ...tokens, scopes: [], [field]: value } }),
      );
    },
    exit: 1,
    message,
  };
}

const mkfifo = async (_box: Sandbox, path: string) => {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(made.success, "mkfifo");
};

const cases: HostileCase[] = [
  claudeFileIs(
    "a symlink to /dev/zero (endless)",
    (_box, path) => Deno.symlink("/dev/zero", path),
    /credentials\.json is not a regular file/,
  ),
  claudeFileIs("a FIFO (an open would block)", mkfifo, /credentials\.json is not a regular file/),
  claudeFileIs(
    "a symlink to a FIFO outside the home",
    async (box, path) => {
      await mkfifo(box, `${box.root}/elsewhere.fifo`);
      await Deno.symlink(`${box.root}/elsewhere.fifo`, path);
    },
    /credentials\.json is not a regular file/,
  ),
  claudeFileIs(
    "a symlink to /dev/urandom",
    (_box, path) => Deno.symlink("/dev/urandom", path),
    /is not a regular file/,
  ),
  {
    name: "file: a 9 MiB file (over the 8 MiB cap) is refused by its size",
    args: LOGIN,
    setup: async ({ box }) => {
      await claudeFile(box, claudePayload(fresh(box), { padding: "x".repeat(9 * 1024 * 1024) }));
    },
    exit: 1,
    message: /Claude Code's credentials file .*credentials\.json is larger than 8192 KiB$/,
  },
  claudeField(
    "an access token with an escape sequence",
    "accessToken",
    "sk-ant-oat01-\x1b[2J\x1b[31mforged",
    /hold an access token that is not valid$/,
  ),
  claudeField(
    "an access token with a newline and a forged line",
    "accessToken",
    "sk-ant-oat01-abc\n✓ Signed in",
    /hold an access token that is not valid$/,
  ),
  claudeField(
    "an access token with a bidi override",
    "accessToken",
    "sk-ant-oat01-abc\u202edef",
    /hold an access token that is not valid$/,
  ),
  claudeField(
    "a refresh token with a space",
    "refreshToken",
    "sk-ant-ort01 abc",
    /hold a refresh token that is not valid$/,
  ),
  claudeField(
    "an access token of 10 000 characters",
    "accessToken",
    "a".repeat(10_000),
    /not valid$/,
  ),
  claudeField("expiresAt beyond the Date range", "expiresAt", 9e15, /hold an expiry/),
  claudeField("expiresAt far before the Date range", "expiresAt", -1e300, /hold an expiry/),
  {
    name: "file: not JSON, starting with a secret: the message quotes none of it",
    args: LOGIN,
    setup: async ({ box }) => {
      const leaked = secret("sk-ant-api03-OTHER-");
      box.plant(leaked);
      await claudeFile(box, `${leaked} {"claudeAiOauth": 1}`);
    },
    exit: 1,
    message: /not valid JSON \(invalid JSON at line 1, column 1: unexpected character\)$/,
  },
  {
    name: "file: a secret in a bad string: position and kind only",
    args: LOGIN,
    setup: async ({ box }) => {
      const leaked = secret("sk-ant-api03-OTHER-");
      box.plant(leaked);
      await claudeFile(box, `{\n  "other": "${leaked}\u0001"\n}`);
    },
    exit: 1,
    message: /invalid JSON at line 2, column \d+: control character in a string\)$/,
  },
  {
    name: "keychain: a `security` that never answers is stopped at its time limit",
    args: LOGIN,
    ignore: !posix,
    env: () => ({
      CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE,
      CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS: "800",
    }),
    setup: async ({ box }) => {
      await box.installExecutable("security", "#!/bin/sh\nexec /bin/sleep 1000\n");
    },
    exit: 1,
    message: /did not answer within 0\.8 s and was stopped/,
    mayHang: true,
  },
  {
    name: "keychain: `security` stderr with terminal controls is shown escaped",
    args: LOGIN,
    ignore: !posix,
    env: () => ({ CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE: SERVICE }),
    setup: async ({ box }) => {
      await box.installExecutable(
        "security",
        "#!/bin/sh\nprintf 'bad \\033]0;title\\007 \\342\\200\\256x\\n' >&2\nexit 51\n",
      );
    },
    exit: 1,
    message: /security exit 51: bad \\x1b\]0;title\\x07 \\u202ex\)$/,
  },
  {
    name: "env: CLAUDE_CODE_AUTH_REFRESH_SKEW_MS=2^31 (a 1 ms timer) is exit 2",
    args: ["token"],
    fake: true,
    setup: (f) => storeBrowser(f, { fresh: true }),
    env: () => ({ CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: String(2 ** 31) }),
    exit: 2,
    message: /CLAUDE_CODE_AUTH_REFRESH_SKEW_MS must be at most 86400000 milliseconds/,
  },
  {
    name: "env: CLAUDE_CODE_AUTH_REFRESH_SKEW_MS one past its documented maximum is exit 2",
    args: ["token"],
    fake: true,
    setup: (f) => storeBrowser(f, { fresh: true }),
    env: () => ({ CLAUDE_CODE_AUTH_REFRESH_SKEW_MS: "86400001" }),
    exit: 2,
    message: /must be at most 86400000 milliseconds/,
  },
];

hostileCases("bounds", cases);

Deno.test({
  name: "hostile bounds: doctor in a repository with opencode.json -> /dev/zero ends at once",
  ignore: !posix,
  fn: async () => {
    await withSandbox(async (box) => {
      const repo = `${box.root}/repo`;
      await Deno.mkdir(`${repo}/.git`, { recursive: true });
      await Deno.mkdir(`${repo}/.opencode`);
      await Deno.symlink("/dev/zero", `${repo}/opencode.json`);
      const fifo = await new Deno.Command("mkfifo", { args: [`${repo}/.opencode/opencode.json`] })
        .output();
      assert(fifo.success);
      // An oauth entry makes doctor scan OpenCode's config for plugins.
      const access = secret("sk-ant-oat01-doctor-");
      box.plant(access);
      await box.writeAuth({
        anthropic: { type: "oauth", refresh: "", access, expires: Date.now() + 3600_000 },
      });
      // A read that blocked on the FIFO would hang: the run is then killed and fails as hung.
      const result = await box.run(["doctor"], { cwd: repo });
      assert.match(unwrapReport(result.stderr), /opencode\.json could not be parsed/);
      assert([0, 1].includes(result.code), result.stderr);
    });
  },
});

/**
 * Claude Code's store read within bounds: the file through the bounded
 * reader, tokens held to the token endpoint's rules, `security` with a time
 * limit and capped output, and parse errors that quote nothing.
 */

import assert from "node:assert/strict";
import {
  findClaudeCredentials,
  parseClaudePayload,
  readKeychain,
} from "../../lib/claude_code/credentials.ts";
import { type Context, createContext, processSpawn, recordEnv } from "../../lib/context.ts";
import { FailureError } from "../../lib/errors.ts";
import { Ui } from "../../lib/ui.ts";
import { memoryIo } from "../helpers/context.ts";
import { withTempDir } from "../helpers/temp_dir.ts";
import { hangGuard } from "../helpers/wait.ts";

const posix = Deno.build.os !== "windows";
const ACCESS = "sk-ant-oat01-bounds-access-0123456789";

/** A temporary folder for one test. */
function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("occa-cc-bounds-", fn);
}

/** A Context whose programs are looked up in `bin` only, and whose home is `dir`. */
function contextIn(dir: string, env: Record<string, string> = {}): Context {
  const io = memoryIo();
  return createContext({
    env: recordEnv({ HOME: dir, ...env }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    authFile: `${dir}/auth.json`,
    spawn: (command, options) => processSpawn(`${dir}/bin/${command}`, options),
  });
}

async function installSecurity(dir: string, script: string): Promise<void> {
  await Deno.mkdir(`${dir}/bin`, { recursive: true });
  await Deno.writeTextFile(`${dir}/bin/security`, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  await Deno.chmod(`${dir}/bin/security`, 0o755);
}

const payload = (fields: Record<string, unknown>) =>
  JSON.stringify({
    claudeAiOauth: { accessToken: ACCESS, expiresAt: 1_900_000_000_000, ...fields },
  });

Deno.test("payload: tokens with controls, spaces, non-ASCII or huge length are refused, unquoted", () => {
  const bad = [
    "sk-ant-oat01-\x1b[2Jevil",
    "sk-ant-oat01-line\nbreak",
    "sk-ant-oat01 space",
    "sk-ant-oat01-é",
    "sk-ant-oat01-\u202eevil",
    "x".repeat(4097),
  ];
  for (const token of bad) {
    for (const field of ["accessToken", "refreshToken"]) {
      assert.throws(
        () => parseClaudePayload(payload({ [field]: token }), "the file"),
        (error: Error) => {
          assert(error instanceof FailureError, field);
          assert.match(
            error.message,
            /^Claude Code's credentials in the file hold an? .* not valid$/,
          );
          assert(!error.message.includes(token.slice(13, 20)), error.message);
          return true;
        },
        `${field}: ${JSON.stringify(token.slice(0, 30))}`,
      );
    }
  }
  // An empty refresh token is what a Claude Code entry without one looks like: accepted.
  assert.equal(parseClaudePayload(payload({ refreshToken: "" }), "x")?.refreshToken, "");
});

Deno.test("payload: an expiry outside the Date range is refused at parse time", () => {
  for (const expiresAt of [8.64e15 + 1, -8.64e15 - 1, 1e300]) {
    assert.throws(() => parseClaudePayload(payload({ expiresAt }), "x"), /hold an expiry/);
  }
  assert.equal(parseClaudePayload(payload({ expiresAt: 8.64e15 }), "x")?.expiresAt, 8.64e15);
});

Deno.test("payload: an expiry the entry would not accept (fractional, negative) is refused at parse time", () => {
  // The entry stores Claude Code's expiry as it is; OpenCode's entry needs whole, non-negative ms.
  for (const expiresAt of [1_700_000_000_000.5, -1]) {
    assert.throws(() => parseClaudePayload(payload({ expiresAt }), "x"), /hold an expiry/);
  }
});

Deno.test("payload: invalid JSON names kind and position, never the content", () => {
  const secret = "sk-ant-api03-OTHER-PROVIDER-SECRET";
  for (const text of [secret, `{"claudeAiOauth": ${secret}}`, `{"a": "${secret}\u0001"}`]) {
    assert.throws(
      () => parseClaudePayload(text, "/x/.credentials.json"),
      (error: Error) =>
        /^Claude Code's credentials in \/x\/.credentials.json are not valid JSON \(invalid JSON at line \d+, column \d+: [a-z ]+\)$/
          .test(error.message) && !error.message.includes("OTHER"),
      text,
    );
  }
});

Deno.test({
  name: "the credentials file: /dev/zero, a FIFO and a huge file are refused without hanging",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const file = `${dir}/.credentials.json`;
      const ctx = contextIn(dir, { CLAUDE_CODE_AUTH_CREDENTIALS_PATH: file });
      await Deno.symlink("/dev/zero", file);
      await assert.rejects(findClaudeCredentials(ctx), /is not a regular file/);
      await Deno.remove(file);
      assert((await new Deno.Command("mkfifo", { args: [file] }).output()).success);
      await assert.rejects(findClaudeCredentials(ctx), /is not a regular file/);
      await Deno.remove(file);
      await Deno.writeTextFile(file, payload({}));
      await Deno.truncate(file, 2 * 1024 ** 3);
      await assert.rejects(
        findClaudeCredentials(ctx),
        new RegExp(
          `^FileTooLargeError: Claude Code's credentials file ${file} is larger than 8192 KiB$`,
        ),
      );
      await Deno.truncate(file, 0);
      await Deno.writeTextFile(file, payload({}));
      assert.equal((await findClaudeCredentials(ctx)).credentials?.accessToken, ACCESS);
    });
  },
});

Deno.test({
  name: "a `security` that never answers is stopped at its time limit with a clear failure",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      // It would answer (nothing) only after 1000 s: only its time limit ends it in time.
      await installSecurity(dir, "sleep 1000 & wait");
      const ctx = contextIn(dir, { CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS: "800" });
      await assert.rejects(
        hangGuard("readKeychain", readKeychain(ctx, "Claude Code-credentials")),
        (error: Error) => {
          assert(error instanceof FailureError);
          assert.match(error.message, /did not answer within 0\.8 s and was stopped/);
          return true;
        },
      );
    });
  },
});

Deno.test({
  name: "`security` output is capped; its error line is sanitised",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      await installSecurity(dir, "exec yes");
      await assert.rejects(
        readKeychain(contextIn(dir), "svc"),
        /the Keychain item "svc" is larger than 8192 KiB/,
      );
      await installSecurity(
        dir,
        String.raw`printf 'security: bad\033[2J\nforged line\n' >&2; exit 51`,
      );
      await assert.rejects(
        readKeychain(contextIn(dir), "svc"),
        (error: Error) => {
          assert.equal(
            error.message,
            'reading the Keychain item "svc" failed (security exit 51: forged line)',
          );
          return true;
        },
      );
      await installSecurity(dir, String.raw`printf 'oops \033[2J\342\200\256x' >&2; exit 51`);
      await assert.rejects(readKeychain(contextIn(dir), "svc"), (error: Error) => {
        assert(error.message.endsWith("(security exit 51: oops \\x1b[2J\\u202ex)"), error.message);
        return true;
      });
      await installSecurity(dir, `printf '%s' '${payload({})}'`);
      assert.equal(await readKeychain(contextIn(dir), "svc"), payload({}));
    });
  },
});

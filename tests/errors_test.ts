/**
 * Errors carry their cause, and `--debug` prints the chain, redacted: a file
 * error shows the OS error under "caused by:", and no secret reaches stderr
 * through it (in-process runs of the CLI).
 */

import assert from "node:assert/strict";
import { runCli } from "../main.ts";
import { recordEnv } from "../lib/context.ts";
import { FailureError, fileFailure, SignInRequiredError, UsageError } from "../lib/errors.ts";
import { sendRequest } from "../lib/oauth/http.ts";
import { userFacing } from "../lib/methods/oauth_errors.ts";
import { memoryIo, testContext } from "./helpers/context.ts";

/** A folder whose name is token-shaped, holding a regular file named like a token too. */
async function tokenNamedFile(): Promise<{ root: string; secret: string; file: string }> {
  const root = await Deno.makeTempDir({ prefix: "occa-causes-" });
  const secret = `sk-ant-oat01-${crypto.randomUUID().replaceAll("-", "")}`;
  const file = `${root}/${secret}`;
  await Deno.writeTextFile(file, "");
  return { root, secret, file };
}

Deno.test("--debug prints the cause of a file error, redacted; without --debug it does not", async () => {
  const { root, secret, file } = await tokenNamedFile();
  try {
    // auth.json "inside" a regular file: the OS says "not a directory", naming the path.
    const authFile = `${file}/auth.json`;
    const env = recordEnv({ HOME: root, XDG_CONFIG_HOME: `${root}/config` });
    const debug = memoryIo();
    const code = await runCli(["token", "--debug", "--auth-file", authFile], { io: debug, env });
    assert.equal(code, 1, debug.err);
    assert.match(debug.err, /^error: cannot read .*: not a directory$/m);
    assert.match(debug.err, /^debug: caused by: NotADirectory: Not a directory/m);
    assert(!debug.err.includes(secret), debug.err);
    assert(!debug.err.includes(secret.slice(13)), debug.err);
    assert.equal(debug.out, "");

    const plain = memoryIo();
    assert.equal(await runCli(["token", "--auth-file", authFile], { io: plain, env }), 1);
    assert.doesNotMatch(plain.err, /caused by/);
    assert(!plain.err.includes(secret), plain.err);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fileFailure keeps the OS error as its cause; CliErrors take a cause", () => {
  const os = new Deno.errors.NotADirectory("Not a directory (os error 20): stat '/x/y'");
  const failure = fileFailure("read", "/x/y", os);
  assert(failure instanceof FailureError);
  assert.equal(failure.message, "cannot read /x/y: not a directory");
  assert.equal(failure.cause, os);
  const denied = fileFailure("write", "/x", new Deno.errors.PermissionDenied("denied"));
  assert(denied.cause instanceof Deno.errors.PermissionDenied);
  // This tool's own errors pass through unchanged.
  const own = new UsageError("bad");
  assert.equal(fileFailure("read", "/x", own), own);
  const cause = new Error("underneath");
  assert.equal(new SignInRequiredError("m", "h", { cause }).cause, cause);
  assert.equal(new UsageError("m", undefined, { cause }).cause, cause);
  assert.equal(new FailureError("m").cause, undefined);
});

Deno.test("a network failure carries the fetch error as its cause", async () => {
  // A port that was just free: connection refused on every attempt.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const ctx = testContext({ CLAUDE_CODE_AUTH_RETRY_BASE_MS: "1" });
  const error = await sendRequest(ctx, {
    method: "GET",
    url: `http://127.0.0.1:${port}/v1/models`,
    what: "credential check",
  }).then(() => null, (e: unknown) => userFacing(e));
  assert(error instanceof FailureError, String(error));
  assert.match(error.message, /cannot reach 127\.0\.0\.1:\d+ .* after 4 attempts/);
  assert(error.cause instanceof Error, String(error.cause));
});

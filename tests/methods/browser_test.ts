/** The browser method's acquire (login) in-process, with a scripted Io (terminal and pipe). readLine: tests/prompt_test.ts. */

import assert from "node:assert/strict";
import { createContext, recordEnv } from "../../lib/context.ts";
import { UsageError } from "../../lib/errors.ts";
import { browserMethod } from "../../lib/methods/browser.ts";

const browserLogin = browserMethod.acquire;
import { type Io, Ui } from "../../lib/ui.ts";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { findAuthorizeUrl, withFake } from "../helpers/browser_login.ts";

const encoder = new TextEncoder();

/** An Io whose stdin is fed by `answer(stderrSoFar)` each time something is written. */
function scriptedIo(
  terminal: boolean,
  answer: (stderr: string) => Promise<string | null | undefined>,
): { io: Io; stderr: () => string } {
  let stderr = "";
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stdin = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  let queue = Promise.resolve();
  let closed = false;
  const io: Io = {
    stdin,
    stdinIsTerminal: () => terminal,
    stderrIsTerminal: () => false,
    setRaw: () => {},
    writeOut: () => {},
    writeErr: (text) => {
      stderr += text;
      const seen = stderr;
      queue = queue.then(async () => {
        if (closed) return;
        const reply = await answer(seen);
        if (reply === null) {
          closed = true;
          controller.close();
        } else if (reply !== undefined) controller.enqueue(encoder.encode(reply));
      });
    },
  };
  return { io, stderr: () => stderr };
}

function contextFor(fake: FakeAnthropic, io: Io) {
  return createContext({
    env: recordEnv({ ...fake.env(), DISPLAY: undefined }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    authFile: "/nonexistent/auth.json",
  });
}

Deno.test("browserLogin on a terminal: a blank line asks again, then code#state signs in", async () => {
  await withFake(async (fake) => {
    let prompts = 0;
    const { io, stderr } = scriptedIo(true, async (text) => {
      const count = text.split("Paste the code").length - 1;
      if (count === prompts) return undefined;
      prompts = count;
      if (count === 1) return "\r\n";
      return `${await fake.visit(findAuthorizeUrl(text)!)}\n`;
    });
    const before = Date.now();
    const result = await browserLogin(contextFor(fake, io), {
      openBrowser: true,
      createApiKey: false,
    });
    assert.equal(prompts, 2, stderr());
    assert.match(stderr(), /Paste the code \(code#state\): /);
    // No display: no browser was started, and no claim that one was.
    assert.doesNotMatch(stderr(), /browser window should have opened/);
    assert.equal(result.method, "browser");
    assert.equal(result.email, "dev@example.com");
    assert.equal(result.organization, "Example Org");
    assert(result.entry.type === "oauth");
    assert.equal(result.entry.access, fake.issued[0].access);
    assert.equal(result.entry.refresh, fake.issued[0].refresh);
    assert(result.entry.expires >= before + 28_800_000);
  });
});

Deno.test("browserLogin --create-api-key returns the minted key as an api entry", async () => {
  await withFake(async (fake) => {
    let answered = false;
    const { io } = scriptedIo(false, async (text) => {
      const url = findAuthorizeUrl(text);
      if (!url || answered || !text.includes("Paste the code")) return undefined;
      answered = true;
      assert.equal(new URL(url).pathname, "/console/oauth/authorize");
      return `${await fake.visit(url)}\n`;
    });
    const result = await browserLogin(contextFor(fake, io), {
      openBrowser: false,
      createApiKey: true,
    });
    assert.deepEqual(result.entry, { type: "api", key: fake.minted[0] });
    assert.equal(result.method, "api-key");
    assert.equal(result.email, "dev@example.com");
  });
});

Deno.test("browserLogin: end of input before a code is a usage error, and no request is made", async () => {
  await withFake(async (fake) => {
    const { io } = scriptedIo(
      false,
      (text) => Promise.resolve(text.includes("Paste the code") ? null : undefined),
    );
    await assert.rejects(
      browserLogin(contextFor(fake, io), { openBrowser: false, createApiKey: false }),
      (error: unknown) => error instanceof UsageError && /no code was pasted/.test(error.message),
    );
    assert.equal(fake.tokenRequests().length, 0);
  });
});

/**
 * A bad paste on a terminal is told and asked for again, up to three tries,
 * within the same browser sign-in (no new round trip through the browser).
 * Piped input still fails at once with its reason (tests/methods/browser_login_test.ts).
 */

import assert from "node:assert/strict";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { interactiveIo } from "../helpers/context.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import {
  findAuthorizeUrl,
  plantFakeSecrets,
  snapshotFiles,
  splitShown,
  withFake,
} from "../helpers/browser_login.ts";

/**
 * Run `login --method browser --no-browser` with a terminal on stdin, and
 * paste `pastes(shown, url)` one at a time, each after its prompt.
 */
async function pasteInTurn(
  box: Sandbox,
  fake: FakeAnthropic,
  pastes: (shown: string, url: URL) => string[],
): Promise<{ code: number; stderr: string; shown: string }> {
  const io = interactiveIo();
  io.stdinIsTerminal = () => true;
  const args = ["login", "--method", "browser", "--no-browser"];
  const done = box.runInProcess(args, { env: fake.env(), io, skipLeakCheck: true });
  let shown = "";
  if (await io.waitForErr(/Paste the code/, done)) {
    const url = findAuthorizeUrl(io.err)!;
    shown = await fake.visit(url);
    box.plant(splitShown(shown).code);
    const lines = pastes(shown, new URL(url));
    for (const [i, line] of lines.entries()) {
      if (i > 0 && !await io.waitForErr(new RegExp(`try ${i + 1} of 3\\): $`), done)) break;
      io.send(`${line}\n`);
    }
  }
  io.end();
  const result = await done;
  plantFakeSecrets(box, fake);
  box.assertNoLeak(args, result);
  return { code: result.code, stderr: result.stderr, shown };
}

Deno.test("a bad paste is asked for again: garbage, then the sign-in URL itself, then the right code signs in", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await pasteInTurn(box, fake, (shown, url) => [
        "not a code",
        url.toString(),
        shown,
      ]);
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /^warning: the pasted code contains spaces/m);
      assert.match(login.stderr, /^warning: the pasted text is the sign-in URL itself/m);
      assert.match(login.stderr, /\(try 3 of 3\): /);
      assert.doesNotMatch(login.stderr, /^error:/m);
      // One exchange, of the right code: the garbage was never sent.
      assert.equal(fake.tokenRequests().length, 1);
      const stored = (await box.readAuth()).anthropic as { access: string };
      assert.equal(stored.access, fake.issued.at(-1)!.access);
    })
  );
});

Deno.test("a code from another attempt (wrong state, or refused by the server) is asked for again in the same sign-in", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await pasteInTurn(box, fake, (shown) => [
        `${splitShown(shown).code}#someone-elses-state`,
        // A bare code the server does not know: refused (invalid_grant), then asked again.
        "someOtherAttemptsCode0123456789",
        shown,
      ]);
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /^warning: the pasted state does not match this sign-in/m);
      assert.match(login.stderr, /^warning: the code was rejected \(invalid_grant\)/m);
      assert.equal(fake.tokenRequests().length, 2);
      assert.equal((await box.readAuth()).anthropic !== undefined, true);
    })
  );
});

Deno.test("three bad pastes end the sign-in with the last reason (exit 2), nothing sent, nothing written", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const login = await pasteInTurn(box, fake, (shown) => [
        "not a code",
        "still not a code",
        `${splitShown(shown).code}#wrong-state`,
      ]);
      assert.equal(login.code, 2, login.stderr);
      assert.equal(login.stderr.match(/^warning:/gm)?.length, 2, login.stderr);
      assert.match(login.stderr, /^error: the pasted state does not match/m);
      assert.equal(fake.tokenRequests().length, 0);
      assert.deepEqual(await snapshotFiles(box), { auth: null, state: null });
    })
  );
});

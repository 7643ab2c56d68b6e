/**
 * OpenCode rewrites auth.json on its own (whole file, in place, ignoring this
 * tool's lock) when it stores another provider's sign-in. A refresh of ours
 * that overlaps such a rewrite must lose neither side's entry.
 *
 * The overlap is made deterministic: the token endpoint (or `claude`) is held
 * until a separate "OpenCode" process has finished its rewrites, so they land
 * after our first read of the file and before our write, which is where a
 * naive read-modify-write would drop them.
 */

import assert from "node:assert/strict";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { claudePayload, claudeTokens } from "../fakes/claude_code.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { fingerprint, newState } from "../../lib/state.ts";
import { writeBrowserState } from "../helpers/browser_login.ts";
import { withStore } from "../../lib/store.ts";
import { memoryIo, testContext } from "../helpers/context.ts";
import { readAuthFile } from "../../lib/opencode/auth_read.ts";

const OTHERS = {
  openai: { type: "api", key: "sk-openai-CONCURRENT-PLANTED-0" },
  "github-copilot": { type: "oauth", refresh: "gho_CONCURRENT_r", access: "tid=1", expires: 0 },
};

/**
 * OpenCode's way of storing a sign-in: read auth.json, set a key, write the
 * whole file back in place (truncate, then write; as Bun.write does), chmod 0600.
 */
const OPENCODE_WRITER = `
const [path, rounds] = [Deno.args[0], Number(Deno.args[1])];
for (let i = 0; i < rounds; i++) {
  const data = JSON.parse(Deno.readTextFileSync(path));
  data["opencode-provider-" + i] = { type: "api", key: "sk-other-PLANTED-" + i };
  data.openai = { type: "api", key: "sk-openai-ROTATED-PLANTED-" + i };
  Deno.writeTextFileSync(path, JSON.stringify(data, null, 2));
  Deno.chmodSync(path, 0o600);
}
`;

const ROUNDS = 5;

/** Run the OpenCode stand-in to completion: ROUNDS whole-file rewrites. */
async function opencodeRewrites(box: Sandbox): Promise<void> {
  const script = `${box.root}/opencode-writer.ts`;
  await Deno.writeTextFile(script, OPENCODE_WRITER);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", script, box.authFile, String(ROUNDS)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  for (let i = 0; i < ROUNDS; i++) {
    box.plant(`sk-other-PLANTED-${i}`, `sk-openai-ROTATED-PLANTED-${i}`);
  }
}

/** OpenCode's last rewrite is all there, next to our `anthropic` entry. */
async function assertBothSides(box: Sandbox, anthropic: Record<string, unknown>): Promise<void> {
  const auth = await box.readAuth();
  for (let i = 0; i < ROUNDS; i++) {
    assert.deepEqual(auth[`opencode-provider-${i}`], { type: "api", key: `sk-other-PLANTED-${i}` });
  }
  assert.deepEqual(auth.openai, { type: "api", key: `sk-openai-ROTATED-PLANTED-${ROUNDS - 1}` });
  assert.deepEqual(auth["github-copilot"], OTHERS["github-copilot"]);
  assert.deepEqual(auth.anthropic, anthropic);
  assert.equal((await Deno.stat(box.authFile)).mode! & 0o777, 0o600);
}

/** A promise with its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => resolve = r);
  return { promise, resolve };
}

Deno.test("concurrency: OpenCode rewrites auth.json while a browser refresh is in flight; neither side is lost", async () => {
  await withSandbox(async (box) => {
    const fake = await FakeAnthropic.start();
    // The token endpoint the CLI talks to: holds the refresh until OpenCode has
    // written, then passes it on to the fake (which checks and rotates tokens).
    const arrived = deferred();
    const release = deferred();
    const gate = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
      const body = await req.text();
      arrived.resolve();
      await release.promise;
      return await fetch(`${fake.url}${new URL(req.url).pathname}`, {
        method: req.method,
        headers: req.headers,
        body,
      });
    });
    try {
      fake.refreshDelayMs = 50;
      const stale = fake.issueTokens();
      box.plant(stale.access, stale.refresh, OTHERS.openai.key, OTHERS["github-copilot"].refresh);
      await box.writeAuth({
        ...OTHERS,
        anthropic: { type: "oauth", refresh: stale.refresh, access: stale.access, expires: 1 },
      });
      await Deno.chmod(box.authFile, 0o600);
      // A sign-in of ours: the state proves this tool obtained the refresh token.
      await writeBrowserState(box, { mintedRefresh: await fingerprint(stale.refresh) });

      const run = box.run(["token"], {
        env: {
          ...fake.env(),
          ANTHROPIC_TOKEN_URL: `http://127.0.0.1:${gate.addr.port}/v1/oauth/token`,
        },
        // The new token is printed; which one it is is known only afterwards.
        skipLeakCheck: true,
      });
      await arrived.promise; // the CLI has read auth.json and asked for new tokens
      await opencodeRewrites(box); // OpenCode stores five sign-ins meanwhile
      release.resolve();
      const result = await run;
      const fresh = fake.issued[fake.issued.length - 1];
      box.plant(fresh.access, fresh.refresh);
      box.assertNoLeak(["token"], result, [fresh.access]);

      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${fresh.access}\n`);
      assert.equal(fake.refreshRequests().length, 1);
      const auth = await box.readAuth();
      await assertBothSides(box, {
        type: "oauth",
        refresh: fresh.refresh,
        access: fresh.access,
        expires: (auth.anthropic as { expires: number }).expires,
      });
    } finally {
      await gate.shutdown();
      await fake.close();
    }
  });
});

Deno.test("concurrency: OpenCode rewrites auth.json while `claude` refreshes the Claude Code session; neither side is lost", async () => {
  await withSandbox(async (box) => {
    const credentials = `${box.home}/.claude/.credentials.json`;
    await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
    const stale = claudeTokens(Date.now() - 60_000);
    const fresh = claudeTokens(Date.now() + 8 * 3600_000);
    box.plant(stale.accessToken, stale.refreshToken, fresh.accessToken, fresh.refreshToken);
    box.plant(OTHERS.openai.key, OTHERS["github-copilot"].refresh);
    await Deno.writeTextFile(credentials, claudePayload(stale));
    await Deno.writeTextFile(`${box.root}/next.json`, claudePayload(fresh));
    await box.writeAuth({
      ...OTHERS,
      anthropic: {
        type: "oauth",
        refresh: stale.refreshToken,
        access: stale.accessToken,
        expires: stale.expiresAt,
      },
    });
    await Deno.chmod(box.authFile, 0o600);
    await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
    await Deno.writeTextFile(
      box.stateFile,
      JSON.stringify({ anthropic: { source: "claude-code-session", authFile: box.authFile } }),
    );
    // A `claude` that announces itself, waits for the go-ahead, then renews the token.
    await box.installExecutable(
      "claude",
      `#!/bin/sh
PATH=/usr/bin:/bin
: > '${box.root}/claude-started'
while [ ! -e '${box.root}/claude-go' ]; do sleep 0.02; done
cp '${box.root}/next.json' '${credentials}.tmp' && mv '${credentials}.tmp' '${credentials}'
`,
    );

    const run = box.run(["token"], { allowOnStdout: [fresh.accessToken] });
    while (true) {
      try {
        await Deno.lstat(`${box.root}/claude-started`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await opencodeRewrites(box);
    await Deno.writeTextFile(`${box.root}/claude-go`, "");
    const result = await run;

    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${fresh.accessToken}\n`);
    await assertBothSides(box, {
      type: "oauth",
      refresh: "",
      access: fresh.accessToken,
      expires: fresh.expiresAt,
    });
  });
});

Deno.test("concurrency: a rewrite that lands while our new file is being written is not overwritten", async () => {
  // In process: "OpenCode" rewrites auth.json in place at the exact moment our
  // temporary file is complete (its chmod, the last step before our check and
  // rename): after our splice, before our rename. The check sees it and splices again.
  await withSandbox(async (box) => {
    await box.writeAuth({ ...OTHERS });
    const dir = `${box.dataHome}/opencode`;
    let rewrites = 0;
    const chmod = Deno.chmod;
    Deno.chmod = async (path: string | URL, mode: number) => {
      await chmod(path, mode);
      if (rewrites === 0 && String(path).endsWith(".tmp")) {
        const data = JSON.parse(Deno.readTextFileSync(box.authFile));
        data.latecomer = { type: "api", key: "sk-late-0123456789" };
        Deno.writeTextFileSync(box.authFile, JSON.stringify(data, null, 2));
        rewrites++;
      }
    };
    const entry = { type: "api" as const, key: "sk-ant-api03-ours-0123456789" };
    const ctx = testContext({}, "linux", memoryIo(), {
      authFile: box.authFile,
      stateFile: box.stateFile,
    });
    try {
      await withStore(ctx, "test", (tx) => tx.put(entry, newState("api-key", {})));
    } finally {
      Deno.chmod = chmod;
    }
    assert.equal(rewrites, 1, "the rewrite never happened");
    const auth = await box.readAuth();
    assert.deepEqual(auth.latecomer, { type: "api", key: "sk-late-0123456789" });
    assert.deepEqual(auth.anthropic, entry);
    assert.deepEqual(auth.openai, OTHERS.openai);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp")),
      [],
    );
  });
});

Deno.test("concurrency: a read that catches OpenCode's in-place rewrite half-done is read again", async () => {
  await withSandbox(async (box) => {
    const full = JSON.stringify({ ...OTHERS, anthropic: { type: "api", key: "sk-ant-api03-k" } });
    await box.writeAuth(""); // OpenCode has just truncated the file...
    setTimeout(() => Deno.writeTextFileSync(box.authFile, full), 5); // ...and writes it back
    const snapshot = await readAuthFile(box.authFile);
    assert.deepEqual(snapshot.entry, { type: "api", key: "sk-ant-api03-k" });
  });
});

/**
 * API-key sign-in, the other providers' bytes, corrupt files and bad keys,
 * run in-process (`box.runInProcess`). Spawned: only the first test, the
 * login + token smoke run under the start task's real permission flags.
 */

import assert from "node:assert/strict";
import { assertCleanError, modeOf, withSandbox } from "../helpers/sandbox.ts";
import { onlyAuthJson } from "../helpers/stores.ts";

const KEY = "sk-ant-api03-TESTKEY-abcdefghijklmnopqrstuvwxyz0123456789";

const OTHER_PROVIDERS = `{
  "openai": {
    "type": "api",
    "key": "sk-openai-PLANTED-0123456789",
    "metadata": { "team": "x" }
  },
  "https://corp.example": {"type":"wellknown","key":"CORP_TOKEN","token":"corp-PLANTED-0123456789"},
  "zeta": {"type": "oauth", "refresh": "r-PLANTED-0123456789", "access": "a-PLANTED-0123456789", "expires": 12345678901234567890, "enterpriseUrl": "https://ghe.example"},
  "weird": {"type": "future-type", "nested": [1, 2.50, {"deep": null}], "big": 1e400}
}`;

Deno.test("api-key login through stdin stores an api entry with mode 0600, and token prints only the key", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    const login = await box.run(["login", "--method", "api-key"], { stdin: `${KEY}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "");
    const auth = await box.readAuth();
    assert.deepEqual(auth.anthropic, { type: "api", key: KEY });
    assert.equal(await modeOf(box.authFile), 0o600);
    assert.equal(await modeOf(`${box.dataHome}/opencode`), 0o700);
    const state = JSON.parse(await Deno.readTextFile(box.stateFile));
    assert.equal(state.anthropic.source, "api-key");
    assert.equal(await modeOf(box.stateFile), 0o600);

    const token = await box.run(["token"], { allowOnStdout: [KEY] });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout, `${KEY}\n`);
    assert.equal(token.stderr, "");
  });
});

Deno.test("login and logout keep every other provider and unknown field byte-for-byte", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY, "sk-openai-PLANTED-0123456789", "corp-PLANTED-0123456789");
    await box.writeAuth(OTHER_PROVIDERS);
    const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
    assert.equal(login.code, 0, login.stderr);
    const afterLogin = (await box.readAuthText())!;
    // Every original member is still there, character for character.
    for (const line of OTHER_PROVIDERS.split("\n").slice(1, -1)) {
      assert(afterLogin.includes(line.replace(/,$/, "")), `lost: ${line}`);
    }
    assert.equal(JSON.parse(afterLogin).anthropic.key, KEY);

    const logout = await box.runInProcess(["logout"]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(await box.readAuthText(), OTHER_PROVIDERS);
    assert.equal(await modeOf(box.authFile), 0o600);
  });
});

Deno.test("re-login keeps unknown fields of the anthropic entry itself", async () => {
  await withSandbox(async (box) => {
    await box.writeAuth({
      anthropic: { type: "api", key: "sk-ant-old-0123456789abcdef", metadata: { a: "b" } },
    });
    const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, {
      type: "api",
      key: KEY,
      metadata: { a: "b" },
    });
  });
});

for (
  const [name, content] of [
    ["corrupt", '{"openai": {"type": "api", "key": "x"'],
    ["empty", ""],
    ["array", '[{"type":"api"}]'],
    ["whitespace-only", "  \n\t \n"],
    ["null", "null"],
  ] as const
) {
  Deno.test(`a ${name} auth.json is left untouched with exit 1, and login --force moves it aside`, async () => {
    await withSandbox(async (box) => {
      await box.writeAuth(content);
      for (const args of [["status"], ["token"], ["logout"], ["login", "--method", "api-key"]]) {
        const result = await box.runInProcess(args, { stdin: KEY });
        assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
        assertCleanError(result, box.authFile);
        assert.equal(
          result.stderr.trim().split("\n").filter((l) => l.startsWith("error:")).length,
          1,
        );
        assert.equal(await box.readAuthText(), content, `${args.join(" ")} changed the file`);
      }
      const forced = await box.runInProcess(["login", "--method", "api-key", "--force"], {
        stdin: KEY,
      });
      assert.equal(forced.code, 0, forced.stderr);
      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
      const aside = [...Deno.readDirSync(`${box.dataHome}/opencode`)]
        .map((e) => e.name)
        .filter((n) => n.startsWith("auth.json.corrupt-"));
      assert.equal(aside.length, 1);
      assert.equal(await Deno.readTextFile(`${box.dataHome}/opencode/${aside[0]}`), content);
      assert.match(forced.stderr, /moved the corrupt/);
    });
  });
}

for (
  const [name, input] of [
    ["empty", ""],
    ["newline only", "\n"],
    ["multi-line", "sk-ant-api03-aaaaaaaaaaaa\nsecond-line\n"],
    ["control character", "sk-ant-api03-aaaa\u0007bbbb"],
    ["escape sequence", "sk-ant-api03-\u001b[31maaaa"],
    ["NUL byte", "sk-ant-api03-aaaa\u0000bbbb"],
    ["inner space", "sk-ant-api03 aaaa"],
  ] as const
) {
  Deno.test(`api key rejected: ${name} (exit 2, nothing written)`, async () => {
    await withSandbox(async (box) => {
      await box.writeAuth(OTHER_PROVIDERS);
      const result = await box.runInProcess(["login", "--method", "api-key"], { stdin: input });
      assert.equal(result.code, 2, result.stderr);
      assertCleanError(result, "nothing was written");
      assert.equal(await box.readAuthText(), OTHER_PROVIDERS);
      await assert.rejects(Deno.stat(box.stateFile));
    });
  });
}

Deno.test("a key without the sk-ant- prefix is stored with a warning; CRLF is trimmed", async () => {
  await withSandbox(async (box) => {
    box.plant("custom-key-0123456789");
    const result = await box.runInProcess(["login", "--method", "api-key"], {
      stdin: "custom-key-0123456789\r\n",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: .*sk-ant-/);
    assert.deepEqual((await box.readAuth()).anthropic, {
      type: "api",
      key: "custom-key-0123456789",
    });
  });
});

Deno.test("status --json has the contract's shape, signed in or not", async () => {
  await withSandbox(async (box) => {
    const out = await box.runInProcess(["status", "--json"]);
    assert.equal(out.code, 4);
    assert.deepEqual(JSON.parse(out.stdout), {
      loggedIn: false,
      method: null,
      type: null,
      authFile: box.authFile,
      expiresAt: null,
      fresh: null,
      account: null,
      stores: onlyAuthJson(box.authFile, { method: null, type: null, expiresAt: null }),
    });
    box.plant(KEY);
    await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
    const inn = await box.runInProcess(["status", "--json"]);
    assert.equal(inn.code, 0, inn.stderr);
    assert.equal(inn.stdout.trim().split("\n").length, 1);
    assert.deepEqual(JSON.parse(inn.stdout), {
      loggedIn: true,
      method: "api-key",
      type: "api",
      authFile: box.authFile,
      expiresAt: null,
      fresh: null,
      account: null,
      stores: onlyAuthJson(box.authFile, { method: "api-key", type: "api", expiresAt: null }),
    });
    const human = await box.runInProcess(["status"]);
    assert.equal(human.code, 0);
    assert.equal(human.stderr, "", "the report is on stdout, like gh auth status");
    assert.match(human.stdout, /API key/);
  });
});

Deno.test("refresh with an API key has nothing to do; logout twice is fine; token after logout is exit 4", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    await box.runInProcess(["login", "--method", "api-key"], { stdin: KEY });
    const refresh = await box.runInProcess(["refresh"]);
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.match(refresh.stderr, /nothing to refresh/);
    assert.equal((await box.runInProcess(["logout"])).code, 0);
    const again = await box.runInProcess(["logout"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Nothing to do/);
    await assert.rejects(
      Deno.stat(box.stateFile).then((s) =>
        JSON.parse(Deno.readTextFileSync(box.stateFile)).anthropic ? s : Promise.reject()
      ),
    );
    const token = await box.runInProcess(["token"]);
    assert.equal(token.code, 4);
    assert.equal(token.stdout, "");
    assertCleanError(token, "not signed in");
  });
});

Deno.test("--auth-file points every command at another file", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    const other = `${box.root}/elsewhere/auth.json`;
    const login = await box.runInProcess(["--auth-file", other, "login", "--method", "api-key"], {
      stdin: KEY,
    });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(JSON.parse(await Deno.readTextFile(other)).anthropic.key, KEY);
    assert.equal(await box.readAuthText(), null);
    const token = await box.runInProcess(["token", "--auth-file", other], { allowOnStdout: [KEY] });
    assert.equal(token.stdout, `${KEY}\n`);
  });
});

Deno.test("login without --method and without a terminal is exit 2 naming --method", async () => {
  await withSandbox(async (box) => {
    const result = await box.runInProcess(["login"], { stdin: KEY });
    assert.equal(result.code, 2);
    assertCleanError(result, "--method");
    assert.equal(await box.readAuthText(), null);
  });
});

/**
 * Outside text reaches the terminal clean (issue 10, class 4), and numbers out
 * of range are named, not crashed on (class 6). Outside text: the account a
 * token endpoint names, a hand-edited state file, paths from the environment,
 * Claude Code's credentials. Whatever it holds (newlines, terminal escapes,
 * bidi controls, line separators), no message can forge a line of its own.
 */

import assert from "node:assert/strict";
import { claudePayload, claudeTokens } from "../fakes/claude_code.ts";
import { withSandbox } from "../helpers/sandbox.ts";
import { driveBrowserLogin, seedBrowserEntry, withFake } from "../helpers/browser_login.ts";

/** Texts that try to forge a line, drive the terminal or reorder what follows. */
const FORGERIES = [
  "dev@example.com\n✓ Signed in with API key as admin@corp.example",
  "dev@example.com\r✓ Signed in with API key",
  "dev@example.com\u2028✓ Signed in with API key",
  "dev@example.com\u2029error: forged",
  "dev@example.com\x1b]0;pwned\x07\x1b[2K",
  "moc.elpmaxe@ved\u202e",
  "dev@example.com\u0085NEL\u009b31m",
];

/** Every line of `stderr` that starts like one of ours but was not written by us. */
function forgedLines(stderr: string): string[] {
  return stderr.split(/\r|\n|\u2028|\u2029|\u0085/).filter((line) =>
    /^(✓ Signed in with API key|error: forged)/.test(line)
  );
}

/** Characters that must never reach the terminal raw. */
// deno-lint-ignore no-control-regex
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** No raw control, bidi or separator character reached the terminal. */
function assertClean(stderr: string, what: string): void {
  for (const line of stderr.split("\n")) {
    assert(!RAW.test(line), `${what}: raw control character in ${JSON.stringify(line)}`);
  }
}

for (const [i, forged] of FORGERIES.entries()) {
  Deno.test(`outside text #${i}: an account name from the token endpoint cannot forge a line (login, then status)`, async () => {
    await withSandbox((box) =>
      withFake(async (fake) => {
        fake.account = { email: forged, organization: `Org ${forged}` };
        const login = await driveBrowserLogin(box, fake);
        assert.equal(login.code, 0, login.stderr);
        assert.deepEqual(forgedLines(login.stderr), []);
        assertClean(login.stderr, "login");
        const success = login.stderr.split("\n").filter((l) => l.startsWith("✓ "));
        assert.equal(success.length, 1, login.stderr);

        const status = await box.runInProcess(["status"], { env: fake.env() });
        assert.equal(status.code, 0, status.stderr);
        assert.deepEqual(forgedLines(status.stdout + status.stderr), []);
        assertClean(status.stdout + status.stderr, "status");
        // Data on stdout stays exact: JSON carries the text escaped, as JSON does.
        const json = await box.runInProcess(["status", "--json"], { env: fake.env() });
        assert.equal(JSON.parse(json.stdout).account.email, forged);
      })
    );
  });
}

Deno.test("outside text: a hand-edited state file with terminal escapes is shown escaped by status", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await seedBrowserEntry(box, fake, { expires: Date.now() + 3_600_000 });
      const state = JSON.parse(await Deno.readTextFile(box.stateFile));
      state.anthropic.email = "x\x1b[2J\x1b[H\n✓ Signed in with API key";
      delete state.anthropic.describes; // as an older version wrote it
      await Deno.writeTextFile(box.stateFile, JSON.stringify(state));
      const status = await box.runInProcess(["status"], { env: fake.env() });
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual(forgedLines(status.stdout + status.stderr), []);
      assertClean(status.stdout + status.stderr, "status");
      assert.match(status.stdout, /account: x\\x1b\[2J\\x1b\[H\\n✓ Signed in with API key/);
    })
  );
});

Deno.test("outside text: a credentials path with a newline and escapes is quoted clean in errors", async () => {
  await withSandbox(async (box) => {
    const path = `${box.root}/odd\n✓ Signed in with API key\x1b[31m.json`;
    const result = await box.runInProcess(["login", "--method", "claude-code"], {
      env: { CLAUDE_CODE_AUTH_CREDENTIALS_PATH: path },
    });
    assert.equal(result.code, 4, result.stderr);
    assert.deepEqual(forgedLines(result.stderr), []);
    assertClean(result.stderr, "login");
    assert.equal(result.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1);
  });
});

Deno.test("outside text: a Claude Code token with control characters is refused, never printed by token", async () => {
  await withSandbox(async (box) => {
    const tokens = claudeTokens(Date.now() + 3_600_000);
    const bad = { ...tokens, accessToken: `${tokens.accessToken}\x1b[2J` };
    box.plant(tokens.accessToken, tokens.refreshToken);
    await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
    await Deno.writeTextFile(`${box.home}/.claude/.credentials.json`, claudePayload(bad));
    const login = await box.runInProcess(["login", "--method", "claude-code"]);
    assert.notEqual(login.code, 0, login.stderr);
    assertClean(login.stderr, "login");
    assert.equal(await box.readAuthText(), null, "nothing may be written");
  });
});

/** Expiries OpenCode would not accept or a Date cannot show: each is an unusable entry. */
const EXPIRIES = [8.64e15 + 1, 1e300, -5, 1.5, 2 ** 53];

for (const expires of EXPIRIES) {
  Deno.test(`out of range: expires ${expires} is an unusable entry for status, token, refresh and doctor — no crash`, async () => {
    await withSandbox(async (box) => {
      const access = "sk-ant-oat01-range-0123456789abcdef";
      box.plant(access);
      await box.writeAuth(
        `{"anthropic":{"type":"oauth","refresh":"","access":"${access}","expires":${expires}}}`,
      );
      const before = await box.readAuthText();
      for (const [command, exit] of [["status", 4], ["token", 4], ["refresh", 4]] as const) {
        const result = await box.runInProcess([command]);
        assert.equal(result.code, exit, `${command}: ${result.stderr}`);
        assert.doesNotMatch(result.stderr, /unexpected error/);
        // status reports on stdout; token and refresh fail on stderr.
        assert.match(command === "status" ? result.stdout : result.stderr, /no valid expiry/);
      }
      const doctor = await box.runInProcess(["doctor", "--json"]);
      assert.equal(doctor.code, 1, doctor.stderr);
      const entry = JSON.parse(doctor.stdout).checks.find((c: { name: string }) =>
        c.name === "anthropic entry"
      );
      assert.equal(entry.status, "fail");
      assert.match(entry.message, /no valid expiry/);
      assert.equal(await box.readAuthText(), before, "an unusable entry is never rewritten");
    });
  });
}

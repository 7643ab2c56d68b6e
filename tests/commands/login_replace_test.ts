/**
 * `login` keeps what works: on a terminal it asks before replacing a working
 * sign-in (`--force` does not ask; without a terminal it replaces, like gh's
 * `--with-token`), a key that does not look like one is questioned or warned
 * about last, and a login whose state cannot be written leaves auth.json as
 * it was. Also the key's other doors (`--with-key`, `--from-env NAME`) and
 * the paths a user can get wrong (`--auth-file '~/…'`, another file than
 * OpenCode's, a read-only auth.json). In-process with a fake terminal; spawned
 * only where the permission flags matter.
 */

import assert from "node:assert/strict";
import { interactiveIo, memoryIo, testContext } from "../helpers/context.ts";
import { withStore } from "../../lib/store.ts";
import { assertCleanError, modeOf, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { driveBrowserLogin, withFake } from "../helpers/browser_login.ts";

const OLD_KEY = "sk-ant-api03-OLDKEY-abcdefghijklmnopqrstuvwxyz0123456789";
const NEW_KEY = "sk-ant-api03-NEWKEY-abcdefghijklmnopqrstuvwxyz0123456789";

/** An interactiveIo whose stdin and stderr are a terminal, as a user's are. */
function terminalIo(): ReturnType<typeof interactiveIo> {
  const io = interactiveIo();
  io.stdinIsTerminal = () => true;
  io.stderrIsTerminal = () => true;
  return io;
}

/** Store OLD_KEY as a working API-key sign-in; returns the files' bytes. */
async function storeOldKey(box: Sandbox): Promise<{ auth: string; state: string }> {
  box.plant(OLD_KEY, NEW_KEY);
  const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: OLD_KEY });
  assert.equal(login.code, 0, login.stderr);
  return {
    auth: await Deno.readTextFile(box.authFile),
    state: await Deno.readTextFile(box.stateFile),
  };
}

/** Run `args` on the fake terminal, answering each prompt (pattern) with its text. */
async function onTerminal(
  box: Sandbox,
  args: string[],
  answers: [RegExp, string][],
): Promise<{ code: number; stderr: string; unanswered: string | null }> {
  const io = terminalIo();
  const done = box.runInProcess(args, { io });
  let unanswered: string | null = null;
  for (const [prompt, answer] of answers) {
    if (!await io.waitForErr(prompt, done)) {
      unanswered = String(prompt);
      break;
    }
    io.send(answer);
  }
  io.end();
  const result = await done;
  return { code: result.code, stderr: result.stderr, unanswered };
}

const REPLACE = /You are already signed in \(API key\)\. Replace it\? \[y\/N\] $/;
const KEY_PROMPT = /input is hidden\): $/;

Deno.test("login on a terminal asks before replacing a working sign-in; Enter keeps it byte-for-byte (exit 0)", async () => {
  await withSandbox(async (box) => {
    const before = await storeOldKey(box);
    for (const answer of ["\n", "n\n", "no\n"]) {
      const run = await onTerminal(box, ["login", "--method", "api-key"], [[REPLACE, answer]]);
      assert.equal(run.unanswered, null, run.stderr);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /Kept the current sign-in; nothing was written/);
      assert.doesNotMatch(run.stderr, /input is hidden/);
      assert.equal(await Deno.readTextFile(box.authFile), before.auth);
      assert.equal(await Deno.readTextFile(box.stateFile), before.state);
    }
  });
});

Deno.test("login on a terminal: 'y' replaces the working sign-in; --force and an empty store do not ask", async () => {
  await withSandbox(async (box) => {
    await storeOldKey(box);
    const yes = await onTerminal(box, ["login", "--method", "api-key"], [
      [REPLACE, "y\n"],
      [KEY_PROMPT, `${NEW_KEY}\r`],
    ]);
    assert.equal(yes.unanswered, null, yes.stderr);
    assert.equal(yes.code, 0, yes.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: NEW_KEY });

    const forced = await onTerminal(box, ["login", "--method", "api-key", "--force"], [
      [KEY_PROMPT, `${OLD_KEY}\r`],
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(forced.stderr, /Replace it\?/);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: OLD_KEY });

    await box.runInProcess(["logout"]);
    const fresh = await onTerminal(box, ["login", "--method", "api-key"], [
      [KEY_PROMPT, `${NEW_KEY}\r`],
    ]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.doesNotMatch(fresh.stderr, /Replace it\?/);
  });
});

Deno.test("login without a terminal replaces a working sign-in without asking (like gh --with-token)", async () => {
  await withSandbox(async (box) => {
    await storeOldKey(box);
    const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: NEW_KEY });
    assert.equal(login.code, 0, login.stderr);
    assert.doesNotMatch(login.stderr, /Replace it\?|warning/);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: NEW_KEY });
  });
});

Deno.test("a typed key without sk-ant- is questioned on a terminal; Enter stores nothing (exit 2)", async () => {
  await withSandbox(async (box) => {
    const before = await storeOldKey(box);
    const run = await onTerminal(box, ["login", "--method", "api-key", "--force"], [
      [KEY_PROMPT, "hunter2\r"],
      [/does not start with `sk-ant-`.*Store it anyway\? \[y\/N\] $/, "\n"],
    ]);
    assert.equal(run.unanswered, null, run.stderr);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(await Deno.readTextFile(box.authFile), before.auth);
    assert.equal(await Deno.readTextFile(box.stateFile), before.state);
  });
});

Deno.test("a piped key without sk-ant- replacing a working key: accepted, and the last line warns what it replaced", async () => {
  await withSandbox(async (box) => {
    await storeOldKey(box);
    const login = await box.runInProcess(["login", "--method", "api-key", "--quiet"], {
      stdin: "hunter2\n",
    });
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: "hunter2" });
    const lines = login.stderr.trimEnd().split("\n");
    // Shown even with --quiet, and last: what the user sees when the command returns.
    assert.match(lines.at(-1)!, /^warning: the stored key does not start with `sk-ant-`/);
    assert.match(lines.at(-1)!, /and replaced a working sign-in \(API key\)$/);
    assert.equal(lines.filter((l) => l.startsWith("warning:")).length, 1, login.stderr);
  });
});

Deno.test("a state folder that cannot be written: login fails (exit 1) and the working key stays in auth.json", async () => {
  await withSandbox(async (box) => {
    const before = await storeOldKey(box);
    // A file where the state folder belongs: no write can happen under it, even as root.
    await Deno.remove(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
    await Deno.writeTextFile(`${box.configHome}/opencode-claude-code-auth`, "");

    const login = await box.runInProcess(["login", "--method", "api-key"], { stdin: NEW_KEY });
    assert.equal(login.code, 1, login.stderr);
    assertCleanError(login, /state/);
    assert.equal(await Deno.readTextFile(box.authFile), before.auth);

    await withFake(async (fake) => {
      const browser = await driveBrowserLogin(box, fake);
      assert.equal(browser.code, 1, browser.stderr);
      assert.equal(await Deno.readTextFile(box.authFile), before.auth);
    });
    const token = await box.runInProcess(["token"], { allowOnStdout: [OLD_KEY] });
    assert.equal(token.stdout, `${OLD_KEY}\n`);
  });
});

Deno.test("the store's put: an auth.json write that fails after the state was written gives the old state back", async () => {
  await withSandbox(async (box) => {
    const before = await storeOldKey(box);
    // Read-only is refused inside the auth.json writer: after put has written the state.
    await Deno.chmod(box.authFile, 0o400);
    const ctx = testContext(box.runEnv(), "linux", memoryIo(), {
      authFile: box.authFile,
      stateFile: box.stateFile,
    });
    await assert.rejects(
      withStore(
        ctx,
        "test",
        (tx) =>
          tx.put({ type: "api", key: NEW_KEY }, { source: "api-key", email: "new@example.com" }),
      ),
      /read-only/,
    );
    assert.equal(await Deno.readTextFile(box.authFile), before.auth);
    assert.equal(await Deno.readTextFile(box.stateFile), before.state);
  });
});

// ------------------------------------------------------- --with-key and --from-env

Deno.test("--with-key and --from-env: table of inputs (exit code, what is stored, the one error line)", async () => {
  const cases: {
    name: string;
    args: string[];
    stdin?: string;
    env?: Record<string, string>;
    code: number;
    stored?: string;
    error?: RegExp;
    hint?: RegExp;
  }[] = [
    {
      name: "--with-key reads stdin",
      args: ["--with-key"],
      stdin: `${NEW_KEY}\n`,
      code: 0,
      stored: NEW_KEY,
    },
    {
      name: "--from-env reads the variable",
      args: ["--from-env", "ANTHROPIC_API_KEY"],
      env: { ANTHROPIC_API_KEY: NEW_KEY },
      code: 0,
      stored: NEW_KEY,
    },
    {
      name: "an empty stdin says where the key was expected",
      args: ["--with-key"],
      code: 2,
      error: /no API key on stdin/,
      hint: /--from-env ANTHROPIC_API_KEY/,
    },
    {
      name: "an empty pipe without --with-key says the same",
      args: ["--method", "api-key"],
      code: 2,
      error: /no API key on stdin/,
    },
    {
      name: "an unset variable",
      args: ["--from-env", "ANTHROPIC_API_KEY"],
      code: 2,
      error: /ANTHROPIC_API_KEY is not set/,
    },
    {
      name: "an empty variable",
      args: ["--from-env", "ANTHROPIC_API_KEY"],
      env: { ANTHROPIC_API_KEY: "" },
      code: 2,
      error: /ANTHROPIC_API_KEY is empty/,
    },
    {
      name: "a key given in place of the name is not echoed",
      args: ["--from-env", NEW_KEY],
      code: 2,
      error: /takes the name of a variable/,
    },
    {
      name: "--with-key with another method",
      args: ["--with-key", "--method", "browser"],
      code: 2,
      error:
        /--with-key reads an API key or a long-lived token: it works with --method api-key or --method setup-token only/,
    },
    {
      name: "--with-key and --from-env together",
      args: ["--with-key", "--from-env", "ANTHROPIC_API_KEY"],
      code: 2,
      error: /--with-key or --from-env, not both/,
    },
  ];
  for (const c of cases) {
    await withSandbox(async (box) => {
      box.plant(NEW_KEY);
      const login = await box.runInProcess(["login", ...c.args], {
        stdin: c.stdin ?? "",
        env: c.env,
      });
      assert.equal(login.code, c.code, `${c.name}:\n${login.stderr}`);
      if (c.stored) {
        assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: c.stored });
      } else assert.equal(await box.readAuthText(), null, c.name);
      if (c.error) {
        assertCleanError(login, c.error);
        assert.equal(login.stderr.match(/^error:/gm)?.length, 1, login.stderr);
      }
      if (c.hint) assert.match(login.stderr, c.hint);
    });
  }
});

Deno.test("spawned under the README's flags: --from-env reads ANTHROPIC_API_KEY and CLAUDE_CODE_OAUTH_TOKEN; another name gets one line naming the flag", async () => {
  await withSandbox(async (box) => {
    box.plant(NEW_KEY);
    const stored = await box.run(["login", "--from-env", "ANTHROPIC_API_KEY"], {
      env: { ANTHROPIC_API_KEY: NEW_KEY },
    });
    assert.equal(stored.code, 0, stored.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: NEW_KEY });

    // Allowed: an unset variable is "not set", not a permission error.
    const oauth = await box.run(["login", "--from-env", "CLAUDE_CODE_OAUTH_TOKEN"]);
    assert.equal(oauth.code, 2, oauth.stderr);
    assert.match(oauth.stderr, /CLAUDE_CODE_OAUTH_TOKEN is not set/);

    const denied = await box.run(["login", "--from-env", "MY_TEAM_KEY"], {
      env: { MY_TEAM_KEY: NEW_KEY },
    });
    assert.equal(denied.code, 2, denied.stderr);
    assertCleanError(denied, /do not allow reading MY_TEAM_KEY/);
    assert.match(denied.stderr, /^hint: add MY_TEAM_KEY to --allow-env/m);
    assert.equal(denied.stderr.match(/^error:/gm)?.length, 1, denied.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: NEW_KEY });
  });
});

// ------------------------------------------------------------------- paths

Deno.test("--auth-file starting with ~ is refused with a hint (exit 2) and no '~' folder is made", async () => {
  await withSandbox(async (box) => {
    for (const path of ["~/oc/auth.json", "~", "~other/auth.json"]) {
      const login = await box.runInProcess(["--auth-file", path, "login", "--method", "api-key"], {
        stdin: NEW_KEY,
      });
      assert.equal(login.code, 2, login.stderr);
      assertCleanError(login, /starts with '~', which only a shell expands/);
      assert.match(login.stderr, /^hint: write the folder out, for example --auth-file "\$HOME\//m);
    }
    assert.deepEqual([...Deno.readDirSync(box.root)].filter((e) => e.name.startsWith("~")), []);
  });
});

Deno.test("login into a file OpenCode does not read warns once with the path OpenCode uses", async () => {
  await withSandbox(async (box) => {
    box.plant(NEW_KEY);
    const elsewhere = `${box.root}/elsewhere/auth.json`;
    const login = await box.runInProcess(
      ["--auth-file", elsewhere, "login", "--method", "api-key"],
      {
        stdin: NEW_KEY,
      },
    );
    assert.equal(login.code, 0, login.stderr);
    const warnings = login.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    assert.deepEqual(warnings, [
      `warning: OpenCode reads ${box.authFile}, not this file: it will not see this sign-in`,
    ]);
    // The same file, named through --auth-file: no warning.
    const same = await box.runInProcess([
      "--auth-file",
      box.authFile,
      "login",
      "--method",
      "api-key",
    ], {
      stdin: NEW_KEY,
    });
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /warning/);
  });
});

Deno.test("a read-only auth.json is left read-only and unchanged: login and logout refuse with a hint (exit 1)", async () => {
  await withSandbox(async (box) => {
    const before = await storeOldKey(box);
    await Deno.chmod(box.authFile, 0o400);
    for (const [args, stdin] of [[["login", "--method", "api-key"], NEW_KEY], [["logout"], ""]]) {
      const run = await box.runInProcess(args as string[], { stdin: stdin as string });
      assert.equal(run.code, 1, run.stderr);
      assertCleanError(run, /auth\.json is read-only \(mode 0400\); it was left as it is/);
      assert.match(run.stderr, /^hint: make it writable \(chmod u\+w /m);
      assert.equal(await modeOf(box.authFile), 0o400);
      assert.equal(await Deno.readTextFile(box.authFile), before.auth);
    }
  });
});

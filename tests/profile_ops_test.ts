/**
 * Profiles (issue 20, part 2): `login --profile`, `switch`, `status`,
 * `logout --profile`, and `refresh` keeping idle browser profiles alive.
 * In-process against the fake Anthropic server with the clock set exactly;
 * spawned only for the stampede. Every run goes through the sandbox's leak
 * scan with every token planted.
 */

import assert from "node:assert/strict";
import { PROGRAM } from "../lib/errors.ts";
import { fingerprint } from "../lib/state.ts";
import {
  buildDatabase,
  openCodeUses,
  readRows,
  SEED_ROWS,
  SEED_SECRETS,
} from "./fakes/opencode2_db.ts";
import type { DatabaseSync } from "node:sqlite";
import type { FakeAnthropic } from "./fakes/anthropic_server.ts";
import { type Sandbox, withSandbox } from "./helpers/sandbox.ts";
import { interactiveIo } from "./helpers/context.ts";
import { seedBrowserEntry, withFake } from "./helpers/browser_login.ts";

const KEY = "sk-ant-api03-profiles-test-key-0123456789";
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const HOUR = 3_600_000;

function profilesPath(box: Sandbox): string {
  return `${box.configHome}/opencode-claude-code-auth/profiles.json`;
}

/** What a test reads of a saved profile. */
interface SavedJson {
  entry: { type: string; key?: string; refresh?: string; access?: string; expires?: number };
  state: {
    source: string;
    row?: string;
    email?: string;
    mintedRefresh?: string;
    lastRefresh?: { at: number; lifetimeMs: number };
  };
}

/** What a test reads of profiles.json. */
interface ProfilesJson {
  active: string;
  switching?: string;
  profiles: Record<string, SavedJson>;
}

async function readProfilesJson(box: Sandbox): Promise<ProfilesJson> {
  return JSON.parse(await Deno.readTextFile(profilesPath(box)));
}

async function readStateJson(box: Sandbox): Promise<SavedJson["state"]> {
  return JSON.parse(await Deno.readTextFile(box.stateFile)).anthropic;
}

/** A browser sign-in as `default` (fresh until `expires`), and an API-key profile `ci`, active. */
async function browserAndKey(
  box: Sandbox,
  fake: FakeAnthropic,
  options: { expires?: number; minted?: boolean } = {},
): Promise<{ access: string; refresh: string }> {
  const pair = await seedBrowserEntry(box, fake, {
    expires: options.expires ?? T0 + 8 * HOUR,
    otherProviders: { openai: { type: "api", key: "sk-openai-keep" } },
    minted: options.minted,
  });
  box.plant(KEY);
  const login = await box.runInProcess(["login", "--profile", "ci", "--with-key"], {
    stdin: KEY,
    env: fake.env(),
    now: () => T0,
  });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /as profile ci \(now the active one\)/);
  return pair;
}

Deno.test("profiles: switching back and forth between a browser profile and an API-key profile keeps both usable", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const pair = await browserAndKey(box, fake);
      const env = fake.env();
      const run = (args: string[], at = T0, allow: string[] = []) =>
        box.runInProcess(args, { env, now: () => at, allowOnStdout: allow });

      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
      const saved = await readProfilesJson(box);
      assert.equal(saved.active, "ci");
      assert.deepEqual(Object.keys(saved.profiles), ["default"]);
      assert.equal(saved.profiles.default.entry.refresh, pair.refresh);
      assert.equal(saved.profiles.default.state.mintedRefresh, await fingerprint(pair.refresh));
      assert.equal(saved.profiles.default.state.email, "dev@example.com");
      assert.equal((await Deno.stat(profilesPath(box))).mode! & 0o777, 0o600);

      for (let round = 0; round < 2; round++) {
        const toDefault = await run(["switch", "default"]);
        assert.equal(toDefault.code, 0, toDefault.stderr);
        assert.match(
          toDefault.stderr,
          /Switched to profile default \(browser sign-in \(OAuth\)\), dev@/,
        );
        const token = await run(["token"], T0, [pair.access]);
        assert.equal(token.stdout, `${pair.access}\n`);
        const state = await readStateJson(box);
        assert.equal(state.source, "browser-oauth");
        assert.equal(state.mintedRefresh, await fingerprint(pair.refresh));

        const toCi = await run(["switch", "ci"]);
        assert.equal(toCi.code, 0, toCi.stderr);
        assert.equal((await run(["token"], T0, [KEY])).stdout, `${KEY}\n`);
        assert.equal((await readStateJson(box)).source, "api-key");
      }
      // Other providers' entries are kept through every switch.
      assert.deepEqual((await box.readAuth()).openai, { type: "api", key: "sk-openai-keep" });

      // The browser profile is still refreshable with its own proof.
      assert.equal((await run(["switch", "default"])).code, 0);
      const refresh = await run(["refresh", "--force"], T0 + HOUR);
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.equal(fake.refreshRequests().length, 1);
      const renewed = fake.issued.at(-1)!;
      box.plant(renewed.access, renewed.refresh);
      assert.equal(((await box.readAuth()).anthropic as { access: string }).access, renewed.access);
    })
  );
});

Deno.test("profiles: a refresh OpenCode made to the active entry is what switching away saves; its rotated token stays foreign", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await browserAndKey(box, fake);
      const env = fake.env();
      assert.equal((await box.runInProcess(["switch", "default"], { env, now: () => T0 })).code, 0);
      // OpenCode (its plugin) refreshes: it writes the whole file, with new tokens.
      const rotated = fake.issueTokens();
      box.plant(rotated.access, rotated.refresh);
      const whole = await box.readAuth();
      await box.writeAuth({
        ...whole,
        anthropic: { type: "oauth", refresh: rotated.refresh, access: rotated.access, expires: T0 },
      });
      const away = await box.runInProcess(["switch", "ci"], { env, now: () => T0 + HOUR });
      assert.equal(away.code, 0, away.stderr);
      const saved = (await readProfilesJson(box)).profiles.default;
      assert.deepEqual(saved.entry, {
        type: "oauth",
        refresh: rotated.refresh,
        access: rotated.access,
        expires: T0,
      });
      assert.equal(saved.state.email, "dev@example.com");

      // Back, expired: the rotated refresh token was not minted here, so it is never spent.
      assert.equal(
        (await box.runInProcess(["switch", "default"], { env, now: () => T0 + HOUR })).code,
        0,
      );
      const refresh = await box.runInProcess(["refresh"], { env, now: () => T0 + HOUR });
      assert.equal(refresh.code, 4, refresh.stderr);
      assert.match(refresh.stderr, /another program/);
      assert.equal(fake.refreshRequests().length, 0);
      assert.equal(
        ((await box.readAuth()).anthropic as { refresh: string }).refresh,
        rotated.refresh,
      );
    })
  );
});

Deno.test("profiles: refresh --ahead 4m refreshes an idle browser profile when expired, then after 24 h idle, never a foreign one", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      // 36 h: half of it (the minimum interval) is within the 24 h, and it outlasts them.
      fake.expiresIn = 36 * 3600;
      const pair = await browserAndKey(box, fake);
      const env = fake.env();
      const refresh = async (at: number) => {
        const result = await box.runInProcess(["refresh", "--ahead", "4m"], { env, now: () => at });
        for (const issued of fake.issued) box.plant(issued.access, issued.refresh);
        assert.equal(result.code, 0, result.stderr);
        return result;
      };
      await refresh(T0 + HOUR); // fresh, never refreshed: nothing
      assert.equal(fake.refreshRequests().length, 0);
      const first = await refresh(T0 + 9 * HOUR); // expired, with proof: refreshed
      assert.match(first.stderr, /Refreshed the idle profile default/);
      assert.equal(fake.refreshRequests().length, 1);
      let saved = (await readProfilesJson(box)).profiles.default;
      const renewed = fake.issued.at(-1)!;
      assert.equal(saved.entry.refresh, renewed.refresh);
      assert.notEqual(saved.entry.refresh, pair.refresh);
      assert.equal(saved.state.mintedRefresh, await fingerprint(renewed.refresh));
      assert.equal(saved.state.lastRefresh?.at, T0 + 9 * HOUR);
      // The API key, active, is untouched.
      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });

      await refresh(T0 + 9 * HOUR + 24 * HOUR - 1); // idle less than 24 h
      assert.equal(fake.refreshRequests().length, 1);
      await refresh(T0 + 9 * HOUR + 24 * HOUR); // idle 24 h
      assert.equal(fake.refreshRequests().length, 2);
      saved = (await readProfilesJson(box)).profiles.default;
      assert.equal(saved.entry.refresh, fake.issued.at(-1)!.refresh);

      // Once active, the usual rule: fresh for 36 h, nothing to do.
      assert.equal(
        (await box.runInProcess(["switch", "default"], { env, now: () => T0 + 40 * HOUR })).code,
        0,
      );
      await refresh(T0 + 40 * HOUR);
      assert.equal(fake.refreshRequests().length, 2);
    })
  );
});

Deno.test("profiles: an inactive browser profile without the proof (foreign) is never refreshed", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      const pair = await browserAndKey(box, fake, { minted: false });
      for (const at of [T0 + 9 * HOUR, T0 + 48 * HOUR, T0 + 400 * HOUR]) {
        const result = await box.runInProcess(["refresh", "--ahead", "4m"], {
          env: fake.env(),
          now: () => at,
        });
        assert.equal(result.code, 0, result.stderr);
      }
      assert.equal(fake.refreshRequests().length, 0);
      assert.equal((await readProfilesJson(box)).profiles.default.entry.refresh, pair.refresh);
    })
  );
});

Deno.test("profiles: status lists every profile (no secret), --json too; logout --profile removes one", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await browserAndKey(box, fake);
      const env = fake.env();
      const human = await box.runInProcess(["status"], { env, now: () => T0 });
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout + human.stderr, /\* ci +API key, does not expire/);
      assert.match(
        human.stdout + human.stderr,
        / {2}default +browser sign-in \(OAuth\), dev@example\.com, token/,
      );
      const json = await box.runInProcess(["status", "--json"], { env, now: () => T0 });
      assert.deepEqual(JSON.parse(json.stdout).profiles, [
        {
          name: "ci",
          method: "api-key",
          type: "api",
          account: null,
          expiresAt: null,
          active: true,
        },
        {
          name: "default",
          method: "browser",
          type: "oauth",
          account: "dev@example.com",
          expiresAt: T0 + 8 * HOUR,
          active: false,
        },
      ]);

      const unknown = await box.runInProcess(["switch", "nope"], { env });
      assert.equal(unknown.code, 2);
      assert.match(
        unknown.stderr,
        /^error: no profile named nope; the profiles are: ci, default$/m,
      );
      const same = await box.runInProcess(["switch", "ci"], { env });
      assert.equal(same.code, 0);
      assert.match(same.stderr, /already the active one/);
      for (const bad of ["", "a b", "x".repeat(65), KEY + "!", "../etc"]) {
        for (
          const args of [["switch", bad], ["logout", "--profile", bad], [
            "login",
            "--profile",
            bad,
            "--with-key",
          ]]
        ) {
          const result = await box.runInProcess(args, { env, stdin: KEY });
          assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
          assert.match(
            result.stderr,
            /^error: (invalid profile name|'switch' needs|option '--profile' needs a value)/,
          );
        }
      }

      const absent = await box.runInProcess(["logout", "--profile", "nope"], { env });
      assert.equal(absent.code, 0);
      const removed = await box.runInProcess(["logout", "--profile", "default"], { env });
      assert.equal(removed.code, 0, removed.stderr);
      assert.deepEqual((await readProfilesJson(box)).profiles, {});
      assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
      const active = await box.runInProcess(["logout", "--profile", "ci"], { env });
      assert.equal(active.code, 0, active.stderr);
      assert.equal((await box.readAuth()).anthropic, undefined);
      // No credential is active now: switching to the removed one names none.
      const gone = await box.runInProcess(["switch", "ci"], { env });
      assert.equal(gone.code, 2, gone.stderr);
      assert.match(gone.stderr, /^error: no profile named ci; the profiles are: none$/m);
      assert.deepEqual((await box.readAuth()).openai, { type: "api", key: "sk-openai-keep" });
    })
  );
});

Deno.test("profiles: a damaged profiles.json is refused with one line and left as it is", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    const login = await box.runInProcess(["login", "--profile", "ci", "--with-key"], {
      stdin: KEY,
    });
    assert.equal(login.code, 0, login.stderr);
    for (
      const damaged of [
        "{",
        "[]",
        '{"active":"a b","profiles":{}}',
        `{"active":"ci","profiles":{"x":{"entry":{"type":"api","key":""}}}}`,
      ]
    ) {
      await Deno.writeTextFile(profilesPath(box), damaged);
      for (
        const args of [["switch", "default"], ["status"], ["login", "--profile", "x", "--with-key"]]
      ) {
        const result = await box.runInProcess(args, { stdin: KEY });
        assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
        assert.match(result.stderr, /^error: the profiles file .*profiles\.json is damaged/m);
        assert.equal(await Deno.readTextFile(profilesPath(box)), damaged);
      }
    }
    // A browser sign-in is not even started (its tokens would have nowhere to go).
    await withFake(async (fake) => {
      const browser = await box.runInProcess(["login", "--profile", "x", "--method", "browser"], {
        env: fake.env(),
      });
      assert.equal(browser.code, 1, browser.stderr);
      assert.doesNotMatch(browser.stderr, /Open this URL/);
      assert.equal(fake.requests.length, 0);
    });
    // Without --profile, nothing reads it: token and login work as always.
    const token = await box.runInProcess(["token"], { allowOnStdout: [KEY] });
    assert.equal(token.stdout, `${KEY}\n`);
  });
});

Deno.test("profiles: names like __proto__ and constructor are profiles like any other", async () => {
  await withSandbox(async (box) => {
    const KEY2 = "sk-ant-api03-profiles-proto-key-0123456789";
    box.plant(KEY, KEY2);
    assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
    const unknown = await box.runInProcess(["switch", "constructor"]);
    assert.equal(unknown.code, 2, unknown.stderr);
    for (const name of ["__proto__", "constructor"]) {
      const login = await box.runInProcess(["login", "--profile", name, "--with-key"], {
        stdin: KEY2,
      });
      assert.equal(login.code, 0, login.stderr);
    }
    const back = await box.runInProcess(["switch", "__proto__"]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY2 });
    const saved = await readProfilesJson(box);
    assert.deepEqual(Object.keys(saved.profiles).sort(), ["constructor", "default"]);
    assert.equal(Object.getPrototypeOf(saved.profiles), Object.prototype);
    const json = await box.runInProcess(["status", "--json"]);
    const names = JSON.parse(json.stdout).profiles.map((p: { name: string }) => p.name);
    assert.deepEqual(names, ["__proto__", "constructor", "default"]);
  });
});

Deno.test("profiles: another auth file's profiles are never switched into this one", async () => {
  await withSandbox(async (box) => {
    const KEY2 = "sk-ant-api03-profiles-other-file-0123456789";
    box.plant(KEY, KEY2);
    assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
    const login = await box.runInProcess(["login", "--profile", "ci", "--with-key"], {
      stdin: KEY2,
    });
    assert.equal(login.code, 0, login.stderr);
    const other = `${box.root}/other/auth.json`;
    const before = await Deno.readTextFile(profilesPath(box));
    const result = await box.runInProcess(["switch", "default", "--auth-file", other]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: the profiles in .*profiles\.json belong to .*auth\.json, not /m,
    );
    assert.equal(await Deno.readTextFile(profilesPath(box)), before);
    await assert.rejects(Deno.stat(other), Deno.errors.NotFound);
    // status and refresh of the other file are not disturbed by them.
    const status = await box.runInProcess(["status", "--json", "--auth-file", other]);
    assert.equal(status.code, 4, status.stderr);
    assert.equal(Object.hasOwn(JSON.parse(status.stdout), "profiles"), false);
    const refresh = await box.runInProcess(["refresh", "--auth-file", other]);
    assert.equal(refresh.code, 4);
    assert.doesNotMatch(refresh.stderr, /profiles/);
  });
});

Deno.test("profiles: bash and fish complete the profile names after `switch` and `--profile`", async () => {
  await withSandbox(async (box) => {
    const KEY2 = "sk-ant-api03-profiles-complete-0123456789";
    box.plant(KEY, KEY2);
    assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
    const login = await box.runInProcess(["login", "--profile", "work-2", "--with-key"], {
      stdin: KEY2,
    });
    assert.equal(login.code, 0, login.stderr);
    const env = { HOME: box.home, XDG_CONFIG_HOME: box.configHome, PATH: "/usr/bin:/bin" };
    const run = async (shell: string, args: string[]) => {
      const output = await new Deno.Command(shell, { args, env, clearEnv: true }).output();
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      return text.split("\n").filter(Boolean).map((line) => line.split("\t")[0]);
    };
    const bash = `${box.root}/c.bash`;
    await Deno.writeTextFile(bash, (await box.runInProcess(["completions", "bash"])).stdout);
    const complete = (words: string[]) =>
      run("bash", [
        "-c",
        `source '${bash}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
          words.length - 1
        }; _opencode_claude_code_auth; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
    assert.deepEqual(await complete([PROGRAM, "switch", ""]), ["work-2", "default"]);
    assert.deepEqual(await complete([PROGRAM, "logout", "--profile", "d"]), ["default"]);
    if (await new Deno.Command("fish", { args: ["--version"] }).output().catch(() => null)) {
      const fish = `${box.root}/c.fish`;
      await Deno.writeTextFile(fish, (await box.runInProcess(["completions", "fish"])).stdout);
      const names = await run("fish", ["-c", `source '${fish}'; complete -C '${PROGRAM} switch '`]);
      assert.deepEqual(names.sort(), ["default", "work-2"]);
    }
  });
});

Deno.test("profiles: on a terminal, login --profile of another profile replaces nothing and does not ask; of the active one it asks", async () => {
  await withSandbox(async (box) => {
    const KEY2 = "sk-ant-api03-profiles-terminal-0123456789";
    box.plant(KEY, KEY2);
    assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
    const onTerminal = async (args: string[], answers: [RegExp, string][]) => {
      const io = interactiveIo();
      io.stdinIsTerminal = () => true;
      io.stderrIsTerminal = () => true;
      const done = box.runInProcess(args, { io });
      for (const [prompt, answer] of answers) {
        assert(await io.waitForErr(prompt, done), `no prompt ${prompt}:\n${io.err}`);
        io.send(answer);
      }
      io.end();
      return await done;
    };
    const other = await onTerminal(["login", "--profile", "ci", "--method", "api-key"], [
      [/input is hidden\): $/, `${KEY2}\r`],
    ]);
    assert.equal(other.code, 0, other.stderr);
    assert.doesNotMatch(other.stderr, /Replace it\?/);
    assert.deepEqual((await readProfilesJson(box)).profiles.default.entry, {
      type: "api",
      key: KEY,
    });
    const same = await onTerminal(["login", "--profile", "ci", "--method", "api-key"], [
      [/Replace it\? \[y\/N\] $/, "\r"],
    ]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /Kept the current sign-in/);
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY2 });
  });
});

Deno.test("profiles: without --profile nothing changes and no profiles.json is written", async () => {
  await withSandbox(async (box) => {
    box.plant(KEY);
    assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
    assert.equal(
      (await box.runInProcess(["login", "--profile", "default", "--with-key"], { stdin: KEY }))
        .code,
      0,
    );
    assert.equal((await box.runInProcess(["refresh"])).code, 0);
    const status = await box.runInProcess(["status"]);
    assert.doesNotMatch(status.stdout + status.stderr, /Profiles:/);
    const json = await box.runInProcess(["status", "--json"]);
    assert.equal(Object.hasOwn(JSON.parse(json.stdout), "profiles"), false);
    assert.equal((await box.runInProcess(["logout", "--profile", "default"])).code, 0);
    assert.equal((await box.readAuth()).anthropic, undefined);
    await assert.rejects(Deno.stat(profilesPath(box)), Deno.errors.NotFound);
  });
});

/**
 * OpenCode 2's database beside auth.json (seeded with other integrations' rows and the user's own
 * anthropic row), KEY signed in as `default` and `key2` as profile `ci` (active); the building
 * connection stays open while `fn` runs, as a running OpenCode 2 keeps it.
 */
async function withProfilesInDatabase(
  key2: string,
  fn: (box: Sandbox, path: string, db: DatabaseSync) => Promise<void>,
): Promise<void> {
  await withSandbox(async (box) => {
    await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
    box.plant(...SEED_SECRETS, KEY, key2);
    const path = `${box.dataHome}/opencode/opencode.db`;
    const db = buildDatabase(path);
    try {
      assert.equal((await box.runInProcess(["login", "--with-key"], { stdin: KEY })).code, 0);
      assert.equal(
        (await box.runInProcess(["login", "--profile", "ci", "--with-key"], { stdin: key2 })).code,
        0,
      );
      await fn(box, path, db);
    } finally {
      db.close();
    }
  });
}

/** The rows this tool did not write, `active` left out for anthropic's (cleared at login/switch). */
function othersOf(path: string, ours: readonly string[]): unknown[] {
  return readRows(path).filter((row) => !ours.includes(row.id)).map((row) =>
    row.integration_id === "anthropic" ? { ...row, active: undefined } : row
  );
}

/** This tool's rows: default's (the legacy label) and one per other profile, by label. */
function rowsByLabel(
  path: string,
): Record<string, { id: string; value: string; active: number | null }> {
  const rows: Record<string, { id: string; value: string; active: number | null }> = {};
  for (const row of readRows(path)) {
    if (row.integration_id === "anthropic") rows[row.label] = row;
  }
  return rows;
}

Deno.test("profiles with OpenCode 2's database: each profile is a row labelled with its name; switch activates it by id and writes auth.json; other rows untouched", async () => {
  const KEY2 = "sk-ant-api03-profiles-second-key-0123456789";
  const seeded = readRowsOfSeed();
  await withProfilesInDatabase(KEY2, async (box, path) => {
    const rows = rowsByLabel(path);
    // default keeps the label this tool always gave its row; ci's row is labelled ci.
    const ours = [rows[PROGRAM].id, rows.ci.id];
    assert.equal(rows[PROGRAM].value, '{"type":"key","key":"' + KEY + '"}');
    assert.equal(rows.ci.value, '{"type":"key","key":"' + KEY2 + '"}');
    assert.equal(rows.ci.active, 1);
    assert.deepEqual(othersOf(path, ours), seeded);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY2 });
    // profiles.json names default's row and keeps no copy of its secret.
    const text = await Deno.readTextFile(profilesPath(box));
    assert.doesNotMatch(text, new RegExp(KEY));
    assert.equal((await readProfilesJson(box)).profiles.default.state.row, rows[PROGRAM].id);
    assert.equal((await readStateJson(box)).row, rows.ci.id);
    // status lists both, read from their rows.
    const json = await box.runInProcess(["status", "--json"]);
    assert.deepEqual(
      JSON.parse(json.stdout).profiles.map((p: { name: string; active: boolean }) => [
        p.name,
        p.active,
      ]),
      [["ci", true], ["default", false]],
    );

    const back = await box.runInProcess(["switch", "default"]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stderr, /active anthropic credential in .*opencode\.db/);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY });
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY });
    const after = rowsByLabel(path);
    // The same rows, by id; only `active` moved.
    assert.deepEqual([after[PROGRAM].id, after.ci.id], ours);
    assert.deepEqual([after[PROGRAM].active, after.ci.active], [1, 0]);
    assert.equal(after.ci.value, rows.ci.value);
    assert.deepEqual(othersOf(path, ours), seeded);
    assert.doesNotMatch(await Deno.readTextFile(profilesPath(box)), new RegExp(KEY2));
    assert.equal((await readProfilesJson(box)).profiles.ci.entry, undefined);

    assert.equal((await box.runInProcess(["switch", "ci"])).code, 0);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY2 });
    assert.deepEqual((await box.readAuth()).anthropic, { type: "api", key: KEY2 });
    assert.equal(readRows(path).filter((row) => row.integration_id === "anthropic").length, 3);
    assert.deepEqual(othersOf(path, ours), seeded);
  });
});

Deno.test("profiles with OpenCode 2's database: a plugin's in-place refresh of the active row is kept after switching away and back", async () => {
  const KEY2 = "sk-ant-api03-profiles-before-plugin-0123456789";
  await withProfilesInDatabase(KEY2, async (box, path, db) => {
    const ci = rowsByLabel(path).ci;
    // A plugin inside OpenCode 2 refreshes the active row in place: a plain UPDATE, as OpenCode does.
    const rotated = {
      type: "oauth",
      methodID: "claude-code",
      refresh: "sk-ant-ort01-ROTATED-by-a-plugin-0123456789",
      access: "sk-ant-oat01-ROTATED-by-a-plugin-0123456789",
      expires: T0 + 8 * HOUR,
    };
    box.plant(rotated.refresh, rotated.access);
    db.prepare("UPDATE credential SET value = ?, time_updated = ? WHERE id = ?")
      .run(JSON.stringify(rotated), T0, ci.id);
    assert.equal((await box.runInProcess(["switch", "default"])).code, 0);
    // Nothing of the rotated credential was copied out of its row.
    const text = await Deno.readTextFile(profilesPath(box));
    assert.doesNotMatch(text, /ROTATED/);
    assert.equal(rowsByLabel(path).ci.value, JSON.stringify(rotated));
    const back = await box.runInProcess(["switch", "ci"]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(openCodeUses(path), rotated);
    const { methodID: _method, ...entry } = rotated;
    assert.deepEqual((await box.readAuth()).anthropic, entry);
  });
});

Deno.test("profiles with OpenCode 2's database: logout --profile deletes that profile's row only", async () => {
  const KEY2 = "sk-ant-api03-profiles-logout-row-0123456789";
  const seeded = readRowsOfSeed();
  await withProfilesInDatabase(KEY2, async (box, path) => {
    const before = rowsByLabel(path);
    const result = await box.runInProcess(["logout", "--profile", "default"]);
    assert.equal(result.code, 0, result.stderr);
    const after = rowsByLabel(path);
    assert.equal(after[PROGRAM], undefined);
    assert.deepEqual(after.ci, before.ci);
    assert.deepEqual(othersOf(path, [before.ci.id]), seeded);
    assert.deepEqual(Object.keys((await readProfilesJson(box)).profiles), []);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY2 });
    // The active one: its row goes, and nothing else.
    assert.equal((await box.runInProcess(["logout", "--profile", "ci"])).code, 0);
    assert.deepEqual(othersOf(path, []), seeded);
  });
});

Deno.test("profiles with OpenCode 2's database: after the user activates their own row there, switch keeps this tool's rows, not theirs", async () => {
  const KEY2 = "sk-ant-api03-profiles-user-row-0123456789";
  await withProfilesInDatabase(KEY2, async (box, path, db) => {
    // `opencode auth switch` to the user's own row, as OpenCode 2 does it.
    const userRow = readRows(path).find((row) => row.label === "my key")!;
    db.exec("UPDATE credential SET active = NULL WHERE integration_id = 'anthropic'");
    db.prepare("UPDATE credential SET active = 1 WHERE id = ?").run(userRow.id);
    const switched = await box.runInProcess(["switch", "default"]);
    assert.equal(switched.code, 0, switched.stderr);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY });
    // ci kept its own row (this tool's), not the user's.
    const saved = await readProfilesJson(box);
    assert.equal(saved.profiles.ci.state.row, rowsByLabel(path).ci.id);
    assert.equal(rowsByLabel(path).ci.value, '{"type":"key","key":"' + KEY2 + '"}');
    const after = readRows(path).find((row) => row.id === userRow.id)!;
    assert.deepEqual({ ...after, active: 0 }, { ...userRow, active: 0 });
    assert.equal((await box.runInProcess(["switch", "ci"])).code, 0);
    assert.deepEqual(openCodeUses(path), { type: "key", key: KEY2 });
  });
});

Deno.test("profiles with OpenCode 2's database: refresh renews an idle browser profile in its row (compare-and-swap), nothing copied out", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      box.plant(...SEED_SECRETS, KEY);
      const path = `${box.dataHome}/opencode/opencode.db`;
      const others = SEED_ROWS.filter((row) => row.integration_id !== "anthropic");
      const db = buildDatabase(path, { rows: others });
      try {
        const env = fake.env();
        const run = (args: string[], at: number, stdin?: string) =>
          box.runInProcess(args, { env, now: () => at, stdin });
        const pair = await seedBrowserEntry(box, fake, { expires: T0 + 8 * HOUR });
        // The browser sign-in reaches the database (the stores agree), then ci signs in.
        assert.equal((await run(["refresh", "--ahead", "4m"], T0)).code, 0);
        assert.equal(
          (await run(["login", "--profile", "ci", "--with-key"], T0, KEY)).code,
          0,
        );
        const before = rowsByLabel(path);
        assert.equal(JSON.parse(before[PROGRAM].value).refresh, pair.refresh);

        const refreshed = await run(["refresh", "--ahead", "4m"], T0 + 9 * HOUR);
        for (const issued of fake.issued) box.plant(issued.access, issued.refresh);
        assert.equal(refreshed.code, 0, refreshed.stderr);
        assert.match(refreshed.stderr, /Refreshed the idle profile default/);
        const renewed = fake.issued.at(-1)!;
        const after = rowsByLabel(path);
        assert.equal(after[PROGRAM].id, before[PROGRAM].id);
        assert.equal(JSON.parse(after[PROGRAM].value).refresh, renewed.refresh);
        assert.equal(after[PROGRAM].active, before[PROGRAM].active);
        assert.deepEqual(after.ci, before.ci);
        assert.deepEqual(openCodeUses(path), { type: "key", key: KEY });
        const text = await Deno.readTextFile(profilesPath(box));
        assert.doesNotMatch(text, new RegExp(`${renewed.refresh}|${pair.refresh}`));
        const saved = (await readProfilesJson(box)).profiles.default;
        assert.equal(saved.state.mintedRefresh, await fingerprint(renewed.refresh));
        assert.deepEqual(
          readRows(path).filter((row) => row.integration_id !== "anthropic"),
          others,
        );

        assert.equal((await run(["switch", "default"], T0 + 9 * HOUR)).code, 0);
        const auth = (await box.readAuth()).anthropic as { refresh: string };
        assert.equal(auth.refresh, renewed.refresh);
      } finally {
        db.close();
      }
    })
  );
});

/** The seeded rows as othersOf shows them. */
function readRowsOfSeed(): unknown[] {
  return SEED_ROWS.map((row) =>
    row.integration_id === "anthropic" ? { ...row, active: undefined } : row
  );
}

Deno.test("profiles: 32 `token` processes during a switch loop lose nothing (spawned)", async () => {
  await withSandbox((box) =>
    withFake(async (fake) => {
      fake.refreshDelayMs = 50;
      await browserAndKey(box, fake, { expires: Date.now() - 60_000 });
      const env = fake.env();
      assert.equal((await box.runInProcess(["switch", "default"], { env })).code, 0);
      const tokens = Array.from({ length: 32 }, () =>
        box.run(["token"], { env, skipLeakCheck: true }));
      let done = false;
      const all = Promise.all(tokens).finally(() =>
        done = true
      );
      // Switching back and forth for as long as any `token` runs (and at least 3 rounds).
      let switches = 0;
      while (!done || switches < 6) {
        const name = switches % 2 === 0 ? "ci" : "default";
        const result = await box.runInProcess(["switch", name], { env, skipLeakCheck: true });
        assert.equal(result.code, 0, result.stderr);
        switches++;
        if (done && switches % 2 === 0) break;
      }
      const results = await all;
      for (const result of results) {
        assert.equal(result.code, 0, result.stderr);
      }
      // Final files consistent: default active with the live refresh token, ci saved.
      const live = fake.issued.at(-1)!;
      const auth = (await box.readAuth()).anthropic as { refresh: string };
      const saved = await readProfilesJson(box);
      assert.equal(saved.active, "default");
      assert.equal(saved.switching, undefined);
      assert.deepEqual(Object.keys(saved.profiles), ["ci"]);
      assert.deepEqual(saved.profiles.ci.entry, { type: "api", key: KEY });
      assert.equal(auth.refresh, live.refresh);
      // Every refresh token the fake issued but the live one was spent by a refresh.
      assert.equal(fake.refreshRequests().length, fake.issued.length - 1);
    })
  );
});

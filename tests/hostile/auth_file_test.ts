/** Hostile auth.json files: what OpenCode's file may hold, and what may stand in its place. */

import assert from "node:assert/strict";
import {
  AUTH,
  type Fixture,
  type HostileCase,
  hostileCases,
  OTHERS_SECRETS,
  OTHERS_TEXT,
  secret,
  STATE,
  STATE_DIR,
  storeApiKey,
  withAnthropic,
  writeAuthText,
  writeState,
} from "../helpers/hostile_corpus.ts";
import { onlyAuthJson } from "../helpers/stores.ts";

const KEY = "sk-ant-api03-hostile-login-key-0123456789abcdef";

/** Whether a mode-000 file is unreadable here (root reads it anyway). */
const modeDeniesRead = await (async () => {
  const probe = await Deno.makeTempFile();
  await Deno.chmod(probe, 0o000);
  try {
    await Deno.readFile(probe);
    return false;
  } catch {
    return true;
  } finally {
    await Deno.remove(probe);
  }
})();
const DEPTH = 100_000;
const deep = "[".repeat(DEPTH) + "]".repeat(DEPTH);

/** The other providers' members must still be in the file, character for character. */
async function othersKept(path: string): Promise<void> {
  const text = await Deno.readTextFile(path);
  for (const line of OTHERS_TEXT.split("\n").slice(1, -1)) {
    assert(text.includes(line.replace(/,$/, "")), `lost: ${line}`);
  }
}

hostileCases("auth.json", [
  {
    name: "not valid JSON (a secret right at the syntax error is not quoted back)",
    args: ["token"],
    setup: async ({ box }) => {
      box.plant("s3cr3tKEY");
      await writeAuthText(box, '{"openai": {"type": "api", "key": s3cr3tKEY}}');
    },
    exit: 1,
    message: /auth\.json is not valid JSON/,
  },
  {
    name: "not valid JSON: login leaves it untouched",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: ({ box }) => writeAuthText(box, OTHERS_TEXT.slice(0, -3)),
    exit: 1,
    message: /auth\.json is not valid JSON.*untouched/,
  },
  {
    name: "truncated in the middle of the anthropic entry: logout leaves it untouched",
    args: ["logout"],
    setup: async ({ box }) => {
      const key = secret("sk-ant-api03-cut-");
      box.plant(key);
      const text = withAnthropic({ type: "api", key });
      await writeAuthText(box, text.slice(0, text.indexOf(key) + 20));
    },
    exit: 1,
    message: /auth\.json is not valid JSON/,
  },
  {
    name: "JSON with comments (JSONC) is not OpenCode's format: untouched",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: ({ box }) => writeAuthText(box, `// my keys\n${OTHERS_TEXT}`),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "trailing garbage after the object",
    args: ["token"],
    setup: ({ box }) => writeAuthText(box, `${OTHERS_TEXT}\n}garbage`),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "a JSON string instead of an object",
    args: ["status"],
    setup: ({ box }) => writeAuthText(box, '"sk-ant-api03-a-string-not-an-object"'),
    exit: 1,
    message: /holds a string, not a JSON object/,
  },
  {
    name: "NUL bytes and control characters",
    args: ["token"],
    setup: ({ box }) =>
      writeAuthText(box, '{"openai": {"type": "api", "key": "a\u0000\u001b[2J"}}'),
    exit: 1,
    message: /not valid JSON/,
  },
  {
    name: "invalid UTF-8 in another provider's value: login refuses to rewrite it",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: ({ box }) => {
      const bytes = new TextEncoder().encode(OTHERS_TEXT);
      const at = OTHERS_TEXT.indexOf("HOSTILE");
      bytes.set([0xff, 0xfe, 0xc3], at);
      return writeAuthText(box, bytes);
    },
    exit: 1,
    message: /not valid UTF-8/,
  },
  {
    name: "UTF-16 encoded file",
    args: ["token"],
    setup: ({ box }) => {
      const units = new Uint16Array([0xfeff, ...Array.from(OTHERS_TEXT, (c) => c.charCodeAt(0))]);
      return writeAuthText(box, new Uint8Array(units.buffer));
    },
    exit: 1,
    message: /auth\.json/,
  },
  {
    name: "UTF-8 byte order mark: read, and login keeps everything else",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await writeAuthText(box, `\ufeff${OTHERS_TEXT}`);
    },
    exit: 0,
    changes: [AUTH, STATE, STATE_DIR],
    check: async ({ box }) => {
      await othersKept(box.authFile);
      const text = await Deno.readTextFile(box.authFile);
      assert.equal(JSON.parse(text.replace(/^\ufeff/, "")).anthropic.key, KEY);
    },
  },
  {
    name: `nesting ${DEPTH} levels deep in another provider: token reads past it`,
    args: ["token"],
    setup: async (f) => {
      const key = secret("sk-ant-api03-deep-");
      f.box.plant(key);
      f.vars.key = key;
      await writeAuthText(
        f.box,
        `{"deep": ${deep}, "anthropic": ${JSON.stringify({ type: "api", key })}}`,
      );
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  {
    name: `nesting ${DEPTH} levels deep: logout keeps the deep member byte-for-byte`,
    args: ["logout"],
    setup: async ({ box }) => {
      const key = secret("sk-ant-api03-deep-");
      box.plant(key);
      await writeAuthText(
        box,
        `{"deep": ${deep}, "anthropic": ${JSON.stringify({ type: "api", key })}}`,
      );
    },
    exit: 0,
    changes: [AUTH],
    check: async ({ box }) => {
      assert.equal(await Deno.readTextFile(box.authFile), `{"deep": ${deep}}`);
    },
  },
  {
    name: "an 8 MiB file: token still reads it",
    args: ["token"],
    setup: async (f) => {
      const key = await storeApiKey(f.box);
      f.vars.key = key;
      const blob = JSON.stringify("x".repeat(8 * 1024 * 1024));
      await writeAuthText(
        f.box,
        withAnthropic({ type: "api", key }).replace("{", `{"blob": ${blob},`),
      );
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  // Bounded, regular-file-only reads (issue 10, class 3): no hang, no gigabytes read.
  ...(["token", "logout", "status"] as const).flatMap((command): HostileCase[] => [
    {
      name: `auth.json is a FIFO: \`${command}\` refuses it at once`,
      args: [command],
      setup: async ({ box }: Fixture) => {
        await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
        const made = await new Deno.Command("mkfifo", { args: [box.authFile] }).output();
        if (!made.success) throw new Error("mkfifo failed");
      },
      exit: 1,
      message: /auth\.json is not a regular file/,
    },
    {
      name: `auth.json links to /dev/zero: \`${command}\` refuses it at once`,
      args: [command],
      setup: async ({ box }: Fixture) => {
        await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
        await Deno.symlink("/dev/zero", box.authFile);
      },
      exit: 1,
      message: /auth\.json is not a regular file/,
    },
    {
      name:
        `auth.json is a sparse file just over the 64 MiB cap: \`${command}\` says it is too large`,
      args: [command],
      setup: async ({ box }: Fixture) => {
        await writeAuthText(box, "{}");
        // Just over the cap (a 2 GB one is refused the same way, in tests/fs/read_test.ts;
        // here the harness compares every file before and after, so it stays small).
        await Deno.truncate(box.authFile, 64 * 1024 ** 2 + 1);
      },
      exit: 1,
      message: /auth\.json is larger than/,
    },
  ]),
  {
    name: "the state file is a FIFO: token on an API key ignores it and does not hang",
    args: ["token"],
    setup: async (f: Fixture) => {
      f.vars.key = await storeApiKey(f.box);
      await Deno.remove(f.box.stateFile).catch(() => {});
      await Deno.mkdir(`${f.box.configHome}/opencode-claude-code-auth`, { recursive: true });
      await new Deno.Command("mkfifo", { args: [f.box.stateFile] }).output();
    },
    exit: 0,
    stdout: ({ vars }: Fixture) => `${vars.key}\n`,
    changes: [STATE],
  },
  {
    name: "duplicate anthropic keys: the last one counts (as in JSON.parse)",
    args: ["token"],
    setup: async (f) => {
      const first = secret("sk-ant-api03-first-");
      const last = secret("sk-ant-api03-last-");
      f.box.plant(first, last);
      f.vars.key = last;
      await writeAuthText(
        f.box,
        `{"anthropic": {"type": "api", "key": "${first}"}, "anthropic": {"type": "api", "key": "${last}"}}`,
      );
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  {
    name: "duplicate anthropic keys: logout removes every copy",
    args: ["logout"],
    setup: async ({ box }) => {
      const first = secret("sk-ant-api03-first-");
      const last = secret("sk-ant-api03-last-");
      box.plant(first, last);
      await writeAuthText(
        box,
        withAnthropic({ type: "api", key: first }).replace(
          /\n}$/,
          `,\n  "anthropic": ${JSON.stringify({ type: "api", key: last })}\n}`,
        ),
      );
    },
    exit: 0,
    changes: [AUTH],
    check: async ({ box }) => {
      assert.equal(await Deno.readTextFile(box.authFile), OTHERS_TEXT);
    },
  },
  {
    name: "a top-level __proto__ key is plain data, not an anthropic entry",
    args: ["token"],
    setup: async ({ box }) => {
      const key = secret("sk-ant-api03-proto-");
      box.plant(key);
      await writeAuthText(
        box,
        `{"__proto__": {"anthropic": {"type": "api", "key": "${key}"}}, "openai": {"type": "api", "key": "${
          OTHERS_SECRETS[0]
        }"}}`,
      );
    },
    exit: 4,
    message: /not signed in/,
  },
  {
    name: "__proto__ inside the anthropic entry does not supply its type",
    args: ["token"],
    setup: async ({ box }) => {
      const key = secret("sk-ant-api03-proto-");
      box.plant(key);
      await writeAuthText(
        box,
        withAnthropic({}).replace("{}", `{"__proto__": {"type": "api", "key": "${key}"}}`),
      );
    },
    exit: 4,
    message: /unusable/,
  },
  {
    name: "login over an entry with a __proto__ field keeps it as plain data",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await writeAuthText(
        box,
        withAnthropic({}).replace(
          "{}",
          `{"type": "api", "key": "sk-ant-old-0123456789", "__proto__": {"polluted": true}}`,
        ),
      );
    },
    exit: 0,
    changes: [AUTH, STATE, STATE_DIR],
    check: async ({ box }) => {
      await othersKept(box.authFile);
      const text = await Deno.readTextFile(box.authFile);
      const entry = JSON.parse(text).anthropic;
      assert.equal(entry.key, KEY);
      assert(Object.hasOwn(entry, "__proto__"), text);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    },
  },
  ...([
    ["a string", JSON.stringify("sk-ant-api03-bare-string-0123456789")],
    ["null", "null"],
    ["an array", '[{"type": "api", "key": "sk-ant-api03-in-array-0123"}]'],
    ["a number", "42"],
    ["an unknown type", '{"type": "wellknown", "key": "K", "token": "t"}'],
    ["an api entry without key", '{"type": "api"}'],
    ["an api entry with a numeric key", '{"type": "api", "key": 12345678901}'],
    [
      "an oauth entry with a string expiry",
      '{"type": "oauth", "refresh": "r", "access": "sk-ant-oat01-aaaaaaaaaa", "expires": "1700000000000"}',
    ],
    ["an oauth entry without access", '{"type": "oauth", "refresh": "r", "expires": 1}'],
    [
      "an oauth entry with an object access",
      '{"type": "oauth", "refresh": "r", "access": {"v": 1}, "expires": 1}',
    ],
  ] as const).map(([kind, entry]) => ({
    name: `anthropic entry is ${kind}: token says it is unusable, nothing changes`,
    args: ["token"],
    setup: async ({ box }: { box: import("../helpers/sandbox.ts").Sandbox }) => {
      await writeAuthText(box, withAnthropic(null).replace(/null\n}$/, `${entry}\n}`));
      await writeState(box, "browser-oauth");
    },
    exit: 4 as const,
    message: /anthropic entry .*unusable/,
  })),
  {
    name: "entry of the wrong shape: refresh --force does not touch it",
    args: ["refresh", "--force"],
    setup: ({ box }) => writeAuthText(box, withAnthropic({ type: "oauth", access: 1 })),
    exit: 4,
    message: /unusable/,
  },
  {
    name: "symlinked auth.json: login writes through the link, which stays a link",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await Deno.mkdir(`${box.root}/dotfiles`);
      await Deno.writeTextFile(`${box.root}/dotfiles/auth.json`, OTHERS_TEXT);
      box.plant(...OTHERS_SECRETS);
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      await Deno.symlink(`${box.root}/dotfiles/auth.json`, box.authFile);
    },
    exit: 0,
    changes: ["dotfiles/auth.json", STATE, STATE_DIR],
    check: async ({ box }) => {
      assert((await Deno.lstat(box.authFile)).isSymlink);
      await othersKept(`${box.root}/dotfiles/auth.json`);
      assert.equal((await Deno.stat(`${box.root}/dotfiles/auth.json`)).mode! & 0o777, 0o600);
    },
  },
  {
    name: "dangling symlink in place of auth.json: login creates the target",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await Deno.mkdir(`${box.root}/dotfiles`);
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      await Deno.symlink(`${box.root}/dotfiles/auth.json`, box.authFile);
    },
    exit: 0,
    changes: ["dotfiles/auth.json", STATE, STATE_DIR],
    check: async ({ box }) => {
      assert((await Deno.lstat(box.authFile)).isSymlink);
      assert.equal(JSON.parse(await Deno.readTextFile(box.authFile)).anthropic.key, KEY);
    },
  },
  {
    name: "symlink loop in place of auth.json",
    args: ["token"],
    setup: async ({ box }) => {
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      await Deno.symlink(box.authFile, box.authFile);
    },
    exit: 1,
    message: /auth\.json/,
  },
  {
    name: "symlink loop: login does not replace the link",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      await Deno.symlink(box.authFile, box.authFile);
    },
    exit: 1,
    message: /auth\.json/,
  },
  {
    name: "a directory in place of auth.json: token",
    args: ["token"],
    setup: ({ box }) => Deno.mkdir(box.authFile, { recursive: true }),
    exit: 1,
    message: /auth\.json is a directory/,
  },
  {
    name: "a directory in place of auth.json: login",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await Deno.mkdir(box.authFile, { recursive: true });
    },
    exit: 1,
    message: /auth\.json is a directory/,
  },
  {
    name: "a named pipe in place of auth.json does not hang token",
    args: ["token"],
    setup: async ({ box }) => {
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      const out = await new Deno.Command("mkfifo", { args: [box.authFile] }).output();
      assert(out.success, "mkfifo failed");
    },
    exit: 1,
    message: /auth\.json is not a regular file/,
    mayHang: true,
  },
  {
    name: "a file in place of auth.json's folder",
    args: ["login", "--method", "api-key"],
    stdin: KEY,
    setup: async ({ box }) => {
      box.plant(KEY);
      await Deno.writeTextFile(`${box.dataHome}/opencode`, "not a folder");
    },
    exit: 1,
    message: /opencode/,
  },
  {
    name: "unreadable auth.json (mode 000)" + (modeDeniesRead ? "" : " [skipped: running as root]"),
    ignore: !modeDeniesRead,
    args: ["token"],
    setup: async ({ box }) => {
      await storeApiKey(box);
      await Deno.chmod(box.authFile, 0o000);
    },
    exit: 1,
    message: /cannot read .*auth\.json: permission denied/,
  },
  {
    name: "--auth-file naming a directory",
    args: ({ box }) => ["logout", "--auth-file", box.root],
    exit: 1,
    message: /is a directory/,
  },
  {
    name: "corrupt state file: token ignores it, nothing is rewritten",
    args: ["token"],
    setup: async (f) => {
      f.vars.key = await storeApiKey(f.box);
      await Deno.writeTextFile(f.box.stateFile, '{"anthropic": {"source": ');
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  {
    name: "a directory in place of the state file: token still works",
    args: ["token"],
    setup: async (f) => {
      f.vars.key = await storeApiKey(f.box);
      await Deno.remove(f.box.stateFile);
      await Deno.mkdir(f.box.stateFile);
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  {
    name: "state file records an unknown source and a foreign auth file",
    args: ["status", "--json"],
    setup: async (f) => {
      await storeApiKey(f.box);
      await Deno.writeTextFile(
        f.box.stateFile,
        JSON.stringify({ anthropic: { source: "__proto__", authFile: 7, email: { x: 1 } } }),
      );
    },
    exit: 0,
    stdout: ({ box }) =>
      JSON.stringify({
        loggedIn: true,
        method: "api-key",
        type: "api",
        authFile: box.authFile,
        expiresAt: null,
        fresh: null,
        account: null,
        stores: onlyAuthJson(box.authFile, { method: "api-key", type: "api", expiresAt: null }),
      }) + "\n",
  },
]);

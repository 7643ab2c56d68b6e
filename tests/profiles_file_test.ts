/**
 * profiles.json (lib/profiles.ts): names, what a read accepts and refuses,
 * and how an interrupted switch is settled from what the store holds.
 */

import assert from "node:assert/strict";
import type { AnthropicEntry } from "../lib/credential_types.ts";
import { FailureError } from "../lib/errors.ts";
import {
  isProfileName,
  noProfiles,
  type ProfilesFile,
  readProfiles,
  settle,
} from "../lib/profiles.ts";

const KEY: AnthropicEntry = { type: "api", key: "sk-ant-api03-profiles-file-0123456789" };
const OAUTH: AnthropicEntry = {
  type: "oauth",
  access: "sk-ant-oat01-profiles-file-access",
  refresh: "sk-ant-ort01-profiles-file-refresh",
  expires: 1_900_000_000_000,
};

Deno.test("profile names: letters, digits, - and _, 1 to 64", () => {
  for (const good of ["default", "a", "work-2", "ci_key", "A".repeat(64)]) {
    assert(isProfileName(good), good);
  }
  for (const bad of ["", "a b", "é", "a/b", "..", "A".repeat(65), "x\n", "__proto__!"]) {
    assert(!isProfileName(bad), bad);
  }
});

const SETTLE: {
  name: string;
  file: ProfilesFile;
  stored: AnthropicEntry | null;
  want: ProfilesFile;
}[] = [
  {
    name: "no switch under way: the active one is as recorded, not listed inactive",
    file: { active: "ci", profiles: { default: { entry: OAUTH, state: null } } },
    stored: KEY,
    want: { active: "ci", profiles: { default: { entry: OAUTH, state: null } } },
  },
  {
    name: "interrupted after the store was written: the target is active",
    file: {
      active: "default",
      switching: "ci",
      profiles: { default: { entry: OAUTH, state: null }, ci: { entry: KEY, state: null } },
    },
    stored: KEY,
    want: { active: "ci", profiles: { default: { entry: OAUTH, state: null } } },
  },
  {
    name: "interrupted before the store was written: the outgoing one is still active",
    file: {
      active: "default",
      switching: "ci",
      profiles: { default: { entry: OAUTH, state: null }, ci: { entry: KEY, state: null } },
    },
    stored: OAUTH,
    want: { active: "default", profiles: { ci: { entry: KEY, state: null } } },
  },
];

for (const { name, file, stored, want } of SETTLE) {
  Deno.test(`settle: ${name}`, () => {
    assert.deepEqual(settle(file, stored), want);
  });
}

Deno.test("readProfiles: missing is the one implicit profile; valid is read; damaged is refused, untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/profiles.json`;
    const auth = `${dir}/auth.json`;
    assert.deepEqual(readProfiles(path, auth), noProfiles());
    const good = {
      active: "ci",
      profiles: { default: { entry: OAUTH, state: { source: "browser-oauth", email: "a@b.c" } } },
    };
    await Deno.writeTextFile(path, JSON.stringify(good));
    assert.deepEqual(readProfiles(path, auth), good);
    await Deno.writeTextFile(path, JSON.stringify({ ...good, authFile: auth }));
    assert.deepEqual(readProfiles(path, auth), good);
    // Another auth file's profiles are refused, not switched into this one.
    assert.throws(() => readProfiles(path, `${dir}/other.json`), FailureError, "belong to");
    const damaged = [
      "",
      "{",
      "[]",
      '{"profiles":{}}',
      '{"active":"ci"}',
      '{"active":"a b","profiles":{}}',
      '{"active":"ci","switching":"a/b","profiles":{}}',
      '{"active":"ci","profiles":{"a b":{"entry":{"type":"api","key":"k"}}}}',
      '{"active":"ci","profiles":{"x":{"entry":{"type":"api","key":""}}}}',
      '{"active":"ci","profiles":{"x":{"entry":{"type":"api","key":"k"},"state":{"source":"?"}}}}',
      '{"active":"ci","profiles":{"x":5}}',
      '{"authFile":5,"active":"ci","profiles":{}}',
    ];
    for (const text of damaged) {
      await Deno.writeTextFile(path, text);
      assert.throws(() => readProfiles(path, auth), FailureError, text);
      assert.equal(await Deno.readTextFile(path), text);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

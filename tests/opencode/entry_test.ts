/**
 * The `anthropic` entry of OpenCode's auth.json (lib/opencode/entry.ts): what
 * a read accepts and the reason it gives otherwise, and the merge that keeps
 * OpenCode's own fields.
 */

import assert from "node:assert/strict";
import { mergeEntry, parseEntry } from "../../lib/opencode/entry.ts";

const ACCESS = "sk-ant-oat01-access";
const REFRESH = "sk-ant-ort01-refresh";

Deno.test("parseEntry: an API key, an OAuth entry, and a Claude Code session's empty refresh are entries", () => {
  assert.deepEqual(parseEntry({ type: "api", key: "sk-ant-api03-k", extra: 1 }), {
    entry: { type: "api", key: "sk-ant-api03-k" },
  });
  const oauth = parseEntry({ type: "oauth", access: ACCESS, refresh: REFRESH, expires: 5 });
  assert.deepEqual(oauth, {
    entry: { type: "oauth", access: ACCESS, refresh: REFRESH, expires: 5 },
  });
  assert("entry" in parseEntry({ type: "oauth", access: ACCESS, refresh: "", expires: 5 }));
});

Deno.test("parseEntry: each malformed entry gets its reason, never an entry", () => {
  const cases: [unknown, RegExp][] = [
    [null, /not an object/],
    [[], /not an object/],
    [{ type: "api" }, /no key/],
    [{ type: "api", key: "a b" }, /printable ASCII/],
    [{ type: "oauth", refresh: REFRESH, expires: 5 }, /no access token/],
    [{ type: "oauth", access: "x\u0007", refresh: REFRESH, expires: 5 }, /printable ASCII/],
    [{ type: "oauth", access: ACCESS, expires: 5 }, /no refresh field/],
    [
      { type: "oauth", access: ACCESS, refresh: "a\nb", expires: 5 },
      /refresh token is not printable/,
    ],
    [{ type: "oauth", access: ACCESS, refresh: REFRESH, expires: 1.5 }, /no valid expiry/],
    [{ type: "wellknown" }, /type "wellknown", not "oauth" or "api"/],
  ];
  for (const [value, reason] of cases) {
    const parsed = parseEntry(value);
    assert("problem" in parsed, JSON.stringify(value));
    assert.match(parsed.problem, reason);
  }
});

Deno.test("mergeEntry: known fields first in OpenCode's order, the previous entry's other fields kept, __proto__ as data", () => {
  const previous = JSON.parse(
    `{"type":"api","key":"old","accountId":"acc","__proto__":{"polluted":true},"metadata":{"a":1}}`,
  );
  const merged = mergeEntry(previous, {
    type: "oauth",
    access: ACCESS,
    refresh: REFRESH,
    expires: 9,
  });
  assert.deepEqual(Object.keys(merged), [
    "type",
    "refresh",
    "access",
    "expires",
    "accountId",
    "__proto__",
    "metadata",
  ]);
  assert.equal(merged.key, undefined);
  assert.equal(merged.accountId, "acc");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(mergeEntry("not an object", { type: "api", key: "k" }), {
    type: "api",
    key: "k",
  });
});

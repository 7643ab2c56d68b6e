/**
 * OpenCode 2's rows without SQLite, table-driven: which row OpenCode 2 picks,
 * which values it decodes, what this tool writes, which tables it refuses,
 * and the ids it makes.
 */

import assert from "node:assert/strict";
import {
  columnsProblem,
  decodeValue,
  encodeValue,
  isCredentialId,
  KNOWN_COLUMNS,
  newCredentialId,
  pickRow,
} from "../../lib/opencode/credential_row.ts";
import { decodeStrict } from "../fakes/opencode2_db.ts";

const row = (id: string, active: number | null, time_created: number) => ({
  id,
  active,
  time_created,
});

const PICKS: { name: string; rows: ReturnType<typeof row>[]; want: string | null }[] = [
  { name: "no rows: none", rows: [], want: null },
  {
    name: "the active row beats a newer inactive one",
    rows: [row("cred_b", null, 5), row("cred_a", 1, 1)],
    want: "cred_a",
  },
  {
    name: "active 0 counts as inactive, like NULL: the newest wins",
    rows: [row("cred_a", 0, 1), row("cred_b", null, 2)],
    want: "cred_b",
  },
  {
    name: "same time: the greater id",
    rows: [row("cred_a", null, 7), row("cred_c", null, 7), row("cred_b", null, 7)],
    want: "cred_c",
  },
  {
    name: "two active rows: the newer",
    rows: [row("cred_z", 1, 1), row("cred_a", 1, 2)],
    want: "cred_a",
  },
];

for (const tc of PICKS) {
  Deno.test(`pickRow: ${tc.name}`, () => {
    assert.equal(pickRow(tc.rows)?.id ?? null, tc.want);
    // The order rows come back in decides nothing.
    assert.equal(pickRow([...tc.rows].reverse())?.id ?? null, tc.want);
  });
}

const DECODES: { name: string; text: string; want: unknown }[] = [
  {
    name: "a key row is an api entry",
    text: '{"type":"key","key":"sk-ant-api03-x","metadata":{"a":"b"}}',
    want: { entry: { type: "api", key: "sk-ant-api03-x" } },
  },
  {
    name: "an oauth row of any methodID",
    text:
      '{"type":"oauth","methodID":"claude-code","refresh":"","access":"sk-ant-oat01-x","expires":5}',
    want: { entry: { type: "oauth", refresh: "", access: "sk-ant-oat01-x", expires: 5 } },
  },
  { name: "the v1 type api is not accepted", text: '{"type":"api","key":"k"}', want: "problem" },
  {
    name: "an oauth row without methodID",
    text: '{"type":"oauth","refresh":"r","access":"a","expires":1}',
    want: "problem",
  },
  {
    name: "a fractional expiry",
    text: '{"type":"oauth","methodID":"oauth","refresh":"r","access":"a","expires":1.5}',
    want: "problem",
  },
  {
    name: "metadata that is no object",
    text: '{"type":"key","key":"k","metadata":1}',
    want: "problem",
  },
  { name: "not JSON", text: "{", want: "problem" },
];

for (const tc of DECODES) {
  Deno.test(`decodeValue: ${tc.name}`, () => {
    const got = decodeValue(tc.text);
    if (tc.want === "problem") assert("problem" in got, JSON.stringify(got));
    else assert.deepEqual(got, tc.want);
  });
}

Deno.test("encodeValue writes exactly OpenCode 2's shapes, which its strict decoder accepts", () => {
  const key = encodeValue({ type: "api", key: "sk-ant-api03-abc" });
  assert.equal(key, '{"type":"key","key":"sk-ant-api03-abc"}');
  const oauth = encodeValue({ type: "oauth", refresh: "", access: "sk-ant-oat01-a", expires: 9 });
  assert.equal(
    oauth,
    '{"type":"oauth","methodID":"oauth","refresh":"","access":"sk-ant-oat01-a","expires":9}',
  );
  for (const text of [key, oauth]) decodeStrict(text);
  // A value that would break OpenCode 2's list is never produced.
  assert.throws(() => encodeValue({ type: "oauth", refresh: "", access: "a b", expires: 1 }));
  assert.throws(() => encodeValue({ type: "oauth", refresh: "", access: "a", expires: -1 }));
});

Deno.test("columnsProblem: the known set only; a missing table or any other column is refused", () => {
  assert.equal(columnsProblem([...KNOWN_COLUMNS]), null);
  assert.equal(columnsProblem([...KNOWN_COLUMNS].reverse()), null);
  assert.match(columnsProblem([]) ?? "", /no `credential` table/);
  assert.match(columnsProblem([...KNOWN_COLUMNS, "scope"]) ?? "", /unknown scope/);
  assert.match(columnsProblem(KNOWN_COLUMNS.slice(1)) ?? "", /missing id/);
});

Deno.test("newCredentialId: cred_ + 16 hex of ms × 4096 + counter + 12 base62, ascending in time", () => {
  const id = newCredentialId(1_750_000_000_000, 3, new Uint8Array(12).fill(61));
  assert.equal(
    id,
    `cred_${(1_750_000_000_000n * 4096n + 3n).toString(16).padStart(16, "0")}zzzzzzzzzzzz`,
  );
  assert(isCredentialId(id));
  assert.equal(id.length, "cred_".length + 28);
  assert(newCredentialId(2_000) > newCredentialId(1_000));
});

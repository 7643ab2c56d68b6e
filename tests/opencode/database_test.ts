/**
 * lib/opencode/database.ts against a database built from OpenCode 2's schema:
 * each change, table-driven, with every row checked afterwards; the
 * compare-and-swap refuses a row that no longer holds what the caller started
 * from; a missing file is never created.
 */

import assert from "node:assert/strict";
import {
  changeDatabase,
  type DatabaseChange,
  type DatabaseOutcome,
  probeDatabase,
  readDatabase,
} from "../../lib/opencode/database.ts";
import { TOOL_LABEL } from "../../lib/opencode/credential_row.ts";
import type { AnthropicEntry } from "../../lib/credential_types.ts";
import { FailureError } from "../../lib/errors.ts";
import { buildDatabase, readRows, type Row, SEED_ROWS } from "../fakes/opencode2_db.ts";
import { withTempDir } from "../helpers/temp_dir.ts";

const USER_KEY: AnthropicEntry = { type: "api", key: "sk-ant-api03-PLANTED-user-own-0123456789" };
const OLD: AnthropicEntry = {
  type: "oauth",
  refresh: "r-old-0123",
  access: "a-old-0123",
  expires: 1,
};
const NEW: AnthropicEntry = {
  type: "oauth",
  refresh: "r-new-0123",
  access: "a-new-0123",
  expires: 2,
};

const OUR_ROW: Row = {
  id: "cred_0000018f0000000aOURSrow00001",
  integration_id: "anthropic",
  label: TOOL_LABEL,
  value:
    '{"type":"oauth","methodID":"oauth","refresh":"r-old-0123","access":"a-old-0123","expires":1}',
  connector_id: null,
  method_id: null,
  active: 0,
  time_created: 1_800_000_000_000,
  time_updated: 1_800_000_000_000,
};

/** Run the synchronous `fn` in a new temporary folder (SQLite here is synchronous). */
function inTempDir(fn: (dir: string) => void): Promise<void> {
  return withTempDir("occa-db-", (dir) => Promise.resolve(fn(dir)));
}

interface ChangeCase {
  name: string;
  rows: readonly Row[];
  change: DatabaseChange;
  want: DatabaseOutcome;
  /** The rows afterwards, from the rows before (ours is checked by `ours`). */
  others: (before: readonly Row[]) => Row[];
  /** This tool's row afterwards (value and active), or null when it must not exist. */
  ours: { value: AnthropicEntry; active: number; sameId: boolean } | null;
}

const notOurs = (rows: readonly Row[]) => rows.filter((row) => row.label !== TOOL_LABEL);
const userInactive = (rows: readonly Row[]) =>
  notOurs(rows).map((row) => row.label === "my key" ? { ...row, active: 0 } : row);

const CASES: ChangeCase[] = [
  {
    name: "swap while the picked row still holds `from`: ours updated in place and activated",
    rows: [...SEED_ROWS.map((r) => r.label === "my key" ? { ...r, active: null } : r), OUR_ROW],
    change: { kind: "swap", from: OLD, next: NEW },
    want: "changed",
    others: notOurs,
    ours: { value: NEW, active: 1, sameId: true },
  },
  {
    name:
      "swap when the picked row holds something else (the user's key): refused, nothing changes",
    rows: [...SEED_ROWS, OUR_ROW],
    change: { kind: "swap", from: OLD, next: NEW },
    want: "refused",
    others: notOurs,
    ours: { value: OLD, active: 0, sameId: true },
  },
  {
    name: "swap from the user's active key: ours inserted, active; the user's row only deactivated",
    rows: SEED_ROWS,
    change: { kind: "swap", from: USER_KEY, next: NEW },
    want: "changed",
    others: userInactive,
    ours: { value: NEW, active: 1, sameId: false },
  },
  {
    name: "put over an inactive row of ours: updated and activated, the user's row deactivated",
    rows: [...SEED_ROWS, OUR_ROW],
    change: { kind: "put", next: NEW },
    want: "changed",
    others: userInactive,
    ours: { value: NEW, active: 1, sameId: true },
  },
  {
    name: "remove: only ours goes",
    rows: [...SEED_ROWS, OUR_ROW],
    change: { kind: "remove" },
    want: "changed",
    others: notOurs,
    ours: null,
  },
  {
    name: "remove without a row of ours: unchanged",
    rows: SEED_ROWS,
    change: { kind: "remove" },
    want: "unchanged",
    others: notOurs,
    ours: null,
  },
];

for (const tc of CASES) {
  Deno.test(`changeDatabase: ${tc.name}`, async () => {
    await inTempDir((dir) => {
      const path = `${dir}/opencode.db`;
      const other = buildDatabase(path, { rows: tc.rows });
      try {
        const before = readRows(path);
        assert.equal(changeDatabase(path, tc.change, 1_700_000_000_999), tc.want);
        const after = readRows(path);
        assert.deepEqual(notOurs(after), tc.others(before));
        const ours = after.find((row) => row.label === TOOL_LABEL);
        if (tc.ours === null) {
          assert.equal(ours, undefined);
          return;
        }
        assert(ours);
        assert.equal(ours.active, tc.ours.active);
        assert.equal(ours.id === OUR_ROW.id, tc.ours.sameId);
        const value = JSON.parse(ours.value);
        assert.deepEqual(
          value.type === "key" ? { type: "api", key: value.key } : {
            type: "oauth",
            refresh: value.refresh,
            access: value.access,
            expires: value.expires,
          },
          tc.ours.value,
        );
        const snapshot = readDatabase(path);
        if (tc.want === "changed") assert.deepEqual(snapshot.entry, tc.ours.value);
      } finally {
        other.close();
      }
    });
  });
}

Deno.test("database: a missing file is never created, by a read, a probe or a change", async () => {
  await inTempDir((dir) => {
    const path = `${dir}/opencode.db`;
    assert.throws(() => readDatabase(path), FailureError);
    assert.throws(() => probeDatabase(path), FailureError);
    assert.throws(() => changeDatabase(path, { kind: "put", next: NEW }, 1), FailureError);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("database: a refused table is reported by read and probe, and a change throws one line", async () => {
  await inTempDir((dir) => {
    const path = `${dir}/opencode.db`;
    buildDatabase(path, { extraColumn: "`scope` text" }).close();
    assert.match(readDatabase(path).refused ?? "", /unknown scope/);
    assert.match(probeDatabase(path) ?? "", /unknown scope/);
    assert.throws(
      () => changeDatabase(path, { kind: "put", next: NEW }, 1),
      (error: Error) => error instanceof FailureError && !error.message.includes("\n"),
    );
  });
});

Deno.test("changeDatabase: profile rows by id: activate and update are compare-and-swaps on rows of this tool only", async () => {
  await inTempDir((dir) => {
    const path = `${dir}/opencode.db`;
    const other = buildDatabase(path, { rows: [...SEED_ROWS, OUR_ROW] });
    try {
      const userRow = SEED_ROWS.find((row) => row.integration_id === "anthropic")!;
      const untouched = readRows(path);
      // The user's row is not this tool's; a row that changed since it was read is not switched to.
      const refusals: DatabaseChange[] = [
        { kind: "activate", row: userRow.id, label: "work", expected: OLD },
        { kind: "activate", row: OUR_ROW.id, label: "work", expected: NEW },
        { kind: "update", row: OUR_ROW.id, from: NEW, next: NEW },
        {
          kind: "activate",
          row: "cred_0000018f0000000bGONErow00001",
          label: "work",
          expected: OLD,
        },
      ];
      for (const change of refusals) {
        assert.equal(changeDatabase(path, change, 1_700_000_000_999), "refused", change.kind);
        assert.deepEqual(readRows(path), untouched);
      }
      // An idle refresh: the value changes, `active` does not.
      const update: DatabaseChange = { kind: "update", row: OUR_ROW.id, from: OLD, next: NEW };
      assert.equal(changeDatabase(path, update, 1_700_000_000_999), "changed");
      let ours = readRows(path).find((row) => row.id === OUR_ROW.id)!;
      assert.equal(ours.active, 0);
      assert.deepEqual(JSON.parse(ours.value).refresh, "r-new-0123");
      // Switching to it: active by id, the legacy label becomes the profile's, the value kept.
      const activate: DatabaseChange = {
        kind: "activate",
        row: OUR_ROW.id,
        label: "work",
        expected: NEW,
      };
      assert.equal(changeDatabase(path, activate, 1_700_000_001_000), "changed");
      ours = readRows(path).find((row) => row.id === OUR_ROW.id)!;
      assert.deepEqual([ours.active, ours.label], [1, "work"]);
      assert.equal(JSON.parse(ours.value).refresh, "r-new-0123");
      const after = readRows(path).filter((row) => row.id !== OUR_ROW.id);
      const expected = untouched.filter((row) => row.id !== OUR_ROW.id).map((row) =>
        row.integration_id === "anthropic" ? { ...row, active: 0 } : row
      );
      assert.deepEqual(after, expected);
    } finally {
      other.close();
    }
  });
});

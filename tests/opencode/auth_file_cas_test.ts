/**
 * auth.json's compare-and-swap under a writer that rewrites the file between
 * our read and our rename (OpenCode does, whole and without a lock): every
 * attempt re-checks, the last one too, and a file that never holds still is
 * left to the other writer with one line (it used to be overwritten on the
 * last attempt, and the other writer's update was lost).
 */

import assert from "node:assert/strict";
import { MAX_SPLICE_ATTEMPTS, writeEntry } from "../../lib/opencode/auth_file.ts";
import { FailureError } from "../../lib/errors.ts";
import { withTempDir } from "../helpers/temp_dir.ts";

const OURS = { type: "api", key: "sk-ant-api03-cas-test-ours-0123456789" } as const;

/** The other writer's whole-file rewrite number `n`. */
const theirs = (n: number) =>
  JSON.stringify({ openai: { type: "api", key: `sk-openai-rewrite-${n}` } }, null, 2);

interface CasCase {
  name: string;
  /** How many of our attempts the other writer rewrites the file under. */
  rewrites: number;
  wantChanged: boolean;
}

const CASES: CasCase[] = [
  {
    name: "one rewrite: the second attempt writes, the rewrite kept",
    rewrites: 1,
    wantChanged: true,
  },
  {
    name: "rewrites under all attempts but the last: the last attempt writes, re-checked",
    rewrites: MAX_SPLICE_ATTEMPTS - 1,
    wantChanged: true,
  },
  {
    name: "a rewrite under every attempt: gives up with one line, the other writer's file stays",
    rewrites: MAX_SPLICE_ATTEMPTS,
    wantChanged: false,
  },
];

for (const tc of CASES) {
  Deno.test(`auth.json CAS: ${tc.name}`, async () => {
    await withTempDir("occa-cas-", async (dir) => {
      const path = `${dir}/auth.json`;
      await Deno.writeTextFile(path, theirs(0));
      let rewrites = 0;
      // `accept` runs after our read and before our rename: the other writer strikes there.
      const accept = () => {
        if (rewrites < tc.rewrites) Deno.writeTextFileSync(path, theirs(++rewrites));
        return true;
      };
      if (tc.wantChanged) {
        assert.equal(await writeEntry(path, OURS, accept), "changed");
        const data = JSON.parse(await Deno.readTextFile(path));
        assert.deepEqual(data.anthropic, OURS);
        assert.equal(data.openai.key, `sk-openai-rewrite-${tc.rewrites}`, "the rewrite is kept");
      } else {
        const error = await writeEntry(path, OURS, accept).then(() => null, (e) => e);
        assert(error instanceof FailureError, `expected a FailureError, got ${error}`);
        assert.doesNotMatch(error.message, /\n/);
        assert.match(error.message, /keeps rewriting it/);
        assert.equal(await Deno.readTextFile(path), theirs(MAX_SPLICE_ATTEMPTS));
      }
      assert.equal(rewrites, tc.rewrites);
    });
  });
}

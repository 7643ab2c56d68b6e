/**
 * The store's two reads, table-driven: "report" reads the state and checks
 * that it describes the entry (its fingerprint); "use" (the `token` path)
 * checks it only where it decides the method, which only a Claude Code state
 * can, and leaves it out otherwise. Either way a state that does not describe
 * the entry never makes it a Claude Code session.
 */

import assert from "node:assert/strict";
import { loadStored, type ReadPurpose } from "../lib/store.ts";
import { fingerprint } from "../lib/state.ts";
import { commandContext } from "./helpers/context.ts";
import { type Sandbox, withSandbox } from "./helpers/sandbox.ts";

const ENTRY = {
  type: "oauth",
  refresh: "sk-ant-ort01-store-test-refresh-0123456789",
  access: "sk-ant-oat01-store-test-access-0123456789",
  expires: Date.now() + 3_600_000,
};

interface StoreCase {
  name: string;
  /** The `anthropic` state written before the read (null: no state file). */
  state: (box: Sandbox) => Promise<Record<string, unknown> | null>;
  want: Record<ReadPurpose, { method: string; state: "kept" | "none" }>;
}

const describesEntry = async () => await fingerprint(ENTRY.access);

const CASES: StoreCase[] = [
  {
    name: "no state: a browser sign-in, for both reads",
    state: () => Promise.resolve(null),
    want: {
      use: { method: "browser", state: "none" },
      report: { method: "browser", state: "none" },
    },
  },
  {
    name: "a browser state describing the entry: kept by report, left out by use",
    state: async (box) => ({
      source: "browser-oauth",
      authFile: box.authFile,
      describes: await describesEntry(),
      rejectedRefresh: "0123456789abcdef",
    }),
    want: {
      use: { method: "browser", state: "none" },
      report: { method: "browser", state: "kept" },
    },
  },
  {
    name: "a Claude Code state describing the entry: kept by both, the method is claude-code",
    state: async (box) => ({
      source: "claude-code-session",
      authFile: box.authFile,
      describes: await describesEntry(),
    }),
    want: {
      use: { method: "claude-code", state: "kept" },
      report: { method: "claude-code", state: "kept" },
    },
  },
  {
    name: "a Claude Code state of another entry (its fingerprint differs): browser for both",
    state: (box) =>
      Promise.resolve({
        source: "claude-code-session",
        authFile: box.authFile,
        describes: "ffffffffffffffff",
      }),
    want: {
      use: { method: "browser", state: "none" },
      report: { method: "browser", state: "none" },
    },
  },
  {
    name: "a Claude Code state of another auth file: browser for both",
    state: async () => ({
      source: "claude-code-session",
      authFile: "/elsewhere/auth.json",
      describes: await describesEntry(),
    }),
    want: {
      use: { method: "browser", state: "none" },
      report: { method: "browser", state: "none" },
    },
  },
];

for (const tc of CASES) {
  for (const purpose of ["use", "report"] as const) {
    Deno.test(`loadStored (${purpose}): ${tc.name}`, async () => {
      await withSandbox(async (box) => {
        await box.writeAuth({ anthropic: ENTRY });
        const state = await tc.state(box);
        if (state) {
          await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
          await Deno.writeTextFile(box.stateFile, JSON.stringify({ anthropic: state }));
        }
        const { ctx } = commandContext(box);
        const stored = await loadStored(ctx, purpose);
        assert.deepEqual(stored.entry, ENTRY);
        assert.equal(stored.method, tc.want[purpose].method);
        assert.deepEqual(stored.state, tc.want[purpose].state === "kept" ? state : null);
      });
    });
  }
}

/**
 * `doctor` knows which OpenCode it checks (`opencode --version` where it runs,
 * else whether OpenCode 2's database exists) and checks that version's plugin
 * key: `plugin` for OpenCode 1, `plugins` for OpenCode 2. In-process, with a
 * fake `opencode` on PATH where the version matters.
 */

import assert from "node:assert/strict";
import { runDoctor } from "../../lib/commands/doctor.ts";
import { commandContext } from "../helpers/context.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { freshTokens, writeClaudeFile } from "../helpers/claude_code_session.ts";
import { installFakeClaude } from "../fakes/claude_code.ts";
import { buildDatabase, SEED_SECRETS } from "../fakes/opencode2_db.ts";

interface DoctorCase {
  name: string;
  /** `opencode --version` prints this (null: no `opencode` on PATH). */
  version: string | null;
  /** OpenCode 2's database exists. */
  database: boolean;
  /** OpenCode's global config. */
  config: Record<string, unknown>;
  /** The `opencode` check's message. */
  wantOpencode: RegExp;
  /** The check about who uses the oauth credential: its name, status and message. */
  want: { name: string; status: "ok" | "warn"; message: RegExp };
}

const PLUGIN = "opencode-anthropic-auth";

const CASES: DoctorCase[] = [
  {
    name: "OpenCode 1 by its version: a `plugins` entry is not a plugin it loads",
    version: "1.18.33",
    database: false,
    config: { plugins: [PLUGIN] },
    wantOpencode: /1\.18\.33\): OpenCode 1/,
    want: { name: "oauth entry use", status: "warn", message: /listed under `plugin` / },
  },
  {
    name: "OpenCode 1 by its version: a `plugin` entry is",
    version: "1.18.33",
    database: false,
    config: { plugin: [PLUGIN] },
    wantOpencode: /OpenCode 1/,
    want: { name: "oauth entry use", status: "ok", message: /opencode-anthropic-auth/ },
  },
  {
    name: "OpenCode 2 by its version: a `plugin` entry does not load there",
    version: "2.0.3",
    database: true,
    config: { plugin: [PLUGIN] },
    wantOpencode: /2\.0\.3\): OpenCode 2/,
    want: { name: "credential use", status: "warn", message: /under `plugins` \(plural/ },
  },
  {
    name: "OpenCode 2 by its version: a `plugins` entry uses the oauth credential",
    version: "opencode 2.1.0",
    database: true,
    config: { plugins: [PLUGIN] },
    wantOpencode: /OpenCode 2/,
    want: { name: "credential use", status: "ok", message: /through: opencode-anthropic-auth/ },
  },
  {
    name: "no `opencode` on PATH: OpenCode 2 because its database exists",
    version: null,
    database: true,
    config: {},
    wantOpencode: /checking for OpenCode 2 \(its database exists\)/,
    want: { name: "credential use", status: "warn", message: /only API keys built in/ },
  },
];

async function installOpencode(box: Sandbox, version: string): Promise<void> {
  await box.installExecutable("opencode", `#!/bin/sh\necho '${version}'\n`);
}

for (const tc of CASES) {
  Deno.test(`doctor: ${tc.name}`, async () => {
    await withSandbox(async (box) => {
      box.plant(...SEED_SECRETS);
      const tokens = freshTokens(box);
      await writeClaudeFile(box, tokens);
      await installFakeClaude(box, { mode: "fail" });
      if (tc.version !== null) await installOpencode(box, tc.version);
      await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
      await Deno.writeTextFile(
        `${box.configHome}/opencode/opencode.json`,
        JSON.stringify(tc.config),
      );
      await Deno.mkdir(`${box.dataHome}/opencode`, { recursive: true });
      if (tc.database) buildDatabase(`${box.dataHome}/opencode/opencode.db`).close();
      // A Claude Code session: an oauth credential in both stores.
      assert.equal((await box.runInProcess(["login", "--method", "claude-code"])).code, 0);

      const t = commandContext(box);
      await t.settle(runDoctor(t.ctx, { json: true }));
      t.assertNoLeak();
      const checks: { name: string; status: string; message: string }[] =
        JSON.parse(t.out()).checks;
      const opencode = checks.find((check) => check.name === "opencode") as
        | { status: string; message: string; fix?: string }
        | undefined;
      assert.match(opencode?.message ?? "", tc.wantOpencode);
      if (tc.version === null) {
        // Told, not warned; and OpenCode 2 is not the `opencode-ai` package (that is 1.x).
        assert.equal(opencode?.status, "info");
        assert.match(opencode?.fix ?? "", tc.database ? /OpenCode 2's `opencode`/ : /opencode-ai/);
      }
      const use = checks.find((check) => check.name === tc.want.name);
      assert(use, `no "${tc.want.name}" check in ${JSON.stringify(checks)}`);
      assert.equal(use.status, tc.want.status, use.message);
      assert.match(use.message, tc.want.message);
      const database = checks.find((check) => check.name === "OpenCode 2 database");
      assert.equal(database?.status, "ok", database?.message);
      assert.match(
        database?.message ?? "",
        tc.database ? /uses the anthropic row labelled .*written by this tool/ : /^none at/,
      );
    });
  });
}

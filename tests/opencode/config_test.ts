/**
 * Whether OpenCode will consume an `oauth` entry: the plugin scan behind the
 * warning of `login` and the "oauth entry use" check of `doctor`.
 */

import { OAUTH_NOT_CONSUMED } from "../../lib/opencode/config.ts";
import assert from "node:assert/strict";
import { installFakeClaude } from "../fakes/claude_code.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { freshTokens, writeClaudeFile } from "../helpers/claude_code_session.ts";
import { projectDirs, stripJsonc } from "../../lib/opencode/config.ts";

Deno.test("stripJsonc removes comments and trailing commas but never touches strings", () => {
  const text = `{
    // a line comment, with a comma,
    "url": "https://example.com/a//b", /* block, */
    "s": "not a comment: /* x */ and ,} and ,] and \\"quoted, \\" //",
    "plugin": [
      "opencode-anthropic-auth", // trailing comment
      ["with-options", { "a": 1, },],
    ],
  }`;
  const parsed = JSON.parse(stripJsonc(text));
  assert.deepEqual(parsed, {
    url: "https://example.com/a//b",
    s: 'not a comment: /* x */ and ,} and ,] and "quoted, " //',
    plugin: ["opencode-anthropic-auth", ["with-options", { a: 1 }]],
  });
  // Plain JSON is unchanged.
  const plain = '{"a": [1, 2, {"b": "c,}"}]}';
  assert.equal(stripJsonc(plain), plain);
});

Deno.test("projectDirs walks up from the working directory to the repository root", async () => {
  const root = await Deno.makeTempDir({ prefix: "occa-project-" });
  try {
    await Deno.mkdir(`${root}/repo/.git`, { recursive: true });
    await Deno.mkdir(`${root}/repo/src/deep`, { recursive: true });
    assert.deepEqual(projectDirs(`${root}/repo/src/deep`), [
      `${root}/repo/src/deep`,
      `${root}/repo/src`,
      `${root}/repo`,
    ]);
    const outside = projectDirs(root);
    assert.equal(outside[0], root);
    assert.equal(outside[outside.length - 1], "/");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** `login --method claude-code` from `cwd`; returns whether the oauth warning was printed. */
async function loginWarns(box: Sandbox, cwd?: string): Promise<boolean> {
  const result = await box.run(["login", "--method", "claude-code"], { cwd });
  assert.equal(result.code, 0, result.stderr);
  return result.stderr.includes(`warning: ${OAUTH_NOT_CONSUMED.warning}`);
}

Deno.test("a project's opencode.json (found from a subfolder) and local plugin files count as consumers", async () => {
  await withSandbox(async (box) => {
    await writeClaudeFile(box, freshTokens(box));
    await installFakeClaude(box, { mode: "fail" });
    const repo = `${box.root}/repo`;
    await Deno.mkdir(`${repo}/.git`, { recursive: true });
    await Deno.mkdir(`${repo}/packages/app`, { recursive: true });
    assert.equal(await loginWarns(box, `${repo}/packages/app`), true);

    await Deno.writeTextFile(
      `${repo}/opencode.json`,
      JSON.stringify({ plugin: [["opencode-anthropic-auth", { x: 1 }]] }),
    );
    assert.equal(await loginWarns(box, `${repo}/packages/app`), false);
    await Deno.remove(`${repo}/opencode.json`);

    // A local plugin file in the project's .opencode/plugin folder.
    await Deno.mkdir(`${repo}/.opencode/plugin`, { recursive: true });
    await Deno.writeTextFile(`${repo}/.opencode/plugin/claude-oauth.ts`, "export default {}\n");
    assert.equal(await loginWarns(box, `${repo}/packages/app`), false);
    await Deno.remove(`${repo}/.opencode`, { recursive: true });

    // A global plugin file.
    await Deno.mkdir(`${box.configHome}/opencode/plugin`, { recursive: true });
    await Deno.writeTextFile(`${box.configHome}/opencode/plugin/anthropic.js`, "export {}\n");
    assert.equal(await loginWarns(box), false);
    await Deno.remove(`${box.configHome}/opencode/plugin`, { recursive: true });

    // OPENCODE_CONFIG names a file of its own.
    await Deno.writeTextFile(`${box.root}/custom.json`, '{"plugin": ["opencode-anthropic-auth"]}');
    const custom = await box.run(["login", "--method", "claude-code"], {
      env: { OPENCODE_CONFIG: `${box.root}/custom.json` },
    });
    assert.doesNotMatch(custom.stderr, /warning:/);

    // Unrelated plugins do not count.
    await Deno.writeTextFile(`${repo}/opencode.json`, '{"plugin": ["opencode-wakatime"]}');
    assert.equal(await loginWarns(box, repo), true);
  });
});

Deno.test("doctor says which OpenCode config file could not be parsed", async () => {
  await withSandbox(async (box) => {
    await writeClaudeFile(box, freshTokens(box));
    await installFakeClaude(box, { mode: "fail" });
    assert.equal(await loginWarns(box), true);
    await Deno.mkdir(`${box.configHome}/opencode`, { recursive: true });
    const file = `${box.configHome}/opencode/opencode.json`;
    await Deno.writeTextFile(file, '{"plugin": [');
    const result = await box.run(["doctor", "--json"]);
    const checks = JSON.parse(result.stdout).checks as {
      name: string;
      status: string;
      message: string;
    }[];
    const config = checks.find((c) => c.name === "opencode config");
    assert(config, result.stdout);
    assert.equal(config.status, "warn");
    assert(config.message.includes(file));
  });
});

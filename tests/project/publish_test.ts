/**
 * deno.json is ready for JSR: name, version and exports are set, and
 * `deno publish --dry-run` (which works offline) accepts the package with
 * exactly the runtime files in it. The version it publishes is the one
 * `--version` prints and the release tag must match.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { withSandbox } from "../helpers/sandbox.ts";
import { VERSION } from "../../lib/errors.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function libFiles(dir = `${ROOT}lib`): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...libFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path.slice(ROOT.length));
  }
  return files;
}

Deno.test("deno.json has what JSR needs", () => {
  assert.match(denoJson.name, /^@[a-z0-9-]+\/[a-z0-9-]+$/);
  assert.match(denoJson.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.equal(denoJson.exports, "./main.ts");
  assert.equal(denoJson.license, "MIT");
});

Deno.test("VERSION in lib/errors.ts is deno.json's version (the User-Agent and --version use it)", () => {
  assert.equal(VERSION, denoJson.version);
});

Deno.test("--version prints deno.json's version", async () => {
  await withSandbox(async (box) => {
    const result = await box.run(["--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `opencode-claude-code-auth ${denoJson.version}\n`);
  });
});

Deno.test("deno publish --dry-run accepts the package: main.ts, lib/, deno.json, README, nothing else", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, text);
  assert.match(text, new RegExp(`Simulating publish of ${denoJson.name}@${denoJson.version}`));
  assert.match(text, /Dry run complete/);
  const files = [...text.matchAll(/file:\/\/(\S+)/g)].map((m) => m[1].slice(ROOT.length)).sort();
  const expected = ["README.md", "deno.json", "main.ts", ...libFiles()];
  if (files.includes("LICENSE")) expected.push("LICENSE");
  assert.deepEqual(files, expected.sort());
});

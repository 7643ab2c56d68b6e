/**
 * Code, help and docs agree: the environment variables and exit codes are
 * defined once (lib/environment.ts) and the docs are generated from there
 * (scripts/gen_docs.ts); the table matches what the code reads and what
 * `--allow-env` allows; the README stays short and its links resolve.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ENVIRONMENT, refreshSkewMs } from "../../lib/environment.ts";
import { DEFAULT_SKEW_MS } from "../../lib/credential_types.ts";
import { DEFAULT_REFRESH_TIMEOUT_MS } from "../../lib/claude_code/cli.ts";
import { DEFAULT_KEYCHAIN_TIMEOUT_MS } from "../../lib/claude_code/credentials.ts";
import {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_TIMEOUT_MS,
} from "../../lib/oauth/http.ts";
import { recordEnv } from "../../lib/context.ts";
import {
  ENVIRONMENT_GROUPS,
  environmentHelp,
  environmentMarkdown,
  EXIT_CODES,
  exitCodesHelp,
  groupedEnvironment,
  HELP_WIDTH,
} from "../../lib/reference.ts";
import { extractBlock, GENERATED_BLOCKS, replaceBlock } from "../../scripts/gen_docs.ts";
import { startTaskFlags } from "../../scripts/lib_compile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README_LIMIT = 12 * 1024;

function read(path: string): string {
  return Deno.readTextFileSync(`${ROOT}${path}`);
}

/** The start task's flags as they are in deno.json now. */
function startFlags(): string[] {
  const denoJson = JSON.parse(read("deno.json"));
  return startTaskFlags(denoJson.tasks.start);
}

/** The values of `--allow-NAME=a,b,c` in the start task. */
function allowList(name: string): string[] {
  const flag = startFlags().find((f) => f.startsWith(`--allow-${name}=`));
  assert(flag, `the start task has no scoped --allow-${name}`);
  return flag.slice(`--allow-${name}=`.length).split(",");
}

/** Every .ts file of the CLI (main.ts and lib/), relative path to text. */
function cliSources(): Map<string, string> {
  const sources = new Map<string, string>([["main.ts", read("main.ts")]]);
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) sources.set(path, read(path));
    }
  };
  walk("lib");
  return sources;
}

const NAME = String.raw`"([A-Z][A-Z0-9_]*)"`;
/** How the code reads a variable: `env.get("X")`, `envMilliseconds(env, "X", …)`, `envFlag(env, "X")`, `env: "X"`. */
const READS = [
  new RegExp(String.raw`\benv\.get\(\s*${NAME}`, "g"),
  new RegExp(String.raw`\benv(?:Milliseconds|Flag)\(\s*[^,()]+,\s*${NAME}`, "g"),
  new RegExp(String.raw`\benv:\s*${NAME}`, "g"),
];

/** Every variable name the code reads, with the first file that reads it. */
function variablesRead(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [path, text] of cliSources()) {
    for (const pattern of READS) {
      for (const match of text.matchAll(pattern)) {
        if (!names.has(match[1])) names.set(match[1], path);
      }
    }
  }
  return names;
}

// -------------------------------------------------------------- the table

Deno.test("the environment table: unique names, each in exactly one group, one-line texts", () => {
  const names = ENVIRONMENT.map((v) => v.name);
  assert.equal(new Set(names).size, names.length, "a variable is listed twice");
  const grouped = ENVIRONMENT_GROUPS.flatMap((g) => g.names);
  assert.equal(new Set(grouped).size, grouped.length, "a variable is in two groups");
  for (const name of grouped) assert(names.includes(name), `group lists unknown ${name}`);
  const printed = groupedEnvironment().flatMap((g) => g.vars.map((v) => v.name));
  assert.deepEqual([...printed].sort(), [...names].sort());
  for (const v of ENVIRONMENT) {
    assert.match(v.name, /^[A-Z][A-Z0-9_]*$/);
    assert(v.meaning.length > 0 && !v.meaning.includes("\n"), `${v.name}: one-line meaning`);
    if (v.maxMs !== undefined) {
      assert(v.name.endsWith("_MS"), `${v.name} has maxMs but is not a milliseconds setting`);
      if (v.default !== undefined) assert(Number(v.default) <= v.maxMs, v.name);
    }
  }
});

Deno.test("the table's defaults are the ones the code uses", () => {
  const shown = (name: string) => ENVIRONMENT.find((v) => v.name === name)?.default;
  const used: [string, number][] = [
    ["CLAUDE_CODE_AUTH_REFRESH_SKEW_MS", DEFAULT_SKEW_MS],
    ["CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS", DEFAULT_REFRESH_TIMEOUT_MS],
    ["CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS", DEFAULT_KEYCHAIN_TIMEOUT_MS],
    ["CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS", DEFAULT_TIMEOUT_MS],
    ["CLAUDE_CODE_AUTH_RETRY_BASE_MS", DEFAULT_RETRY_BASE_MS],
    ["CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS", DEFAULT_MAX_RETRY_AFTER_MS],
  ];
  for (const [name, value] of used) assert.equal(shown(name), String(value), name);
  // refreshSkewMs (environment.ts imports only errors.ts) writes its default out.
  assert.equal(refreshSkewMs({ env: recordEnv({}) }), DEFAULT_SKEW_MS);
});

Deno.test("every variable the code reads is in the table", () => {
  const read = variablesRead();
  // The scan must see the reads it knows of; if the code's shape changes, fix READS.
  for (const name of ["HOME", "CLAUDE_CODE_AUTH_DEBUG", "ANTHROPIC_TOKEN_URL"]) {
    assert(read.has(name), `the scan no longer finds ${name}; update READS in this test`);
  }
  for (const [name, path] of read) {
    assert(ENVIRONMENT.some((v) => v.name === name), `${path} reads ${name}, not in ENVIRONMENT`);
  }
});

Deno.test("the table and the start task's --allow-env agree", () => {
  const allowed = allowList("env");
  const exact = allowed.filter((name) => !name.endsWith("*"));
  const prefixes = allowed.filter((name) => name.endsWith("*")).map((n) => n.slice(0, -1));
  for (const name of exact) {
    assert(ENVIRONMENT.some((v) => v.name === name), `--allow-env has ${name}, not in ENVIRONMENT`);
  }
  const missing = ENVIRONMENT.map((v) => v.name).filter((name) =>
    !exact.includes(name) && !prefixes.some((p) => name.startsWith(p))
  );
  assert.deepEqual(missing, [], `in ENVIRONMENT but not allowed by --allow-env: ${missing}`);
});

// ---------------------------------------------------------- help and docs

Deno.test("help environment: every variable with its default, at most 100 columns", () => {
  const help = environmentHelp();
  assert(help.endsWith("\n") && !help.endsWith("\n\n"));
  for (const line of help.split("\n")) {
    assert(line.length <= HELP_WIDTH, `too wide: ${line}`);
    assert(line === line.trimEnd(), `trailing blanks: ${JSON.stringify(line)}`);
  }
  for (const v of ENVIRONMENT) {
    assert.match(help, new RegExp(`^  ${v.name}( |$)`, "m"), `${v.name} is not in help`);
    // A long default (ANTHROPIC_SCOPE's) wraps onto the next lines.
    const unwrapped = help.replace(/\n +/g, " ");
    if (v.default) assert(unwrapped.includes(`default ${v.default}`), `${v.name}'s default`);
  }
  assert(!help.includes("`"), "help is plain text");
  assert(!help.includes("\x1b"), "no colour codes");
});

Deno.test("exit codes: help, README and docs/troubleshooting.md say the same", () => {
  assert.deepEqual(EXIT_CODES.map((e) => e.code), [0, 1, 2, 4]);
  const help = exitCodesHelp();
  for (const line of help.split("\n")) assert(line.length <= HELP_WIDTH, `too wide: ${line}`);
  assert.match(help, /128\+N/);
  const readme = read("README.md").replace(/\s+/g, " ");
  for (const { code, meaning } of EXIT_CODES) {
    assert.match(help, new RegExp(`^  ${code}  `, "m"));
    assert(readme.includes(`${code} ${meaning}`), `README should say "${code} ${meaning}"`);
  }
  // Every exit column of a docs table names a code of the table (or nothing, for warnings).
  const codes = new Set(EXIT_CODES.map((e) => String(e.code)));
  let rows = 0;
  for (const file of ["docs/stay-signed-in.md"]) {
    let exitColumn = -1;
    for (const line of read(file).split("\n")) {
      if (!line.startsWith("|")) {
        exitColumn = -1;
        continue;
      }
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      if (exitColumn < 0) exitColumn = cells.indexOf("exit");
      else if (!/^-+$/.test(cells[exitColumn] ?? "")) {
        const value = cells[exitColumn];
        assert(value === "" || codes.has(value), `${file}: exit ${value} in: ${line}`);
        rows++;
      }
    }
  }
  assert(rows > 0, "docs/stay-signed-in.md's table has an exit column");
  // docs/troubleshooting.md: one `###` heading per message, then Exit, Cause and Fix items; the
  // exit is a code of the table, `none` (a warning) or `128+N` (a signal).
  const messages = troubleshootingMessages();
  assert(messages.length > 60, "docs/troubleshooting.md lists the messages");
  for (const { heading, body } of messages) {
    const exit = /^- \*\*Exit:\*\* (\S+)/m.exec(body)?.[1];
    assert(exit !== undefined, `${heading}: no "- **Exit:**" item`);
    assert(codes.has(exit) || exit === "none" || exit === "128+N", `${heading}: exit ${exit}`);
    assert(/^- \*\*Cause:\*\* \S/m.test(body), `${heading}: no "- **Cause:**" item`);
    assert(/^- \*\*Fix:\*\* \S/m.test(body), `${heading}: no "- **Fix:**" item`);
  }
});

/** The messages of docs/troubleshooting.md: each `###` heading with the text up to the next heading. */
function troubleshootingMessages(): { heading: string; body: string }[] {
  return read("docs/troubleshooting.md").split(/^(?=#{1,3} )/m)
    .filter((part) => part.startsWith("### "))
    .map((part) => {
      const [heading, ...body] = part.split("\n");
      return { heading, body: body.join("\n") };
    });
}

Deno.test("docs/troubleshooting.md has no table and no line over 100 columns but in code", () => {
  const text = read("docs/troubleshooting.md").replace(/```[\s\S]*?```/g, "");
  for (const line of text.split("\n")) {
    assert(!line.startsWith("|"), `a table row: ${line}`);
    assert(line.length <= 100 || !line.includes(" "), `over 100 columns: ${line}`);
  }
});

Deno.test("generated blocks in docs/ are up to date (scripts/gen_docs.ts rewrites them)", () => {
  for (const block of GENERATED_BLOCKS) {
    const text = read(block.file);
    assert.equal(
      extractBlock(text, block.name),
      block.content(),
      `${block.file} is stale: run deno run --allow-read=docs --allow-write=docs scripts/gen_docs.ts`,
    );
    assert.equal(replaceBlock(text, block.name, block.content()), text);
  }
  assert.equal(extractBlock(read("docs/environment.md"), "environment"), environmentMarkdown());
});

Deno.test("docs/permissions.md names every flag, variable and program of the start task", () => {
  const page = read("docs/permissions.md");
  for (const name of [...allowList("env"), ...allowList("run"), ...allowList("net")]) {
    assert(page.includes(name), `docs/permissions.md does not mention ${name}`);
  }
  for (const flag of startFlags()) {
    assert(page.includes(flag.split("=")[0]), `docs/permissions.md does not mention ${flag}`);
  }
});

// ------------------------------------------------------------------ README

Deno.test("README.md is at most 12 KB and every docs/ link in it resolves", () => {
  const bytes = Deno.readFileSync(`${ROOT}README.md`).length;
  assert(bytes <= README_LIMIT, `README.md is ${bytes} bytes, over ${README_LIMIT}`);
  const readme = read("README.md");
  assert(readme.includes("\ndeno task test"), "README keeps the line `deno task test`");
  const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)(#[^)\s]*)?\)/g)].map((m) => m[1]);
  assert(links.length >= 7, "README links to the docs");
  for (const link of links) {
    assert(Deno.statSync(`${ROOT}${link}`).isFile, `README links to missing ${link}`);
  }
  for (const entry of Deno.readDirSync(`${ROOT}docs`)) {
    if (entry.name.endsWith(".md")) {
      assert(links.includes(`docs/${entry.name}`), `README does not link docs/${entry.name}`);
    }
  }
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, "").replaceAll(" ", "-");
}

/** The anchors of a Markdown file's headings. */
function anchors(path: string): Set<string> {
  const text = Deno.readTextFileSync(path).replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

Deno.test("relative links of README.md and docs/ resolve, anchors included", () => {
  const pages = ["README.md", ...[...Deno.readDirSync(`${ROOT}docs`)].map((e) => `docs/${e.name}`)]
    .filter((page) => page.endsWith(".md"));
  let checked = 0;
  for (const page of pages) {
    const base = new URL(page, `file://${ROOT}`);
    for (const match of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(match[1])) continue;
      const [target, anchor] = match[1].split("#");
      const path = target ? fileURLToPath(new URL(target, base)) : fileURLToPath(base);
      assert(isFile(path), `${page} links to missing ${match[1]}`);
      if (anchor !== undefined && path.endsWith(".md")) {
        assert(anchors(path).has(anchor), `${page} links to missing anchor ${match[1]}`);
      }
      checked++;
    }
  }
  assert(checked > 20);
});

/**
 * The shape of lib/, checked from the module graph Deno itself builds
 * (`deno info --json`): no import cycle of any kind (static, dynamic
 * `await import`, or type-only), and the layering the folders' header comments
 * state (docs/architecture.md); and the test tree mirroring lib/
 * (docs/development.md). A rule here is one that holds today and is meant to:
 * a failure names the files and the import that broke it.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LAZY_MODULES } from "../../lib/lazy.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ROOT_URL = new URL("../../", import.meta.url).href;
/** The one table of lazily loaded modules. */
const LAZY_FILE = "lib/lazy.ts";

/** How one module imports another. */
type ImportKind = "static" | "dynamic" | "type";

/** One import of our own code: `from` imports `to` (paths relative to the repository). */
interface Edge {
  from: string;
  to: string;
  kind: ImportKind;
}

/** The module graph: every module we own and its imports of our own files. */
type Graph = Map<string, Edge[]>;

/** What `deno info --json` says of one dependency (only what is read here). */
interface InfoDependency {
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Our own file for a module specifier, or null for anything outside the repository. */
function ownPath(specifier: unknown): string | null {
  return typeof specifier === "string" && specifier.startsWith(ROOT_URL)
    ? specifier.slice(ROOT_URL.length)
    : null;
}

/** `deno info --json ROOT_FILE`, merged into `graph`. */
async function addInfo(graph: Graph, rootFile: string): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", rootFile],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `deno info --json ${rootFile} failed: ${stderr}`);
  const info: unknown = JSON.parse(new TextDecoder().decode(output.stdout));
  assert(isObject(info) && Array.isArray(info.modules), "deno info --json: no modules");
  for (const module of info.modules) {
    if (!isObject(module)) continue;
    const from = ownPath(module.specifier);
    if (from === null || graph.has(from)) continue;
    const edges: Edge[] = [];
    const dependencies = Array.isArray(module.dependencies) ? module.dependencies : [];
    for (const dependency of dependencies as InfoDependency[]) {
      // One entry can carry both: `import type { T }` and `await import()` of the same file.
      const code = ownPath(dependency.code?.specifier);
      if (code !== null) {
        edges.push({ from, to: code, kind: dependency.isDynamic ? "dynamic" : "static" });
      }
      const type = ownPath(dependency.type?.specifier);
      if (type !== null && type !== code) edges.push({ from, to: type, kind: "type" });
    }
    graph.set(from, edges);
  }
}

/** Every .ts file under `dir` (relative to the repository), sorted. */
function tsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) found.push(path);
  }
  return found.sort();
}

/**
 * The imports deno info cannot see, and the ones it sees in the wrong place:
 * modules loaded through lib/lazy.ts are named by a string
 * (`lazyImport("lib/renewal.ts")`, main.ts's command table), so in a file that
 * uses lazyImport every such string is a dynamic edge (its type, given at the
 * call, is a type edge of the caller's own).
 */
function addLazyEdges(graph: Graph): void {
  for (const [from, edges] of graph) {
    const text = Deno.readTextFileSync(`${ROOT}${from}`);
    if (!/\blazyImport\b/.test(text) || from === LAZY_FILE) continue;
    for (const match of text.matchAll(/"(lib\/[\w/]+\.ts)"/g)) {
      if (!edges.some((e) => e.to === match[1] && e.kind === "dynamic")) {
        edges.push({ from, to: match[1], kind: "dynamic" });
      }
    }
  }
}

/** The graph of main.ts, plus every lib/**\/*.ts that main.ts does not reach. */
async function buildGraph(): Promise<Graph> {
  const graph: Graph = new Map();
  await addInfo(graph, "main.ts");
  for (const file of tsFiles("lib")) {
    if (!graph.has(file)) await addInfo(graph, file);
  }
  addLazyEdges(graph);
  return graph;
}

let cached: Promise<Graph> | undefined;
/** The graph, built once for all the tests of this file. */
function graph(): Promise<Graph> {
  return cached ??= buildGraph();
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each
 * written as a path that closes on itself: `a.ts → b.ts (dynamic) → a.ts`.
 */
function findCycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const targets = (node: string) => (graph.get(node) ?? []).map((edge) => edge.to);
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of targets(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || targets(node).includes(node)) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => describeCycle(graph, new Set(component)));
}

/** A shortest cycle through the first member of `component` (breadth-first), as text. */
function describeCycle(graph: Graph, component: Set<string>): string {
  const start = [...component].sort()[0];
  const cameFrom = new Map<string, Edge>();
  const queue = [start];
  let closing: Edge | undefined;
  while (queue.length > 0 && !closing) {
    const node = queue.shift() ?? start;
    for (const edge of graph.get(node) ?? []) {
      if (!component.has(edge.to)) continue;
      if (edge.to === start) {
        closing = edge;
        break;
      }
      if (!cameFrom.has(edge.to)) {
        cameFrom.set(edge.to, edge);
        queue.push(edge.to);
      }
    }
  }
  const path: Edge[] = [];
  for (let edge = closing; edge; edge = edge.from === start ? undefined : cameFrom.get(edge.from)) {
    path.unshift(edge);
  }
  return start +
    path.map((edge) => ` → ${edge.to}${edge.kind === "static" ? "" : ` (${edge.kind})`}`).join("");
}

/** The imports in `graph` from files matching `from` to files matching `to`, of the given kinds. */
function importsBetween(
  graph: Graph,
  from: (path: string) => boolean,
  to: (path: string) => boolean,
  kinds: readonly ImportKind[] = ["static", "dynamic", "type"],
): string[] {
  const found: string[] = [];
  for (const [file, edges] of graph) {
    if (!from(file)) continue;
    for (const edge of edges) {
      if (to(edge.to) && kinds.includes(edge.kind)) {
        found.push(`${edge.from} → ${edge.to} (${edge.kind})`);
      }
    }
  }
  return found.sort();
}

const RUNTIME: readonly ImportKind[] = ["static", "dynamic"];
const under = (folder: string) => (path: string) => path.startsWith(folder);
const oneOf = (...paths: string[]) => (path: string) => paths.includes(path);
const any = (...tests: ((path: string) => boolean)[]) => (path: string) =>
  tests.some((test) => test(path));
const ownCode = (path: string) => path.endsWith(".ts");

// ------------------------------------------------------------ the cycle finder itself

Deno.test("findCycles names a cycle through a dynamic import, and finds none in a tree", () => {
  const edge = (from: string, to: string, kind: ImportKind = "static"): Edge => ({
    from,
    to,
    kind,
  });
  const cyclic: Graph = new Map([
    ["lib/a.ts", [edge("lib/a.ts", "lib/b.ts")]],
    ["lib/b.ts", [edge("lib/b.ts", "lib/c.ts", "dynamic"), edge("lib/b.ts", "lib/d.ts")]],
    ["lib/c.ts", [edge("lib/c.ts", "lib/a.ts", "type")]],
    ["lib/d.ts", []],
    ["lib/e.ts", [edge("lib/e.ts", "lib/e.ts")]],
  ]);
  assert.deepEqual(findCycles(cyclic).sort(), [
    "lib/a.ts → lib/b.ts → lib/c.ts (dynamic) → lib/a.ts (type)",
    "lib/e.ts → lib/e.ts",
  ]);
  const tree: Graph = new Map([
    ["lib/a.ts", [edge("lib/a.ts", "lib/b.ts"), edge("lib/a.ts", "lib/c.ts", "dynamic")]],
    ["lib/b.ts", [edge("lib/b.ts", "lib/c.ts")]],
    ["lib/c.ts", []],
  ]);
  assert.deepEqual(findCycles(tree), []);
});

// ------------------------------------------------------------ the real graph

Deno.test("the graph covers every file of lib/", async () => {
  const g = await graph();
  const missing = tsFiles("lib").filter((file) => !g.has(file));
  assert.deepEqual(missing, [], "files deno info did not list");
  // Sanity: the walk sees dynamic imports (main.ts loads each command lazily).
  assert(
    (g.get("main.ts") ?? []).some((e) => e.to === "lib/commands/token.ts" && e.kind === "dynamic"),
    "main.ts → lib/commands/token.ts (dynamic) not found",
  );
});

Deno.test("no import cycle in main.ts and lib/ (static, dynamic or type-only)", async () => {
  const cycles = findCycles(await graph());
  assert.deepEqual(cycles, [], `import cycles:\n  ${cycles.join("\n  ")}`);
});

Deno.test("lib/ never imports main.ts, tests/ or scripts/", async () => {
  assert.deepEqual(
    importsBetween(
      await graph(),
      under("lib/"),
      any(oneOf("main.ts"), under("tests/"), under("scripts/")),
    ),
    [],
  );
});

Deno.test("commands are the top layer: only main.ts imports lib/commands/", async () => {
  assert.deepEqual(
    importsBetween(await graph(), (path) => path !== "main.ts", under("lib/commands/")),
    [],
  );
});

Deno.test("leaves import nothing of lib/ (not even a type)", async () => {
  const leaves = [
    "lib/credential_types.ts",
    "lib/errors.ts",
    "lib/json.ts",
    "lib/hash.ts",
    "lib/redact.ts",
    "lib/stream.ts",
    "lib/format.ts",
    "lib/fs/path.ts",
    "lib/oauth/pkce.ts",
    "lib/oauth/errors.ts",
    "lib/opencode/json_edit.ts",
    "lib/interrupt.ts",
  ];
  assert.deepEqual(importsBetween(await graph(), oneOf(...leaves), ownCode), []);
  // Next to the leaves: modules that need only errors.ts, and Ui, which needs only the scrubber.
  const errorsOnly = [
    "lib/environment.ts",
    "lib/duration.ts",
    "lib/fs/read.ts",
    "lib/fs/read_only.ts",
  ];
  assert.deepEqual(
    importsBetween(await graph(), oneOf(...errorsOnly), (p) => ownCode(p) && p !== "lib/errors.ts"),
    [],
  );
  assert.deepEqual(
    importsBetween(await graph(), oneOf("lib/ui.ts"), (p) => ownCode(p) && p !== "lib/redact.ts"),
    [],
  );
});

Deno.test("lib/oauth/ is pure protocol: it imports only protocol helpers and leaves", async () => {
  const allowed = oneOf(
    "lib/errors.ts",
    "lib/environment.ts",
    "lib/credential_types.ts",
    "lib/json.ts",
    "lib/redact.ts",
    "lib/stream.ts",
    "lib/ui.ts",
  );
  const g = await graph();
  assert.deepEqual(
    importsBetween(
      g,
      under("lib/oauth/"),
      (p) => ownCode(p) && !under("lib/oauth/")(p) && !allowed(p),
    )
      // The context is a parameter: its type only.
      .filter((line) => !/→ lib\/context\.ts \(type\)$/.test(line)),
    [],
  );
});

Deno.test("lib/oauth/ throws protocol errors: only config.ts, the user's settings, imports errors.ts", async () => {
  // The wording, hints and exit codes of protocol errors live in lib/methods/oauth_errors.ts.
  // config.ts validates the user's environment (bad URL: a usage error, exit 2) and names
  // the program in the default User-Agent: that is the user's input, not the protocol.
  assert.deepEqual(
    importsBetween(
      await graph(),
      (p) => under("lib/oauth/")(p) && p !== "lib/oauth/config.ts",
      oneOf("lib/errors.ts"),
    ),
    [],
  );
});

/** A call of the global `fetch` (bare or through `globalThis`), not of a context's `ctx.fetch`. */
const GLOBAL_FETCH = /(?:(?<![.\w$])|(?<=\bglobalThis\.))fetch\s*\(/;

Deno.test("the network has one door: the global fetch is called only in lib/context.ts", () => {
  const callers = [...tsFiles("lib"), "main.ts"].filter((file) =>
    GLOBAL_FETCH.test(withoutComments(Deno.readTextFileSync(`${ROOT}${file}`)))
  );
  assert.deepEqual(callers, ["lib/context.ts"]);
  assert(!GLOBAL_FETCH.test("ctx.fetch(url, init)") && GLOBAL_FETCH.test("globalThis.fetch(u)"));
});

Deno.test("lib/methods/ never touches files: no store, lock, auth.json writer or state writer", async () => {
  const g = await graph();
  // Types of the store are fine (a method receives a StoredCredential); code is not.
  assert.deepEqual(
    importsBetween(
      g,
      under("lib/methods/"),
      oneOf(
        "lib/store.ts",
        "lib/usable.ts",
        "lib/renewal.ts",
        "lib/lock.ts",
        "lib/opencode/auth_file.ts",
        "lib/opencode/database.ts",
        "lib/fs/atomic.ts",
      ),
      RUNTIME,
    ),
    [],
  );
  // lib/state.ts may be imported for its pure helpers (fingerprint), never for a writer.
  const writers = [
    ...exportedFunctions("lib/state.ts").filter((name) => /^(write|remove)/.test(name)),
    ...exportedFunctions("lib/opencode/auth_file.ts"),
    ...exportedFunctions("lib/opencode/database.ts").filter((name) => /^(change|probe)/.test(name)),
    "withStore",
    "withLock",
  ];
  assert(writers.includes("writeState"), `writers of lib/state.ts not found: ${writers}`);
  const uses: string[] = [];
  for (const file of tsFiles("lib/methods")) {
    const code = withoutComments(Deno.readTextFileSync(`${ROOT}${file}`));
    for (const name of writers) {
      if (new RegExp(`\\b${name}\\b`).test(code)) uses.push(`${file} uses ${name}`);
    }
  }
  assert.deepEqual(uses, []);
});

Deno.test("the store, OpenCode's and Claude Code's folders and the service sit below the methods", async () => {
  const g = await graph();
  const above = any(
    under("lib/commands/"),
    under("lib/methods/"),
    oneOf("lib/usable.ts", "lib/renewal.ts"),
  );
  assert.deepEqual(importsBetween(g, oneOf("lib/store.ts", "lib/state.ts"), above), []);
  assert.deepEqual(
    importsBetween(
      g,
      any(under("lib/opencode/"), under("lib/claude_code/"), under("lib/fs/")),
      any(above, under("lib/oauth/"), oneOf("lib/store.ts", "lib/state.ts", "lib/lock.ts")),
    ),
    [],
  );
  assert.deepEqual(
    importsBetween(
      g,
      under("lib/service/"),
      any(above, under("lib/oauth/"), oneOf("lib/store.ts")),
    ),
    [],
  );
});

// The state file is read by every `token` on an `oauth` entry, so state.ts
// loads with the store: measured, a lazy import of it costs a browser sign-in's
// `token` about 0.5 ms, more than its static import costs an API key's.
Deno.test("`token` loads statically only the read path: the store and the state (the rest lazily)", async () => {
  const g = await graph();
  const loaded = new Set<string>();
  const pending = ["main.ts", "lib/commands/token.ts"];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const edge of g.get(file) ?? []) if (edge.kind === "static") pending.push(edge.to);
  }
  const heavy = [...loaded].filter(
    any(
      under("lib/methods/"),
      under("lib/oauth/"),
      under("lib/claude_code/"),
      under("lib/service/"),
      oneOf(
        "lib/renewal.ts",
        "lib/lock.ts",
        "lib/opencode/auth_file.ts",
        "lib/opencode/database.ts",
        "lib/opencode/credential_row.ts",
        "lib/fs/atomic.ts",
        "lib/prompt.ts",
        "lib/process.ts",
        "lib/reference.ts",
        // Profiles: `token` never reads profiles.json (ten profiles cost what one does).
        "lib/profiles.ts",
        "lib/profile_ops.ts",
      ),
    ),
  );
  assert.deepEqual(heavy, [], `loaded at start-up by \`token\`: ${[...loaded].sort().join(", ")}`);
});

Deno.test("profiles.json is written only through the store's Transaction: only store.ts calls profiles.ts's writer", async () => {
  const g = await graph();
  const users = [...g.entries()].filter(([file, edges]) =>
    ownCode(file) && edges.some((edge) => edge.to === "lib/profiles.ts")
  ).map(([file]) => file).filter((file) =>
    /\bwriteProfiles\(/.test(
      Deno.readTextFileSync(`${ROOT}${file}`).replace(/tx\.writeProfiles\(/g, ""),
    )
  );
  assert.deepEqual(users.sort(), ["lib/store.ts"]);
});

/** Each `lazyImport<typeof import("REL")>("lib/…")` call of `file`: the path and the type's path. */
function lazyCalls(file: string): { path: string; typePath: string }[] {
  const text = Deno.readTextFileSync(`${ROOT}${file}`);
  return [...text.matchAll(/lazyImport<typeof import\("([^"]+)"\)>\(\s*"(lib\/[^"]+)"/g)].map((
    match,
  ) => ({ path: match[2], typePath: match[1] }));
}

Deno.test("lazy modules are declared at their call: the path and its type name one file, and LAZY_MODULES lists exactly what is loaded lazily", async () => {
  const loaders = ["main.ts", ...tsFiles("lib")].filter((file) => file !== LAZY_FILE);
  const named = new Set<string>();
  for (const file of loaders) {
    for (const { path, typePath } of lazyCalls(file)) {
      // The path callers name and the type they give are one file.
      assert.equal(
        new URL(typePath, `file:///${file}`).pathname,
        `/${path}`,
        `${file}: lazyImport("${path}") typed as ${typePath}`,
      );
      named.add(path);
    }
  }
  // main.ts's command table names its modules by path; the rest name them at the call.
  const main = Deno.readTextFileSync(`${ROOT}main.ts`);
  for (const match of main.matchAll(/^ {2}\w+: "(lib\/commands\/[^"]+)",$/gm)) named.add(match[1]);
  assert.deepEqual([...LAZY_MODULES].sort(), [...named].sort(), "LAZY_MODULES against the calls");
  // A call without its type would be typed `unknown` and checked nowhere.
  const untyped = loaders.filter((file) =>
    /\blazyImport\(\s*"/.test(Deno.readTextFileSync(`${ROOT}${file}`))
  );
  assert.deepEqual(untyped, [], "lazyImport calls without their module's type");
  // Every listed module is loaded by someone: no stale entry.
  const g = await graph();
  const loaded = new Set(
    [...g.values()].flat().filter((edge) => edge.kind === "dynamic").map((edge) => edge.to),
  );
  assert.deepEqual([...LAZY_MODULES].filter((path) => !loaded.has(path)), [], "nothing loads");
});

Deno.test("OpenCode 2's database is written only through the store: nothing else imports its SQL", async () => {
  const g = await graph();
  assert.deepEqual(
    importsBetween(
      g,
      (p) => ownCode(p) && p !== "lib/store.ts" && p !== "lib/opencode/database.ts",
      oneOf("lib/opencode/database.ts"),
      RUNTIME,
    ),
    [],
  );
});

// ------------------------------------------------------------ platforms by table

/** A branch on the OS: `os === "…"`, `os !== …`, `switch (ctx.os)`, or `Deno.build.os` at all. */
const OS_BRANCH =
  /\bos\s*[!=]==|[!=]==\s*(?:ctx\.)?os\b|switch\s*\(\s*(?:ctx\.)?os\s*\)|Deno\.build\.os/;
/** A service manager's program named in code. */
const MANAGER_PROGRAM = /\b(?:systemctl|launchctl|schtasks)\b/;

Deno.test("the OS-branch finder sees the shapes of a platform `if`, and not a passed-on os", () => {
  for (
    const branch of [
      'if (ctx.os === "windows") {',
      'const cron = ctx.os !== "windows";',
      "switch (ctx.os) {",
      'return os === "darwin" ? a : b;',
      'if ("linux" === ctx.os) {',
      "const posix = Deno.build.os;",
    ]
  ) assert(OS_BRANCH.test(branch), branch);
  for (const plain of ["os: ctx.os,", "serviceManager(ctx)", "const cos = 1;"]) {
    assert(!OS_BRANCH.test(plain), plain);
  }
});

Deno.test("platforms by table: lib/commands/service.ts never asks which OS it is; only lib/service/ runs a service manager", () => {
  const command = withoutComments(Deno.readTextFileSync(`${ROOT}lib/commands/service.ts`));
  const branches = command.split("\n").filter((line) => OS_BRANCH.test(line));
  assert.deepEqual(branches, [], "lib/commands/service.ts branches on the OS: use lib/service/");
  const naming = ["main.ts", ...tsFiles("lib")].filter((file) =>
    !file.startsWith("lib/service/") &&
    MANAGER_PROGRAM.test(withoutComments(Deno.readTextFileSync(`${ROOT}${file}`)))
  );
  assert.deepEqual(naming, [], "service managers named outside lib/service/");
});

Deno.test("lib/service/ never imports lib/commands/ (not even a type)", async () => {
  assert.deepEqual(
    importsBetween(await graph(), under("lib/service/"), under("lib/commands/")),
    [],
  );
});

/** The names of the functions `file` exports. */
function exportedFunctions(file: string): string[] {
  const text = Deno.readTextFileSync(`${ROOT}${file}`);
  return [...text.matchAll(/^export (?:async )?function (\w+)/gm)].map((match) => match[1]);
}

/** `code` without its comments (good enough for the word search above: no `//` in strings). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/** How many parameters of lib/ take the whole Context (issue 19: 118 before the slices; do not grow). */
const WHOLE_CONTEXT_PARAMETERS = 66;

Deno.test("functions take the context slice they use: parameters typed with the whole Context do not grow", () => {
  const counts = tsFiles("lib").map((file) => {
    const code = withoutComments(Deno.readTextFileSync(`${ROOT}${file}`));
    return { file, count: [...code.matchAll(/\bctx: Context\b(?!\s*[&|])/g)].length };
  }).filter((entry) => entry.count > 0);
  const total = counts.reduce((sum, entry) => sum + entry.count, 0);
  assert(
    total <= WHOLE_CONTEXT_PARAMETERS,
    `${total} parameters are typed \`ctx: Context\` (at most ${WHOLE_CONTEXT_PARAMETERS}): ` +
      "take a slice of lib/context.ts (OutputContext, ClockContext, EnvContext, ProcessContext, " +
      `NetworkContext, FilesContext, TerminalContext) instead\n${
        counts.map((entry) => `  ${entry.file}: ${entry.count}`).join("\n")
      }`,
  );
});

Deno.test("a derived context comes from deriveContext: no Context is built field by field outside lib/context.ts", () => {
  const builders = tsFiles("lib").filter((file) =>
    file !== "lib/context.ts" &&
    /:\s*Context\s*=\s*\{/.test(withoutComments(Deno.readTextFileSync(`${ROOT}${file}`)))
  );
  assert.deepEqual(builders, [], "build a changed Context with deriveContext (lib/context.ts)");
});

// ---- The test tree mirrors lib/ (docs/development.md, "Where things go") ----

/**
 * Folders of suites that prove behaviour across modules or of the project as a
 * whole, not of one file: their tests mirror nothing.
 */
const BEHAVIOUR_FOLDERS = [
  "tests/behaviour/", // real processes: races, crashes, stampedes, leaks, permissions, first hour
  "tests/hostile/", // hostile input, cases in tables run by a corpus
  "tests/opencode_real/", // the real OpenCode reading what we wrote
  "tests/project/", // the repository itself: layers, docs, the published package
];

/**
 * Test files that mirror no file yet, each with why. Keep it short: a new
 * test goes to its mirror.
 */
const UNMIRRORED_TESTS: Record<string, string> = {};

/**
 * lib/ files with logic (they export a function) that have no test of their
 * own, each with why. Keep it short: a new lib/ file comes with its mirror.
 */
const UNTESTED_LIB: Record<string, string> = {
  // ensureUsable: the lock-free look that every command's tests go through;
  // its rules are tested in tests/credential_types_test.ts and
  // tests/behaviour/storm_test.ts (a clocked context, no process).
  "lib/usable.ts": "tested through every command and the storm suite",
  // A thin command over profile_ops.ts's switchProfile; tested in tests/profile_ops_test.ts.
  "lib/commands/switch.ts": "thin command; tested in tests/profile_ops_test.ts",
  // Reads a secret from a variable or a paste for the methods; tested through
  // them: tests/methods/setup_token_test.ts, tests/commands/api_key_test.ts.
  "lib/methods/secret_input.ts": "tested through the methods that read secrets",
};

/** The files (not folders) under `dir`, relative to the repository. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...filesUnder(path));
    else if (entry.isFile) found.push(path);
  }
  return found.sort();
}

/**
 * The source file a test file mirrors, or null: `tests/x/y_test.ts` (or a
 * split of it, `tests/x/y_<aspect>_test.ts`) mirrors `lib/x/y.ts`, the longest
 * such name that exists; `tests/scripts/` mirrors `scripts/`, `tests/fakes/`
 * its fakes, and `tests/main_test.ts` main.ts.
 */
function mirroredSource(test: string, exists: (path: string) => boolean): string | null {
  const match = /^tests\/(.*?)([^/]+)_test\.ts$/.exec(test);
  if (match === null) return null;
  const [, folder, name] = match;
  const base = folder.startsWith("scripts/")
    ? folder
    : folder.startsWith("fakes/")
    ? `tests/${folder}`
    : folder === "" && name === "main"
    ? ""
    : `lib/${folder}`;
  const words = name.split("_");
  for (let count = words.length; count > 0; count--) {
    const source = `${base}${words.slice(0, count).join("_")}.ts`;
    if (exists(source)) return source;
  }
  return null;
}

/** Whether `path` (relative to the repository) is a file. */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(`${ROOT}${path}`).isFile;
  } catch {
    return false;
  }
}

const inBehaviourFolder = (path: string) =>
  BEHAVIOUR_FOLDERS.some((folder) => path.startsWith(folder));

Deno.test("mirroredSource: y_test and y_<aspect>_test mirror y.ts, the longest name that exists", () => {
  const exists = oneOf(
    "lib/credential.ts",
    "lib/credential_types.ts",
    "lib/commands/run.ts",
    "scripts/soak.ts",
    "main.ts",
  );
  assert.equal(mirroredSource("tests/credential_test.ts", exists), "lib/credential.ts");
  assert.equal(mirroredSource("tests/credential_types_test.ts", exists), "lib/credential_types.ts");
  assert.equal(mirroredSource("tests/credential_storm_test.ts", exists), "lib/credential.ts");
  assert.equal(mirroredSource("tests/commands/run_signals_test.ts", exists), "lib/commands/run.ts");
  assert.equal(mirroredSource("tests/scripts/soak_test.ts", exists), "scripts/soak.ts");
  assert.equal(mirroredSource("tests/main_test.ts", exists), "main.ts");
  assert.equal(mirroredSource("tests/run_test.ts", exists), null);
  assert.equal(mirroredSource("tests/commands/helpers.ts", exists), null);
});

Deno.test("every test file outside the behaviour folders mirrors a source file", () => {
  const stray = filesUnder("tests").filter((path) =>
    path.endsWith("_test.ts") && !inBehaviourFolder(path) && !(path in UNMIRRORED_TESTS) &&
    mirroredSource(path, isFile) === null
  );
  assert.deepEqual(
    stray,
    [],
    "move each to tests/x/y_test.ts of its lib/x/y.ts, or to a behaviour folder",
  );
  for (const path of Object.keys(UNMIRRORED_TESTS)) {
    assert(isFile(path), `${path} is gone: drop it from UNMIRRORED_TESTS`);
  }
});

Deno.test("helpers live in tests/helpers/ and fakes in tests/fakes/ only", () => {
  const stray = filesUnder("tests").filter((path) =>
    !path.endsWith("_test.ts") && !path.startsWith("tests/helpers/") &&
    !path.startsWith("tests/fakes/")
  );
  assert.deepEqual(
    stray,
    [],
    "a file under tests/ that is not a test belongs in tests/helpers/ or tests/fakes/",
  );
});

Deno.test("every lib/ file with logic has its mirrored test, or its reason in UNTESTED_LIB", () => {
  const tested = new Set(
    filesUnder("tests").filter((path) => path.endsWith("_test.ts"))
      .map((path) => mirroredSource(path, isFile)),
  );
  const untested = tsFiles("lib").filter((file) =>
    exportedFunctions(file).length > 0 && !tested.has(file) && !(file in UNTESTED_LIB)
  );
  assert.deepEqual(untested, [], "add tests/x/y_test.ts for each lib/x/y.ts");
  for (const file of Object.keys(UNTESTED_LIB)) {
    assert(!tested.has(file), `${file} has its test now: drop it from UNTESTED_LIB`);
  }
});

Deno.test("OpenCode 2's database: no insert-or-replace, journal-mode change or vacuum anywhere in lib/ (REFERENCE.md §1c)", () => {
  const offenders = tsFiles("lib").filter((file) =>
    /INSERT\s+OR\s+REPLACE|journal_mode\s*=|\bVACUUM\b/.test(
      Deno.readTextFileSync(`${ROOT}${file}`),
    )
  );
  assert.deepEqual(offenders, []);
});

/**
 * `deno task compile`: the pure parts (flags, exact `deno compile` argument
 * lists, names, SHA256SUMS) as unit tests; the script end to end under the
 * compile task's own flags with a fake `deno` first on PATH that records its
 * arguments; and the real `deno compile` taking exactly those arguments, with
 * the permissions it embeds read back from the binary it writes.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { LAZY_MODULES } from "../../lib/lazy.ts";
import {
  checkDenortTargets,
  compileArgs,
  compileFlags,
  explainCompileFailure,
  isPermissionFlag,
  outputName,
  parseCompileArgs,
  sha256Hex,
  sha256sums,
  splitCommandLine,
  startTaskFlags,
  type Target,
  TARGETS,
  UsageProblem,
  withoutBacktrace,
} from "../../scripts/lib_compile.ts";
import { CLI_FLAGS, Sandbox } from "../helpers/sandbox.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("../../main.ts", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/compile.ts", import.meta.url));
/** The lazily loaded modules, as the compile script passes them: absolute paths. */
const INCLUDES = LAZY_MODULES.map((module) => `${ROOT}${module}`);
const decoder = new TextDecoder();
const posixOnly = Deno.build.os === "windows";

/** What `deno compile --target x86_64-unknown-linux-gnu` printed here (no network), verbatim. */
const DOWNLOAD_FAILURE = "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to " +
  "temporary file 'dist/opencode-claude-code-auth-x86_64-unknown-linux-gnu.tmp-d5d3956ff8972a2a'\n\n" +
  "Caused by:\n" +
  "    0: Setting up base binary.\n" +
  "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known\n" +
  "    2: client error (Connect)\n" +
  "    3: dns error\n" +
  "    4: failed to lookup address information: Name or service not known\n\n" +
  "Stack backtrace:\n" +
  "   0: <unknown>\n";

// ---------------------------------------------------------------- pure parts

Deno.test("splitCommandLine: words, quotes removed, shell expansion refused", () => {
  assert.deepEqual(splitCommandLine(`deno run  -q --allow-env="A,B_*" --x='[::1]' main.ts`), [
    "deno",
    "run",
    "-q",
    "--allow-env=A,B_*",
    "--x=[::1]",
    "main.ts",
  ]);
  assert.deepEqual(splitCommandLine(`a "" 'b c'`), ["a", "", "b c"]);
  for (const bad of ["a $HOME", 'a "$X"', "a `x`", "a; b", "a | b", "a > f", 'a "open', "a\\ b"]) {
    assert.throws(() => splitCommandLine(bad), Error, bad);
  }
});

Deno.test("the start task's flags: what the sandbox runs the CLI under, all embedded in the binaries", () => {
  const flags = startTaskFlags(denoJson.tasks.start);
  assert.deepEqual(flags, CLI_FLAGS);
  assert.deepEqual(compileFlags(denoJson.tasks.start), flags);
  assert.deepEqual(flags.slice(0, 2), ["-q", "--no-config"]);
  assert(flags.includes("--no-prompt"), "binaries must not prompt");
  for (const flag of flags.slice(2)) assert(isPermissionFlag(flag), flag);
  assert(!flags.some((flag) => /["']/.test(flag)), "quotes must not reach Deno");
});

Deno.test("compileFlags keeps exactly the permission flags, -q and --no-config, and refuses anything else", () => {
  assert.deepEqual(
    compileFlags(
      `deno run -q --no-config --no-prompt --allow-env="A,B_*" --allow-read --deny-write=/x --allow-net="[::1]" main.ts`,
    ),
    [
      "-q",
      "--no-config",
      "--no-prompt",
      "--allow-env=A,B_*",
      "--allow-read",
      "--deny-write=/x",
      "--allow-net=[::1]",
    ],
  );
  assert.throws(() => compileFlags("deno run --unstable-kv --allow-read main.ts"), /--unstable-kv/);
  assert.throws(() => compileFlags("deno run --allow-read --v8-flags=--x main.ts"), /--v8-flags/);
  assert.throws(() => compileFlags("deno run --config=x.json --allow-read main.ts"), /--config/);
  assert.throws(() => compileFlags("deno run -A main.ts"), /-A/);
  assert.throws(() => compileFlags("deno run --allow-all main.ts"), /allow-all/);
  assert.throws(() => compileFlags("deno run --allow-read other.ts"), /start task/);
  assert.throws(() => compileFlags("deno test --allow-read main.ts"), /start task/);
});

Deno.test("output names: one per target, .exe on Windows", () => {
  assert.deepEqual(TARGETS.map(outputName), [
    "opencode-claude-code-auth-x86_64-unknown-linux-gnu",
    "opencode-claude-code-auth-aarch64-unknown-linux-gnu",
    "opencode-claude-code-auth-x86_64-apple-darwin",
    "opencode-claude-code-auth-aarch64-apple-darwin",
    "opencode-claude-code-auth-x86_64-pc-windows-msvc.exe",
  ]);
});

Deno.test("compileArgs: the exact deno compile argument list of each target", () => {
  const flags = ["-q", "--no-prompt", "--allow-read"];
  assert.deepEqual(
    compileArgs("x86_64-pc-windows-msvc", flags, { outDir: "dist", entry: "/p/main.ts" }),
    [
      "compile",
      "-q",
      "--no-prompt",
      "--allow-read",
      "--target",
      "x86_64-pc-windows-msvc",
      "--output",
      "dist/opencode-claude-code-auth-x86_64-pc-windows-msvc.exe",
      "/p/main.ts",
    ],
  );
  for (const target of TARGETS) {
    const args = compileArgs(target, CLI_FLAGS, { outDir: "dist", entry: ENTRY });
    assert.deepEqual(args, [
      "compile",
      ...CLI_FLAGS,
      "--target",
      target,
      "--output",
      `dist/${outputName(target)}`,
      ENTRY,
    ]);
  }
});

Deno.test("sha256Hex uses SHA-256 (known vectors)", async () => {
  assert.equal(
    await sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("SHA256SUMS: sha256sum's format, sorted by name, plain names only", () => {
  const a = "a".repeat(64);
  const b = "b".repeat(64);
  assert.equal(
    sha256sums([{ name: "z.exe", hex: a }, { name: "m", hex: b }]),
    `${b}  m\n${a}  z.exe\n`,
  );
  assert.equal(sha256sums([]), "");
  assert.throws(() => sha256sums([{ name: "x", hex: "ABC" }]));
  assert.throws(() => sha256sums([{ name: "dir/x", hex: a }]));
  assert.throws(() => sha256sums([{ name: "x\ny", hex: a }]));
});

Deno.test("the script's arguments: all targets by default, --target picks, bad input is a usage problem", () => {
  assert.deepEqual(parseCompileArgs([]), { targets: [...TARGETS], help: false });
  assert.deepEqual(parseCompileArgs(["--target", "aarch64-apple-darwin"]).targets, [
    "aarch64-apple-darwin",
  ]);
  assert.deepEqual(
    parseCompileArgs(["--target=x86_64-pc-windows-msvc", "--target", "x86_64-unknown-linux-gnu"])
      .targets,
    ["x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"],
  );
  assert.equal(parseCompileArgs(["--help"]).help, true);
  assert.throws(() => parseCompileArgs(["--target"]), UsageProblem);
  assert.throws(() => parseCompileArgs(["--target", "x86_64-linux"]), UsageProblem);
  assert.throws(() => parseCompileArgs(["--out", "x"]), UsageProblem);
});

Deno.test("DENORT_BIN needs exactly one target (deno compile would use it for every target)", () => {
  checkDenortTargets(undefined, [...TARGETS]);
  checkDenortTargets("/x/denort", ["aarch64-apple-darwin"]);
  assert.throws(() => checkDenortTargets("/x/denort", [...TARGETS]), /--target/);
});

Deno.test("explainCompileFailure: the download failure is one line naming the URL and DENORT_BIN", () => {
  const line = explainCompileFailure(DOWNLOAD_FAILURE, "x86_64-unknown-linux-gnu", undefined)!;
  assert.equal(
    line,
    "cannot download denort, Deno's runtime for x86_64-unknown-linux-gnu, from " +
      "https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip: failed to lookup " +
      "address information: Name or service not known. To build offline, set DENORT_BIN to that " +
      "denort binary (unzipped) and pass --target x86_64-unknown-linux-gnu.",
  );
  const missing = "error: Writing deno compile executable to temporary file 'x'\n\nCaused by:\n" +
    "    0: Could not find denort at '/no/such'\n    1: No such file or directory (os error 2)\n";
  assert.match(
    explainCompileFailure(missing, "x86_64-unknown-linux-gnu", "/no/such")!,
    /^DENORT_BIN points at \/no\/such, which does not exist/,
  );
  const wrongFormat = "error: Writing deno compile executable to temporary file 'x'\n\n" +
    "Caused by:\n    0: Writing binary bytes\n    1: Invalid object: Linkedit segment not found\n";
  assert.match(
    explainCompileFailure(wrongFormat, "aarch64-apple-darwin", "/usr/bin/deno")!,
    /^DENORT_BIN \(\/usr\/bin\/deno\) is not a denort runtime for aarch64-apple-darwin/,
  );
  assert.equal(
    explainCompileFailure("error: TS2322 [ERROR]: nope\n", "x86_64-apple-darwin", undefined),
    null,
  );
  assert.equal(withoutBacktrace("a\nb\n\nStack backtrace:\n   0: <unknown>\n"), "a\nb\n");
  assert.equal(withoutBacktrace("a\n"), "a\n");
});

// ------------------------------------------------- the script, end to end

const FAKE_DENO = `#!/bin/sh
{ for a in "$@"; do printf '%s\\n' "$a"; done
  printf 'DENORT_BIN=%s\\n' "\${DENORT_BIN-<unset>}"
  printf -- '---\\n'; } >> "$FAKE_DENO_LOG"
case "$FAKE_DENO_MODE" in
  download-failure) cat "$FAKE_DENO_STDERR" >&2; exit 1 ;;
  type-error) printf 'error: TS2322 [ERROR]: Type "x" is not assignable\\n\\nStack backtrace:\\n   0: <unknown>\\n' >&2; exit 1 ;;
esac
out=""; target=""; prev=""
for a in "$@"; do
  [ "$prev" = "--output" ] && out="$a"
  [ "$prev" = "--target" ] && target="$a"
  prev="$a"
done
if [ "$FAKE_DENO_MODE" = "deno-cli" ]; then
  printf '#!/bin/sh\\necho "deno 2.9.6 (stable, release, %s)"\\n' "$target" > "$out"
else
  printf '#!/bin/sh\\n# built for %s\\necho "opencode-claude-code-auth %s"\\n' "$target" "$FAKE_VERSION" > "$out"
fi
chmod 755 "$out"
`;

/** The compile task's flags (`deno run FLAGS scripts/compile.ts`). */
function compileTaskFlags(): string[] {
  const words = splitCommandLine(denoJson.tasks.compile);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  assert.equal(words.at(-1), "scripts/compile.ts");
  return words.slice(2, -1);
}

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** One entry per `deno` invocation: its arguments and the DENORT_BIN it saw. */
  calls: { args: string[]; denortBin: string }[];
}

/** Run scripts/compile.ts in `box.root` under the compile task's flags, with the fake deno. */
async function runScript(
  box: Sandbox,
  args: string[],
  env: Record<string, string> = {},
): Promise<ScriptRun> {
  const log = `${box.root}/deno-calls.log`;
  await Deno.writeTextFile(log, "");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...compileTaskFlags(), SCRIPT, ...args],
    cwd: box.root,
    clearEnv: true,
    env: {
      PATH: `${box.bin}:/usr/bin:/bin`,
      HOME: Deno.env.get("HOME") ?? box.home,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      NO_COLOR: "1",
      FAKE_DENO_LOG: log,
      FAKE_VERSION: denoJson.version,
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const calls = (await Deno.readTextFile(log)).split("---\n").filter((c) => c !== "").map(
    (chunk) => {
      const lines = chunk.replace(/\n$/, "").split("\n");
      return { args: lines.slice(0, -1), denortBin: lines.at(-1)!.replace(/^DENORT_BIN=/, "") };
    },
  );
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    calls,
  };
}

async function withFakeDeno(fn: (box: Sandbox) => Promise<void>): Promise<void> {
  const box = await Sandbox.create();
  try {
    await box.installExecutable("deno", FAKE_DENO);
    await fn(box);
  } finally {
    await box.cleanup();
  }
}

function expectedCall(target: Target) {
  return compileArgs(target, CLI_FLAGS, { outDir: "dist", entry: ENTRY, includes: INCLUDES });
}

function assertOneLineError(stderr: string, fragment: RegExp): string {
  const errors = stderr.split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0], fragment);
  assert(
    !/Stack backtrace|^\s+\d+: <unknown>|^\s+at /m.test(stderr),
    `stack on stderr:\n${stderr}`,
  );
  return errors[0];
}

Deno.test({
  name: "compile script: one exact deno compile per target, then SHA256SUMS that sha256sum accepts",
  ignore: posixOnly,
  fn: () =>
    withFakeDeno(async (box) => {
      const result = await runScript(box, []);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.calls.map((c) => c.args), TARGETS.map(expectedCall));
      assert(result.calls.every((c) => c.denortBin === "<unset>"));
      const sums = await Deno.readTextFile(`${box.root}/dist/SHA256SUMS`);
      const expected: { name: string; hex: string }[] = [];
      for (const target of TARGETS) {
        const bytes = await Deno.readFile(`${box.root}/dist/${outputName(target)}`);
        assert.match(decoder.decode(bytes), new RegExp(`built for ${target}\n`));
        expected.push({ name: outputName(target), hex: await sha256Hex(bytes) });
      }
      assert.equal(sums, sha256sums(expected));
      assert.equal(sums.split("\n").length, TARGETS.length + 1);
      assert.equal(new Set(expected.map((e) => e.hex)).size, TARGETS.length);
      // An independent check: coreutils' sha256sum reads the file as written.
      const check = await new Deno.Command("sha256sum", {
        args: ["--check", "--strict", "SHA256SUMS"],
        cwd: `${box.root}/dist`,
        stdout: "piped",
        stderr: "piped",
      }).output().catch(() => null);
      if (check) {
        assert.equal(check.code, 0, decoder.decode(check.stderr));
        assert.equal(
          decoder.decode(check.stdout),
          [...expected].sort((a, b) => a.name < b.name ? -1 : 1).map((e) => `${e.name}: OK\n`)
            .join(""),
        );
      } else console.warn("sha256sum not installed: independent checksum check skipped");
    }),
});

Deno.test({
  name: "compile script: --target builds one; DENORT_BIN is passed through to deno compile",
  ignore: posixOnly,
  fn: () =>
    withFakeDeno(async (box) => {
      const result = await runScript(box, ["--target", "aarch64-apple-darwin"], {
        DENORT_BIN: "/opt/denort-aarch64-apple-darwin",
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.calls, [{
        args: expectedCall("aarch64-apple-darwin"),
        denortBin: "/opt/denort-aarch64-apple-darwin",
      }]);
      const name = outputName("aarch64-apple-darwin");
      const bytes = await Deno.readFile(`${box.root}/dist/${name}`);
      assert.equal(
        await Deno.readTextFile(`${box.root}/dist/SHA256SUMS`),
        `${await sha256Hex(bytes)}  ${name}\n`,
      );
      assert.deepEqual([...Deno.readDirSync(`${box.root}/dist`)].map((e) => e.name).sort(), [
        "SHA256SUMS",
        name,
      ]);
    }),
});

Deno.test({
  name:
    "compile script: an unreachable download server is one clear line naming DENORT_BIN, exit 1",
  ignore: posixOnly,
  fn: () =>
    withFakeDeno(async (box) => {
      await Deno.writeTextFile(`${box.root}/stderr.txt`, DOWNLOAD_FAILURE);
      await Deno.mkdir(`${box.root}/dist`);
      await Deno.writeTextFile(`${box.root}/dist/SHA256SUMS`, "stale\n");
      const result = await runScript(box, ["--target", "x86_64-unknown-linux-gnu"], {
        FAKE_DENO_MODE: "download-failure",
        FAKE_DENO_STDERR: `${box.root}/stderr.txt`,
      });
      assert.equal(result.code, 1, result.stderr);
      assert.deepEqual(result.calls.map((c) => c.args), [expectedCall("x86_64-unknown-linux-gnu")]);
      const line = assertOneLineError(result.stderr, /DENORT_BIN/);
      assert.match(line, /dl\.deno\.land\/release\/v2\.9\.6\/denort-x86_64-unknown-linux-gnu\.zip/);
      assert.match(line, /failed to lookup address information/);
      assert.equal(result.stdout, "");
      await assert.rejects(Deno.stat(`${box.root}/dist/SHA256SUMS`), Deno.errors.NotFound);

      // Without --target it stops at the first target rather than failing five times.
      const all = await runScript(box, [], {
        FAKE_DENO_MODE: "download-failure",
        FAKE_DENO_STDERR: `${box.root}/stderr.txt`,
      });
      assert.equal(all.code, 1);
      assert.equal(all.calls.length, 1);
    }),
});

Deno.test({
  name: "compile script: DENORT_BIN without --target is a usage error before any build",
  ignore: posixOnly,
  fn: () =>
    withFakeDeno(async (box) => {
      const result = await runScript(box, [], { DENORT_BIN: "/opt/denort" });
      assert.equal(result.code, 2);
      assertOneLineError(result.stderr, /DENORT_BIN .*--target/);
      assert.deepEqual(result.calls, []);
      const bad = await runScript(box, ["--target", "riscv64-unknown-linux-gnu"]);
      assert.equal(bad.code, 2);
      assertOneLineError(bad.stderr, /unknown target 'riscv64-unknown-linux-gnu'/);
      assert.deepEqual(bad.calls, []);
    }),
});

Deno.test({
  name:
    "compile script: a binary for this machine that runs as the deno CLI is refused (DENORT_BIN=deno)",
  ignore: posixOnly || !(TARGETS as readonly string[]).includes(Deno.build.target),
  fn: () =>
    withFakeDeno(async (box) => {
      const target = Deno.build.target as Target;
      const result = await runScript(box, ["--target", target], {
        FAKE_DENO_MODE: "deno-cli",
        DENORT_BIN: "/usr/bin/deno",
      });
      assert.equal(result.code, 1, result.stderr);
      const line = assertOneLineError(result.stderr, /is not usable/);
      assert.match(line, /printed 'deno 2\.9\.6/);
      assert.match(line, /DENORT_BIN \(\/usr\/bin\/deno\) must be Deno's denort runtime/);
      await assert.rejects(Deno.stat(`${box.root}/dist/SHA256SUMS`), Deno.errors.NotFound);
    }),
});

Deno.test({
  name: "compile script: any other deno compile failure shows deno's message without its backtrace",
  ignore: posixOnly,
  fn: () =>
    withFakeDeno(async (box) => {
      const result = await runScript(box, ["--target", "x86_64-apple-darwin"], {
        FAKE_DENO_MODE: "type-error",
      });
      assert.equal(result.code, 1);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.at(-2), 'error: TS2322 [ERROR]: Type "x" is not assignable');
      assert.equal(
        lines.at(-1),
        "error: deno compile failed for x86_64-apple-darwin (exit code 1)",
      );
      assert(!/Stack backtrace|<unknown>/.test(result.stderr), result.stderr);
    }),
});

// ------------------------------------------- the real deno compile, offline

/** The compile-time metadata (JSON) that `deno compile` writes into a binary. */
async function embeddedMetadata(path: string): Promise<Record<string, unknown>> {
  const bytes = Buffer.from(await Deno.readFile(path));
  const start = bytes.lastIndexOf('{"argv":');
  assert(start >= 0, "no deno compile metadata found in the binary");
  const text = new TextDecoder("latin1").decode(bytes.subarray(start, start + 1024 * 1024));
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return JSON.parse(text.slice(0, i + 1));
  }
  throw new Error("unterminated metadata");
}

/** The comma-separated value of `--name=...` among the start task's flags. */
function listOf(name: string): string[] {
  const flag = CLI_FLAGS.find((f) => f.startsWith(`--${name}=`));
  assert(flag, `--${name} is scoped in the start task`);
  return flag.slice(name.length + 3).split(",");
}

Deno.test({
  name: "real deno compile takes exactly our argument list and embeds the start task's permissions",
  ignore: !(TARGETS as readonly string[]).includes(Deno.build.target),
  fn: async () => {
    // The deno CLI stands in for denort (it is not one: the file it makes runs
    // as `deno`), which is enough to let deno compile parse every flag, type
    // check main.ts and write its metadata into the file without a download.
    const outDir = await Deno.makeTempDir({ prefix: "occa-compile-" });
    try {
      const target = Deno.build.target as Target;
      const output = await new Deno.Command(Deno.execPath(), {
        args: compileArgs(target, compileFlags(denoJson.tasks.start), {
          outDir,
          entry: ENTRY,
          includes: INCLUDES,
        }),
        cwd: ROOT,
        env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, decoder.decode(output.stderr));
      const meta = await embeddedMetadata(`${outDir}/${outputName(target)}`);
      const permissions = meta.permissions as Record<string, unknown>;
      assert.deepEqual(permissions.allow_env, listOf("allow-env"));
      assert.deepEqual(permissions.allow_net, listOf("allow-net"));
      assert.deepEqual(permissions.allow_run, listOf("allow-run"));
      assert.deepEqual(permissions.allow_read, []); // unscoped: see tests/behaviour/permissions_test.ts
      assert.deepEqual(permissions.allow_write, []);
      assert.equal(permissions.prompt, false, "--no-prompt must be embedded");
      for (const kind of ["allow_sys", "allow_ffi"]) assert.equal(permissions[kind], null, kind);
      assert.equal(meta.log_level, "ERROR", "-q must be embedded");
      assert.equal(meta.entrypoint_key, "main.ts");
      // The modules loaded through a computed specifier (lib/lazy.ts) are in the binary:
      // deno compile would not find them by itself. Their texts show it.
      const binary = decoder.decode(await Deno.readFile(`${outDir}/${outputName(target)}`));
      for (
        const [module, text] of [
          ["lib/renewal.ts", "the minimum interval between refreshes"],
          ["lib/commands/service.ts", "OnCalendar="],
          ["lib/commands/token.ts", "like `gh auth token`"],
          ["lib/reference.ts", "Environment variables read by"],
        ]
      ) {
        assert(binary.includes(text), `${module} is not embedded`);
      }
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});

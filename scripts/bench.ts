/**
 * `deno task bench`: the figures users depend on, measured side by side in one
 * run over repeated process starts, interleaved (a random order every round) so
 * machine noise hits every variant alike.
 *
 * (a) start-up of `token` on a fresh stored credential (an `api` entry and a
 *     fresh browser `oauth` entry) versus `deno run` of an empty script with
 *     the same permission flags: the runtime's floor (goal: at most 1.3x);
 *     and an `api` entry with OpenCode 2's database present too (both stores:
 *     `token` then loads node:sqlite and reads the database; without the
 *     database SQLite is never loaded, so the first two do not pay for it);
 * (b) peak memory (max RSS) of the same four;
 * (c) refresh stampede: 32 simultaneous `token` processes on an expired browser
 *     sign-in against the fake Anthropic server: token requests (goal exactly 1)
 *     and wall time versus one lone refresh;
 * (d) the same stampede for a stale Claude Code session: `claude` runs (goal 1).
 *
 * The CLI is spawned as `Deno.execPath() run <start task flags> main.ts`, exactly
 * like the tests (never through a launcher, which would add its own start-up).
 *
 * Options: --rounds N (start-up and memory, default 31, at least 15),
 * --stampede-rounds N (default 15), --processes N (default 32),
 * --only startup|stampedes (one half only, while working on it).
 * Exit code 1 when a goal is missed.
 */

import { FakeAnthropic } from "../tests/fakes/anthropic_server.ts";
import { claudePayload, claudeTokens, installFakeClaude } from "../tests/fakes/claude_code.ts";
import { CLI_FLAGS, MAIN, Sandbox } from "../tests/helpers/sandbox.ts";
import { fingerprint } from "../lib/state.ts";
import { buildDatabase, SEED_ROWS } from "../tests/fakes/opencode2_db.ts";

const START_GOAL = 1.3;

function option(name: string, fallback: number, minimum: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(Deno.args[index + 1]);
  if (!Number.isInteger(value) || value < minimum) {
    console.error(`--${name} needs a whole number of at least ${minimum}`);
    Deno.exit(2);
  }
  return value;
}

const ROUNDS = option("rounds", 31, 15);
const STAMPEDE_ROUNDS = option("stampede-rounds", 15, 1);
const PROCESSES = option("processes", 32, 2);
const ONLY = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : "";

const decoder = new TextDecoder();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

// ---------------------------------------------------------------------------
// The machine.

async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? decoder.decode(out.stdout).trim() : "";
  } catch {
    return "";
  }
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

async function machine(): Promise<string[]> {
  let cpu = "";
  let os = `${Deno.build.os} ${Deno.build.arch}`;
  if (Deno.build.os === "linux") {
    // Deno refuses to read /proc without --allow-all; `cat` may.
    const cpuinfo = await commandOutput("cat", ["/proc/cpuinfo"]);
    cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "";
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readOr("/etc/os-release"))?.[1];
    const kernel = await commandOutput("uname", ["-r"]);
    os = `Linux ${kernel}${pretty ? ` (${pretty})` : ""} ${Deno.build.arch}`;
  } else if (Deno.build.os === "darwin") {
    cpu = await commandOutput("sysctl", ["-n", "machdep.cpu.brand_string"]);
    os = `macOS ${await commandOutput("sw_vers", ["-productVersion"])} ${Deno.build.arch}`;
  }
  const load = Deno.build.os === "linux" ? (await commandOutput("cat", ["/proc/loadavg"])) : "";
  return [
    `machine: ${cpu || "unknown CPU"}, ${navigator.hardwareConcurrency} logical cores, ${os}`,
    `runtime: deno ${Deno.version.deno} (v8 ${Deno.version.v8}), ${Deno.execPath()}`,
    `date:    ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}${
      load ? `, load average ${load.split(" ").slice(0, 3).join(" ")} at start` : ""
    }`,
  ];
}

// ---------------------------------------------------------------------------
// Spawning.

/** What to run: the CLI with arguments, or the empty floor script. */
interface Target {
  label: string;
  box: Sandbox;
  /** Arguments after `deno run FLAGS`. */
  args: string[];
  /** Expected stdout (checked on every run). */
  expect?: string;
}

function denoArgs(target: Target): string[] {
  return ["run", ...CLI_FLAGS, ...target.args];
}

async function timeOnce(target: Target): Promise<number> {
  const command = new Deno.Command(Deno.execPath(), {
    args: denoArgs(target),
    cwd: target.box.root,
    env: target.box.runEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const started = performance.now();
  const output = await command.output();
  const elapsed = performance.now() - started;
  check(target, output);
  return elapsed;
}

function check(target: Target, output: Deno.CommandOutput): void {
  const stdout = decoder.decode(output.stdout);
  if (!output.success || (target.expect !== undefined && stdout !== target.expect)) {
    throw new Error(
      `${target.label}: exit ${output.code}, unexpected output:\n${decoder.decode(output.stderr)}`,
    );
  }
}

/** How peak memory is measured on this machine. */
type MemoryProbe = { how: string; measure(target: Target): Promise<number> };

async function memoryProbe(): Promise<MemoryProbe> {
  const gnuTime = "/usr/bin/time";
  const probe = await new Deno.Command(gnuTime, {
    args: ["-f", "%M", "true"],
    stdout: "null",
    stderr: "piped",
  }).output().catch(() => null);
  if (probe?.success && /^\d+\s*$/.test(decoder.decode(probe.stderr))) {
    return {
      how: "max RSS from GNU /usr/bin/time -f %M",
      async measure(target) {
        const report = await Deno.makeTempFile({ prefix: "occa-bench-rss-" });
        try {
          const output = await new Deno.Command(gnuTime, {
            args: ["-f", "%M", "-o", report, Deno.execPath(), ...denoArgs(target)],
            cwd: target.box.root,
            env: target.box.runEnv(),
            clearEnv: true,
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).output();
          check(target, output);
          return Number((await Deno.readTextFile(report)).trim().split("\n").pop());
        } finally {
          await Deno.remove(report).catch(() => {});
        }
      },
    };
  }
  if (Deno.build.os === "darwin") {
    return {
      how: "maximum resident set size from /usr/bin/time -l",
      async measure(target) {
        const output = await new Deno.Command("/usr/bin/time", {
          args: ["-l", Deno.execPath(), ...denoArgs(target)],
          cwd: target.box.root,
          env: target.box.runEnv(),
          clearEnv: true,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const bytes = /(\d+)\s+maximum resident set size/.exec(decoder.decode(output.stderr));
        if (!bytes) throw new Error("/usr/bin/time -l printed no maximum resident set size");
        return Number(bytes[1]) / 1024;
      },
    };
  }
  return {
    how: "VmHWM from /proc/PID/status, polled with cat (a lower bound)",
    async measure(target) {
      const child = new Deno.Command(Deno.execPath(), {
        args: denoArgs(target),
        cwd: target.box.root,
        env: target.box.runEnv(),
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let peak = 0;
      let done = false;
      const output = child.output().finally(() => done = true);
      while (!done) {
        const status = await commandOutput("cat", [`/proc/${child.pid}/status`]);
        const hwm = /^VmHWM:\s*(\d+)/m.exec(status);
        if (hwm) peak = Math.max(peak, Number(hwm[1]));
      }
      check(target, await output);
      return peak;
    },
  };
}

// ---------------------------------------------------------------------------
// Fixtures.

/**
 * The state file. With `secret`, as a login leaves it: bound to the entry by its
 * fingerprint (so `token` checks it). Without, as older versions left it: it
 * applies to whatever entry the stampede rounds write.
 */
async function writeState(
  box: Sandbox,
  source: string,
  secret?: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
  const state = {
    source,
    authFile: box.authFile,
    ...(secret === undefined ? {} : { describes: await fingerprint(secret) }),
    ...extra,
  };
  await Deno.writeTextFile(box.stateFile, JSON.stringify({ anthropic: state }, null, 2) + "\n");
}

const OTHER = {
  openai: { type: "api", key: "sk-openai-bench-0123456789" },
  github: { type: "oauth", refresh: "gh-r", access: "gh-a", expires: 0 },
};

// ---------------------------------------------------------------------------
// (a) and (b): start-up and memory.

async function startupAndMemory(boxes: Sandbox[]): Promise<{ lines: string[]; ok: boolean }> {
  const [floorBox, apiBox, oauthBox, bothBox, profilesBox] = boxes;
  const emptyScript = `${floorBox.root}/empty.ts`;
  await Deno.writeTextFile(emptyScript, "");

  const apiKey = "sk-ant-api03-bench-" + "k".repeat(80);
  await apiBox.writeAuth({ ...OTHER, anthropic: { type: "api", key: apiKey } });
  await writeState(apiBox, "api-key", apiKey);

  const access = "sk-ant-oat01-bench-" + "a".repeat(80);
  const browserEntry = {
    type: "oauth",
    refresh: "sk-ant-ort01-bench-" + "r".repeat(80),
    access,
    expires: Date.now() + 24 * 3600_000,
  };
  // The second box: the same browser sign-in, active, with nine inactive profiles
  // beside it (ten in all): `token` must not read profiles.json, so it costs nothing.
  for (const box of [oauthBox, profilesBox]) {
    await box.writeAuth({ ...OTHER, anthropic: browserEntry });
    await writeState(box, "browser-oauth", access);
  }
  const inactive = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`profile-${i}`, {
    entry: { type: "api", key: `sk-ant-api03-bench-profile-${i}-${"p".repeat(60)}` },
    state: { source: "api-key" },
  }]));
  await Deno.writeTextFile(
    `${profilesBox.configHome}/opencode-claude-code-auth/profiles.json`,
    JSON.stringify({ active: "default", profiles: inactive }, null, 2) + "\n",
    { mode: 0o600 },
  );

  // Both stores: auth.json and OpenCode 2's database, each holding the key.
  await bothBox.writeAuth({ ...OTHER, anthropic: { type: "api", key: apiKey } });
  await writeState(bothBox, "api-key", apiKey);
  buildDatabase(`${bothBox.dataHome}/opencode/opencode.db`, {
    rows: [...SEED_ROWS.map((row) => ({ ...row, active: null })), {
      id: "cred_0000018f0000000fbenchrow0001",
      integration_id: "anthropic",
      label: "opencode-claude-code-auth",
      value: JSON.stringify({ type: "key", key: apiKey }),
      connector_id: null,
      method_id: null,
      active: 1,
      time_created: Date.now(),
      time_updated: Date.now(),
    }],
  }).close();

  const targets: Target[] = [
    { label: "deno run empty.ts (floor)", box: floorBox, args: [emptyScript], expect: "" },
    { label: "token, api entry", box: apiBox, args: [MAIN, "token"], expect: `${apiKey}\n` },
    {
      label: "token, fresh browser oauth entry",
      box: oauthBox,
      args: [MAIN, "token"],
      expect: `${access}\n`,
    },
    {
      label: "token, fresh browser oauth entry, ten profiles",
      box: profilesBox,
      args: [MAIN, "token"],
      expect: `${access}\n`,
    },
    {
      label: "token, api entry, both stores (opencode.db)",
      box: bothBox,
      args: [MAIN, "token"],
      expect: `${apiKey}\n`,
    },
  ];

  // Warm-up: the module cache (transpiled TypeScript) and the page cache.
  for (let i = 0; i < 3; i++) for (const target of targets) await timeOnce(target);

  const times = targets.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const index of shuffle(targets.map((_, i) => i))) {
      times[index].push(await timeOnce(targets[index]));
    }
  }

  const probe = await memoryProbe();
  const rss = targets.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const index of shuffle(targets.map((_, i) => i))) {
      rss[index].push(await probe.measure(targets[index]));
    }
  }

  const floor = median(times[0]);
  const floorRss = median(rss[0]);
  const width = Math.max(...targets.map((t) => t.label.length));
  const lines = [
    `(a) start-up: wall time of one process start, median of ${ROUNDS} interleaved rounds`,
    `    (p25-p75 in brackets); goal: token at most ${START_GOAL}x the floor`,
  ];
  let ok = true;
  targets.forEach((target, i) => {
    const m = median(times[i]);
    const spread = `[${quantile(times[i], 0.25).toFixed(1)}-${
      quantile(times[i], 0.75).toFixed(1)
    }]`;
    let verdict = "";
    if (i > 0) {
      const meets = m / floor <= START_GOAL;
      ok &&= meets;
      verdict = `  ${ratio(m, floor)} the floor  ${meets ? "ok" : "ABOVE GOAL"}`;
    }
    lines.push(`    ${target.label.padEnd(width)}  ${ms(m).padStart(9)} ${spread}${verdict}`);
  });
  lines.push(
    "",
    `(b) peak memory: ${probe.how}, median of ${ROUNDS} interleaved rounds`,
  );
  targets.forEach((target, i) => {
    const m = median(rss[i]);
    lines.push(
      `    ${target.label.padEnd(width)}  ${mib(m).padStart(9)}${
        i > 0 ? `  ${ratio(m, floorRss)} the floor (+${mib(m - floorRss)})` : ""
      }`,
    );
  });
  return { lines, ok };
}

// ---------------------------------------------------------------------------
// (c) and (d): stampedes.

interface Burst {
  wallMs: number;
  outputs: string[];
  codes: number[];
}

/** Start `count` `token` processes at once and wait for all of them. */
async function burst(box: Sandbox, count: number, env: Record<string, string>): Promise<Burst> {
  const commands = Array.from({ length: count }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", ...CLI_FLAGS, MAIN, "token"],
      cwd: box.root,
      env: box.runEnv(env),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }));
  const started = performance.now();
  const outputs = await Promise.all(commands.map((command) => command.output()));
  const wallMs = performance.now() - started;
  for (const output of outputs) {
    const result = {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
    box.assertNoLeak(["token"], result, [...box.secrets]);
  }
  return {
    wallMs,
    outputs: outputs.map((o) => decoder.decode(o.stdout)),
    codes: outputs.map((o) => o.code),
  };
}

function verifyBurst(what: string, result: Burst, expected: string): void {
  const bad = result.codes.findIndex((code, i) => code !== 0 || result.outputs[i] !== expected);
  if (bad !== -1) {
    throw new Error(
      `${what}: process ${bad} exited ${
        result.codes[bad]
      } or printed a token other than the new one`,
    );
  }
}

function stampedeLines(
  title: string,
  unit: string,
  stampede: { counts: number[]; wall: number[] },
  lone: { counts: number[]; wall: number[] },
): { lines: string[]; ok: boolean } {
  const ok = stampede.counts.every((n) => n === 1) && lone.counts.every((n) => n === 1);
  const distinct = [...new Set(stampede.counts)].sort((a, b) => a - b).join(", ");
  const s = median(stampede.wall);
  const l = median(lone.wall);
  return {
    ok,
    lines: [
      title,
      `    ${unit} per stampede of ${PROCESSES}: ${distinct} in every one of ${stampede.counts.length} rounds` +
      `  (goal: exactly 1)  ${ok ? "ok" : "GOAL MISSED"}`,
      `    wall time, median: stampede of ${PROCESSES} ${ms(s)}, lone refresh ${ms(l)}` +
      `  (${ratio(s, l)}; ${ms(s / PROCESSES)} per process)`,
    ],
  };
}

async function browserStampede(box: Sandbox): Promise<{ lines: string[]; ok: boolean }> {
  const fake = await FakeAnthropic.start();
  try {
    const seed = async () => {
      const { access, refresh } = fake.issueTokens();
      box.plant(access, refresh);
      await box.writeAuth({
        ...OTHER,
        anthropic: { type: "oauth", refresh, access, expires: Date.now() - 60_000 },
      });
      // A sign-in of ours: only a refresh token this tool obtained is ever spent.
      await writeState(box, "browser-oauth", undefined, {
        mintedRefresh: await fingerprint(refresh),
      });
    };
    const run = async (count: number) => {
      await seed();
      const before = fake.refreshRequests().length;
      const result = await burst(box, count, fake.env());
      const made = fake.refreshRequests().length - before;
      const newest = fake.issued[fake.issued.length - 1];
      box.plant(newest.access, newest.refresh);
      verifyBurst("browser stampede", result, `${newest.access}\n`);
      return { made, wallMs: result.wallMs };
    };
    const { stampede, lone } = await interleavedStampedes(run);
    return stampedeLines(
      `(c) refresh stampede, browser sign-in: ${PROCESSES} simultaneous \`token\` on an expired entry, ` +
        `fake Anthropic on 127.0.0.1, ${STAMPEDE_ROUNDS} interleaved rounds`,
      "token requests",
      stampede,
      lone,
    );
  } finally {
    await fake.close();
  }
}

/** Samples of one side of a stampede comparison. */
interface StampedeSamples {
  counts: number[];
  wall: number[];
}

/**
 * After a warm-up, run a stampede of PROCESSES and a lone call STAMPEDE_ROUNDS
 * times each, in shuffled order so machine noise hits both sides alike.
 */
async function interleavedStampedes(
  run: (count: number) => Promise<{ made: number; wallMs: number }>,
): Promise<{ stampede: StampedeSamples; lone: StampedeSamples }> {
  await run(1); // warm-up
  const stampede: StampedeSamples = { counts: [], wall: [] };
  const lone: StampedeSamples = { counts: [], wall: [] };
  for (let round = 0; round < STAMPEDE_ROUNDS; round++) {
    for (const which of shuffle(["stampede", "lone"] as const)) {
      const r = await run(which === "stampede" ? PROCESSES : 1);
      const into = which === "stampede" ? stampede : lone;
      into.counts.push(r.made);
      into.wall.push(r.wallMs);
    }
  }
  return { stampede, lone };
}

async function claudeStampede(box: Sandbox): Promise<{ lines: string[]; ok: boolean }> {
  const credentialsPath = `${box.home}/.claude/.credentials.json`;
  await Deno.mkdir(`${box.home}/.claude`, { recursive: true });
  await writeState(box, "claude-code-session");
  const run = async (count: number) => {
    const stale = claudeTokens(Date.now() - 60_000);
    const fresh = claudeTokens(Date.now() + 8 * 3600_000);
    box.plant(stale.accessToken, stale.refreshToken, fresh.accessToken, fresh.refreshToken);
    await Deno.writeTextFile(credentialsPath, claudePayload(stale));
    await box.writeAuth({
      ...OTHER,
      anthropic: {
        type: "oauth",
        refresh: stale.refreshToken,
        access: stale.accessToken,
        expires: stale.expiresAt,
      },
    });
    const claude = await installFakeClaude(box, {
      mode: "refresh",
      credentialsPath,
      next: claudePayload(fresh),
    });
    await Deno.remove(claude.log).catch(() => {});
    const result = await burst(box, count, {});
    verifyBurst("Claude Code stampede", result, `${fresh.accessToken}\n`);
    return { made: (await claude.runs()).length, wallMs: result.wallMs };
  };
  const { stampede, lone } = await interleavedStampedes(run);
  return stampedeLines(
    `(d) refresh stampede, Claude Code session: ${PROCESSES} simultaneous \`token\` on a stale session, ` +
      `fake \`claude\` (sh script), ${STAMPEDE_ROUNDS} interleaved rounds`,
    "`claude` runs",
    stampede,
    lone,
  );
}

// ---------------------------------------------------------------------------

async function main(): Promise<number> {
  const boxes = await Promise.all(Array.from({ length: 7 }, () => Sandbox.create()));
  try {
    const out = (line = "") => console.log(line);
    out("opencode-claude-code-auth benchmark");
    for (const line of await machine()) out(line);
    out(`command: ${Deno.execPath()} run <the start task's permission flags> main.ts token`);
    out();
    const results = [];
    if (ONLY !== "stampedes") results.push(await startupAndMemory(boxes.slice(0, 5)));
    if (ONLY !== "startup") {
      results.push(await browserStampede(boxes[5]), await claudeStampede(boxes[6]));
    }
    for (const result of results) {
      for (const line of result.lines) out(line);
      out();
    }
    const ok = results.every((r) => r.ok);
    out(ok ? "all goals met" : "some goals were missed (see above)");
    return ok ? 0 : 1;
  } finally {
    await Promise.all(boxes.map((box) => box.cleanup()));
  }
}

if (import.meta.main) Deno.exit(await main());

/**
 * The bounded subprocess runner: time limit over the whole process group,
 * capped output, missing programs, and interrupts that leave nothing behind.
 * POSIX only (the children are shell scripts).
 */

import assert from "node:assert/strict";
import { processSpawn } from "../lib/context.ts";
import { finishedResult, runBounded, spawnOptions, startFailure } from "../lib/process.ts";
import { withTempDir } from "./helpers/temp_dir.ts";
import { alive, assertGrandchildGone, gone, readPid } from "./helpers/processes.ts";
import { HANG_MS, hangGuard } from "./helpers/wait.ts";

const posix = Deno.build.os !== "windows";
const ctx = { spawn: processSpawn, os: Deno.build.os };
const decoder = new TextDecoder();

/** A temporary folder for one test. */
function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("occa-process-", fn);
}

Deno.test({
  name: "an exit code, stdout and stderr come back; stdin is closed",
  ignore: !posix,
  fn: async () => {
    const result = await runBounded(ctx, {
      command: "sh",
      args: ["-c", "cat; echo out; echo err >&2; exit 3"],
      timeoutMs: HANG_MS,
    });
    assert.equal(result.code, 3);
    assert.equal(result.signal, null);
    assert.equal(result.timedOut, false);
    assert.equal(decoder.decode(result.stdout), "out\n");
    assert.equal(decoder.decode(result.stderr), "err\n");
  },
});

Deno.test({
  name: "the time limit ends the whole group: a grandchild does not survive",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      // The grandchild would hold the pipes for 1000 s: a run that waited for it would hang.
      const result = await hangGuard(
        "runBounded",
        runBounded(ctx, {
          command: "sh",
          args: ["-c", `sleep 1000 & echo $! > '${dir}/pid'; wait`],
          timeoutMs: 300,
        }),
      );
      assert.equal(result.timedOut, true);
      await assertGrandchildGone(`${dir}/pid`);
    });
  },
});

Deno.test({
  name: "a child that ignores SIGTERM is killed after the grace, its grandchild too",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      // Both ignore SIGTERM and would run for ever: only SIGKILL ends them (or the run hangs).
      const result = await hangGuard(
        "runBounded",
        runBounded(ctx, {
          command: "sh",
          args: [
            "-c",
            `trap '' TERM; (trap '' TERM; sleep 1000) & echo $! > '${dir}/pid'; while :; do sleep 1; done`,
          ],
          timeoutMs: 300,
        }),
      );
      assert.equal(result.timedOut, true);
      assert.equal(result.signal, "SIGKILL");
      await assertGrandchildGone(`${dir}/pid`);
    });
  },
});

Deno.test({
  name: "a grandchild holding the pipes open does not keep the run waiting",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      // The grandchild holds the pipes for 1000 s; the time limit is longer still.
      const result = await hangGuard(
        "runBounded",
        runBounded(ctx, {
          command: "sh",
          args: ["-c", `sleep 1000 & echo $! > '${dir}/pid'; echo done; exit 0`],
          timeoutMs: 2 * HANG_MS,
        }),
      );
      assert.equal(result.code, 0);
      assert.equal(result.timedOut, false);
      assert.equal(decoder.decode(result.stdout), "done\n");
      const grandchild = await readPid(`${dir}/pid`);
      // Returned while the grandchild (and its hold on the pipes) is still there.
      assert(await alive(grandchild), "the grandchild ended: this proves nothing");
      await new Deno.Command("kill", { args: [String(grandchild)] }).output();
    });
  },
});

Deno.test({
  name: "output is capped: stdout keeps its head, stderr its tail",
  ignore: !posix,
  fn: async () => {
    const result = await runBounded(ctx, {
      command: "sh",
      args: ["-c", "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done"],
      timeoutMs: HANG_MS,
      maxOutputBytes: 1024,
    });
    assert.equal(result.stdout.length, 1024);
    assert(decoder.decode(result.stdout).startsWith("line0\nline1\n"));
    assert.equal(result.stdoutTruncated, true);
    // stderr is read to the end (the child never blocks on it); the last lines are kept.
    const errors = await runBounded(ctx, {
      command: "sh",
      args: ["-c", "i=0; while [ $i -lt 2000 ]; do echo err$i >&2; i=$((i+1)); done"],
      timeoutMs: HANG_MS,
      maxOutputBytes: 1024,
    });
    assert.equal(errors.code, 0);
    assert.equal(errors.stderr.length, 1024);
    assert(decoder.decode(errors.stderr).endsWith("err1998\nerr1999\n"));
    assert.equal(errors.stderrTruncated, true);
  },
});

Deno.test({
  name: "an endless writer is cut off, not read forever",
  ignore: !posix,
  fn: async () => {
    const result = await hangGuard(
      "runBounded",
      runBounded(ctx, {
        command: "sh",
        args: ["-c", "yes"],
        timeoutMs: 2 * HANG_MS,
        maxOutputBytes: 64 * 1024,
      }),
    );
    assert.equal(result.stdout.length, 64 * 1024);
    assert.equal(result.stdoutTruncated, true);
    // Once its reader is gone, `yes` dies of EPIPE well before the time limit.
    assert.equal(result.timedOut, false);
  },
});

Deno.test("a missing program is reported, not thrown", async () => {
  const result = await runBounded(ctx, {
    command: "occa-no-such-program-4d1f",
    args: [],
    timeoutMs: 1_000,
  });
  assert.equal(result.notFound, true);
  assert.equal(result.notAllowed, false);
  assert.equal(result.code, null);
});

Deno.test("a program the permission flags forbid is reported as not allowed", async () => {
  const denied = {
    os: ctx.os,
    spawn: (): Deno.ChildProcess => {
      throw new Deno.errors.NotCapable('Requires run access to "claude"');
    },
  };
  const result = await runBounded(denied, { command: "claude", args: [], timeoutMs: 1_000 });
  assert.equal(result.notAllowed, true);
  assert.equal(result.notFound, false);
});

Deno.test({
  name:
    "SIGTERM to this process while a child runs: group ended, CancelledError(SIGTERM) (exit 143)",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const module = new URL("../lib/process.ts", import.meta.url).href;
      const context = new URL("../lib/context.ts", import.meta.url).href;
      const errors = new URL("../lib/errors.ts", import.meta.url).href;
      const code = `
        import { runBounded } from ${JSON.stringify(module)};
        import { CancelledError } from ${JSON.stringify(errors)};
        import { processSpawn } from ${JSON.stringify(context)};
        try {
          await runBounded({ spawn: processSpawn, os: Deno.build.os }, {
            command: "sh",
            args: ["-c", "sleep 1000 & echo $! > '${dir}/pid'; wait"],
            timeoutMs: 600000,
          });
          console.log("finished");
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
          console.log(\`cancelled by \${error.signal}\`);
          Deno.exit(error.exitCode);
        }`;
      // The runner sees only its own run flags; --allow-run unrestricted lets it kill the group.
      const child = new Deno.Command(Deno.execPath(), {
        args: ["eval", "--no-check", code],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // The runner listens for signals before it spawns: the pid written means it listens.
      const grandchild = await readPid(`${dir}/pid`);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
      const output = await child.output();
      clearTimeout(timer);
      assert.equal(output.signal, null, "the runner hung: killed after the hang limit");
      assert.equal(decoder.decode(output.stdout).trim(), "cancelled by SIGTERM");
      assert.equal(output.code, 143);
      assert(await gone(grandchild), `grandchild ${grandchild} still runs`);
    });
  },
});

/** Run a time-limited `sh` with a grandchild in a Deno limited to `--allow-run=<allowRun>`. */
async function restrictedRun(
  dir: string,
  allowRun: string,
): Promise<{ timedOut: boolean }> {
  const module = new URL("../lib/process.ts", import.meta.url).href;
  const context = new URL("../lib/context.ts", import.meta.url).href;
  const code = `
    import { runBounded } from ${JSON.stringify(module)};
    import { processSpawn } from ${JSON.stringify(context)};
    const result = await runBounded({ spawn: processSpawn, os: Deno.build.os }, {
      command: "sh",
      args: ["-c", "sleep 1000 & echo $! > '${dir}/pid'; wait"],
      timeoutMs: 300,
    });
    console.log(JSON.stringify({ timedOut: result.timedOut }));`;
  await Deno.writeTextFile(`${dir}/run.ts`, code);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", `--allow-run=${allowRun}`, `${dir}/run.ts`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { PATH: Deno.env.get("PATH") ?? "" },
    // A runner that cannot stop its child would wait 1000 s for the grandchild: that is a hang.
    signal: AbortSignal.timeout(HANG_MS),
  }).output();
  assert.equal(output.signal, null, "the restricted runner hung: killed after the hang limit");
  const text = decoder.decode(output.stdout).trim();
  assert(text, decoder.decode(output.stderr));
  return JSON.parse(text);
}

Deno.test({
  name: "restricted --allow-run: Deno.kill is refused, the child is still stopped in time",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const result = await restrictedRun(dir, "sh");
      assert.equal(result.timedOut, true);
      // Without a way to signal the group, the grandchild outlives it: clean up.
      await new Deno.Command("kill", { args: [String(await readPid(`${dir}/pid`))] }).output();
    });
  },
});

Deno.test({
  name: "restricted --allow-run that lists `kill`: the whole group is ended through it",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const result = await restrictedRun(dir, "sh,kill");
      assert.equal(result.timedOut, true);
      await assertGrandchildGone(`${dir}/pid`);
    });
  },
});

// ------------------------------------------------- runBounded's decisions

Deno.test("spawnOptions: stdin closed, streams piped unless discarded, the child's own group on POSIX", () => {
  const spec = { command: "x", args: ["a", "b"], cwd: "/w", timeoutMs: 1 };
  assert.deepEqual(spawnOptions(spec, true), {
    args: ["a", "b"],
    cwd: "/w",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  });
  const windows = spawnOptions({ ...spec, stdout: "null", stderr: "null" }, false);
  assert.deepEqual(windows, {
    args: ["a", "b"],
    cwd: "/w",
    stdin: "null",
    stdout: "null",
    stderr: "null",
  });
  assert(!("detached" in windows), "no process group on Windows");
});

Deno.test("startFailure: a missing program, a forbidden one, or an error to throw", () => {
  const missing = startFailure(new Deno.errors.NotFound("sh"));
  assert.deepEqual(
    [missing?.notFound, missing?.notAllowed, missing?.code, missing?.stdout.length],
    [true, false, null, 0],
  );
  const forbidden = startFailure(new Deno.errors.NotCapable("Requires run access"));
  assert.deepEqual([forbidden?.notFound, forbidden?.notAllowed], [false, true]);
  assert.equal(startFailure(new Deno.errors.PermissionDenied("EACCES")), undefined);
  assert.equal(startFailure(new TypeError("bad")), undefined);
});

Deno.test("finishedResult: the status and both captures, as ran (never not-found or not-allowed)", () => {
  const out = { bytes: new Uint8Array([1]), truncated: true };
  const err = { bytes: new Uint8Array([2, 3]), truncated: false };
  assert.deepEqual(finishedResult({ code: 143, signal: "SIGTERM" }, true, out, err), {
    code: 143,
    signal: "SIGTERM",
    timedOut: true,
    notFound: false,
    notAllowed: false,
    stdout: out.bytes,
    stderr: err.bytes,
    stdoutTruncated: true,
    stderrTruncated: false,
  });
});

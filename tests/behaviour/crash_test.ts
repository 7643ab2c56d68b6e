/**
 * Crash safety: a writer killed with SIGKILL at a random instant during
 * repeated login / refresh / logout cycles, 200 rounds. After every kill:
 * auth.json is valid JSON, every other provider's entry is byte-for-byte as it
 * was, the file is mode 0600, the anthropic entry (if any) is whole, and
 * temporary files do not pile up (a writer removes stale ones under the lock,
 * so at most the last killed writer's one is left).
 *
 * The kill delay is drawn uniformly from the part of each command's run where
 * it writes: from about a third of its measured duration (Deno is still
 * starting before that) to its end, measured on this machine at the start.
 */

import assert from "node:assert/strict";
import { FakeAnthropic } from "../fakes/anthropic_server.ts";
import { type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { oneHeavyAtATime } from "../helpers/heavy.ts";
import { writeEntry } from "../../lib/opencode/auth_file.ts";
import { parseEntry } from "../../lib/opencode/entry.ts";
import { removeMembers } from "../../lib/opencode/json_edit.ts";
import { fingerprint, writeState } from "../../lib/state.ts";

const ROUNDS = 200;

/** Other providers' entries, exactly as OpenCode (and hand edits) leave them. */
const OTHERS = `{
  "openai": {
    "type": "api",
    "key": "sk-openai-CRASH-PLANTED-0123456789"
  },
  "github-copilot": {"type":"oauth","refresh":"gho_CRASH_PLANTED_refresh","access":"tid=CRASH;exp=1","expires":0},
  "x": {"weird": [1, 2.50, 1e400, "\\u00e9"], "nested": {"deep": null}}
}`;

const decoder = new TextDecoder("utf-8", { fatal: true });

type Op = "login" | "refresh" | "logout";

interface Round {
  op: Op;
  args: string[];
  stdin: string;
}

async function temporaryFiles(dir: string, target: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(`.${target}.occa-`) && entry.name.endsWith(".tmp")) {
        names.push(entry.name);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

/** Everything that must hold after any kill. */
async function assertIntact(box: Sandbox, where: string): Promise<void> {
  const info = await Deno.lstat(box.authFile);
  assert(info.isFile, `${where}: auth.json is not a regular file`);
  assert.equal(info.mode! & 0o777, 0o600, `${where}: auth.json mode`);
  const text = decoder.decode(await Deno.readFile(box.authFile));
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: auth.json is not valid JSON (${error}):\n${text}`);
  }
  assert.equal(typeof data, "object", `${where}: not an object`);
  assert.equal(removeMembers(text, "anthropic"), OTHERS, `${where}: other providers changed`);
  if (Object.hasOwn(data, "anthropic")) {
    assert("entry" in parseEntry(data.anthropic), `${where}: torn anthropic entry ${text}`);
  }
  const authTemps = await temporaryFiles(`${box.dataHome}/opencode`, "auth.json");
  assert(authTemps.length <= 1, `${where}: temporary files pile up: ${authTemps}`);
  const stateDir = `${box.configHome}/opencode-claude-code-auth`;
  const stateTemps = await temporaryFiles(stateDir, "state.json");
  assert(stateTemps.length <= 1, `${where}: state temporary files pile up: ${stateTemps}`);
  try {
    JSON.parse(await Deno.readTextFile(box.stateFile));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(`${where}: state.json is torn (${error})`);
    }
  }
}

/** Run one round; kill it after `killAfterMs` (null: let it finish). */
async function runRound(
  box: Sandbox,
  round: Round,
  env: Record<string, string>,
  killAfterMs: number | null,
  plantIssued: () => void,
): Promise<{ killed: boolean; ms: number; code: number }> {
  const started = performance.now();
  const child = box.command(round.args, { env }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(round.stdin)).catch(() => {});
  await writer.close().catch(() => {});
  const timer = killAfterMs === null ? undefined : setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, killAfterMs);
  const output = await child.output();
  clearTimeout(timer);
  const ms = performance.now() - started;
  const result = {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  plantIssued();
  box.assertNoLeak(round.args, result);
  const killed = output.signal === "SIGKILL";
  if (!killed) {
    // A run that finished on its own must have succeeded: the kills, not the
    // commands, are the only source of trouble here.
    assert.equal(
      output.code,
      0,
      `${round.args.join(" ")} exited ${output.code}:\n${result.stderr}`,
    );
  }
  return { killed, ms, code: output.code };
}

Deno.test({
  name:
    `crash safety: ${ROUNDS} writers killed with SIGKILL at random points of login/refresh/logout`,
  fn: () =>
    oneHeavyAtATime(() =>
      withSandbox(async (box) => {
        const fake = await FakeAnthropic.start();
        try {
          box.plant(
            "sk-openai-CRASH-PLANTED-0123456789",
            "gho_CRASH_PLANTED_refresh",
          );
          await box.writeAuth(OTHERS);
          await Deno.chmod(box.authFile, 0o600);
          const env = fake.env();
          const key = "sk-ant-api03-crash-0123456789abcdefghijklmnop";
          box.plant(key);

          /** Give the stored entry a live refresh token, so that a refresh can write. */
          const seedBrowser = async () => {
            const tokens = fake.issueTokens();
            box.plant(tokens.access, tokens.refresh);
            await writeEntry(box.authFile, {
              type: "oauth",
              refresh: tokens.refresh,
              access: tokens.access,
              expires: Date.now() + 3600_000,
            });
            // A sign-in of ours: the state proves this tool obtained the refresh token.
            await writeState(box.stateFile, {
              source: "browser-oauth",
              authFile: box.authFile,
              mintedRefresh: await fingerprint(tokens.refresh),
            });
          };
          const rounds: Record<Op, Round> = {
            login: { op: "login", args: ["login", "--method", "api-key"], stdin: key },
            refresh: { op: "refresh", args: ["refresh", "--force"], stdin: "" },
            logout: { op: "logout", args: ["logout"], stdin: "" },
          };
          const ops: Op[] = ["login", "refresh", "logout"];
          const plantIssued = () => {
            for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
          };

          // How long each command takes here, unkilled (median of 3).
          const duration: Record<Op, number> = { login: 0, refresh: 0, logout: 0 };
          for (const op of ops) {
            const times: number[] = [];
            for (let i = 0; i < 3; i++) {
              if (op === "refresh") await seedBrowser();
              times.push((await runRound(box, rounds[op], env, null, plantIssued)).ms);
              await assertIntact(box, `warm-up ${op}`);
            }
            duration[op] = times.sort((a, b) => a - b)[1];
          }

          // Until about the time `--version` takes, Deno is still starting and nothing is
          // written: kill between that and the end of the command's usual run.
          const startTimes: number[] = [];
          for (let i = 0; i < 3; i++) {
            startTimes.push(
              (await runRound(
                box,
                { op: "login", args: ["--version"], stdin: "" },
                env,
                null,
                plantIssued,
              ))
                .ms,
            );
          }
          const started = startTimes.sort((a, b) => a - b)[1];

          const stats = { killed: 0, finished: 0 };
          for (let i = 0; i < ROUNDS; i++) {
            const op = ops[i % ops.length];
            if (op === "refresh") {
              await seedBrowser();
              await assertIntact(box, `round ${i} seed`);
            }
            const from = Math.min(started * 0.9, duration[op] * 0.8);
            const delay = from + Math.random() * (duration[op] * 1.05 - from);
            const result = await runRound(box, rounds[op], env, delay, plantIssued);
            if (result.killed) stats.killed++;
            else stats.finished++;
            await assertIntact(box, `round ${i} (${op}, killed after ${delay.toFixed(0)} ms)`);
          }
          // A final clean run removes any leftover.
          await runRound(box, rounds.login, env, null, plantIssued);
          await assertIntact(box, "final login");
          assert.deepEqual(await temporaryFiles(`${box.dataHome}/opencode`, "auth.json"), []);
          assert.equal(JSON.parse((await box.readAuthText())!).anthropic.key, key);
          await runRound(box, rounds.logout, env, null, plantIssued);
          assert.equal(await box.readAuthText(), OTHERS);
          assert(stats.killed > 0, "no writer was ever killed while running");
          console.log(
            `crash test: ${stats.killed} of ${ROUNDS} writers killed mid-run, ${stats.finished} finished first ` +
              `(start-up ${started.toFixed(0)} ms; durations: ${
                ops.map((op) => `${op} ${duration[op].toFixed(0)} ms`).join(", ")
              })`,
          );
        } finally {
          await fake.close();
        }
      })
    ),
});

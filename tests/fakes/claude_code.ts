/**
 * Fake `claude` and `security` executables for tests, installed first on the
 * sandbox's PATH. They are small sh scripts (fast to start, so stampede tests
 * measure the CLI, not the fake) that record how they were called.
 */

import type { Sandbox } from "../helpers/sandbox.ts";

/** A Claude Code credentials payload (`{"claudeAiOauth":{...}}`). */
export function claudePayload(
  credentials: { accessToken: string; refreshToken: string; expiresAt: number },
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    claudeAiOauth: {
      ...credentials,
      scopes: ["user:inference", "user:profile"],
      subscriptionType: "pro",
    },
    ...extra,
  });
}

let counter = 0;
/** A unique fake Claude Code token pair expiring at `expiresAt`. */
export function claudeTokens(
  expiresAt: number,
): { accessToken: string; refreshToken: string; expiresAt: number } {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${
    crypto.randomUUID().slice(0, 8)
  }`;
  return {
    accessToken: `sk-ant-oat01-claude-access-${id}`,
    refreshToken: `sk-ant-ort01-claude-refresh-${id}`,
    expiresAt,
  };
}

/** How the fake `claude` behaves when run. */
export interface FakeClaudeBehaviour {
  /**
   * refresh: write `next` to `credentialsPath` (after `delayMs`), exit `exitCode` (0);
   * fail: print `stderr`, exit `exitCode` (1), change nothing;
   * hang: never exit (until killed);
   * noop: exit 0 and change nothing.
   */
  mode: "refresh" | "fail" | "hang" | "noop";
  /** Where Claude Code's credentials file is. */
  credentialsPath?: string;
  /** The payload written by a refresh. */
  next?: string;
  delayMs?: number;
  /**
   * Before acting, wait until this file exists (a test's ReleaseFile): a
   * race test keeps the fake busy until the other side has done its part.
   * The fake's recorded run (see `runs()`) is its "started" marker.
   */
  waitForFile?: string;
  exitCode?: number;
  stderr?: string;
}

/** One recorded run of the fake `claude`. */
export interface ClaudeRun {
  args: string[];
  cwd: string;
  /** "eof" when stdin was closed (what the CLI must do). */
  stdin: string;
  /** The fake's process id (a hanging fake `exec`s sleep, so this is the process to kill). */
  pid: number;
}

/** Where the fake `claude` records its runs. */
const claudeRunsLog = (box: Sandbox) => `${box.root}/claude-runs.log`;

const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Install (or replace) the fake `claude`; returns a reader of its recorded runs. */
export async function installFakeClaude(
  box: Sandbox,
  behaviour: FakeClaudeBehaviour,
): Promise<{ runs(): Promise<ClaudeRun[]>; log: string }> {
  const log = claudeRunsLog(box);
  const nextFile = `${box.root}/claude-next.json`;
  if (behaviour.next !== undefined) await Deno.writeTextFile(nextFile, behaviour.next);
  const delay = ((behaviour.delayMs ?? 0) / 1000).toFixed(3);
  const release = behaviour.waitForFile
    ? `while [ ! -e ${shQuote(behaviour.waitForFile)} ]; do sleep 0.02; done\n`
    : "";
  let action: string;
  switch (behaviour.mode) {
    case "refresh":
      action = [
        `sleep ${delay}`,
        `cp ${shQuote(nextFile)} ${shQuote(behaviour.credentialsPath! + ".fake-tmp")}`,
        `mv ${shQuote(behaviour.credentialsPath! + ".fake-tmp")} ${
          shQuote(behaviour.credentialsPath!)
        }`,
        `exit ${behaviour.exitCode ?? 0}`,
      ].join("\n");
      break;
    case "fail":
      action = `sleep ${delay}\nprintf '%s\\n' ${
        shQuote(behaviour.stderr ?? "Error: something failed")
      } >&2\nexit ${behaviour.exitCode ?? 1}`;
      break;
    case "hang":
      action = "exec sleep 1000";
      break;
    case "noop":
      action = `sleep ${delay}\nexit ${behaviour.exitCode ?? 0}`;
      break;
  }
  await box.installExecutable(
    "claude",
    `#!/bin/sh
PATH=/usr/bin:/bin
if [ "$1" = "--version" ]; then echo "2.1.0 (Claude Code)"; exit 0; fi
if IFS= read -r _line; then STDIN=data; else STDIN=eof; fi
{ printf 'run\\t%s\\t%s\\t' "$STDIN" "$(pwd)"; for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\t%s\\n' "$$"; } >> ${
      shQuote(log)
    }
${release}${action}
`,
  );
  return { log, runs: () => readClaudeRuns(log) };
}

/** The runs recorded in the fake `claude`'s `log` (none when it never ran). */
async function readClaudeRuns(log: string): Promise<ClaudeRun[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(log);
  } catch {
    return [];
  }
  return text.split("\n").filter(Boolean).map((line) => {
    const [, stdin, cwd, args, pid] = line.split("\t");
    return {
      stdin,
      cwd,
      args: args.split("\x1f").filter((a) => a !== ""),
      pid: Number(pid),
    };
  });
}

/** How many times the fake `claude` installed in `box` ran (0 when it never ran). */
export async function claudeRunCount(box: Sandbox): Promise<number> {
  return (await readClaudeRuns(claudeRunsLog(box))).length;
}

/** How the fake `security` answers for one Keychain service. */
export type KeychainItem = { payload: string } | { exitCode: number; stderr?: string };

/** Install the fake macOS `security`; unknown services exit 44 (not found). */
export async function installFakeSecurity(
  box: Sandbox,
  items: Record<string, KeychainItem>,
): Promise<{ calls(): Promise<string[][]> }> {
  const log = `${box.root}/security-calls.log`;
  const cases: string[] = [];
  let n = 0;
  for (const [service, item] of Object.entries(items)) {
    if ("payload" in item) {
      const file = `${box.root}/keychain-${n++}.txt`;
      await Deno.writeTextFile(file, item.payload);
      cases.push(`  ${shQuote(service)}) cat ${shQuote(file)}; echo; exit 0 ;;`);
    } else {
      cases.push(
        `  ${shQuote(service)}) printf '%s\\n' ${
          shQuote(item.stderr ?? "security: error")
        } >&2; exit ${item.exitCode} ;;`,
      );
    }
  }
  await box.installExecutable(
    "security",
    `#!/bin/sh
PATH=/usr/bin:/bin
{ for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\n'; } >> ${shQuote(log)}
svc=""; prev=""
for a in "$@"; do [ "$prev" = "-s" ] && svc="$a"; prev="$a"; done
case "$svc" in
${cases.join("\n")}
esac
echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
exit 44
`,
  );
  return {
    async calls() {
      try {
        return (await Deno.readTextFile(log)).split("\n").filter(Boolean).map((l) =>
          l.split("\x1f").filter((a) => a !== "")
        );
      } catch {
        return [];
      }
    },
  };
}

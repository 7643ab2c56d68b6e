/**
 * Fake `systemctl`, `launchctl` and `schtasks` for `service` tests: sh
 * scripts in the sandbox's bin folder that append their argv (one JSON array
 * per line, the program's name first) to a record file, keep a little state
 * (enabled timers, loaded agents, existing tasks) in marker files, and fail
 * on demand: a rule file makes calls whose arguments match a glob print a
 * message on stderr and exit with a chosen code.
 */

import { processSpawn } from "../../lib/context.ts";
import type { Sandbox } from "../helpers/sandbox.ts";

/** The programs faked here. */
export type ServiceManager = "systemctl" | "launchctl" | "schtasks";

/** What systemctl prints without a user bus (e.g. over SSH without lingering, in a container). */
export const NO_BUS_MESSAGE = "Failed to connect to bus: No medium found";

/** The installed fakes. */
export interface FakeServiceManagers {
  /** Folder of the record file, rules and state markers. */
  dir: string;
  /** Every call so far, in order: `[program, ...args]`. */
  calls(): Promise<string[][]>;
  /** Forget the calls recorded so far. */
  clearCalls(): Promise<void>;
  /**
   * Make calls of `program` whose arguments (joined by spaces) match the sh
   * glob `pattern` print `stderr` and exit with `code`.
   */
  fail(program: ServiceManager, pattern: string, code: number, stderr: string): Promise<void>;
  /** Make every `systemctl --user` call fail as without a user bus. */
  noUserBus(): Promise<void>;
  /**
   * A Context `spawn` that runs the fake of the same name from the sandbox's
   * bin folder (whatever the test process's PATH); a program without a fake
   * is not found, as on a system without it.
   */
  spawn(command: string, options: Deno.CommandOptions): Deno.ChildProcess;
}

const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The shared prologue: record argv as JSON, then apply the failure rules. */
function prologue(name: ServiceManager, dir: string): string {
  return `#!/bin/sh
PATH=/usr/bin:/bin
NAME=${name}
DIR=${shQuote(dir)}
{
  printf '["%s"' "$NAME"
  for a in "$@"; do
    printf ',"%s"' "$(printf '%s' "$a" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')"
  done
  printf ']\\n'
} >> "$DIR/calls.jsonl"
if [ -f "$DIR/rules" ]; then
  tab=$(printf '\\t')
  joined="$*"
  while IFS="$tab" read -r prog pat code msg; do
    [ "$prog" = "$NAME" ] || continue
    case "$joined" in
      $pat) printf '%s\\n' "$msg" >&2; exit "$code" ;;
    esac
  done < "$DIR/rules"
fi
`;
}

const BEHAVIOUR: Record<ServiceManager, string> = {
  systemctl: `
last=""; for a in "$@"; do last="$a"; done
case "$*" in
  "--user daemon-reload") exit 0 ;;
  "--user enable --now "*)
    touch "$DIR/enabled-$last"
    echo "Created symlink timers.target.wants/$last (fake)." >&2
    exit 0 ;;
  "--user disable --now "*)
    if [ -f "$DIR/enabled-$last" ]; then rm -f "$DIR/enabled-$last"; echo "Removed timers.target.wants/$last (fake)." >&2; fi
    exit 0 ;;
  "--user is-enabled "*)
    if [ -f "$DIR/enabled-$last" ]; then echo enabled; exit 0; fi
    echo disabled; exit 1 ;;
esac
echo "systemctl (fake): unexpected arguments: $*" >&2
exit 64
`,
  launchctl: `
case "$1" in
  bootout)
    label=\${2#gui/*/}
    if [ -f "$DIR/loaded-$label" ]; then rm -f "$DIR/loaded-$label"; exit 0; fi
    echo "Boot-out failed: 3: No such process" >&2
    exit 3 ;;
  bootstrap)
    label=$(basename "$3" .plist)
    if [ ! -f "$3" ]; then echo "Bootstrap failed: 2: No such file or directory" >&2; exit 2; fi
    if [ -f "$DIR/loaded-$label" ]; then echo "Bootstrap failed: 5: Input/output error" >&2; exit 5; fi
    touch "$DIR/loaded-$label"
    exit 0 ;;
  print)
    label=\${2#gui/*/}
    if [ -f "$DIR/loaded-$label" ]; then printf '%s = {\\n\\tstate = not running\\n}\\n' "$2"; exit 0; fi
    echo "Could not find service \\"$label\\" in domain for user gui: 501" >&2
    exit 113 ;;
esac
echo "launchctl (fake): unexpected arguments: $*" >&2
exit 64
`,
  schtasks: `
tn=""; prev=""
for a in "$@"; do [ "$prev" = "/TN" ] && tn="$a"; prev="$a"; done
case "$1" in
  /Create)
    touch "$DIR/task-$tn"
    echo "SUCCESS: The scheduled task \\"$tn\\" has successfully been created."
    exit 0 ;;
  /Query)
    if [ -f "$DIR/task-$tn" ]; then
      printf 'TaskName:    \\\\%s\\nStatus:    Ready\\nScheduled Task State:    Enabled\\n' "$tn"
      exit 0
    fi
    echo "ERROR: The system cannot find the file specified." >&2
    exit 1 ;;
  /Delete)
    if [ -f "$DIR/task-$tn" ]; then rm -f "$DIR/task-$tn"; echo "SUCCESS: The scheduled task \\"$tn\\" was successfully deleted."; exit 0; fi
    echo "ERROR: The system cannot find the file specified." >&2
    exit 1 ;;
esac
echo "schtasks (fake): unexpected arguments: $*" >&2
exit 64
`,
};

/** Install the fakes named in `programs` (default: all three) into `box`. */
export async function installFakeServiceManagers(
  box: Sandbox,
  programs: readonly ServiceManager[] = ["systemctl", "launchctl", "schtasks"],
): Promise<FakeServiceManagers> {
  const dir = `${box.root}/service-managers`;
  await Deno.mkdir(dir, { recursive: true });
  for (const name of programs) {
    await box.installExecutable(name, prologue(name, dir) + BEHAVIOUR[name]);
  }
  const record = `${dir}/calls.jsonl`;
  const fakes: FakeServiceManagers = {
    dir,
    async calls() {
      let text = "";
      try {
        text = await Deno.readTextFile(record);
      } catch {
        return [];
      }
      return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
    },
    async clearCalls() {
      await Deno.remove(record).catch(() => {});
    },
    async fail(program, pattern, code, stderr) {
      await Deno.writeTextFile(`${dir}/rules`, `${program}\t${pattern}\t${code}\t${stderr}\n`, {
        append: true,
      });
    },
    noUserBus() {
      return fakes.fail("systemctl", "--user*", 1, NO_BUS_MESSAGE);
    },
    spawn(command, options) {
      return processSpawn(`${box.bin}/${command}`, options);
    },
  };
  return fakes;
}

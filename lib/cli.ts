/**
 * The command line: the command table (shared by the parser, --help and shell
 * completion) and a small strict parser. `node:util` parseArgs was the first
 * choice, but any `node:` import adds ~13 ms to every start (measured), and
 * `token` runs on every request of some editors.
 *
 * @module
 */

import { METHODS } from "./credential_types.ts";
import { PROGRAM, quote, UsageError } from "./errors.ts";

/** One option of a command. */
export interface OptionSpec {
  /** `boolean` flags take no value; `string` options take one. */
  readonly type: "boolean" | "string";
  /** Placeholder shown in help, e.g. PATH. */
  readonly value?: string;
  /** Allowed values of a string option. */
  readonly choices?: readonly string[];
  /** One-line description for --help. */
  readonly description: string;
  /** What the value completes to beyond its choices: the profile names. */
  readonly completes?: "profile";
}

/** One command of the CLI. */
export interface CommandSpec {
  /** Usage line after the program name. */
  readonly usage: string;
  /** One-line summary. */
  readonly summary: string;
  /** Longer help text. */
  readonly details?: string;
  /** The command's own options (global options are always accepted too). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * The one positional argument a command takes (a shell, an action), with its
   * choices; none listed: any word, checked by the command (a profile name).
   */
  readonly positionals?: {
    readonly name: string;
    readonly choices: readonly string[];
    /** What the argument completes to beyond its choices: the profile names. */
    readonly completes?: "profile";
  };
  /** Whether everything after `--` (or the first positional) is a command to run. */
  readonly takesCommand?: boolean;
}

/** Options accepted by every command. */
export const GLOBAL_OPTIONS = {
  "auth-file": {
    type: "string",
    value: "PATH",
    description: "OpenCode's auth.json to use (default $XDG_DATA_HOME/opencode/auth.json)",
  },
  debug: { type: "boolean", description: "print what the tool does on stderr (secrets redacted)" },
  quiet: { type: "boolean", description: "print only warnings, errors and data" },
  help: { type: "boolean", description: "show help" },
} as const satisfies Record<string, OptionSpec>;

/** The commands, in help order. */
export const COMMANDS = {
  login: {
    usage:
      "login [--method claude-code|browser|api-key|setup-token] [--profile NAME] [--no-browser] [--create-api-key] [--with-key] [--from-env NAME] [--expires DATE] [--force]",
    summary: "sign OpenCode into Anthropic",
    details: [
      "Methods:",
      "  claude-code  reuse your Claude Code sign-in; refreshed by running the claude CLI",
      "  browser      OAuth sign-in in the browser (PKCE); refreshed with rotating refresh tokens",
      "  api-key      a static API key: piped, --with-key (stdin), --from-env NAME or a",
      "               masked prompt (CI, headless)",
      "  setup-token  the year-long token `claude setup-token` prints, read like an API key",
      "               (servers, CI on a subscription); nothing to refresh, make a new one",
      "",
      "OpenCode 1.3 and later use an `api` entry natively; an `oauth` entry (claude-code,",
      "browser, setup-token) needs an OpenCode build or plugin that consumes it.",
      "--create-api-key turns a browser sign-in into a real API key.",
      "",
      "On a terminal, login asks before replacing a working sign-in (--force does not ask).",
      "--profile NAME keeps the sign-in as profile NAME and makes it the active one; the",
      "credential in use before is kept in its own profile (see `switch`).",
      "",
      "Examples (CI):",
      `  ${PROGRAM} login --from-env ANTHROPIC_API_KEY`,
      `  printf '%s' "$ANTHROPIC_API_KEY" | ${PROGRAM} login --with-key`,
      `  ${PROGRAM} login --method setup-token --from-env CLAUDE_CODE_OAUTH_TOKEN`,
    ].join("\n"),
    options: {
      method: {
        type: "string",
        value: "METHOD",
        choices: METHODS,
        description: "sign-in method (asked interactively when omitted on a terminal)",
      },
      "no-browser": {
        type: "boolean",
        description: "print the sign-in URL without opening a browser",
      },
      "create-api-key": {
        type: "boolean",
        description: "with --method browser: sign in to the Console and store a new API key",
      },
      "with-key": {
        type: "boolean",
        description: "read the key (or setup token) from stdin; implies --method api-key",
      },
      "from-env": {
        type: "string",
        value: "NAME",
        description: "read the key (or setup token) from NAME; implies --method api-key",
      },
      expires: {
        type: "string",
        value: "DATE",
        description: "with --method setup-token: when it expires (2027-12-02; default a year)",
      },
      profile: {
        type: "string",
        value: "NAME",
        description: "keep the sign-in as profile NAME and make it the active one",
        completes: "profile",
      },
      force: {
        type: "boolean",
        description: "replace a working sign-in without asking; move a corrupt auth.json aside",
      },
    },
  },
  switch: {
    usage: "switch NAME",
    summary: "make profile NAME the credential OpenCode uses",
    details: [
      "The credential in use now is saved back into its own profile first (with what OpenCode",
      "or a plugin refreshed since), then NAME's replaces it: auth.json's anthropic entry, and",
      "this tool's row in OpenCode 2's database. `status` lists the profiles.",
      "",
      "Examples:",
      `  ${PROGRAM} login --profile work --method browser`,
      `  ${PROGRAM} switch default`,
    ].join("\n"),
    options: {},
    positionals: { name: "NAME", choices: [], completes: "profile" },
  },
  status: {
    usage: "status [--json] [--check]",
    summary: "show the stored sign-in (exit 0 usable, 4 sign-in required)",
    details: [
      "Once profiles are in use (`login --profile NAME`), it lists every profile with its",
      "method, account and expiry, `*` on the active one; --json adds a `profiles` array.",
    ].join("\n"),
    options: {
      json: { type: "boolean", description: "print one JSON object on stdout" },
      check: {
        type: "boolean",
        description: "ask the API whether the credential works, and say why not",
      },
    },
  },
  token: {
    usage: "token [--json | --header]",
    summary: "print a usable access token or API key on stdout (refreshes first if stale)",
    details: [
      "The header that carries it depends on its kind (--header prints the right one):",
      "  API key      x-api-key: KEY",
      "  OAuth token  Authorization: Bearer TOKEN, and the API also needs the header",
      "               anthropic-beta: oauth-2025-04-20",
      "",
      "Examples:",
      `  curl -H "$(${PROGRAM} token --header)" \\`,
      '    -H "anthropic-version: 2023-06-01" https://api.anthropic.com/v1/models',
      '  (for an OAuth token, add -H "anthropic-beta: oauth-2025-04-20")',
      `  ${PROGRAM} token --json   # {"type":"api","token":…,"expires":null,"header":{…}}`,
    ].join("\n"),
    options: {
      json: {
        type: "boolean",
        description: 'print {"type","token","expires","header":{"name","value"}} on stdout',
      },
      header: {
        type: "boolean",
        description: "print the one HTTP header line that carries the credential",
      },
    },
  },
  refresh: {
    usage: "refresh [--force] [--ahead DURATION]",
    summary: "refresh the credential now if stale (always with --force)",
    details: [
      "--ahead counts the credential as stale when it expires within DURATION (90s, 15m, 2h)",
      "instead of the 60 s skew: what a scheduler runs. A Claude Code session is re-synced from",
      "Claude Code's store first; `claude` runs only in the token's last 5 minutes, when Claude",
      "Code renews it. No automatic refresh comes within 30 s (or half the token's lifetime) of",
      "the last; --force needs only 30 s, and exits 1 saying until when if it must wait.",
      "",
      "Example (cron, every 2 minutes):",
      `  */2 * * * * ${PROGRAM} refresh --ahead 4m --quiet`,
    ].join("\n"),
    options: {
      force: { type: "boolean", description: "refresh even if still fresh" },
      ahead: {
        type: "string",
        value: "DURATION",
        description: "refresh when the credential expires within DURATION (90s, 15m, 2h)",
      },
    },
  },
  logout: {
    usage: "logout [--profile NAME]",
    summary: "remove the anthropic entry (other providers are left as they are)",
    details: [
      "Without --profile: the active credential, as always. --profile NAME removes that",
      "profile; removing the active one leaves no active credential until `switch` or `login`.",
    ].join("\n"),
    options: {
      profile: {
        type: "string",
        value: "NAME",
        description: "remove profile NAME instead of the active credential",
        completes: "profile",
      },
    },
  },
  doctor: {
    usage: "doctor [--json] [--check]",
    summary: "check files, permissions, Claude Code and OpenCode, with fixes",
    options: {
      json: { type: "boolean", description: "print the checks as JSON on stdout" },
      check: {
        type: "boolean",
        description: "also ask the API whether the credential works, and say why not",
      },
    },
  },
  run: {
    usage: "run -- COMMAND [ARGS...]",
    summary: "run COMMAND with a fresh credential, refreshing it while COMMAND runs",
    details: [
      "The credential is refreshed before COMMAND starts and again before each expiry",
      "for as long as it runs; SIGINT and SIGTERM are forwarded; the exit code is COMMAND's.",
      "COMMAND must be allowed by the permission flags (opencode is).",
      "",
      "Example:",
      `  ${PROGRAM} run -- opencode serve`,
    ].join("\n"),
    options: {},
    takesCommand: true,
  },
  service: {
    usage:
      "service install [--every DURATION] [--ahead DURATION] [--dry-run] [--force] | uninstall | status",
    summary: "install a per-user scheduled job that keeps the sign-in fresh",
    details: [
      "install    a job that runs `refresh --ahead` with this program, its permissions and",
      "           the files and overrides in force: systemd user timer (Linux), LaunchAgent",
      "           (macOS), Scheduled Task (Windows); defaults --every 2m --ahead 4m, because",
      "           Claude Code renews its token only in its last minutes.",
      "           An API key or a long-lived token has nothing to refresh: refused without --force.",
      "uninstall  disable and remove the job (exit 0 when none is installed)",
      "status     one line each: installed, enabled, schedule, last run and its outcome,",
      "           the credential's expiry (on stdout). Exit 0 only when the job is installed",
      "           and its last run succeeded; 1 when it is not installed, disabled, has not",
      "           run yet, or its last run failed.",
      "",
      "Without a user service manager: exit 1; a small script is written next to the state,",
      "and the short crontab line on stdout runs it.",
    ].join("\n"),
    options: {
      every: { type: "string", value: "DURATION", description: "how often the job runs (2m)" },
      ahead: {
        type: "string",
        value: "DURATION",
        description: "refresh when the credential expires within this (4m)",
      },
      "dry-run": {
        type: "boolean",
        description: "print the files and commands; change nothing",
      },
      force: {
        type: "boolean",
        description: "install even over a credential with nothing to refresh",
      },
    },
    positionals: { name: "ACTION", choices: ["install", "uninstall", "status"] },
  },
  completions: {
    usage: "completions bash|zsh|fish|powershell",
    summary: "print a shell completion script",
    details: [
      "Examples:",
      `  ${PROGRAM} completions bash > ~/.local/share/bash-completion/completions/${PROGRAM}`,
      `  ${PROGRAM} completions powershell | Out-String | Invoke-Expression   # in $PROFILE`,
    ].join("\n"),
    options: {},
    positionals: { name: "SHELL", choices: ["bash", "zsh", "fish", "powershell"] },
  },
} as const satisfies Record<string, CommandSpec>;

/** A command's name. */
export type CommandName = keyof typeof COMMANDS;

/** Help topics of `help TOPIC` that are not commands. */
export const HELP_TOPICS = ["environment"] as const;

/** A help topic. */
export type HelpTopic = (typeof HELP_TOPICS)[number];

/** The value an option of declaration `O` parses to: `true` for a flag, one of its choices, or text. */
export type OptionValue<O> = O extends { type: "boolean" } ? true
  : O extends { choices: readonly (infer C)[] } ? C
  : string;

/** The parsed values of a set of options: each absent, or of its declared type. */
export type ValuesOf<Options> = { -readonly [K in keyof Options]?: OptionValue<Options[K]> };

/** The values of the global options. */
export type GlobalValues = ValuesOf<typeof GLOBAL_OPTIONS>;

/**
 * The positional argument of command `C`: one of its choices, any word when
 * its choices are empty (a profile name), never for a command without one.
 */
export type PositionalOf<C extends CommandName> = (typeof COMMANDS)[C] extends
  { positionals: { choices: readonly [] } } ? string
  : (typeof COMMANDS)[C] extends { positionals: { choices: readonly (infer P)[] } } ? P
  : never;

/** The parsed command line of command `C`. */
export interface ParsedArgs<C extends CommandName> {
  /** The command. */
  command: C;
  /** Global and command options together. */
  values: GlobalValues & ValuesOf<(typeof COMMANDS)[C]["options"]>;
  /** The positional argument, checked against its choices (completions, service). */
  positional: PositionalOf<C> | undefined;
  /** For `run`: the command to start and its arguments. */
  rest: string[];
}

/** The result of parsing the command line: a command, or help / version / nothing. */
export type ParsedCommandLine =
  | { [C in CommandName]: ParsedArgs<C> & { version: false; topic?: undefined } }[CommandName]
  | {
    command: undefined;
    values: GlobalValues;
    positional: undefined;
    rest: string[];
    version: boolean;
    /** `help TOPIC` for a topic that is not a command. */
    topic?: HelpTopic;
  };

/** The command table seen as plain specs, for code that walks it by name. */
export const TABLE: Readonly<Record<CommandName, CommandSpec>> = COMMANDS;

function isCommand(word: string): word is CommandName {
  return Object.hasOwn(COMMANDS, word);
}

/** The command names, in help order. */
export const COMMAND_NAMES: readonly CommandName[] = Object.keys(COMMANDS).filter(isCommand);

function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Parse `argv` strictly: unknown commands, options and values are usage errors. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  let command: CommandName | undefined;
  let topic: HelpTopic | undefined;
  let rest: string[] = [];
  let version = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      if (!command) {
        throw new UsageError(
          "'--' must come after a command (it ends the options of `run`)",
          `see \`${PROGRAM} --help\``,
        );
      }
      if (TABLE[command].takesCommand) rest = argv.slice(i + 1);
      else positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("-") && arg !== "-") {
      if (arg === "--version" && !command) {
        version = true;
        continue;
      }
      const option = readOption(arg, argv[i + 1], command);
      if (option.tookNext) i++;
      checkRepeat(option.name, values[option.name], option.value, command);
      values[option.name] = option.value;
      continue;
    }
    if (!command) {
      if (arg !== "help") {
        command = commandNamed(arg);
        continue;
      }
      values.help = true;
      ({ command, topic } = helpSubject(argv[i + 1]));
      break;
    }
    if (TABLE[command].takesCommand) {
      rest = argv.slice(i);
      break;
    }
    positionals.push(arg);
  }

  checkAuthFile(values["auth-file"]);
  if (!command) return { command, values, positional: undefined, rest, version, topic };
  if (!values.help) checkPositionals(command, positionals, rest);
  // Every value above was checked against the command's table (type and
  // choices), which is what ParsedArgs says: the one place that trusts it.
  return {
    command,
    values,
    positional: positionals[0],
    rest,
    version: false,
  } as ParsedCommandLine;
}

/** Where the usage hints point: the command's help, or the program's. */
function helpFor(command: CommandName | undefined): string {
  return command ? `${PROGRAM} ${command} --help` : `${PROGRAM} --help`;
}

/** One option read from the command line: its name, its value, and whether it took the next word. */
export interface ReadOption {
  /** The option's name, without the dashes (`help` for `-h`). */
  readonly name: string;
  /** `true` for a flag, the checked value for an option that takes one. */
  readonly value: string | true;
  /** Whether the value was the next word (`--auth-file PATH`) rather than `--name=value`. */
  readonly tookNext: boolean;
}

/**
 * Read option word `arg` (and `next`, the word after it, when the option takes
 * a value) against the options `command` accepts (the global ones without a
 * command). An unknown option, a flag given a value, a missing value or one
 * outside the choices is a usage error.
 */
export function readOption(
  arg: string,
  next: string | undefined,
  command: CommandName | undefined,
): ReadOption {
  if (arg === "-h") return { name: "help", value: true, tookNext: false };
  if (!arg.startsWith("--")) {
    throw new UsageError(`unknown option ${quote(arg)}`, `see \`${helpFor(command)}\``);
  }
  const eq = arg.indexOf("=");
  const name = arg.slice(2, eq === -1 ? undefined : eq);
  const options: Readonly<Record<string, OptionSpec>> = {
    ...GLOBAL_OPTIONS,
    ...(command ? TABLE[command].options : {}),
  };
  const spec = Object.hasOwn(options, name) ? options[name] : undefined;
  if (!spec) {
    const guess = closest(name, Object.keys(options));
    throw new UsageError(
      `unknown option ${quote(`--${name}`)}${command ? ` for '${command}'` : ""}`,
      guess
        ? `did you mean --${guess}? (see \`${helpFor(command)}\`)`
        : `see \`${helpFor(command)}\``,
    );
  }
  if (spec.type === "boolean") {
    if (eq !== -1) {
      throw new UsageError(`option '--${name}' takes no value`, `see \`${helpFor(command)}\``);
    }
    return { name, value: true, tookNext: false };
  }
  const tookNext = eq === -1 && next !== undefined && !next.startsWith("--");
  const value = eq !== -1 ? arg.slice(eq + 1) : tookNext ? next : undefined;
  if (value === undefined || value === "") {
    throw new UsageError(
      `option '--${name}' needs a value${spec.value ? ` (${spec.value})` : ""}`,
      spec.choices ? `expected one of: ${spec.choices.join(", ")}` : `see \`${helpFor(command)}\``,
    );
  }
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(
      `invalid value ${quote(value)} for '--${name}'`,
      `expected one of: ${spec.choices.join(", ")}`,
    );
  }
  return { name, value, tookNext };
}

/** Refuse option `name` given twice with different values (`previous`, then `value`). */
export function checkRepeat(
  name: string,
  previous: string | true | undefined,
  value: string | true,
  command: CommandName | undefined,
): void {
  if (typeof previous === "string" && previous !== value) {
    throw new UsageError(
      `'--${name}' was given twice, as ${quote(previous)} and ${quote(String(value))}`,
      `give it once (see \`${helpFor(command)}\`)`,
    );
  }
}

/** The command `word` names; anything else is a usage error that suggests the closest one. */
export function commandNamed(word: string): CommandName {
  if (isCommand(word)) return word;
  const guess = closest(word, COMMAND_NAMES);
  throw new UsageError(
    `unknown command ${quote(word)}`,
    guess ? `did you mean '${guess}'? (see \`${PROGRAM} --help\`)` : `see \`${PROGRAM} --help\``,
  );
}

/** What `help WORD` asks about: a command, a topic, or (no word) the program; else a usage error. */
export function helpSubject(
  word: string | undefined,
): { command?: CommandName; topic?: HelpTopic } {
  if (word === undefined) return {};
  if (isCommand(word)) return { command: word };
  if (isTopic(word)) return { topic: word };
  throw new UsageError(
    `no help on ${quote(word)}`,
    `topics: ${[...COMMAND_NAMES, ...HELP_TOPICS].join(", ")}`,
  );
}

/**
 * Refuse an `--auth-file` that starts with `~`: only a shell expands it, and
 * not inside quotes, so it would name a folder literally called `~`.
 */
function checkAuthFile(path: string | true | undefined): void {
  if (typeof path !== "string" || !path.startsWith("~")) return;
  const rest = path.replace(/^~[^/\\]*[/\\]?/, "");
  throw new UsageError(
    `--auth-file ${quote(path)} starts with '~', which only a shell expands (not in quotes)`,
    `write the folder out, for example --auth-file "$HOME/${rest}"`,
  );
}

function isTopic(word: string): word is HelpTopic {
  return (HELP_TOPICS as readonly string[]).includes(word);
}

function checkPositionals(command: CommandName, positionals: string[], rest: string[]) {
  const spec = TABLE[command];
  const help = `see \`${PROGRAM} ${command} --help\``;
  if (spec.takesCommand) {
    if (rest.length === 0) {
      throw new UsageError(`'${command}' needs a command to run after --`, help);
    }
    return;
  }
  if (!spec.positionals) {
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument ${quote(positionals[0])} for '${command}'`, help);
    }
    return;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`'${command}' needs exactly one ${spec.positionals.name}`, help);
  }
  const choices = spec.positionals.choices;
  if (choices.length > 0 && !choices.includes(positionals[0])) {
    throw new UsageError(
      `invalid ${spec.positionals.name} ${quote(positionals[0])}`,
      `expected one of: ${choices.join(", ")}`,
    );
  }
}

function formatOptions(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const left = `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
    return `  ${left.padEnd(24)} ${spec.description}`;
  });
}

/** The global help text. */
export function globalHelp(version: string): string {
  const width = Math.max(...COMMAND_NAMES.map((c) => c.length));
  return [
    `${PROGRAM} ${version}: sign OpenCode into Anthropic and keep the sign-in alive`,
    "",
    `Usage: ${PROGRAM} COMMAND [OPTIONS]`,
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    "",
    "Global options:",
    ...formatOptions(GLOBAL_OPTIONS),
    `  ${"--version".padEnd(24)} print the version`,
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error or bad input, 4 sign-in required.",
    `Run \`${PROGRAM} COMMAND --help\` for a command's options, and`,
    `\`${PROGRAM} help environment\` for the environment variables it reads.`,
    "",
  ].join("\n");
}

/** Width of the usage line of `COMMAND --help`. */
const USAGE_WIDTH = 80;

/** The usage line, broken before an option group (`[…]`, `| …`) where it would pass 80 columns. */
function usageLines(usage: string): string[] {
  const lead = `Usage: ${PROGRAM} `;
  const [first, ...pieces] = usage.split(/ (?=\[|\| )/);
  const lines: string[] = [];
  let line = lead + first;
  for (const piece of pieces) {
    if (line.length + 1 + piece.length > USAGE_WIDTH) {
      lines.push(line);
      line = " ".repeat(lead.length) + piece;
    } else {
      line += ` ${piece}`;
    }
  }
  return [...lines, line];
}

/** The help text of one command. */
export function commandHelp(command: CommandName): string {
  const spec = TABLE[command];
  return [
    ...usageLines(spec.usage),
    "",
    spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + ".",
    ...(spec.details ? ["", spec.details] : []),
    "",
    ...(Object.keys(spec.options).length ? ["Options:", ...formatOptions(spec.options), ""] : []),
    "Global options:",
    ...formatOptions(GLOBAL_OPTIONS),
    "",
  ].join("\n");
}

/**
 * Every environment variable this tool reads, defined once: `help
 * environment`, docs/environment.md, the `--allow-env` flag and the variables
 * a scheduled `service` job carries over are all checked against this table.
 * The exit codes are defined here too, for `--help` and the docs. A leaf
 * module: it imports only the `ExitCode` type. docs/environment.md and the
 * exit-code table of docs/troubleshooting.md are written by scripts/gen_docs.ts
 * from the functions below; tests/docs_test.ts checks they agree.
 */

import type { ExitCode } from "./errors.ts";

export type { ExitCode };

/** One environment variable the tool reads. */
export interface EnvVar {
  /** The variable's name. */
  readonly name: string;
  /** What is used when it is unset, for help; undefined when nothing is. */
  readonly default?: string;
  /** One line on what it does. */
  readonly meaning: string;
  /** Carried into the job that `service install` writes (files and endpoints in force). */
  readonly carried: boolean;
  /** For a milliseconds setting: the largest value accepted (exit 2 beyond). */
  readonly maxMs?: number;
}

/** The table, grouped as `help environment` prints it. */
export const ENVIRONMENT: readonly EnvVar[] = [
  {
    name: "HOME",
    meaning: "your home folder: the base of the default paths below",
    carried: true,
  },
  {
    name: "USERPROFILE",
    meaning: "your home folder on Windows (tried before HOME there)",
    carried: true,
  },
  {
    name: "XDG_DATA_HOME",
    default: "~/.local/share",
    meaning: "holds OpenCode's credentials, opencode/auth.json",
    carried: true,
  },
  {
    name: "XDG_CONFIG_HOME",
    default: "~/.config",
    meaning: "holds this tool's state (opencode-claude-code-auth/) and OpenCode's config",
    carried: true,
  },
  {
    name: "PATH",
    meaning: "where claude, security, opencode, the browser opener and service managers are found",
    carried: true,
  },
  {
    name: "OPENCODE_AUTH_CONTENT",
    meaning: "when set, OpenCode ignores auth.json; login, status and doctor warn",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG",
    meaning: "an extra OpenCode config file, read for its plugin list",
    carried: false,
  },
  {
    name: "OPENCODE_CONFIG_DIR",
    meaning: "an extra OpenCode config folder, read for config files and plugins",
    carried: false,
  },
  {
    name: "CLAUDE_CONFIG_DIR",
    default: "~/.claude",
    meaning: "Claude Code's folder (.credentials.json); also suffixes the Keychain service",
    carried: true,
  },
  {
    name: "DISPLAY",
    meaning: "an X display (Linux): login may start a browser",
    carried: false,
  },
  {
    name: "WAYLAND_DISPLAY",
    meaning: "a Wayland display (Linux): login may start a browser",
    carried: false,
  },
  {
    name: "ANTHROPIC_AUTH_URL",
    default: "https://claude.ai/oauth/authorize",
    meaning: "sign-in page of the browser sign-in (opened by the browser)",
    carried: true,
  },
  {
    name: "ANTHROPIC_CONSOLE_AUTH_URL",
    default: "https://platform.claude.com/oauth/authorize",
    meaning: "sign-in page of login --create-api-key (opened by the browser)",
    carried: true,
  },
  {
    name: "ANTHROPIC_TOKEN_URL",
    default: "https://platform.claude.com/v1/oauth/token",
    meaning: "token endpoint: code exchange and refresh",
    carried: true,
  },
  {
    name: "ANTHROPIC_BASE_URL",
    default: "https://api.anthropic.com",
    meaning: "API base: /v1/models (status --check) and create_api_key",
    carried: true,
  },
  {
    name: "ANTHROPIC_CLIENT_ID",
    default: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    meaning: "OAuth client id",
    carried: true,
  },
  {
    name: "ANTHROPIC_REDIRECT_URI",
    default: "https://platform.claude.com/oauth/code/callback",
    meaning: "OAuth redirect URI: the page that shows code#state",
    carried: true,
  },
  {
    name: "ANTHROPIC_SCOPE",
    default: "org:create_api_key user:profile user:inference",
    meaning: "OAuth scopes, separated by spaces",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_DEBUG",
    meaning: "1, true, yes or on: the same as --debug",
    carried: false,
  },
  {
    name: "CLAUDE_CODE_AUTH_CREDENTIALS_PATH",
    default: "$CLAUDE_CONFIG_DIR/.credentials.json",
    meaning: "Claude Code's credentials file, read instead of the default",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE",
    default: "Claude Code-credentials",
    meaning: "macOS Keychain service to read; when set, tried on any OS",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_MODEL",
    default: "claude-haiku-4-5",
    meaning: "model of the `claude -p .` run that renews a Claude Code session",
    carried: true,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS",
    default: "60000",
    meaning: "a token expiring within this many ms counts as stale",
    carried: true,
    maxMs: 86_400_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    default: "60000",
    meaning: "time limit of the `claude` run that renews a Claude Code session",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS",
    default: "30000",
    meaning: "time limit of one HTTP request",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_RETRY_BASE_MS",
    default: "500",
    meaning: "first wait before retrying a network error or 5xx (doubles; 4 attempts)",
    carried: true,
    maxMs: 60_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS",
    default: "30000",
    meaning: "longest Retry-After waited out on HTTP 429",
    carried: true,
    maxMs: 600_000,
  },
  {
    name: "CLAUDE_CODE_AUTH_USER_AGENT",
    default: "opencode-claude-code-auth/VERSION",
    meaning: "User-Agent of every HTTP request (printable ASCII)",
    carried: true,
  },
];

/** The entry for `name`, or undefined when the tool does not read it. */
export function envVar(name: string): EnvVar | undefined {
  return ENVIRONMENT.find((v) => v.name === name);
}

// ------------------------------------------------------------- groups

/** A heading of `help environment` and the variables under it, in print order. */
export interface EnvGroup {
  readonly title: string;
  readonly names: readonly string[];
}

/** How `help environment` and the docs group the table; a name in no group goes under "Other". */
export const ENVIRONMENT_GROUPS: readonly EnvGroup[] = [
  {
    title: "Files and programs",
    names: ["HOME", "USERPROFILE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PATH"],
  },
  {
    title: "OpenCode",
    names: ["OPENCODE_AUTH_CONTENT", "OPENCODE_CONFIG", "OPENCODE_CONFIG_DIR"],
  },
  {
    title: "Claude Code session",
    names: [
      "CLAUDE_CONFIG_DIR",
      "CLAUDE_CODE_AUTH_CREDENTIALS_PATH",
      "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE",
      "CLAUDE_CODE_AUTH_REFRESH_MODEL",
      "CLAUDE_CODE_AUTH_REFRESH_TIMEOUT_MS",
    ],
  },
  {
    title: "Browser sign-in and endpoints",
    names: [
      "DISPLAY",
      "WAYLAND_DISPLAY",
      "ANTHROPIC_AUTH_URL",
      "ANTHROPIC_CONSOLE_AUTH_URL",
      "ANTHROPIC_TOKEN_URL",
      "ANTHROPIC_BASE_URL",
      "ANTHROPIC_CLIENT_ID",
      "ANTHROPIC_REDIRECT_URI",
      "ANTHROPIC_SCOPE",
    ],
  },
  {
    title: "Refresh and HTTP",
    names: [
      "CLAUDE_CODE_AUTH_REFRESH_SKEW_MS",
      "CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS",
      "CLAUDE_CODE_AUTH_RETRY_BASE_MS",
      "CLAUDE_CODE_AUTH_MAX_RETRY_AFTER_MS",
      "CLAUDE_CODE_AUTH_USER_AGENT",
    ],
  },
  { title: "Output", names: ["CLAUDE_CODE_AUTH_DEBUG"] },
];

/** The table split into its groups, in print order; every variable appears exactly once. */
export function groupedEnvironment(): { title: string; vars: EnvVar[] }[] {
  const groups = ENVIRONMENT_GROUPS.map((group) => ({
    title: group.title,
    vars: group.names.flatMap((name) => envVar(name) ?? []),
  }));
  const grouped = new Set(ENVIRONMENT_GROUPS.flatMap((group) => group.names));
  const other = ENVIRONMENT.filter((v) => !grouped.has(v.name));
  if (other.length > 0) groups.push({ title: "Other", vars: other });
  return groups.filter((group) => group.vars.length > 0);
}

// ------------------------------------------------------- shared notes

/** Notes printed under the table, written in Markdown; help prints them without backquotes. */
const ENVIRONMENT_NOTES: readonly string[] = [
  "An empty variable counts as unset. Millisecond settings take a whole number; anything " +
  "else (or more than the stated maximum) is a usage error, exit 2.",
  "Every endpoint URL must be `https:`; plain `http:` is allowed only for `127.0.0.1`, " +
  "`localhost` and `[::1]`. Anything else is a usage error (exit 2) before any request is " +
  "made. A token or API host other than the defaults must also be added to `--allow-net`.",
  "`NO_COLOR` is honoured; Deno reads it itself, so it needs no permission.",
];

/** Which variables the job of `service install` carries, in Markdown. */
function carriedNote(): string {
  const names = ENVIRONMENT.filter((v) => !v.carried).map((v) => `\`${v.name}\``);
  return "The job written by `service install` carries every variable above that is set, " +
    `except ${listText(names)}.`;
}

function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Markdown inline text as plain terminal text. */
function plain(markdown: string): string {
  return markdown.replaceAll("`", "");
}

/** Words of `text` filled into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** "default X, at most N ms" for a variable, or "" when neither applies. */
function limitsText(v: EnvVar): string {
  const parts: string[] = [];
  if (v.default !== undefined) parts.push(`default ${v.default}`);
  if (v.maxMs !== undefined) parts.push(`at most ${v.maxMs}`);
  return parts.join(", ");
}

// -------------------------------------------------------------- help

/** Widest line of the help texts. */
export const HELP_WIDTH = 100;
const NAME_COLUMN = 39;

/**
 * The text of `opencode-claude-code-auth help environment`: every variable
 * with its default and meaning, grouped, at most 100 columns, ending in a
 * newline. Print it as it is.
 */
export function environmentHelp(): string {
  const out: string[] = [
    "Environment variables read by opencode-claude-code-auth",
    "",
  ];
  const indent = " ".repeat(NAME_COLUMN);
  const width = HELP_WIDTH - NAME_COLUMN;
  for (const group of groupedEnvironment()) {
    out.push(`${group.title}:`);
    for (const v of group.vars) {
      const text = wrap(plain(v.meaning), width);
      const limits = limitsText(v);
      if (limits) text.push(...wrap(limits, width));
      const head = `  ${v.name}`;
      if (head.length + 2 > NAME_COLUMN) {
        out.push(head);
        for (const line of text) out.push(indent + line);
      } else {
        out.push(head.padEnd(NAME_COLUMN) + text[0]);
        for (const line of text.slice(1)) out.push(indent + line);
      }
    }
    out.push("");
  }
  for (const note of [carriedNote(), ...ENVIRONMENT_NOTES]) {
    out.push(...wrap(plain(note), HELP_WIDTH), "");
  }
  out.push("More in the project's docs/environment.md and docs/permissions.md.");
  return out.join("\n") + "\n";
}

// -------------------------------------------------------------- docs

/** Text for a Markdown table cell: inline code where asked, pipes escaped. */
function cell(text: string, code = false): string {
  const escaped = text.replaceAll("|", "\\|");
  return code ? `\`${escaped}\`` : escaped;
}

/** A Markdown table laid out the way `deno fmt` lays it out, so the file stays formatted. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * The body of docs/environment.md between its generated markers: one table
 * per group, then the notes. Ends in a newline.
 */
export function environmentMarkdown(): string {
  const parts: string[] = [];
  for (const group of groupedEnvironment()) {
    parts.push(`### ${group.title}`);
    parts.push(markdownTable(
      ["variable", "default", "what", "service job"],
      group.vars.map((v) => [
        cell(v.name, true),
        [
          v.default === undefined ? "" : cell(v.default, true),
          v.maxMs === undefined ? "" : `at most \`${v.maxMs}\``,
        ].filter(Boolean).join(", "),
        cell(v.meaning),
        v.carried ? "carried" : "",
      ]),
    ));
  }
  parts.push(carriedNote(), ...ENVIRONMENT_NOTES);
  return parts.map(wrapMarkdown).join("\n\n") + "\n";
}

/** A paragraph filled to 100 columns the way `deno fmt` fills prose; tables and headings as they are. */
function wrapMarkdown(block: string): string {
  if (block.startsWith("|") || block.startsWith("#")) return block;
  return wrap(block, HELP_WIDTH).join("\n");
}

// -------------------------------------------------------- exit codes

/** One exit code of the contract. */
export interface ExitCodeInfo {
  readonly code: ExitCode;
  /** The contract's wording. */
  readonly meaning: string;
  /** Typical cases, for the docs. */
  readonly examples: string;
}

/** The exit codes, defined once: `--help`, the README and docs/troubleshooting.md follow this. */
export const EXIT_CODES: readonly ExitCodeInfo[] = [
  {
    code: 0,
    meaning: "success",
    examples: "also `refresh` on an API key, `logout` with nothing stored, `service uninstall` " +
      "with nothing installed",
  },
  {
    code: 1,
    meaning: "failure (network, server, file system)",
    examples: "a damaged `auth.json`, an unreachable endpoint, a failed `doctor` check, " +
      "`service install` without a user service manager",
  },
  {
    code: 2,
    meaning: "usage error or bad input",
    examples: "an unknown flag, a bad `--ahead` DURATION, a bad API key on stdin, " +
      "an `http:` endpoint that is not loopback, `login` without a terminal and no `--method`",
  },
  {
    code: 4,
    meaning:
      "sign-in required (nothing stored, or stored credentials unusable and not refreshable)",
    examples: "`status` when not signed in, `invalid_grant`, a Claude Code session still " +
      "expired after running `claude`",
  },
];

/** How `run -- COMMAND` exits, which the table above does not cover. */
export const RUN_EXIT_NOTE = "run -- COMMAND exits with COMMAND's own exit code, or 128+N " +
  "when signal N ended it (130 for SIGINT, 143 for SIGTERM); before COMMAND starts, its own " +
  "failures use the codes above.";

/** The exit codes as help text (for `--help`), ending in a newline. */
export function exitCodesHelp(): string {
  const out = ["Exit codes:"];
  for (const { code, meaning } of EXIT_CODES) {
    const [first, ...rest] = wrap(meaning, HELP_WIDTH - 5);
    out.push(`  ${code}  ${first}`, ...rest.map((line) => `     ${line}`));
  }
  out.push(...wrap(RUN_EXIT_NOTE, HELP_WIDTH - 2).map((line) => `  ${line}`));
  return out.join("\n") + "\n";
}

/** The exit-code table of docs/troubleshooting.md (between its generated markers). */
export function exitCodesMarkdown(): string {
  const table = markdownTable(
    ["exit", "meaning", "for example"],
    EXIT_CODES.map((e) => [String(e.code), cell(e.meaning), cell(e.examples)]),
  );
  const note = RUN_EXIT_NOTE.replace("run -- COMMAND", "`run -- COMMAND`");
  return `${table}\n\n${wrap(note, HELP_WIDTH).join("\n")}\n`;
}

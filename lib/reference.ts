/**
 * The reference texts generated from the code's own tables: `help
 * environment`, docs/environment.md and the exit codes (for `--help` and
 * docs/troubleshooting.md). scripts/gen_docs.ts writes the docs blocks from
 * these functions; tests/project/docs_test.ts checks that code, help and docs agree.
 * Loaded only for help and docs, never on the `token` path.
 *
 * @module
 */

import type { ExitCode } from "./errors.ts";
import { ENVIRONMENT, type EnvVar, envVar } from "./environment.ts";

// ------------------------------------------------------------- groups

/** A heading of `help environment` and the variables under it, in print order. */
export interface EnvGroup {
  /** The heading. */
  readonly title: string;
  /** The variables under it, in print order. */
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
    names: ["OPENCODE_AUTH_CONTENT", "OPENCODE_CONFIG", "OPENCODE_CONFIG_DIR", "OPENCODE_DB"],
  },
  {
    title: "Claude Code session",
    names: [
      "CLAUDE_CONFIG_DIR",
      "CLAUDE_CODE_AUTH_CREDENTIALS_PATH",
      "CLAUDE_CODE_AUTH_KEYCHAIN_SERVICE",
      "CLAUDE_CODE_AUTH_KEYCHAIN_TIMEOUT_MS",
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
/** `text` in lines of at most `width` columns, broken between words (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
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
  /** The code. */
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
    examples: "also `refresh` on an API key or a long-lived token, `logout` with nothing " +
      "stored, `service uninstall` with nothing installed",
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
      "expired after running `claude`, an expired long-lived token",
  },
];

/** How `run -- COMMAND` and a cancelled run exit, which the table above does not cover. */
export const RUN_EXIT_NOTE: string =
  "run -- COMMAND exits with COMMAND's own exit code, or 128+N " +
  "when signal N ended it (130 for SIGINT, 143 for SIGTERM); before COMMAND starts, its own " +
  "failures use the codes above. Ctrl-C at any other point prints `cancelled` and exits 130 " +
  "(143 for SIGTERM, 129 for SIGHUP).";

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

/**
 * The exit codes of docs/troubleshooting.md (between its generated markers):
 * a list, one item per code with its examples, then the note on `run` and
 * signals. A list, not a table: the examples would pad every row to 250
 * columns.
 */
export function exitCodesMarkdown(): string {
  const items = EXIT_CODES.map((e) => {
    const [first, ...rest] = wrap(
      `**${e.code}** ${e.meaning}. For example: ${e.examples}.`,
      HELP_WIDTH - 2,
    );
    return [`- ${first}`, ...rest.map((line) => `  ${line}`)].join("\n");
  });
  const note = RUN_EXIT_NOTE.replace("run -- COMMAND", "`run -- COMMAND`");
  return `${items.join("\n")}\n\n${wrap(note, HELP_WIDTH).join("\n")}\n`;
}

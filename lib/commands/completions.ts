/** `completions SHELL`: print a completion script generated from the command table. */

import {
  COMMAND_NAMES,
  type CommandName,
  COMMANDS,
  GLOBAL_OPTIONS,
  type ParsedArgs,
  TABLE,
} from "../cli.ts";
import type { Context } from "../context.ts";
import { type ExitCode, PROGRAM } from "../errors.ts";

/** Options of `completions`. */
export interface CompletionsOptions {
  shell: "bash" | "zsh" | "fish";
}

function optionNames(command: CommandName): string[] {
  return [...Object.keys(TABLE[command].options), ...Object.keys(GLOBAL_OPTIONS)].map((name) =>
    `--${name}`
  );
}

function commandEntries(): [CommandName, (typeof TABLE)[CommandName]][] {
  return COMMAND_NAMES.map((name) => [name, TABLE[name]]);
}

/** The bash completion script. */
export function bashScript(): string {
  const fn = `_${PROGRAM.replaceAll("-", "_")}`;
  const cases = commandEntries().map(([command, spec]) => {
    // A command's positional choices (shell, action), or its options when typing a dash.
    const words = spec.positionals?.choices ?? [];
    return `    ${command}) words="${words.join(" ")}"; opts="${
      optionNames(command).join(" ")
    }" ;;`;
  }).join("\n");
  return `# bash completion for ${PROGRAM}
${fn}() {
  local cur prev command words opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --) return 0 ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    --method) COMPREPLY=($(compgen -W "${
    COMMANDS.login.options.method.choices.join(" ")
  }" -- "$cur")); return 0 ;;
    --auth-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  if [[ -z "$command" ]]; then
    COMPREPLY=($(compgen -W "${COMMAND_NAMES.join(" ")} --help --version" -- "$cur"))
    return 0
  fi
  case "$command" in
${cases}
    *) words=""; opts="" ;;
  esac
  if [[ -z "$words" || "$cur" == -* ]]; then words="$opts"; fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${PROGRAM}
`;
}

/** The zsh completion script. */
export function zshScript(): string {
  const commands = commandEntries()
    .map(([name, spec]) =>
      `    '${name}:${spec.summary.replaceAll("'", "'\\''").replaceAll(":", "\\:")}'`
    )
    .join("\n");
  const globals = Object.entries(GLOBAL_OPTIONS).map(([name, spec]) =>
    spec.type === "string"
      ? `'--${name}=[${spec.description.replaceAll("'", "")}]:${spec.value ?? "value"}:_files'`
      : `'--${name}[${spec.description.replaceAll("'", "")}]'`
  ).join(" ");
  const cases = commandEntries().map(([command, commandSpec]) => {
    const options = Object.entries(commandSpec.options).map(([name, spec]) => {
      const description = spec.description.replaceAll("'", "").replaceAll("[", "(").replaceAll(
        "]",
        ")",
      );
      if (spec.choices) {
        return `'--${name}=[${description}]:${spec.value ?? "value"}:(${spec.choices.join(" ")})'`;
      }
      if (spec.type === "string") return `'--${name}=[${description}]:${spec.value ?? "value"}: '`;
      return `'--${name}[${description}]'`;
    });
    const positional = commandSpec.positionals;
    if (positional) {
      options.push(`'1:${positional.name.toLowerCase()}:(${positional.choices.join(" ")})'`);
    }
    if (command === "run") {
      // After `--`, complete the command to run as if it were typed alone.
      return `    run)
      local dashes=\${words[(i)--]}
      if (( dashes < CURRENT )); then
        shift $dashes words
        (( CURRENT -= dashes ))
        _normal
      else
        _arguments '--[then the command to run]' ${globals}
      fi ;;`;
    }
    return `    ${command}) _arguments ${[...options, globals].join(" ")} ;;`;
  }).join("\n");
  return `#compdef ${PROGRAM}
_${PROGRAM.replaceAll("-", "_")}() {
  local -a commands
  commands=(
${commands}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  # _arguments reads $words from the command's own name on.
  local subcommand=$words[2]
  shift words
  (( CURRENT-- ))
  case "$subcommand" in
${cases}
  esac
}
compdef _${PROGRAM.replaceAll("-", "_")} ${PROGRAM}
`;
}

/** The fish completion script. */
export function fishScript(): string {
  const lines = [`# fish completion for ${PROGRAM}`, `complete -c ${PROGRAM} -f`];
  const names = COMMAND_NAMES.join(" ");
  for (const [name, spec] of commandEntries()) {
    lines.push(
      `complete -c ${PROGRAM} -n "not __fish_seen_subcommand_from ${names}" -a ${name} -d '${
        spec.summary.replaceAll("'", "\\'")
      }'`,
    );
    for (const [option, optionSpec] of Object.entries(spec.options)) {
      const args = optionSpec.choices
        ? ` -x -a '${optionSpec.choices.join(" ")}'`
        : optionSpec.type === "string"
        ? " -r"
        : "";
      lines.push(
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}" -l ${option}${args} -d '${
          optionSpec.description.replaceAll("'", "\\'")
        }'`,
      );
    }
  }
  for (const [name, spec] of commandEntries()) {
    if (!spec.positionals) continue;
    lines.push(
      `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}" -a '${
        spec.positionals.choices.join(" ")
      }'`,
    );
  }
  for (const [option, spec] of Object.entries(GLOBAL_OPTIONS)) {
    lines.push(
      `complete -c ${PROGRAM} -l ${option}${spec.type === "string" ? " -r -F" : ""} -d '${
        spec.description.replaceAll("'", "\\'")
      }'`,
    );
  }
  lines.push(`complete -c ${PROGRAM} -l version -d 'print the version'`);
  return lines.join("\n") + "\n";
}

/** Print the completion script for the shell. */
export function runCompletions(ctx: Context, options: CompletionsOptions): Promise<ExitCode> {
  const script = { bash: bashScript, zsh: zshScript, fish: fishScript }[options.shell]();
  ctx.ui.data(script);
  return Promise.resolve(0);
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"completions">): Promise<ExitCode> {
  return runCompletions(ctx, { shell: args.positional ?? "bash" });
}

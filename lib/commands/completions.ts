/**
 * `completions SHELL`: print a completion script generated from the command
 * table (lib/cli.ts), so completion never lists a flag the parser would refuse.
 *
 * @module
 */

import {
  COMMAND_NAMES,
  type CommandName,
  type COMMANDS,
  GLOBAL_OPTIONS,
  HELP_TOPICS,
  type OptionSpec,
  type ParsedArgs,
  TABLE,
} from "../cli.ts";
import type { Context, OutputContext } from "../context.ts";
import { type ExitCode, PROGRAM } from "../errors.ts";

/** The shells a script is printed for. */
export type Shell = (typeof COMMANDS.completions.positionals.choices)[number];

/** Options of `completions`. */
export interface CompletionsOptions {
  /** The shell to print the script for. */
  shell: Shell;
}

/** The name of the completion function (bash, zsh). */
const FUNCTION = `_${PROGRAM.replaceAll("-", "_")}`;

function optionNames(command: CommandName): string[] {
  return [...Object.keys(TABLE[command].options), ...Object.keys(GLOBAL_OPTIONS)].map((name) =>
    `--${name}`
  );
}

function commandEntries(): [CommandName, (typeof TABLE)[CommandName]][] {
  return COMMAND_NAMES.map((name) => [name, TABLE[name]]);
}

/** Every option of the table, global ones first, each once (an option may belong to several commands). */
function allOptions(): [string, OptionSpec][] {
  const seen = new Map<string, OptionSpec>(Object.entries(GLOBAL_OPTIONS));
  for (const [, spec] of commandEntries()) {
    for (const [name, option] of Object.entries(spec.options)) {
      if (!seen.has(name)) seen.set(name, option);
    }
  }
  return [...seen];
}

/** The options that take a value (`--auth-file PATH`): their value is not a command or an argument. */
function valuedOptions(): string[] {
  return allOptions().filter(([, spec]) => spec.type === "string").map(([name]) => `--${name}`);
}

/** What `help` completes: the commands and the help topics. */
const HELP_WORDS: readonly string[] = [...COMMAND_NAMES, ...HELP_TOPICS];

/**
 * Prints the profile names (the active one first) from this tool's
 * profiles.json, as its own writer lays it out (two-space JSON: the names are
 * the keys four spaces in); `default` without one. A file read, no process of
 * this tool: cheap enough for every <TAB>.
 */
const PROFILE_NAMES_SED =
  `sed -n -e 's/^  "active": "\\([A-Za-z0-9_-]*\\)",\\{0,1\\}$/\\1/p' -e 's/^    "\\([A-Za-z0-9_-]*\\)": {$/\\1/p'`;

/** The shell function (bash, zsh) that prints the profile names. */
const PROFILES_FUNCTION = `${FUNCTION}_profiles`;

/** The profile-name function for bash and zsh (the same POSIX shell and sed). */
function profilesFunction(): string {
  return `${PROFILES_FUNCTION}() {
  local file="\${XDG_CONFIG_HOME:-$HOME/.config}/${PROGRAM}/profiles.json"
  if [[ -r "$file" ]]; then ${PROFILE_NAMES_SED} "$file"; else echo default; fi
}`;
}

/** The top-level words: the commands, then `help`. */
const TOP_WORDS: readonly string[] = [...COMMAND_NAMES, "help"];

/** The words a command completes: its positional choices (or `--` for `run`), and its options. */
function bashCase(command: CommandName | "help"): string {
  if (command === "help") return `    help) words="${HELP_WORDS.join(" ")}"; opts="" ;;`;
  const spec = TABLE[command];
  const words = spec.takesCommand ? ["--"] : spec.positionals?.choices ?? [];
  const listed = spec.positionals?.completes === "profile"
    ? `$(${PROFILES_FUNCTION})`
    : words.join(" ");
  return `    ${command}) words="${listed}"; opts="${optionNames(command).join(" ")}" ;;`;
}

/** What the value of each option completes to in bash (choices, files, or nothing). */
function bashValueCases(): string {
  return allOptions().filter(([, spec]) => spec.type === "string").map(([name, spec]) => {
    const reply = spec.choices
      ? `COMPREPLY=($(compgen -W "${spec.choices.join(" ")}" -- "$cur"))`
      : spec.completes === "profile"
      ? `COMPREPLY=($(compgen -W "$(${PROFILES_FUNCTION})" -- "$cur"))`
      : spec.value === "PATH"
      ? `COMPREPLY=($(compgen -f -- "$cur"))`
      : "COMPREPLY=()";
    return `    --${name}) ${reply}; return 0 ;;`;
  }).join("\n");
}

/**
 * The bash completion script. It walks the words before the cursor as the
 * parser does: an option's value (`--auth-file PATH`, also `--opt=value`,
 * which bash splits at `=`) is neither the command nor its argument; after
 * the argument (`service install`) only options are offered; `help`
 * completes commands and topics; after `run --` the command to run is
 * completed as if typed alone (bash-completion's `_command_offset` when
 * loaded, else commands, then file names).
 */
export function bashScript(): string {
  const globals = [...Object.keys(GLOBAL_OPTIONS).map((name) => `--${name}`), "--version"];
  const cases = [...COMMAND_NAMES, "help" as const].map(bashCase).join("\n");
  return `# bash completion for ${PROGRAM}
${profilesFunction()}
${FUNCTION}() {
  local cur prev command="" positional="" start=0 i word words="" opts=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ "$cur" == "=" ]]; then
    cur=""
  elif [[ "$prev" == "=" ]]; then
    prev="\${COMP_WORDS[COMP_CWORD-2]}"
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      ${valuedOptions().join("|")})
        if [[ "\${COMP_WORDS[i+1]}" == "=" ]]; then ((i += 2)); else ((i += 1)); fi ;;
      --)
        if [[ "$command" == run ]]; then start=$((i + 1)); break; fi ;;
      -*) ;;
      *)
        if [[ -z "$command" ]]; then
          command="$word"
        elif [[ "$command" == run ]]; then
          start=$i; break
        elif [[ -z "$positional" ]]; then
          positional="$word"
        fi ;;
    esac
  done
  if ((start > 0)); then
    if declare -F _command_offset >/dev/null; then
      _command_offset "$start"
    elif ((start == COMP_CWORD)); then
      COMPREPLY=($(compgen -c -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
  case "$prev" in
${bashValueCases()}
  esac
  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then words="${globals.join(" ")}"; else words="${
    TOP_WORDS.join(" ")
  }"; fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi
  case "$command" in
${cases}
    *) words=""; opts="" ;;
  esac
  if [[ -n "$positional" || -z "$words" || "$cur" == -* ]]; then words="$opts"; fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${FUNCTION} ${PROGRAM}
`;
}

/** The zsh `_arguments` action that offers the profile names. */
const ZSH_PROFILES = `{compadd -- \${(f)"$(${PROFILES_FUNCTION})"}}`;

/** One zsh `_arguments` spec per option (its description, placeholder and choices or files). */
function zshOptionSpec(name: string, spec: OptionSpec): string {
  const description = spec.description.replaceAll("'", "").replaceAll("[", "(")
    .replaceAll("]", ")");
  if (spec.completes === "profile") {
    return `'--${name}=[${description}]:${spec.value ?? "value"}:${ZSH_PROFILES}'`;
  }
  if (spec.choices) {
    return `'--${name}=[${description}]:${spec.value ?? "value"}:(${spec.choices.join(" ")})'`;
  }
  if (spec.type === "string") {
    return `'--${name}=[${description}]:${spec.value ?? "value"}:${
      spec.value === "PATH" ? "_files" : " "
    }'`;
  }
  return `'--${name}[${description}]'`;
}

/**
 * The zsh completion script. It finds the command as the parser does (the
 * global options and their values before it are skipped), hands `_arguments`
 * the words from the command's name on, completes commands and topics after
 * `help`, and after `run --` the command line to run (`_normal`).
 */
export function zshScript(): string {
  const commands = [
    ...commandEntries().map(([name, spec]) => [name, spec.summary] as const),
    ["help", "show help for a command, or a topic (environment)"] as const,
  ].map(([name, summary]) =>
    `    '${name}:${summary.replaceAll("'", "'\\''").replaceAll(":", "\\:")}'`
  ).join("\n");
  const globals = Object.entries(GLOBAL_OPTIONS).map(([name, spec]) => zshOptionSpec(name, spec))
    .join(" ");
  const cases = commandEntries().map(([command, commandSpec]) => {
    const options = Object.entries(commandSpec.options).map(([name, spec]) =>
      zshOptionSpec(name, spec)
    );
    const positional = commandSpec.positionals;
    if (positional) {
      const action = positional.completes === "profile"
        ? ZSH_PROFILES
        : `(${positional.choices.join(" ")})`;
      options.push(`'1:${positional.name.toLowerCase()}:${action}'`);
    }
    if (commandSpec.takesCommand) {
      // After `--`, complete the command to run as if it were typed alone.
      return `    ${command})
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
  });
  cases.push(`    help) _arguments '1:topic:(${HELP_WORDS.join(" ")})' ;;`);
  return `#compdef ${PROGRAM}
${profilesFunction()}
${FUNCTION}() {
  local -a commands
  commands=(
${commands}
  )
  # The command is the first word that is neither an option nor an option's value.
  local i=2
  while (( i < CURRENT )); do
    case $words[i] in
      ${valuedOptions().join("|")}) (( i += 2 )) ;;
      -*) (( i += 1 )) ;;
      *) break ;;
    esac
  done
  if (( i >= CURRENT )); then
    # On an option or a global option's value (\`--auth-file <TAB>\`): _arguments knows them.
    if (( i > CURRENT )) || [[ $words[CURRENT] == -* ]]; then
      _arguments ${globals} '--version[print the version]'
    else
      _describe 'command' commands
    fi
    return
  fi
  # _arguments reads $words from the command's own name on.
  local subcommand=$words[i]
  shift $(( i - 1 )) words
  (( CURRENT -= i - 1 ))
  case "$subcommand" in
${cases.join("\n")}
  esac
}
compdef ${FUNCTION} ${PROGRAM}
`;
}

/**
 * The fish completion script. A command's positional choices are offered
 * once (not again after `service install`), `help` completes commands and
 * topics, and after `run --` the command line to run is completed as if typed
 * alone (fish's `__fish_complete_subcommand`).
 */
export function fishScript(): string {
  const escape = (text: string) => text.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
  const names = TOP_WORDS.join(" ");
  const runHelper = `__${FUNCTION.slice(1)}_run_command`;
  const profilesHelper = `__${FUNCTION.slice(1)}_profiles`;
  const lines = [
    `# fish completion for ${PROGRAM}`,
    `complete -c ${PROGRAM} -f`,
    `function ${runHelper} -d 'complete the command line after run --'`,
    "    set -l tokens (commandline -cop) (commandline -ct)",
    "    set -l dashes (contains -i -- -- $tokens)",
    "    if test $dashes -lt (count $tokens)",
    "        __fish_complete_subcommand --commandline $tokens[(math $dashes + 1)..-1]",
    "    else",
    '        __fish_complete_subcommand --commandline ""',
    "    end",
    "end",
    `function ${profilesHelper} -d 'the profile names'`,
    "    set -l config $HOME/.config",
    "    set -q XDG_CONFIG_HOME; and set config $XDG_CONFIG_HOME",
    `    set -l file $config/${PROGRAM}/profiles.json`,
    `    if test -r $file; ${PROFILE_NAMES_SED} $file; else; echo default; end`,
    "end",
  ];
  const commandNames = [
    ...commandEntries().map(([name, spec]) => [name, spec.summary] as const),
    ["help", "show help for a command, or a topic"] as const,
  ];
  for (const [name, summary] of commandNames) {
    lines.push(
      `complete -c ${PROGRAM} -n "not __fish_seen_subcommand_from ${names}" -a ${name} -d '${
        escape(summary)
      }'`,
    );
  }
  for (const [name, spec] of commandEntries()) {
    for (const [option, optionSpec] of Object.entries(spec.options)) {
      const args = optionSpec.completes === "profile"
        ? ` -x -a '(${profilesHelper})'`
        : optionSpec.choices
        ? ` -x -a '${optionSpec.choices.join(" ")}'`
        : optionSpec.type === "string"
        ? optionSpec.value === "PATH" ? " -r -F" : " -x"
        : "";
      lines.push(
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}" -l ${option}${args} -d '${
          escape(optionSpec.description)
        }'`,
      );
    }
    if (spec.positionals?.completes === "profile") {
      lines.push(
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}" -a '(${profilesHelper})'`,
      );
    } else if (spec.positionals) {
      const choices = spec.positionals.choices.join(" ");
      lines.push(
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}; and not __fish_seen_subcommand_from ${choices}" -a '${choices}'`,
      );
    }
    if (spec.takesCommand) {
      lines.push(
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}; and not contains -- -- (commandline -opc)" -a '--' -d 'then the command to run'`,
        `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from ${name}; and contains -- -- (commandline -opc)" -x -a '(${runHelper})'`,
      );
    }
  }
  lines.push(
    `complete -c ${PROGRAM} -n "__fish_seen_subcommand_from help; and not __fish_seen_subcommand_from ${
      HELP_WORDS.join(" ")
    }" -a '${HELP_WORDS.join(" ")}'`,
  );
  for (const [option, spec] of Object.entries(GLOBAL_OPTIONS)) {
    lines.push(
      `complete -c ${PROGRAM} -l ${option}${spec.type === "string" ? " -r -F" : ""} -d '${
        escape(spec.description)
      }'`,
    );
  }
  lines.push(`complete -c ${PROGRAM} -l version -d 'print the version'`);
  return lines.join("\n") + "\n";
}

/** A PowerShell single-quoted string (a quote is doubled). */
function psQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A PowerShell array literal of single-quoted strings. */
function psArray(words: readonly string[]): string {
  return `@(${words.map(psQuote).join(", ")})`;
}

/**
 * The PowerShell completion script (`Register-ArgumentCompleter -Native`,
 * for the name with and without `.exe`). The same walk as bash: option
 * values skipped, a command's argument offered once, `help` topics, and
 * after `run --` command names (then PowerShell's own path completion).
 */
export function powershellScript(): string {
  const table = (entries: [string, readonly string[]][]) =>
    entries.map(([key, words]) => `    ${psQuote(key)} = ${psArray(words)}`).join("\n");
  const options = table(COMMAND_NAMES.map((name) => [name, optionNames(name)]));
  const positionals = table([
    ...commandEntries().filter(([, spec]) => spec.positionals).map((
      [name, spec],
    ) => [name, spec.positionals!.choices] as [string, readonly string[]]),
    ["help", HELP_WORDS],
  ]);
  const choices = table(
    allOptions().filter(([, spec]) => spec.choices).map((
      [name, spec],
    ) => [`--${name}`, spec.choices!] as [string, readonly string[]]),
  );
  const files = allOptions().filter(([, spec]) => spec.type === "string" && spec.value === "PATH")
    .map(([name]) => `--${name}`);
  const runners = COMMAND_NAMES.filter((name) => TABLE[name].takesCommand);
  const globals = [...Object.keys(GLOBAL_OPTIONS).map((name) => `--${name}`), "--version"];
  return `# PowerShell completion for ${PROGRAM}
# Load it in your profile: ${PROGRAM} completions powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName ${
    psArray([PROGRAM, `${PROGRAM}.exe`])
  } -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $topWords = ${psArray(TOP_WORDS)}
  $globalOptions = ${psArray(globals)}
  $valued = ${psArray(valuedOptions())}
  $fileOptions = ${psArray(files)}
  $runners = ${psArray(runners)}
  $options = @{
${options}
  }
  $positionals = @{
${positionals}
  }
  $choices = @{
${choices}
  }
  # The words before the one being completed.
  $words = @()
  foreach ($element in $commandAst.CommandElements) {
    if ($element.Extent.StartOffset -ge $cursorPosition) { break }
    $words += $element.Extent.Text
  }
  if ($wordToComplete -ne '' -and $words.Count -gt 0) {
    $words = @($words | Select-Object -First ($words.Count - 1))
  }
  $command = $null
  $positional = $null
  $start = 0
  for ($i = 1; $i -lt $words.Count; $i++) {
    $word = $words[$i]
    if ($valued -contains $word) { $i++; continue }
    if ($word -eq '--') {
      if ($runners -contains $command) { $start = $i + 1; break }
      continue
    }
    if ($word.StartsWith('-')) { continue }
    if ($null -eq $command) { $command = $word }
    elseif ($runners -contains $command) { $start = $i; break }
    elseif ($null -eq $positional) { $positional = $word }
  }
  $candidates = @()
  $prev = if ($words.Count -gt 0) { $words[$words.Count - 1] } else { '' }
  if ($start -gt 0) {
    if ($start -eq $words.Count) {
      $candidates = @(Get-Command -Name "$wordToComplete*" -CommandType Application, Cmdlet, Function, Alias -ErrorAction SilentlyContinue | ForEach-Object { $_.Name })
    }
  } elseif ($choices.ContainsKey($prev)) {
    $candidates = $choices[$prev]
  } elseif ($fileOptions -contains $prev) {
    return
  } elseif ($valued -contains $prev) {
    $candidates = @()
  } elseif ($null -eq $command) {
    $candidates = if ($wordToComplete.StartsWith('-')) { $globalOptions } else { $topWords }
  } elseif ($null -eq $positional -and -not $wordToComplete.StartsWith('-') -and $positionals.ContainsKey($command)) {
    $candidates = $positionals[$command]
  } elseif ($command -ne 'help' -and $options.ContainsKey($command)) {
    $candidates = $options[$command]
    if ($runners -contains $command -and -not $wordToComplete.StartsWith('-')) { $candidates = @('--') }
  }
  if ($candidates.Count -eq 0) { return }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

/** Print the completion script for the shell. */
export function runCompletions(ctx: OutputContext, options: CompletionsOptions): Promise<ExitCode> {
  const scripts: Record<Shell, () => string> = {
    bash: bashScript,
    zsh: zshScript,
    fish: fishScript,
    powershell: powershellScript,
  };
  ctx.ui.data(scripts[options.shell]());
  return Promise.resolve(0);
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"completions">): Promise<ExitCode> {
  return runCompletions(ctx, { shell: args.positional ?? "bash" });
}

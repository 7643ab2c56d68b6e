/** Hostile command lines: unknown and misspelt flags, missing values, repeats, `--` misuse. */

import {
  AUTH,
  type HostileCase,
  hostileCases,
  OTHERS_TEXT,
  STATE,
  STATE_DIR,
  storeApiKey,
  writeAuthText,
} from "../helpers/hostile_corpus.ts";

/** A command line that must be refused as a usage error (exit 2) before anything happens. */
function usage(args: string[], message: RegExp, stdin?: string): HostileCase {
  return {
    name: args.map((a) => JSON.stringify(a.length > 30 ? `${a.slice(0, 30)}…` : a)).join(" ") ||
      "(nothing)",
    args,
    stdin,
    setup: (f) => writeAuthText(f.box, OTHERS_TEXT),
    exit: 2,
    message,
  };
}

const KEY = "sk-ant-api03-flags-0123456789abcdef";

hostileCases("command line", [
  usage(["tokne"], /unknown command 'tokne'/),
  usage(["status", "--jsno"], /unknown option '--jsno' for 'status'/),
  usage(["login", "--method"], /'--method' needs a value/),
  usage(["login", "--method="], /'--method' needs a value/),
  usage(["login", "--method", "--no-browser"], /'--method' needs a value/),
  usage(["login", "--method", "password"], /invalid value 'password' for '--method'/),
  usage(["login", "--method", "API-KEY"], /invalid value 'API-KEY'/),
  usage(["login", "--method", "api-key", "--method", "browser"], /'--method' was given twice/, KEY),
  usage(
    ["--auth-file", "/a/auth.json", "--auth-file", "/b/auth.json", "logout"],
    /'--auth-file' was given twice/,
  ),
  usage(
    ["login", "--method", "api-key", "--create-api-key"],
    /--create-api-key works with --method browser only/,
    KEY,
  ),
  usage(["token", "extra"], /unexpected argument 'extra' for 'token'/),
  usage(["token", "--", "extra"], /unexpected argument 'extra' for 'token'/),
  usage(["--", "token"], /'--' must come after a command/),
  usage(["--"], /'--' must come after a command/),
  usage(["run"], /'run' needs a command to run after --/),
  usage(["run", "--"], /'run' needs a command to run after --/),
  usage(["-x"], /unknown option '-x'/),
  usage(["-"], /unknown command '-'/),
  usage(["--debug=1", "token"], /'--debug' takes no value/),
  usage(["refresh", "--force=yes"], /'--force' takes no value/),
  usage(["token", "--auth-file"], /'--auth-file' needs a value/),
  usage(["--auth-file=", "token"], /'--auth-file' needs a value/),
  usage(["completions", "tcsh"], /invalid SHELL 'tcsh'/),
  usage(["completions", "bash", "zsh"], /needs exactly one SHELL/),
  usage(["status", `--${"x".repeat(100_000)}`], /unknown option '--x{78}…' for 'status'/),
  usage([`${"y".repeat(100_000)}`], /unknown command 'y{80}…'/),
  usage(["status", "--\u001b[31mred\u0007"], /unknown option '--\\x1b\[31mred\\x07'/),
  usage(["login", "--method", "api-key\nbrowser"], /invalid value 'api-key\\nbrowser'/),
  {
    name: "repeated boolean flags and the same value twice are fine",
    args: ["--quiet", "token", "--quiet", "--auth-file", "x", "--auth-file=x"],
    setup: async (f) => {
      const key = await storeApiKey(f.box);
      f.vars.key = key;
      await Deno.copyFile(f.box.authFile, `${f.box.root}/x`);
    },
    exit: 0,
    stdout: ({ vars }) => `${vars.key}\n`,
  },
  {
    name: "--no-browser twice with a working api-key login",
    args: ["login", "--no-browser", "--method", "api-key", "--no-browser"],
    stdin: KEY,
    setup: async (f) => {
      f.box.plant(KEY);
      await writeAuthText(f.box, OTHERS_TEXT);
    },
    exit: 0,
    changes: [AUTH, STATE, STATE_DIR],
  },
]);

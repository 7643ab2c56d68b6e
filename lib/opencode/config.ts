/**
 * What OpenCode will do with an `oauth` entry for Anthropic. OpenCode 1.3 and
 * later removed built-in Anthropic OAuth: without a plugin that handles it,
 * an `oauth` entry gives "Anthropic API key is missing". This module finds
 * OpenCode's configured plugins (config files and local plugin folders).
 *
 * @module
 */

import type { EnvContext } from "../context.ts";
import { homeDir } from "../context.ts";
import { dirname, join } from "../fs/path.ts";
import { MAX_CONFIG_FILE_BYTES, readBoundedText } from "../fs/read.ts";
import { isPlainObject, parseJson } from "../json.ts";

/** A warning and its fix, each short enough for one line of a narrow terminal. */
export interface Advice {
  /** What is wrong. */
  warning: string;
  /** What to do about it. */
  fix: string;
}

/** Said after storing an `oauth` entry that no plugin in OpenCode 1's config will consume. */
export const OAUTH_NOT_CONSUMED: Advice = {
  warning:
    'OpenCode 1.3+ ignores an `oauth` entry without a plugin ("Anthropic API key is missing")',
  fix: "add an OAuth plugin, or store an API key (`login --method api-key` or `--create-api-key`)",
};

/** The same for OpenCode 2, whose plugins are listed under `plugins`. */
export const OAUTH_NOT_CONSUMED_V2: Advice = {
  warning:
    "OpenCode 2 uses an `oauth` credential only through a plugin under `plugins`: none found",
  fix: "add one (not `plugin`: OpenCode 1's key), or use an API key: `login --method api-key`",
};

/** Plugin names or files that look like Anthropic/Claude OAuth handlers. */
const OAUTH_PLUGIN = /anthropic|claude/i;

/**
 * Remove // and /* comments and trailing commas from JSONC, leaving the
 * contents of strings alone. Linear in the text's length: a committed
 * config file full of `,}` must not stall `doctor` or `login`.
 */
export function stripJsonc(text: string): string {
  const out: string[] = [];
  // Index in `out` of the last piece that is not blank, to drop a trailing comma.
  let last = -1;
  const emit = (piece: string, blank = false) => {
    out.push(piece);
    if (!blank) last = out.length - 1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      emit(text.slice(start, i + 1));
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      emit("\n", true);
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
      emit(" ", true);
    } else if (ch === "}" || ch === "]") {
      // A comma outside strings followed only by blanks is a trailing comma.
      if (last >= 0 && out[last] === ",") out[last] = "";
      emit(ch);
    } else {
      emit(ch, /\s/.test(ch));
    }
  }
  return out.join("");
}

/** OpenCode's global config directory. */
export function opencodeConfigDir(ctx: EnvContext): string {
  const base = ctx.env.get("XDG_CONFIG_HOME") || join(homeDir(ctx.env, ctx.os), ".config");
  return join(base, "opencode");
}

/**
 * Project folders OpenCode reads config from: the current directory and its
 * parents, up to the repository root (the folder holding `.git`) or the
 * filesystem root. Nearest first.
 */
export function projectDirs(cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = cwd;; dir = dirname(dir)) {
    dirs.push(dir);
    let isRoot = false;
    try {
      Deno.statSync(join(dir, ".git"));
      isRoot = true;
    } catch {
      // Not the repository root.
    }
    if (isRoot || dirname(dir) === dir) return dirs;
  }
}

/** Config files OpenCode may read: global, custom, then the project's (nearest first). */
export function configFileCandidates(ctx: EnvContext): string[] {
  const dirs = [opencodeConfigDir(ctx)];
  const customDir = ctx.env.get("OPENCODE_CONFIG_DIR");
  if (customDir) dirs.push(customDir);
  const files = dirs.flatMap((dir) =>
    ["opencode.json", "opencode.jsonc", "config.json"].map((name) => join(dir, name))
  );
  const custom = ctx.env.get("OPENCODE_CONFIG");
  if (custom) files.push(custom);
  const cwd = ctx.cwd();
  if (cwd) {
    for (const project of projectDirs(cwd)) {
      for (const dir of [project, join(project, ".opencode")]) {
        files.push(join(dir, "opencode.json"), join(dir, "opencode.jsonc"));
      }
    }
  }
  return files;
}

/** What was found about OpenCode's plugins. */
export interface PluginScan {
  /** Config files that exist and were read. */
  files: string[];
  /** Every plugin OpenCode 1 loads (config key `plugin`, and local plugin files). */
  plugins: string[];
  /** Those that look like they handle Anthropic OAuth. */
  oauthPlugins: string[];
  /** Every plugin OpenCode 2 loads (config key `plugins`; OpenCode 1 plugins do not load there). */
  pluginsV2: string[];
  /** Those that look like they handle Anthropic OAuth. */
  oauthPluginsV2: string[];
  /** Config files that could not be parsed. */
  unreadable: string[];
}

async function listPluginFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (/\.(m?[jt]s)$/.test(entry.name)) names.push(join(dir, entry.name));
    }
  } catch {
    // No such folder: no local plugins there.
  }
  return names;
}

/** Find OpenCode's configured plugins. */
export async function scanPlugins(ctx: EnvContext): Promise<PluginScan> {
  const scan: PluginScan = {
    files: [],
    plugins: [],
    oauthPlugins: [],
    pluginsV2: [],
    oauthPluginsV2: [],
    unreadable: [],
  };
  for (const file of configFileCandidates(ctx)) {
    let text: string | null;
    try {
      // Bounded and regular files only: a project may commit `opencode.json -> /dev/zero`.
      text = readBoundedText(file, {
        maxBytes: MAX_CONFIG_FILE_BYTES,
        what: "OpenCode's config file",
      });
    } catch {
      scan.unreadable.push(file);
      continue;
    }
    if (text === null) continue;
    scan.files.push(file);
    const parsed = parseJson(stripJsonc(text));
    if ("problem" in parsed) {
      scan.unreadable.push(file);
      continue;
    }
    const config = parsed.value;
    if (!isPlainObject(config)) continue;
    // `plugin` is OpenCode 1's key, `plugins` OpenCode 2's: neither loads the other's.
    for (const [key, into] of [["plugin", scan.plugins], ["plugins", scan.pluginsV2]] as const) {
      const list = Object.hasOwn(config, key) ? config[key] : undefined;
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const name = typeof item === "string" ? item : Array.isArray(item) ? item[0] : undefined;
        if (typeof name === "string") into.push(name);
      }
    }
  }
  // Local plugin files: the global config folder's, and each project `.opencode` folder's.
  const pluginHomes = [opencodeConfigDir(ctx)];
  const customDir = ctx.env.get("OPENCODE_CONFIG_DIR");
  if (customDir) pluginHomes.push(customDir);
  const cwd = ctx.cwd();
  if (cwd) pluginHomes.push(...projectDirs(cwd).map((dir) => join(dir, ".opencode")));
  for (const home of pluginHomes) {
    for (const dir of [join(home, "plugin"), join(home, "plugins")]) {
      scan.plugins.push(...await listPluginFiles(dir));
    }
  }
  scan.oauthPlugins = scan.plugins.filter((name) => OAUTH_PLUGIN.test(name));
  scan.oauthPluginsV2 = scan.pluginsV2.filter((name) => OAUTH_PLUGIN.test(name));
  return scan;
}

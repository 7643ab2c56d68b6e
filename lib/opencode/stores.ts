/**
 * Where OpenCode's credential stores are, and whether OpenCode 2's exists.
 * On `token`'s start-up path: it only computes a path and stats a file, so
 * SQLite (lib/opencode/database.ts) loads only when the database is there.
 *
 * @module
 */

import { dirname, join } from "../fs/path.ts";

/** The kinds of store, as `status --json` names them. */
export type StoreKind = "opencode1-auth-json" | "opencode2-db";

/** What the store needs of the environment. */
interface EnvReader {
  get(name: string): string | undefined;
}

/**
 * OpenCode 2's database: `$OPENCODE_DB` when set, else `opencode.db` beside
 * auth.json. For the default auth.json that is OpenCode 2's own default
 * (`$XDG_DATA_HOME/opencode/opencode.db`, else `~/.local/share/opencode/`);
 * with `--auth-file` it is the database of that data folder, so a scheduled
 * job, which always names its auth.json, keeps writing the same two stores.
 */
export function databaseFileFor(env: EnvReader, authFile: string): string {
  return env.get("OPENCODE_DB") || join(dirname(authFile), "opencode.db");
}

/** Whether OpenCode 2's database exists at `path` (this tool never creates it). */
export function databaseExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

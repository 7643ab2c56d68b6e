/**
 * Profiles: several sign-ins, one of them the credential OpenCode uses. The
 * active profile lives where it always did (auth.json, OpenCode 2's
 * database, state.json). The inactive ones live in this tool's own
 * `profiles.json` next to the state file, 0600, written atomically and only
 * under the auth file's lock (lib/store.ts's Transaction), each with its
 * state (source, account, the `mintedRefresh` proof of lib/ownership.ts) and
 * its secret; when OpenCode 2's database exists the secret lives only in the
 * profile's own row there (profiles.json keeps the row id), so a plugin that
 * refreshes the row in place leaves no stale copy. Without a profiles file
 * there is one profile, `default`. `token` never reads this file.
 *
 * @module
 */

import { type AnthropicEntry, sameEntry } from "./credential_types.ts";
import { FailureError, UsageError } from "./errors.ts";
import { dirname, join } from "./fs/path.ts";
import { MAX_STATE_FILE_BYTES, readBoundedText } from "./fs/read.ts";
import { isPlainObject, parseJsonObject } from "./json.ts";
import { lazyImport } from "./lazy.ts";
import { parseEntry } from "./opencode/entry.ts";
import { sameFile } from "./ownership.ts";
import { registerSecret } from "./redact.ts";
import { parseState, type StateFields } from "./state.ts";

/** The one profile there is without `--profile`. */
export const DEFAULT_PROFILE = "default";

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `name` is a valid profile name (letters, digits, `-`, `_`, at most 64). */
export function isProfileName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/**
 * `name` checked as a profile name, or exit 2. The name is not echoed: a
 * mistyped command line may hold a pasted secret in its place.
 */
export function checkProfileName(name: string): string {
  if (isProfileName(name)) return name;
  throw new UsageError(
    "invalid profile name: use letters, digits, `-` and `_`, at most 64 characters",
  );
}

/**
 * An inactive profile: its credential and the state that travels with it.
 * With OpenCode 2's database as the store, the credential lives only in the
 * profile's row (`state.row`): profiles.json then holds no secret of it (a
 * plugin refreshing the row in place leaves no stale copy behind), and
 * `entry` is what the row held when read.
 */
export interface SavedProfile {
  /** The credential, as OpenCode 1 stores it. */
  entry: AnthropicEntry;
  /** Source, account, refresh bookkeeping and row id (never the file or fingerprint it applied to). */
  state: StateFields | null;
}

/** A profile row's credential by row id (null: gone or unusable); absent without a database. */
export type RowLookup = (row: string) => AnthropicEntry | null;

/** What profiles.json holds. */
export interface ProfilesFile {
  /** The profile whose credential is in OpenCode's stores (or was, until a logout). */
  active: string;
  /**
   * Set while a switch (or `login --profile`) replaces the active credential:
   * the profile being made active. Whether it became so is decided by what
   * the store holds (see settle): a crash in between loses nothing.
   */
  switching?: string;
  /** The inactive profiles by name (a crash mid-switch may leave the active one here too). */
  profiles: Record<string, SavedProfile>;
}

/** The profiles file of a state file: next to it. */
export function profilesFileFor(stateFile: string): string {
  return join(dirname(stateFile), "profiles.json");
}

/** Whether a profiles file exists (the only cost when nobody uses profiles). */
export function hasProfilesFile(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The profiles of a tool that never saw `--profile`. */
export function noProfiles(): ProfilesFile {
  return { active: DEFAULT_PROFILE, profiles: {} };
}

function damaged(path: string, why: string): FailureError {
  return new FailureError(
    `the profiles file ${path} is damaged (${why}); it was left as it is`,
    "fix it by hand or move it aside (its inactive sign-ins are in it)",
  );
}

/** Register an entry's secrets, so that no output prints them. */
function registerEntrySecrets(entry: AnthropicEntry): void {
  if (entry.type === "api") registerSecret(entry.key);
  else {
    registerSecret(entry.access);
    registerSecret(entry.refresh);
  }
}

/** A profile whose row is gone (or no database to hold it): dropped, it has no credential. */
const NO_ROW = Symbol("no row");

function parseProfile(value: unknown, rows?: RowLookup): SavedProfile | string | typeof NO_ROW {
  if (!isPlainObject(value)) return "a profile is not an object";
  if (value.entry === undefined && isPlainObject(value.state)) {
    const state = parseState(value.state);
    if (!state?.row) return "a profile has neither a credential nor a row";
    const entry = rows?.(state.row) ?? null;
    if (!entry) return NO_ROW;
    registerEntrySecrets(entry);
    const { authFile: _file, describes: _fingerprint, ...fields } = state;
    return { entry, state: fields };
  }
  const parsed = parseEntry(value.entry);
  if ("problem" in parsed) return parsed.problem;
  const entry = parsed.entry;
  registerEntrySecrets(entry);
  if (value.state === null || value.state === undefined) return { entry, state: null };
  const state = parseState(value.state);
  if (!state) return "a profile's state has no known source";
  const { authFile: _file, describes: _fingerprint, ...fields } = state;
  return { entry, state: fields };
}

/** The profiles file holds another auth file's profiles (`--auth-file`): not this one's. */
export class OtherAuthFileError extends FailureError {
  /** The profiles file at `path` was made for `owner`, not for `authFile`. */
  constructor(path: string, owner: string, authFile: string) {
    super(
      `the profiles in ${path} belong to ${owner}, not ${authFile}`,
      `pass --auth-file ${owner} to use them, or move the file aside`,
    );
  }
}

/**
 * Read and check profiles.json, the profiles of `authFile`: a missing file is
 * the one implicit profile; anything damaged is refused with one line (never
 * overwritten silently), and so are the profiles of another auth file
 * (`--auth-file`): they are never switched into this one.
 */
export function readProfiles(path: string, authFile: string, rows?: RowLookup): ProfilesFile {
  let text: string | null;
  try {
    text = readBoundedText(path, { maxBytes: MAX_STATE_FILE_BYTES, what: "the profiles file" });
  } catch (error) {
    throw damaged(path, error instanceof Error ? error.message : String(error));
  }
  if (text === null) return noProfiles();
  const data = parseJsonObject(text);
  if (!data) throw damaged(path, "not a JSON object");
  if (typeof data.active !== "string" || !isProfileName(data.active)) {
    throw damaged(path, "no valid active profile name");
  }
  if (data.authFile !== undefined) {
    if (typeof data.authFile !== "string") throw damaged(path, "an auth file that is not text");
    if (!sameFile(data.authFile, authFile)) {
      throw new OtherAuthFileError(path, data.authFile, authFile);
    }
  }
  const file: ProfilesFile = { active: data.active, profiles: {} };
  if (data.switching !== undefined) {
    if (typeof data.switching !== "string" || !isProfileName(data.switching)) {
      throw damaged(path, "an invalid profile name being switched to");
    }
    file.switching = data.switching;
  }
  if (!isPlainObject(data.profiles)) throw damaged(path, "no profiles object");
  for (const [name, value] of Object.entries(data.profiles)) {
    if (!isProfileName(name)) throw damaged(path, "an invalid profile name");
    const profile = parseProfile(value, rows);
    if (profile === NO_ROW) continue;
    if (typeof profile === "string") throw damaged(path, `profile ${name}: ${profile}`);
    setProfile(file.profiles, name, profile);
  }
  return file;
}

/**
 * The profile named `name`, or undefined. Own keys only: a profile may be
 * named `__proto__` or `constructor`, which a plain lookup would find on
 * every object.
 */
export function profileOf(
  profiles: Record<string, SavedProfile>,
  name: string,
): SavedProfile | undefined {
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

/** Set profile `name` as an own key (an assignment to `__proto__` would set the prototype). */
export function setProfile(
  profiles: Record<string, SavedProfile>,
  name: string,
  profile: SavedProfile,
): void {
  Object.defineProperty(profiles, name, {
    value: profile,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Write profiles.json for `authFile` atomically, 0600 (the caller holds that file's lock). */
export async function writeProfiles(
  path: string,
  file: ProfilesFile,
  authFile: string,
): Promise<void> {
  const { removeStaleTempFiles, writeFileAtomic } = await lazyImport<
    typeof import("./fs/atomic.ts")
  >("lib/fs/atomic.ts");
  await removeStaleTempFiles(path);
  const { active, switching } = file;
  const profiles: Record<string, unknown> = {};
  for (const [name, profile] of Object.entries(file.profiles)) {
    // A profile with a row keeps its secret there only.
    const stored = profile.state?.row ? { state: profile.state } : profile;
    Object.defineProperty(profiles, name, { value: stored, enumerable: true });
  }
  const text = JSON.stringify({ authFile, active, switching, profiles }, null, 2);
  await writeFileAtomic(path, text + "\n");
}

/**
 * The profiles as they stand, given the entry OpenCode uses now: an
 * interrupted switch is settled (the target is active only if the store
 * holds its credential), and the active profile is not listed as inactive.
 */
export function settle(file: ProfilesFile, stored: AnthropicEntry | null): ProfilesFile {
  let active = file.active;
  const target = file.switching === undefined
    ? undefined
    : profileOf(file.profiles, file.switching);
  if (file.switching !== undefined && target && sameEntry(target.entry, stored)) {
    active = file.switching;
  }
  const profiles = { ...file.profiles };
  // What the store holds wins over a copy left by an interrupted switch.
  delete profiles[active];
  return { active, profiles };
}

/** Every profile name, the active one first, for listings and errors. */
export function profileNames(file: ProfilesFile): string[] {
  const others = Object.keys(file.profiles).filter((name) => name !== file.active).sort();
  return [file.active, ...others];
}

/**
 * What the commands do with profiles, each under the auth file's lock through
 * lib/store.ts's Transaction: replace the active credential (switch, `login
 * --profile`) saving the outgoing one first, remove one, list them, and keep
 * idle browser profiles alive. The switch is a compare-and-swap: what
 * OpenCode or a plugin stored since is what is saved, never an older copy.
 * With OpenCode 2's database a switch activates the profile's own row.
 *
 * @module
 */

import type { Context } from "./context.ts";
import {
  type AnthropicEntry,
  type Method,
  refreshNotBefore,
  sameEntry,
} from "./credential_types.ts";
import { CliError, FailureError, PROGRAM, UsageError } from "./errors.ts";
import { lazyImport } from "./lazy.ts";
import type { OAuthCredential } from "./methods/method.ts";
import { ownershipOf } from "./ownership.ts";
import { decodeValue, TOOL_LABEL } from "./opencode/credential_row.ts";
import {
  DEFAULT_PROFILE,
  hasProfilesFile,
  noProfiles,
  OtherAuthFileError,
  profileNames,
  profileOf,
  type ProfilesFile,
  profilesFileFor,
  readProfiles,
  type RowLookup,
  type SavedProfile,
  setProfile,
  settle,
} from "./profiles.ts";
import {
  type AnthropicState,
  fingerprint,
  methodFor,
  readState,
  recordedFor,
  sourceOf,
  type StateFields,
} from "./state.ts";
import { loadStored, type Stored, type Transaction, withStore } from "./store.ts";

/** An idle browser profile is refreshed at least this often (the refresh token's lifetime is not published). */
export const IDLE_REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Whether OpenCode 2's database is the store: then every profile is a row of
 * its own, labelled with its name (see labelFor), and that row is its only store.
 */
function rowsAreTheStore(stored: Stored): boolean {
  return stored.database !== null && stored.database.refused === null;
}

/**
 * The label of profile `name`'s row: its name; but `default`'s row keeps the
 * label this tool always gave its one row (TOOL_LABEL): that is the row a
 * tool without profiles.json (`token`, a lost state folder, an older
 * version) still recognises as its own, and `default` is also the label
 * OpenCode 2's own import gives the user's row.
 */
export function labelFor(name: string): string {
  return name === DEFAULT_PROFILE ? TOOL_LABEL : name;
}

/** The credentials of profiles' rows, by row id (none without a usable database). */
function rowLookup(stored: Stored | null): RowLookup | undefined {
  if (!stored || !rowsAreTheStore(stored)) return undefined;
  const rows = stored.database!.rows;
  return (id) => {
    const row = rows.find((candidate) => candidate.id === id);
    if (!row) return null;
    const decoded = decodeValue(row.value);
    return "entry" in decoded ? decoded.entry : null;
  };
}

/** profiles.json under the lock, its rows read from the stores as `current` holds them. */
async function readProfilesOf(tx: Transaction, current: Stored): Promise<ProfilesFile> {
  return settle(await tx.readProfiles(rowLookup(current)), current.entry);
}

/** The profiles as they stand, read without the lock (listings, checks before the lock). */
export function currentProfiles(ctx: Context, stored: Stored | null): ProfilesFile {
  const path = profilesFileFor(ctx.stateFile);
  if (!hasProfilesFile(path)) return noProfiles();
  return settle(readProfiles(path, ctx.authFile, rowLookup(stored)), stored?.entry ?? null);
}

/**
 * The state that travels with the stored credential when it becomes
 * inactive: the state that describes it; else, when OpenCode or a plugin
 * rewrote the entry since, the recorded source, account and proof (the
 * proof is about the refresh token alone, lib/ownership.ts, so a rotated
 * token stays foreign).
 */
function outgoingState(ctx: Context, stored: Stored, entry: AnthropicEntry): StateFields {
  let state: AnthropicState | null = stored.state;
  if (!state) {
    const recorded = readState(ctx.stateFile);
    const fits = recorded !== null && recordedFor(recorded, ctx.authFile) &&
      (recorded.source === "api-key") === (entry.type === "api");
    state = fits ? recorded : null;
  }
  if (!state) {
    const method = sameEntry(entry, stored.entry) ? stored.method : null;
    return { source: sourceOf(method ?? methodFor(entry, null)) };
  }
  const { authFile: _file, describes: _fingerprint, ...fields } = state;
  return fields;
}

/**
 * This tool's credential now: the entry of the store OpenCode uses; but when
 * OpenCode 2 uses a row this tool did not write (the user activated it in
 * OpenCode 2), this tool's own row, whatever it holds (the user's row is
 * theirs and stays where it is; none of ours is active: null).
 */
function ownEntry(stored: Stored): AnthropicEntry | null {
  const database = stored.database;
  if (stored.used.kind !== "opencode2-db" || !database?.picked) return stored.entry;
  if (database.ours?.id === database.picked.id) return stored.entry;
  if (!database.ours) return null;
  const decoded = decodeValue(database.ours.value);
  return "entry" in decoded ? decoded.entry : null;
}

/**
 * This tool's credential now as a profile to keep, or null when there is
 * none. With OpenCode 2's database as the store, the profile keeps its row
 * (by id): whatever a plugin writes there later is what it holds.
 */
function outgoingProfile(ctx: Context, stored: Stored): SavedProfile | null {
  const entry = ownEntry(stored);
  if (!entry) return null;
  const described = sameEntry(entry, stored.entry) ? stored : { ...stored, state: null };
  const { row: _recorded, ...state } = outgoingState(ctx, described, entry);
  const row = rowsAreTheStore(stored) ? stored.database?.ours?.id : undefined;
  return { entry, state: row === undefined ? state : { ...state, row } };
}

/** The state a profile's credential gets when it becomes the active one. */
function incomingState(profile: SavedProfile): StateFields {
  return profile.state ?? { source: sourceOf(methodFor(profile.entry, null)) };
}

/** Exit 2 for a profile that does not exist, listing those that do (the active one if signed in). */
function unknownProfile(name: string, file: ProfilesFile, signedIn: boolean): UsageError {
  const names = signedIn ? profileNames(file) : Object.keys(file.profiles).sort();
  return new UsageError(
    `no profile named ${name}; the profiles are: ${names.join(", ") || "none"}`,
    `\`${PROGRAM} login --profile ${name}\` makes it`,
  );
}

/**
 * Under the lock: make `name` the active profile with `incoming`, saving the
 * stored credential into the outgoing profile first. `write` stores the new
 * credential (false: the store changed meanwhile; everything is read again).
 * profiles.json names the switch before the store is written and settles it
 * after, so a crash in between loses neither credential.
 */
async function replaceActive(
  ctx: Context,
  tx: Transaction,
  name: string,
  incoming: (file: ProfilesFile) => SavedProfile,
  write: (current: Stored, profile: SavedProfile) => Promise<boolean>,
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    const current = await tx.read();
    const file = await readProfilesOf(tx, current);
    const profile = incoming(file);
    const profiles = { ...file.profiles };
    const outgoing = file.active === name ? null : outgoingProfile(ctx, current);
    if (outgoing) setProfile(profiles, file.active, outgoing);
    const untouched = file.active === name && !hasProfilesFile(profilesFileFor(ctx.stateFile));
    if (!untouched) {
      await tx.writeProfiles({
        active: file.active,
        switching: name,
        profiles: {
          ...profiles,
          [name]: profile,
        },
      });
    }
    if (await write(current, profile)) {
      delete profiles[name];
      if (!untouched) await tx.writeProfiles({ active: name, profiles });
      return;
    }
    if (attempt >= 3) {
      throw new FailureError(
        "the stored credential kept changing while switching; nothing was lost, try again",
      );
    }
  }
}

/** `switch NAME`: "already" when NAME is the active profile. */
export async function switchProfile(ctx: Context, name: string): Promise<"switched" | "already"> {
  return await withStore(ctx, `switching to profile ${name}`, async (tx) => {
    const before = await tx.read();
    const file = await readProfilesOf(tx, before);
    const signedIn = before.entry !== null;
    if (file.active === name && signedIn) return "already";
    if (!profileOf(file.profiles, name)) throw unknownProfile(name, file, signedIn);
    await replaceActive(ctx, tx, name, (now) => {
      const target = profileOf(now.profiles, name);
      if (!target) throw unknownProfile(name, now, signedIn);
      return target;
    }, (current, target) => {
      if (!rowsAreTheStore(current)) {
        return tx.commit(current.entry, target.entry, incomingState(target));
      }
      const row = target.state?.row;
      // A profile saved before OpenCode 2's database existed gets its row now.
      if (row === undefined) {
        return tx.putRow(target.entry, incomingState(target), null, labelFor(name)).then(() =>
          true
        );
      }
      return tx.activate(row, labelFor(name), target.entry, incomingState(target));
    });
    return "switched";
  });
}

/**
 * `login --profile NAME`, under login's lock: store the signed-in `entry` as
 * the active credential of profile `name` (like gh, a new login is the
 * active one), the outgoing credential saved into its own profile first.
 */
export async function putAsProfile(
  ctx: Context,
  tx: Transaction,
  name: string,
  entry: AnthropicEntry,
  state: StateFields,
): Promise<void> {
  let active = false;
  let row: string | null = null;
  await replaceActive(ctx, tx, name, (file) => {
    // Its row, when it has one: the active profile's (ours), or the one profiles.json names.
    active = file.active === name;
    row = active ? null : profileOf(file.profiles, name)?.state?.row ?? null;
    return { entry, state };
  }, async (current) => {
    if (!rowsAreTheStore(current)) await tx.put(entry, state);
    else {
      const own = current.database?.ours?.id ?? null;
      await tx.putRow(entry, state, active ? own : row, labelFor(name));
    }
    return true;
  });
}

/** The active profile's name (for login's question and messages), read without the lock. */
export function activeProfileName(ctx: Context, stored: Stored | null): string {
  return currentProfiles(ctx, stored).active;
}

/**
 * `logout --profile NAME` for an inactive profile: remove it. "active" when
 * NAME is the active one (the caller signs out as plain `logout` does),
 * "absent" when there is no such profile.
 */
export async function removeProfile(
  ctx: Context,
  name: string,
): Promise<"active" | "removed" | "absent"> {
  if (!hasProfilesFile(profilesFileFor(ctx.stateFile))) {
    return name === DEFAULT_PROFILE ? "active" : "absent";
  }
  return await withStore(ctx, `removing profile ${name}`, async (tx) => {
    const current = await tx.read();
    const file = await readProfilesOf(tx, current);
    if (file.active === name) return "active";
    const profile = profileOf(file.profiles, name);
    if (!profile) return "absent";
    // Its row (its only store) goes first: a crash between leaves profiles.json naming
    // a row that is gone, which reads as no profile.
    if (profile.state?.row !== undefined) await tx.removeRow(profile.state.row);
    const profiles = { ...file.profiles };
    delete profiles[name];
    await tx.writeProfiles({ active: file.active, profiles });
    return "removed";
  });
}

/** One profile in `status` (never a secret). */
export interface ProfileListing {
  /** The profile's name. */
  name: string;
  /** The sign-in method that keeps it alive, or null when unknown. */
  method: Method | null;
  /** The kind of entry it holds. */
  type: "oauth" | "api";
  /** The account e-mail, or null. */
  account: string | null;
  /** When its token expires (epoch ms), or null for an API key. */
  expiresAt: number | null;
  /** Whether it is the credential OpenCode uses now. */
  active: boolean;
}

function listing(
  name: string,
  entry: AnthropicEntry,
  method: Method | null,
  email: string | undefined,
  active: boolean,
): ProfileListing {
  return {
    name,
    method,
    type: entry.type,
    account: email ?? null,
    expiresAt: entry.type === "oauth" ? entry.expires : null,
    active,
  };
}

/** Every profile that holds a credential, the active one first. */
export function listProfiles(ctx: Context, stored: Stored): ProfileListing[] {
  const file = currentProfiles(ctx, stored);
  const list: ProfileListing[] = [];
  if (stored.entry) {
    list.push(listing(file.active, stored.entry, stored.method, stored.state?.email, true));
  }
  for (const name of Object.keys(file.profiles).sort()) {
    const { entry, state } = profileOf(file.profiles, name)!;
    const method = methodFor(entry, state ? { ...state } : null);
    list.push(listing(name, entry, method, state?.email, false));
  }
  return list;
}

/**
 * Whether an inactive profile is to be refreshed now: a browser sign-in
 * whose refresh token this tool minted (the proof travels with the profile),
 * idle for 24 h or expired, outside the minimum interval, its refresh token
 * never refused. A Claude Code session is never refreshed while inactive.
 */
async function idleDue(ctx: Context, profile: SavedProfile, now: number): Promise<boolean> {
  const { entry, state } = profile;
  if (entry.type !== "oauth" || state?.source !== "browser-oauth") return false;
  const ownership = await ownershipOf({ ...state, authFile: ctx.authFile }, ctx.authFile, entry);
  if (ownership.kind !== "minted") return false;
  if (state.rejectedRefresh === await fingerprint(entry.refresh)) return false;
  const last = state.lastRefresh;
  const idle = last === undefined || !(last.at <= now) ? false : now - last.at >= IDLE_REFRESH_MS;
  if (!idle && entry.expires > now) return false;
  return refreshNotBefore(last, now, false) === null;
}

/**
 * `refresh` (and the service): refresh every idle inactive browser profile
 * (see idleDue), under the lock, each written back at once. Returns one line
 * per profile refreshed or failed; a failure does not stop the others.
 */
export async function refreshIdleProfiles(ctx: Context): Promise<string[]> {
  const path = profilesFileFor(ctx.stateFile);
  if (!hasProfilesFile(path)) return [];
  const now = ctx.now();
  let seen: ProfilesFile;
  try {
    seen = readProfiles(path, ctx.authFile, rowLookup(await loadStored(ctx)));
  } catch (error) {
    // Another auth file's profiles are refreshed by that file's runs, not this one's.
    if (error instanceof OtherAuthFileError) return [];
    throw error;
  }
  let any = false;
  for (const profile of Object.values(seen.profiles)) any ||= await idleDue(ctx, profile, now);
  if (!any) return [];
  const { browserMethod } = await lazyImport<typeof import("./methods/browser.ts")>(
    "lib/methods/browser.ts",
  );
  return await withStore(ctx, "refreshing idle profiles", async (tx) => {
    const lines: string[] = [];
    const current = await tx.read();
    const file = await readProfilesOf(tx, current);
    for (const name of Object.keys(file.profiles).sort()) {
      const profile = profileOf(file.profiles, name);
      if (!profile || !await idleDue(ctx, profile, now) || profile.entry.type !== "oauth") continue;
      const state: StateFields = profile.state ?? { source: "browser-oauth" };
      const credential: OAuthCredential = {
        ...current,
        entry: profile.entry,
        method: "browser",
        state: { ...state, authFile: ctx.authFile },
      };
      try {
        const renewal = await browserMethod.renew(ctx, credential, {
          now,
          marginMs: 0,
          ahead: true,
          force: true,
        });
        if (renewal.error) {
          setProfile(file.profiles, name, {
            entry: profile.entry,
            state: { ...state, ...renewal.state },
          });
          await tx.writeProfiles(file);
          throw renewal.error;
        }
        if (!renewal.entry || sameEntry(renewal.entry, profile.entry)) continue;
        const next = renewal.entry;
        const row = profile.state?.row;
        // The row is the profile's only store: compare-and-swap there, as OpenCode 2 may write it.
        if (row !== undefined && !await tx.updateRow(row, profile.entry, next)) {
          lines.push(`The idle profile ${name} changed while it was refreshed; kept as it is now.`);
          continue;
        }
        setProfile(file.profiles, name, {
          entry: next,
          state: {
            ...state,
            ...renewal.state,
            lastRefresh: { at: now, lifetimeMs: Math.max(0, next.expires - now) },
          },
        });
        // Written at once: a refresh token spent must land before the next request.
        await tx.writeProfiles(file);
        lines.push(`Refreshed the idle profile ${name}.`);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        lines.push(`The idle profile ${name} was not refreshed: ${error.message}`);
      }
    }
    return lines;
  });
}

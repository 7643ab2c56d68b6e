/**
 * The one small interface the sign-in methods share. A method obtains
 * a credential (login), looks at the stored one without the lock, and renews
 * it under the lock; it never reads or writes auth.json or the state file:
 * lib/usable.ts hands it the current entry and stores what it returns.
 *
 * lib/methods/ holds one file per method behind this interface and the table
 * that picks (index.ts), so adding a method touches no command.
 *
 * @module
 */

import type { Context } from "../context.ts";
import type { Due, Method, OAuthEntry, SignInResult } from "../credential_types.ts";
import type { CliError } from "../errors.ts";
import type { StateFields, StoredCredential } from "../store.ts";

/** Options of a sign-in (login). */
export interface AcquireOptions {
  /** Try to open the browser (off with --no-browser). */
  openBrowser: boolean;
  /** Sign in to the Console and store a newly minted API key instead. */
  createApiKey: boolean;
  /** Read a key from stdin even on a terminal (`--with-key`, like gh's `--with-token`). */
  withKey?: boolean;
  /** Read a key from this environment variable (`--from-env NAME`), never from argv. */
  fromEnv?: string;
  /** A long-lived token's expiry (epoch ms) from `--expires DATE`; default one year ahead. */
  expires?: number;
}

// Due lives in credential_types.ts, with isDue: a leaf the `token` path loads anyway.
export type { Due };

/** What a lock-free look at the stored credential decided. */
export type Inspection =
  /** The stored entry is usable as it is. */
  | { kind: "use"; note?: string }
  /** The method's own source holds a newer credential: store it (no token is spent). */
  | { kind: "adopt"; entry: OAuthEntry }
  /** Renewal is needed: take the lock and call `renew`. */
  | { kind: "renew" };

/** What a renewal produced. */
export interface Renewal {
  /** The entry to store, or null to keep the stored one. */
  entry: OAuthEntry | null;
  /** Whether `entry` holds a token that nobody had before us (for the minimum interval). */
  renewed: boolean;
  /** State fields to record with the entry. */
  state?: Partial<StateFields>;
  /** Something the user should know. */
  note?: string;
  /** A failure to report after `state` is recorded. */
  error?: CliError;
}

/** Whether a stale credential can be renewed here, without the user. */
export interface Renewability {
  /** Whether it can be renewed. */
  ok: boolean;
  /** Why, in a few words for `status`. */
  why: string;
  /** The entry's refresh token was not obtained here (lib/ownership.ts): said even while fresh. */
  foreign?: boolean;
}

/** A stored credential of the given method. */
export type CredentialOf<M extends Method> = Extract<StoredCredential, { method: M }>;

/** A stored OAuth credential (Claude Code session or browser sign-in). */
export type OAuthCredential = CredentialOf<"claude-code" | "browser">;

/** A stored long-lived token (`claude setup-token`). */
export type SetupTokenCredential = CredentialOf<"setup-token">;

/** A sign-in method, for the stored credentials it keeps alive. */
export interface SignInMethod<C extends StoredCredential = StoredCredential> {
  /** Obtain a credential (login): from the user, the browser or Claude Code. */
  acquire(ctx: Context, options: AcquireOptions): Promise<SignInResult>;
  /**
   * Look at the stored credential without the lock. A browser sign-in's
   * `current.state` may be left out here (lib/store.ts `ReadPurpose` "use").
   */
  inspect(ctx: Context, current: C, due: Due): Promise<Inspection>;
  /** Renew the credential, called under the lock with the entry re-read. */
  renew(ctx: Context, current: C, due: Due): Promise<Renewal>;
  /** For `status`: can a stale credential be renewed here? */
  renewability(ctx: Context, current: C): Promise<Renewability>;
}

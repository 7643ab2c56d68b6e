/**
 * The decisions of lib/renewal.ts, each tested directly (no lock, no files,
 * no server): who renews a browser-looking entry (the first rule: spend a
 * refresh token only on proof), whether the minimum interval holds a refresh
 * back (the second rule), and what a method's renewal leads to. The shell
 * that applies them under the lock is covered end to end by
 * tests/interval_test.ts, tests/storm_test.ts and tests/ownership_test.ts.
 */

import assert from "node:assert/strict";
import type { OAuthEntry } from "../lib/credential_types.ts";
import { FailureError } from "../lib/errors.ts";
import type { Renewal } from "../lib/methods/method.ts";
import type { Ownership } from "../lib/ownership.ts";
import {
  type IntervalVerdict,
  intervalVerdict,
  type RenewalOutcome,
  renewalOutcome,
  type Renewer,
  whoRenews,
} from "../lib/renewal.ts";
import type { AnthropicState, LastRefresh } from "../lib/state.ts";

const NOW = 1_800_000_000_000;
const HOUR = 3600_000;
const TOKEN_8H = 8 * HOUR;
const MINTED: Ownership = { kind: "minted" };

/** An OAuth entry expiring `expiresIn` ms after NOW. */
function oauth(access: string, expiresIn = HOUR): OAuthEntry {
  return { type: "oauth", access, refresh: `r-${access}`, expires: NOW + expiresIn };
}

Deno.test("whoRenews: Claude Code's tokens make a Claude Code session; otherwise only proof lets the browser sign-in spend the refresh token", () => {
  const cases: [string, Parameters<typeof whoRenews>[0], Renewer][] = [
    ["Claude Code's store holds its tokens", { claude: "yes" }, { kind: "claude-code" }],
    ["not Claude Code's, minted here", { claude: "no", ownership: MINTED }, { kind: "browser" }],
    [
      "Claude Code's store unreadable: the state decides (minted)",
      { claude: "unknown", ownership: MINTED },
      { kind: "browser" },
    ],
    [
      "not Claude Code's, rotated by another program",
      { claude: "no", ownership: { kind: "foreign", origin: "refreshed-elsewhere" } },
      { kind: "foreign", origin: "refreshed-elsewhere" },
    ],
    [
      "Claude Code's store unreadable, no proof: nobody renews it",
      { claude: "unknown", ownership: { kind: "foreign", origin: "unknown" } },
      { kind: "foreign", origin: "unknown" },
    ],
    [
      "a record from an older version is no proof",
      { claude: "no", ownership: { kind: "foreign", origin: "older-version" } },
      { kind: "foreign", origin: "older-version" },
    ],
  ];
  for (const [name, evidence, want] of cases) {
    assert.deepEqual(whoRenews(evidence), want, name);
  }
});

Deno.test("intervalVerdict: the minimum interval holds a refresh back, says until when, and tells an expired token apart", () => {
  const last = (agoMs: number, lifetimeMs = TOKEN_8H): LastRefresh => ({
    at: NOW - agoMs,
    lifetimeMs,
  });
  const auto = { force: false };
  const held = (wait: string, notBefore: number, expired: boolean): IntervalVerdict => ({
    kind: "hold",
    wait,
    expired,
    usable: { note: wait, notBefore, heldBack: true },
  });
  const RENEW: IntervalVerdict = { kind: "renew" };
  /** Forced 10 s after the last refresh: held back for the 30 s floor. */
  const forced10s = (expired: boolean) =>
    held(
      "refreshed 10s ago; not again before 08:00:20 UTC (in 20s) (the minimum interval between refreshes)",
      NOW + 20_000,
      expired,
    );
  const cases: [
    string,
    OAuthEntry,
    LastRefresh | undefined,
    typeof auto & {
      rejectedAccess?: string;
    },
    IntervalVerdict,
  ][] = [
    ["never refreshed", oauth("a"), undefined, auto, RENEW],
    ["automatic, 4 h after an 8 h token", oauth("a"), last(4 * HOUR), auto, RENEW],
    [
      "automatic, 10 s after an 8 h token: held for half its lifetime",
      oauth("a"),
      last(10_000),
      auto,
      held(
        "refreshed 10s ago; not again before 11:59:50 UTC (in 3h 59m) (the minimum interval between refreshes)",
        NOW - 10_000 + 4 * HOUR,
        false,
      ),
    ],
    [
      "forced, 10 s after: held for 30 s only",
      oauth("a"),
      last(10_000),
      { force: true },
      forced10s(false),
    ],
    ["forced, 30 s after: renew", oauth("a"), last(30_000), { force: true }, RENEW],
    [
      "the API refused this very token: urgent like --force",
      oauth("a"),
      last(30_000),
      { force: false, rejectedAccess: "a" },
      RENEW,
    ],
    [
      "the API refused another token: automatic",
      oauth("a"),
      last(30_000),
      { force: false, rejectedAccess: "b" },
      held(
        "refreshed 30s ago; not again before 11:59:30 UTC (in 3h 59m) (the minimum interval between refreshes)",
        NOW - 30_000 + 4 * HOUR,
        false,
      ),
    ],
    [
      "held back and already expired: a failure, not a use",
      oauth("a", -1),
      last(10_000),
      { force: true },
      forced10s(true),
    ],
    [
      "held back, expiring exactly now: expired",
      oauth("a", 0),
      last(10_000),
      { force: true },
      forced10s(true),
    ],
    ["a record in the future counts as none", oauth("a"), last(-HOUR), auto, RENEW],
  ];
  for (const [name, entry, record, due, want] of cases) {
    assert.deepEqual(intervalVerdict(entry, record, due, NOW), want, name);
  }
});

Deno.test("renewalOutcome: a failure keeps the method's bookkeeping, nothing new keeps the entry, a new token starts the interval", () => {
  const state: AnthropicState = {
    source: "browser-oauth",
    authFile: "/h/auth.json",
    describes: "fp-old",
    email: "me@example.com",
    mintedRefresh: "fp-r-old",
  };
  const browser = { method: "browser" as const, entry: oauth("old", -1), state };
  const claude = { method: "claude-code" as const, entry: oauth("old", -1), state: null };
  const seen = { method: "browser" as const, entry: oauth("old", -1) };
  const carried = {
    source: "browser-oauth" as const,
    email: "me@example.com",
    mintedRefresh: "fp-r-old",
  };
  const error = new FailureError("the token endpoint refused");
  const renewed = oauth("new", TOKEN_8H);
  const cases: [string, typeof browser | typeof claude, Renewal, RenewalOutcome][] = [
    [
      "failure with bookkeeping: recorded (the state fields, without file and fingerprint), then thrown",
      browser,
      { entry: null, renewed: false, error, state: { rejectedRefresh: "fp-r-old" } },
      { kind: "fail", error, record: true, fields: { ...carried, rejectedRefresh: "fp-r-old" } },
    ],
    [
      "failure without bookkeeping: nothing recorded",
      browser,
      { entry: null, renewed: false, error },
      { kind: "fail", error, record: false, fields: carried },
    ],
    [
      "nothing new: the stored entry, not refreshed, with the method's note",
      browser,
      { entry: null, renewed: false, note: "Claude Code has not renewed it yet" },
      {
        kind: "keep",
        usable: {
          method: "browser",
          entry: browser.entry,
          refreshed: false,
          note: "Claude Code has not renewed it yet",
        },
      },
    ],
    [
      "a token nobody had: committed with lastRefresh, no refresh before half its lifetime",
      browser,
      { entry: renewed, renewed: true, state: { mintedRefresh: "fp-r-new" } },
      {
        kind: "commit",
        next: renewed,
        fields: {
          ...carried,
          mintedRefresh: "fp-r-new",
          lastRefresh: { at: NOW, lifetimeMs: TOKEN_8H },
        },
        usable: {
          method: "browser",
          entry: renewed,
          refreshed: true,
          note: undefined,
          notBefore: NOW + 4 * HOUR,
        },
      },
    ],
    [
      "a token adopted from Claude Code: committed, no interval started; the state says Claude Code",
      claude,
      { entry: renewed, renewed: false },
      {
        kind: "commit",
        next: renewed,
        fields: { source: "claude-code-session" },
        usable: {
          method: "claude-code",
          entry: renewed,
          refreshed: true,
          note: undefined,
          notBefore: undefined,
        },
      },
    ],
    [
      "an already expired new token: lifetime 0, the 30 s floor",
      browser,
      { entry: oauth("new", -5_000), renewed: true },
      {
        kind: "commit",
        next: oauth("new", -5_000),
        fields: { ...carried, lastRefresh: { at: NOW, lifetimeMs: 0 } },
        usable: {
          method: "browser",
          entry: oauth("new", -5_000),
          refreshed: true,
          note: undefined,
          notBefore: NOW + 30_000,
        },
      },
    ],
    [
      "the same access token with a later expiry: stored, but not counted as refreshed",
      browser,
      { entry: oauth("old", HOUR), renewed: false },
      {
        kind: "commit",
        next: oauth("old", HOUR),
        fields: carried,
        usable: {
          method: "browser",
          entry: oauth("old", HOUR),
          refreshed: false,
          note: undefined,
          notBefore: undefined,
        },
      },
    ],
  ];
  for (const [name, target, renewal, want] of cases) {
    assert.deepEqual(renewalOutcome(renewal, target, seen, NOW), want, name);
  }
});

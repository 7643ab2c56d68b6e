/**
 * Human formatting of expiries (lib/format.ts): numbers out of range are named,
 * not a crash.
 */

import assert from "node:assert/strict";
import { formatExpiry } from "../lib/format.ts";
import { MAX_DATE_MS } from "../lib/credential_types.ts";

Deno.test("formatExpiry: any number, even outside the Date range, gives a line", () => {
  const now = Date.UTC(2026, 10, 27, 5, 8);
  assert.equal(
    formatExpiry(Date.UTC(2026, 10, 27, 13, 7), now),
    "expires in 7h 59m (2026-11-27 13:07 UTC)",
  );
  assert.equal(formatExpiry(now - 180_000, now), "expired 3m 0s ago (2026-11-27 05:05 UTC)");
  assert.match(
    formatExpiry(MAX_DATE_MS, now),
    /^expires in \d+h \d+m \(\+275760-09-13 00:00 UTC\)$/,
  );
  assert.match(formatExpiry(-MAX_DATE_MS, now), /^expired .* ago \(-271821-04-20 00:00 UTC\)$/);
  for (
    const bad of [MAX_DATE_MS + 1, -MAX_DATE_MS - 1, 1e300, -1e300, Number.MAX_VALUE, NaN, Infinity]
  ) {
    assert.equal(formatExpiry(bad, now), "expires at an invalid time", String(bad));
  }
});

/**
 * Unit tests of lib/oauth/ that assert what the user sees: run the protocol
 * step and word what it throws as lib/methods/oauth_errors.ts does for the
 * commands.
 *
 * @module
 */

import { userFacing } from "../../lib/methods/oauth_errors.ts";

/** `step()`, its protocol error (if any) rethrown as the command-line error the user sees. */
export function worded<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw userFacing(error);
  }
}

/**
 * The service's run record (lib/service/record.ts): where its log goes and
 * how a message becomes one safe line. Recording runs through the CLI:
 * tests/commands/refresh_ahead_test.ts and tests/commands/service_test.ts.
 */

import assert from "node:assert/strict";
import { join } from "../../lib/fs/path.ts";
import {
  LOG_NAME,
  MAX_MESSAGE_CHARS,
  sanitizeMessage,
  serviceLogPath,
} from "../../lib/service/record.ts";

Deno.test("serviceLogPath: the log sits beside the state file", () => {
  assert.equal(serviceLogPath(join("state", "anthropic.json")), join("state", LOG_NAME));
});

Deno.test("sanitizeMessage: one line, controls and runs of spaces made one space, cut with … at the limit", () => {
  assert.equal(sanitizeMessage("  a\nb\r\n\tc\x1b[31m d\u2028e  "), "a b c [31m d e");
  const long = sanitizeMessage("é".repeat(MAX_MESSAGE_CHARS + 10));
  assert.equal([...long].length, MAX_MESSAGE_CHARS);
  assert(long.endsWith("…"));
  assert.equal(sanitizeMessage("x".repeat(MAX_MESSAGE_CHARS)), "x".repeat(MAX_MESSAGE_CHARS));
});

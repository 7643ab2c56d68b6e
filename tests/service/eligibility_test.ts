/** Whether a job could refresh what is stored: the verdict behind `service install`'s refusal. */

import assert from "node:assert/strict";
import type { AnthropicEntry, Method } from "../../lib/credential_types.ts";
import { nothingToRefresh } from "../../lib/service/eligibility.ts";

const API_KEY = "an API key, which never expires";
const LONG_LIVED = "a token without a refresh token (a long-lived token), which no job can renew";
const oauth = (refresh: string): AnthropicEntry => ({
  type: "oauth",
  refresh,
  access: "a",
  expires: 0,
});

Deno.test("nothingToRefresh: API keys and long-lived tokens have nothing to refresh; sessions do", () => {
  const table: [AnthropicEntry, Method | null, string | null][] = [
    [{ type: "api", key: "k" }, null, API_KEY],
    [{ type: "api", key: "k" }, "api-key", API_KEY],
    [oauth("r"), "api-key", API_KEY],
    [oauth(""), "setup-token", LONG_LIVED],
    [oauth("r"), "setup-token", LONG_LIVED],
    [oauth(""), null, LONG_LIVED],
    [oauth(""), "browser", LONG_LIVED],
    [oauth(""), "claude-code", null],
    [oauth("r"), "browser", null],
    [oauth("r"), null, null],
  ];
  for (const [entry, method, verdict] of table) {
    assert.equal(nothingToRefresh(entry, method), verdict, `${entry.type} ${method}`);
  }
});

/**
 * Which opener starts the browser on each platform (lib/browser_open.ts).
 * The opener actually run (a fake on PATH): tests/methods/browser_login_test.ts.
 */

import assert from "node:assert/strict";
import { browserCommand } from "../lib/browser_open.ts";
import { testContext } from "./helpers/context.ts";

const LINK = "https://claude.ai/oauth/authorize?a=1&b=2";

Deno.test("browserCommand: open on macOS, rundll32 on Windows (the LINK whole, & and all), xdg-open on Linux with a display", () => {
  assert.deepEqual(browserCommand(testContext({}, "darwin"), LINK), {
    command: "open",
    args: [LINK],
  });
  assert.deepEqual(browserCommand(testContext({}, "windows"), LINK), {
    command: "rundll32",
    args: ["url.dll,FileProtocolHandler", LINK],
  });
  for (const display of [{ DISPLAY: ":0" }, { WAYLAND_DISPLAY: "wayland-0" }]) {
    assert.deepEqual(browserCommand(testContext(display, "linux"), LINK), {
      command: "xdg-open",
      args: [LINK],
    });
  }
});

Deno.test("browserCommand: no opener on Linux without a display (over SSH)", () => {
  assert.equal(browserCommand(testContext({}, "linux"), LINK), null);
  assert.equal(browserCommand(testContext({ DISPLAY: "" }, "freebsd"), LINK), null);
});

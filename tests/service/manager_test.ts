/** The decisions every platform shares: how a command is shown, why a step failed, the dry-run text. */

import assert from "node:assert/strict";
import {
  displayCommand,
  dryRunText,
  enabledAnswer,
  failureIsFine,
  isNoManager,
  stepFailure,
} from "../../lib/service/manager.ts";
import { launchdManager } from "../../lib/service/launchd.ts";
import { systemdManager } from "../../lib/service/systemd.ts";
import { placeOn, ran } from "../helpers/service.ts";

Deno.test("displayCommand: plain words bare; others quoted for sh or for cmd.exe", () => {
  const cases: [string[], "sh" | "cmd", string][] = [
    [
      ["systemctl", "--user", "enable", "--now", "x.timer"],
      "sh",
      "systemctl --user enable --now x.timer",
    ],
    [
      ["launchctl", "bootstrap", "gui/501", "/Users/J Doe/a.plist"],
      "sh",
      "launchctl bootstrap gui/501 '/Users/J Doe/a.plist'",
    ],
    [["echo", "it's"], "sh", `echo 'it'\\''s'`],
    [["echo", "C:\\a\\b"], "sh", `echo 'C:\\a\\b'`],
    [["schtasks", "/TR", '"C:\\x y\\w.cmd"'], "cmd", `schtasks /TR "\\"C:\\x y\\w.cmd\\""`],
    [["schtasks", "/TN", "C:\\a\\b"], "cmd", "schtasks /TN C:\\a\\b"],
  ];
  for (const [step, quoting, shown] of cases) assert.equal(displayCommand(step, quoting), shown);
});

Deno.test("stepFailure: missing, not allowed, timed out, or the exit code with the last line of output", () => {
  const step: ["systemctl", ...string[]] = ["systemctl", "--user", "daemon-reload"];
  const cases: [ReturnType<typeof ran>, string][] = [
    [ran(null, {}, { notFound: true }), "`systemctl` was not found on PATH"],
    [ran(null, {}, { notAllowed: true }), "Deno's permissions do not allow starting `systemctl`"],
    [
      ran(null, {}, { timedOut: true }),
      "`systemctl --user daemon-reload` did not finish within 30s",
    ],
    [
      ran(1, { stderr: "first\nFailed: no\n" }),
      "`systemctl --user daemon-reload` failed (exit 1): Failed: no",
    ],
    [
      ran(3, { stdout: "only out\n" }),
      "`systemctl --user daemon-reload` failed (exit 3): only out",
    ],
    [ran(4), "`systemctl --user daemon-reload` failed (exit 4)"],
  ];
  for (const [result, message] of cases) assert.equal(stepFailure(step, result, "sh"), message);
});

Deno.test("isNoManager: a missing or forbidden program, or the manager's own words for no session", () => {
  const systemd = systemdManager(placeOn("linux"));
  const launchd = launchdManager(placeOn("darwin"));
  assert.equal(isNoManager(ran(null, {}, { notFound: true }), launchd), true);
  assert.equal(isNoManager(ran(null, {}, { notAllowed: true }), systemd), true);
  const noBus = ran(1, { stderr: "Failed to connect to bus: No medium found" });
  assert.equal(isNoManager(noBus, systemd), true);
  assert.equal(isNoManager(noBus, launchd), false, "launchd's words are its own");
  assert.equal(isNoManager(ran(5, { stdout: "Bootstrap failed: 125" }), launchd), true);
  assert.equal(isNoManager(ran(1, { stderr: "Unit not found." }), systemd), false);
});

Deno.test("failureIsFine: only an expected failure of a program that ran", () => {
  assert.equal(failureIsFine(ran(3), true), true);
  assert.equal(failureIsFine(ran(3), false), false);
  assert.equal(failureIsFine(ran(null, {}, { notFound: true }), true), false);
  assert.equal(failureIsFine(ran(null, {}, { notAllowed: true }), true), false);
});

Deno.test("enabledAnswer: a step that could not ask gives unknown with why; else the manager reads it", () => {
  const systemd = systemdManager(placeOn("linux"));
  const step = systemd.statusStep();
  assert(step);
  assert.deepEqual(enabledAnswer(systemd, step, ran(null, {}, { timedOut: true })), {
    enabled: null,
    note:
      "`systemctl --user is-enabled opencode-claude-code-auth-refresh.timer` did not finish within 30s",
  });
  assert.deepEqual(
    enabledAnswer(systemd, step, ran(1, { stderr: "Failed to connect to bus: No medium found" })),
    {
      enabled: null,
      note:
        "`systemctl --user is-enabled opencode-claude-code-auth-refresh.timer` failed (exit 1): " +
        "Failed to connect to bus: No medium found",
    },
  );
  assert.deepEqual(enabledAnswer(systemd, step, ran(1, { stdout: "disabled\n" })), {
    enabled: false,
    note: "disabled",
  });
});

Deno.test("dryRunText: each file with its mode (CRLF shown as LF), removals, commands, the crontab line", () => {
  const text = dryRunText({
    verb: "install",
    files: [{ path: "C:\\w.cmd", content: "@echo off\r\nrem x\r\n", mode: 0o600 }],
    removed: ["/old/file"],
    steps: [["schtasks", "/Create", "/TN", "a b"]],
    crontab: "*/2 * * * * '/s.sh' >/dev/null 2>&1",
  }, "cmd");
  assert.equal(
    text,
    [
      "# service install --dry-run: nothing was written or run.",
      "",
      "# file C:\\w.cmd (mode 0600)",
      "@echo off",
      "rem x",
      "",
      "# remove /old/file",
      "",
      "# commands",
      'schtasks /Create /TN "a b"',
      "",
      "# crontab line (add it with `crontab -e`)",
      "*/2 * * * * '/s.sh' >/dev/null 2>&1",
      "",
    ].join("\n"),
  );
  assert.equal(
    dryRunText({ verb: "uninstall", files: [], removed: [], steps: [] }, "sh"),
    "# service uninstall --dry-run: nothing was written or run.\n",
  );
});

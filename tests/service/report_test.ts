/** `service status`'s report from the facts: which lines, and when it is healthy (exit 0). */

import assert from "node:assert/strict";
import type { ServiceStatus } from "../../lib/service/manager.ts";
import { enabledText, type StatusFacts, statusReport } from "../../lib/service/report.ts";

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);
const INSTALLED: ServiceStatus = {
  installed: true,
  enabled: true,
  enabledNote: "enabled",
  every: 120_000,
  ahead: "4m",
};
const ABSENT: ServiceStatus = {
  installed: false,
  enabled: false,
  enabledNote: "",
  every: null,
  ahead: null,
};

function facts(extra: Partial<StatusFacts>): StatusFacts {
  return {
    found: INSTALLED,
    what: "systemd user timer t.timer",
    files: ["/u/t.service", "/u/t.timer"],
    cronScript: null,
    last: { at: NOW - 90_000, ok: true, message: "fresh" },
    now: NOW,
    logPath: "/s/service.log",
    credential: "the token expires in 5h",
    ...extra,
  };
}

Deno.test("enabledText: yes; no with the manager's word unless it is just 'disabled'; unknown with why", () => {
  assert.equal(enabledText(INSTALLED), "yes");
  assert.equal(enabledText({ ...INSTALLED, enabled: false, enabledNote: "disabled" }), "no");
  assert.equal(enabledText({ ...INSTALLED, enabled: false, enabledNote: "masked" }), "no (masked)");
  assert.equal(enabledText({ ...INSTALLED, enabled: false, enabledNote: "" }), "no");
  assert.equal(
    enabledText({ ...INSTALLED, enabled: null, enabledNote: "no bus" }),
    "unknown (no bus)",
  );
});

Deno.test("statusReport: installed, enabled, last run ok is healthy, one fact per line", () => {
  assert.deepEqual(statusReport(facts({})), {
    lines: [
      "Service: installed, systemd user timer t.timer",
      "  enabled: yes",
      "  file: /u/t.service",
      "  file: /u/t.timer",
      "  schedule: every 2m",
      "  refreshes: a credential expiring within 4m",
      "  last run: 2026-01-02 11:58:30 UTC (1m 30s ago)",
      "  last outcome: ok: fresh",
      "  credential: the token expires in 5h",
    ],
    healthy: true,
  });
});

Deno.test("statusReport: what makes it unhealthy, and the lines that say so", () => {
  const table: [string, Partial<StatusFacts>, string[]][] = [
    ["disabled", { found: { ...INSTALLED, enabled: false, enabledNote: "disabled" } }, [
      "  enabled: no",
    ]],
    ["last run failed", { last: { at: NOW, ok: false, message: "" } }, [
      "  last outcome: FAILED",
      "  failures are logged in /s/service.log",
    ]],
    ["no run yet", { last: null }, ["  last run: none recorded yet"]],
    ["not installed, still registered", { found: { ...ABSENT, enabled: true } }, [
      "Service: not installed",
      "  still registered: the systemd user timer t.timer",
      "  install it with `opencode-claude-code-auth service install`",
    ]],
    ["unknown schedule", { found: { ...INSTALLED, every: null, ahead: null }, last: null }, [
      "  schedule: every ?",
      "  refreshes: a credential expiring within ?",
    ]],
  ];
  for (const [name, extra, expected] of table) {
    const report = statusReport(facts(extra));
    assert.equal(report.healthy, false, name);
    for (const line of expected) {
      assert(report.lines.includes(line), `${name}: ${line}\n${report.lines.join("\n")}`);
    }
  }
});

Deno.test("statusReport: a crontab script counts when its last run was ok; cron itself is not asked", () => {
  const report = statusReport(facts({ found: ABSENT, cronScript: "/s/service-refresh.sh" }));
  assert.deepEqual(report.lines.slice(0, 3), [
    "Service: installed as a crontab script (cron itself is not asked)",
    "  file: /s/service-refresh.sh",
    "  check its line with `crontab -l`",
  ]);
  assert.equal(report.healthy, true);
  const never = statusReport(facts({ found: ABSENT, cronScript: "/s/x.sh", last: null }));
  assert.equal(never.healthy, false);
});

/**
 * `service status`'s report as lines, from what was found: the service's
 * files and the manager's answer, the crontab script, the last run and the
 * credential's line. Pure: the command gathers the facts and prints.
 *
 * @module
 */

import { formatDurationFlag } from "../duration.ts";
import { PROGRAM } from "../errors.ts";
import { formatDuration } from "../format.ts";
import type { ServiceStatus } from "./manager.ts";
import type { LastRun } from "./record.ts";

/** Everything the status report is made from. */
export interface StatusFacts {
  /** The service's files and the manager's answer. */
  found: ServiceStatus;
  /** The service described (`systemd user timer …`). */
  what: string;
  /** The service's files. */
  files: readonly string[];
  /** The crontab script's path when only it is installed, else null. */
  cronScript: string | null;
  /** The job's last recorded run. */
  last: LastRun | null;
  /** Now, in epoch milliseconds. */
  now: number;
  /** The failure log's path. */
  logPath: string;
  /** One line on the stored credential. */
  credential: string;
}

/** The report: one fact per line; healthy only when installed, not disabled, last run ok. */
export interface StatusReport {
  /** The lines, the first saying whether it is installed. */
  lines: string[];
  /** Exit 0 when true. */
  healthy: boolean;
}

/** `enabled: …` as shown: yes, no (with the manager's word), or unknown (with why). */
export function enabledText(found: ServiceStatus): string {
  if (found.enabled === null) return `unknown (${found.enabledNote})`;
  if (found.enabled) return "yes";
  return `no${
    found.enabledNote && found.enabledNote !== "disabled" ? ` (${found.enabledNote})` : ""
  }`;
}

/** What is installed, and whether that part is healthy (before the last run's lines). */
function installedLines(facts: StatusFacts): StatusReport {
  const { found, last } = facts;
  if (found.installed) {
    return {
      lines: [
        `Service: installed, ${facts.what}`,
        `  enabled: ${enabledText(found)}`,
        ...facts.files.map((file) => `  file: ${file}`),
        `  schedule: every ${found.every ? formatDurationFlag(found.every) : "?"}`,
        `  refreshes: a credential expiring within ${found.ahead ?? "?"}`,
      ],
      healthy: found.enabled !== false && last?.ok === true,
    };
  }
  if (facts.cronScript !== null) {
    return {
      lines: [
        "Service: installed as a crontab script (cron itself is not asked)",
        `  file: ${facts.cronScript}`,
        "  check its line with `crontab -l`",
      ],
      healthy: last?.ok === true,
    };
  }
  return {
    lines: [
      "Service: not installed",
      ...(found.enabled ? [`  still registered: the ${facts.what}`] : []),
      `  install it with \`${PROGRAM} service install\``,
    ],
    healthy: false,
  };
}

/** The last run's lines: when, how long ago, and its outcome. */
export function lastRunLines(last: LastRun | null, now: number, logPath: string): string[] {
  if (!last) return ["  last run: none recorded yet"];
  const when = new Date(last.at).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  const ago = formatDuration(Math.max(0, now - last.at));
  return [
    `  last run: ${when} (${ago} ago)`,
    `  last outcome: ${last.ok ? "ok" : "FAILED"}${last.message ? `: ${last.message}` : ""}`,
    ...(last.ok ? [] : [`  failures are logged in ${logPath}`]),
  ];
}

/** The whole report of `service status`. */
export function statusReport(facts: StatusFacts): StatusReport {
  const installed = installedLines(facts);
  return {
    lines: [
      ...installed.lines,
      ...lastRunLines(facts.last, facts.now, facts.logPath),
      `  credential: ${facts.credential}`,
    ],
    healthy: installed.healthy,
  };
}

/**
 * A launchd LaunchAgent for the job: the property list's text, its
 * read-back, and the `ServiceManager` that loads it with `launchctl`. Pure
 * but for the home folder's owner, which the place reads when a plan needs it.
 *
 * @module
 */

import { homeDir } from "../context.ts";
import { FailureError } from "../errors.ts";
import { join } from "../fs/path.ts";
import { type Job, LAUNCHD_LABEL, WRITTEN_BY } from "./job.ts";
import { NOTHING_TO_UNINSTALL, type ServiceManager, type ServicePlace } from "./manager.ts";

/** The plist's file name in ~/Library/LaunchAgents. */
export const PLIST_NAME = `${LAUNCHD_LABEL}.plist`;

/** `text` escaped for XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

const string = (text: string) => `<string>${xmlEscape(text)}</string>`;

/** The plist: Label, ProgramArguments, EnvironmentVariables, StartInterval (s), RunAtLoad. */
export function launchAgentPlist(job: Job, every: number): string {
  const env = Object.entries(job.env);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<!-- ${WRITTEN_BY} -->`,
    `<plist version="1.0">`,
    "<dict>",
    "  <key>Label</key>",
    `  ${string(LAUNCHD_LABEL)}`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...[job.program, ...job.args].map((word) => `    ${string(word)}`),
    "  </array>",
    ...(env.length > 0
      ? [
        "  <key>EnvironmentVariables</key>",
        "  <dict>",
        ...env.flatMap(([name, value]) => [
          `    <key>${xmlEscape(name)}</key>`,
          `    ${string(value)}`,
        ]),
        "  </dict>",
      ]
      : []),
    "  <key>StartInterval</key>",
    `  <integer>${Math.ceil(every / 1000)}</integer>`,
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>ProcessType</key>",
    "  <string>Background</string>",
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** The period read back from a plist (StartInterval), in milliseconds, or null. */
export function plistEvery(text: string): number | null {
  const match = /<key>StartInterval<\/key>\s*<integer>(\d+)<\/integer>/.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** The `--ahead` value read back from a plist's ProgramArguments, or null. */
export function plistAhead(text: string): string | null {
  const match = /<string>--ahead<\/string>\s*<string>(\d+[smh])<\/string>/.exec(text);
  return match ? match[1] : null;
}

/** The LaunchAgent plist path: `~/Library/LaunchAgents/<label>.plist`. */
export function launchAgentPath(place: Pick<ServicePlace, "env" | "os">): string {
  return join(homeDir(place.env, place.os), "Library", "LaunchAgents", PLIST_NAME);
}

/** What launchctl says when there is no GUI session to load an agent into. */
export const NO_GUI_DOMAIN = /Domain does not support|Could not find domain|Bootstrap failed: 125/i;

/** The GUI session's launchd domain: the home folder owner's uid (no --allow-sys needed). */
export function launchdDomain(place: ServicePlace): string {
  const home = homeDir(place.env, place.os);
  const uid = place.ownerOf(home);
  if (uid === null) throw new FailureError(`cannot tell which user owns ${home}`);
  return `gui/${uid}`;
}

/**
 * A LaunchAgent (macOS), loaded with `launchctl bootstrap`. The domain is
 * looked up only by the plans that name it.
 */
export function launchdManager(place: ServicePlace): ServiceManager {
  const plist = launchAgentPath(place);
  const target = () => `${launchdDomain(place)}/${LAUNCHD_LABEL}`;
  return {
    what: `LaunchAgent ${LAUNCHD_LABEL}`,
    files: [plist],
    markers: [],
    cronFallback: true,
    queriedWhenAbsent: false,
    quoting: "sh",
    saysNoManager: (output) => NO_GUI_DOMAIN.test(output),
    install: (job, schedule) => {
      const domain = launchdDomain(place);
      return {
        kind: "manager",
        files: [{ path: plist, content: launchAgentPlist(job, schedule.every), mode: 0o644 }],
        steps: [
          ["launchctl", "bootout", `${domain}/${LAUNCHD_LABEL}`],
          ["launchctl", "bootstrap", domain, plist],
        ],
        // Booting out a job that is not loaded fails ("No such process"): that is fine.
        tolerates: (step) => step[1] === "bootout",
        afterFailure: [],
      };
    },
    uninstall: (present) =>
      present
        ? {
          ...NOTHING_TO_UNINSTALL,
          steps: [["launchctl", "bootout", target()]],
          failureExpected: true,
        }
        : NOTHING_TO_UNINSTALL,
    readBack: ([text]) => ({
      every: text ? plistEvery(text) : null,
      ahead: text ? plistAhead(text) : null,
    }),
    statusStep: () => ["launchctl", "print", target()],
    readAnswer: (result) => ({
      enabled: result.code === 0,
      note: result.code === 0 ? "loaded" : "not loaded",
    }),
  };
}

/** A launchd LaunchAgent property list for the job. Pure text generation and read-back. */

import { type Job, LAUNCHD_LABEL, WRITTEN_BY } from "./job.ts";

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

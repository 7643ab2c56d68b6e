/** Where the real OpenCode and the real OAuth plugin are installed (by .ci/run), if they are. */

const ROOT = new URL("../../", import.meta.url).pathname;

/** The first of `candidates` that exists, or undefined. */
function firstExisting(candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      Deno.statSync(candidate);
      return candidate;
    } catch {
      // Not installed there.
    }
  }
  return undefined;
}

/** The real `opencode` (OPENCODE_BIN, else .tools/), or undefined when not installed. */
export const OPENCODE: string | undefined = firstExisting([
  Deno.env.get("OPENCODE_BIN"),
  `${ROOT}.tools/node_modules/.bin/opencode`,
]);

/** The npm plugin opencode-anthropic-auth's entry file, or undefined when not installed. */
export const PLUGIN: string | undefined = firstExisting([
  Deno.env.get("OPENCODE_ANTHROPIC_AUTH_PLUGIN"),
  `${ROOT}.tools/node_modules/opencode-anthropic-auth/index.mjs`,
]);

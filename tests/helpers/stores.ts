/** What `status --json` lists under `stores` when auth.json is the only store. */

/** The one `stores` item of a run without OpenCode 2's database: auth.json, in use. */
export function onlyAuthJson(
  path: string,
  holds: { method: string | null; type: string | null; expiresAt: unknown },
): Record<string, unknown>[] {
  return [{ kind: "opencode1-auth-json", path, used: true, ...holds, problem: null }];
}

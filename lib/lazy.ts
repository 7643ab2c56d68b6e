/**
 * Loading a module only when it is needed. Deno prepares every statically
 * written `import("./x.ts")` of a module as soon as that module loads
 * (measured: main.ts's table of nine such command imports cost about 1.6 ms
 * of every start), so the `token` path loads its rarely used parts through a
 * computed specifier instead. `deno compile` cannot see those imports:
 * scripts/compile.ts passes every LAZY_MODULES entry as `--include`. A leaf.
 *
 * @module
 */

/**
 * The modules loaded through `lazyImport`, as paths from the repository root:
 * what callers name, and what `deno compile` includes (scripts/compile.ts).
 * Each caller gives the module's type beside its path, `lazyImport<typeof
 * import("./x.ts")>("lib/x.ts")`: a table of types here would make lazy.ts
 * depend on every lazy module, and they import lazy.ts, a cycle. The
 * architecture test checks that each call's path and type name one file and
 * that this list is exactly what is loaded lazily.
 */
export const LAZY_MODULES = [
  "lib/browser_open.ts",
  "lib/commands/completions.ts",
  "lib/commands/doctor.ts",
  "lib/commands/login.ts",
  "lib/commands/logout.ts",
  "lib/commands/refresh.ts",
  "lib/commands/run.ts",
  "lib/commands/service.ts",
  "lib/commands/status.ts",
  "lib/commands/switch.ts",
  "lib/commands/token.ts",
  "lib/environment.ts",
  "lib/fs/atomic.ts",
  "lib/hash.ts",
  "lib/lock.ts",
  "lib/methods/api_key.ts",
  "lib/methods/browser.ts",
  "lib/methods/claude_code.ts",
  "lib/methods/index.ts",
  "lib/methods/oauth_errors.ts",
  "lib/methods/setup_token.ts",
  "lib/oauth/authorize.ts",
  "lib/oauth/client.ts",
  "lib/oauth/config.ts",
  "lib/oauth/pkce.ts",
  "lib/opencode/auth_file.ts",
  "lib/opencode/database.ts",
  "lib/profiles.ts",
  "lib/prompt.ts",
  "lib/reference.ts",
  "lib/renewal.ts",
  "lib/secret_line.ts",
] as const;

/** A module that may be loaded lazily. */
export type LazyModule = (typeof LAZY_MODULES)[number];

/**
 * Load `module` now (its type is given by the caller: `typeof import("…")`).
 * A module loaded this way needs read access like any file; Deno refuses it
 * with a module-loading error, reported here as the NotCapable it is.
 */
export async function lazyImport<T>(module: LazyModule): Promise<T> {
  try {
    return await import(new URL(`../${module}`, import.meta.url).href);
  } catch (error) {
    if (error instanceof Error && /^Requires \w+ access to /.test(error.message)) {
      throw new Deno.errors.NotCapable(error.message);
    }
    throw error;
  }
}

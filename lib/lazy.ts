/**
 * Loading a module only when it is needed. Deno prepares every statically
 * written `import("./x.ts")` of a module as soon as that module loads
 * (measured: main.ts's table of nine such command imports cost about 1.6 ms
 * of every start), so the `token` path loads its rarely used parts through a
 * computed specifier instead. `deno compile` cannot see those imports:
 * scripts/compile.ts passes every LAZY_MODULES entry as `--include`. It imports
 * nothing at run time: its table names each module's type only (erased).
 *
 * @module
 */

/**
 * A module's type, carried by the table below and erased at run time: a type
 * position's `typeof import("./x.ts")` is not a dependency Deno loads.
 */
export interface Shape<T> {
  /** Never set: only its type is read. */
  readonly type?: T;
}

/** The marker of a module whose type is `T`. */
function shape<T>(): Shape<T> {
  return {};
}

/**
 * Every module loaded through `lazyImport`, declared once: its path from the
 * repository root (what callers name and `deno compile` includes) and its type
 * (relative to this file; tests/project/architecture_test.ts checks both name one file).
 */
export const LAZY = {
  "lib/browser_open.ts": shape<typeof import("./browser_open.ts")>(),
  "lib/commands/completions.ts": shape<typeof import("./commands/completions.ts")>(),
  "lib/commands/doctor.ts": shape<typeof import("./commands/doctor.ts")>(),
  "lib/commands/login.ts": shape<typeof import("./commands/login.ts")>(),
  "lib/commands/logout.ts": shape<typeof import("./commands/logout.ts")>(),
  "lib/commands/refresh.ts": shape<typeof import("./commands/refresh.ts")>(),
  "lib/commands/run.ts": shape<typeof import("./commands/run.ts")>(),
  "lib/commands/service.ts": shape<typeof import("./commands/service.ts")>(),
  "lib/commands/status.ts": shape<typeof import("./commands/status.ts")>(),
  "lib/commands/switch.ts": shape<typeof import("./commands/switch.ts")>(),
  "lib/commands/token.ts": shape<typeof import("./commands/token.ts")>(),
  "lib/environment.ts": shape<typeof import("./environment.ts")>(),
  "lib/fs/atomic.ts": shape<typeof import("./fs/atomic.ts")>(),
  "lib/hash.ts": shape<typeof import("./hash.ts")>(),
  "lib/lock.ts": shape<typeof import("./lock.ts")>(),
  "lib/methods/api_key.ts": shape<typeof import("./methods/api_key.ts")>(),
  "lib/methods/browser.ts": shape<typeof import("./methods/browser.ts")>(),
  "lib/methods/claude_code.ts": shape<typeof import("./methods/claude_code.ts")>(),
  "lib/methods/index.ts": shape<typeof import("./methods/index.ts")>(),
  "lib/methods/oauth_errors.ts": shape<typeof import("./methods/oauth_errors.ts")>(),
  "lib/methods/setup_token.ts": shape<typeof import("./methods/setup_token.ts")>(),
  "lib/oauth/authorize.ts": shape<typeof import("./oauth/authorize.ts")>(),
  "lib/oauth/client.ts": shape<typeof import("./oauth/client.ts")>(),
  "lib/oauth/config.ts": shape<typeof import("./oauth/config.ts")>(),
  "lib/oauth/pkce.ts": shape<typeof import("./oauth/pkce.ts")>(),
  "lib/opencode/auth_file.ts": shape<typeof import("./opencode/auth_file.ts")>(),
  "lib/opencode/database.ts": shape<typeof import("./opencode/database.ts")>(),
  "lib/profiles.ts": shape<typeof import("./profiles.ts")>(),
  "lib/prompt.ts": shape<typeof import("./prompt.ts")>(),
  "lib/reference.ts": shape<typeof import("./reference.ts")>(),
  "lib/renewal.ts": shape<typeof import("./renewal.ts")>(),
  "lib/secret_line.ts": shape<typeof import("./secret_line.ts")>(),
} as const;

/** A module that may be loaded lazily. */
export type LazyModule = keyof typeof LAZY;

/** The type of lazy module `M`, as `typeof import(…)` gives it. */
export type LazyModuleType<M extends LazyModule> = typeof LAZY[M] extends Shape<infer T> ? T
  : never;

/** The modules loaded through `lazyImport`, as paths from the repository root (compile's `--include`). */
export const LAZY_MODULES: readonly LazyModule[] = Object.keys(LAZY) as LazyModule[];

/**
 * Load `module` now, typed by its entry in the table. A module loaded this
 * way needs read access like any file; Deno refuses it with a module-loading
 * error, reported here as the NotCapable it is.
 */
export async function lazyImport<M extends LazyModule>(module: M): Promise<LazyModuleType<M>> {
  try {
    return await import(new URL(`../${module}`, import.meta.url).href);
  } catch (error) {
    if (error instanceof Error && /^Requires \w+ access to /.test(error.message)) {
      throw new Deno.errors.NotCapable(error.message);
    }
    throw error;
  }
}

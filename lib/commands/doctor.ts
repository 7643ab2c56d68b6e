/**
 * `doctor`: each check with ok / warn / fail and the fix. It answers "why does
 * OpenCode not see my sign-in?" in one run: what is stored, in which store,
 * whether OpenCode will use it (plugins, OpenCode 2's database) and, with
 * `--check`, whether the API accepts it.
 *
 * @module
 */

import { refreshSkewMs } from "../environment.ts";
import type { ParsedArgs } from "../cli.ts";
import type {
  ClockContext,
  Context,
  EnvContext,
  FilesContext,
  ProcessContext,
} from "../context.ts";
import { isStale } from "../credential_types.ts";
import { loadStored, requireCredential, type Stored, storesDisagree } from "../store.ts";
import { signInMethod } from "../methods/index.ts";
import { checkCredential } from "../check.ts";
import { CancelledError, CliError, type ExitCode, osReason, PROGRAM } from "../errors.ts";
import { formatExpiry, methodLabel } from "../format.ts";
import { dirname } from "../fs/path.ts";
import { MAX_STATE_FILE_BYTES, readBoundedText } from "../fs/read.ts";
import { parseJson } from "../json.ts";
import { type PluginScan, scanPlugins } from "../opencode/config.ts";
import { databaseFileFor } from "../context.ts";
import { loadOAuthConfig, overridesInForce } from "../oauth/config.ts";
import { scrub } from "../redact.ts";
import { runBounded } from "../process.ts";
import { wrap } from "../reference.ts";
import { sanitize } from "../ui.ts";
import { type ClaudeStoreContext, findClaudeCredentials } from "../claude_code/credentials.ts";
import {
  describeSetupToken,
  MAKE_NEW_SETUP_TOKEN,
  setupTokenExpired,
  setupTokenExpiresSoon,
} from "../setup_token.ts";

/**
 * The outcome of one check. `info` is what does not apply to the stored
 * method (Claude Code for an API-key user) or needs no action: a healthy
 * setup shows no `warn`.
 */
export interface Check {
  /** What is checked, as printed. */
  name: string;
  /** The verdict. */
  status: "ok" | "info" | "warn" | "fail";
  /** What was found. */
  message: string;
  /** What to do about it, when anything. */
  fix?: string;
}

/** Options of `doctor`. */
export interface DoctorOptions {
  /** Print the checks as JSON on stdout. */
  json: boolean;
  /** Also ask the API whether the credential works (as `status --check`). */
  check?: boolean;
}

const ok = (name: string, message: string): Check => ({ name, status: "ok", message });
const info = (name: string, message: string, fix?: string): Check => ({
  name,
  status: "info",
  message,
  fix,
});
const warn = (name: string, message: string, fix?: string): Check => ({
  name,
  status: "warn",
  message,
  fix,
});
const fail = (name: string, message: string, fix?: string): Check => ({
  name,
  status: "fail",
  message,
  fix,
});

/** Columns of the human report (a terminal's usual width). */
const REPORT_WIDTH = 80;

/** The fixes that name one of our commands. */
const RUN_LOGIN = `run \`${PROGRAM} login\``;
const RUN_REFRESH = `run \`${PROGRAM} refresh\``;

/** A file's permission bits, or null where the OS has none (Windows) or it is missing. */
async function modeOf(path: string): Promise<number | null> {
  try {
    const info = await Deno.stat(path);
    return info.mode === null ? null : info.mode & 0o777;
  } catch {
    return null;
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, "0");

async function checkAuthFile(ctx: Context): Promise<{ checks: Check[]; stored: Stored | null }> {
  const checks: Check[] = [];
  let stored: Stored | null = null;
  try {
    stored = await loadStored(ctx);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    checks.push(fail("auth file", error.message, error.hint));
    return { checks, stored };
  }
  if (stored.snapshot.text === null) {
    const usesDatabase = stored.used.kind === "opencode2-db";
    checks.push(
      (usesDatabase ? warn : fail)(
        "auth file",
        `${ctx.authFile} does not exist yet${usesDatabase ? " (OpenCode 1 reads it)" : ""}`,
        RUN_LOGIN,
      ),
    );
  } else {
    checks.push(...await authFileModes(ctx));
  }
  checks.push(databaseCheck(ctx, stored));
  if (stored.snapshot.text === null && stored.used.kind !== "opencode2-db") {
    return { checks, stored };
  }
  checks.push(await entryCheck(ctx, stored));
  return { checks, stored };
}

/** OpenCode 2's database: absent, refused, or what it holds and whether it agrees with auth.json. */
function databaseCheck(ctx: FilesContext & EnvContext, stored: Stored): Check {
  const database = stored.database;
  const name = "OpenCode 2 database";
  if (!database) {
    return ok(
      name,
      `none at ${
        databaseFileFor(ctx.env, ctx.authFile)
      } (OpenCode 2 not set up here; it imports auth.json on its first start)`,
    );
  }
  if (database.refused) {
    return fail(
      name,
      `${database.path} ${database.refused}`,
      database.refused.startsWith("has no")
        ? "start OpenCode 2 once, then run `login` again"
        : "this OpenCode 2 version is not supported yet",
    );
  }
  if (storesDisagree(stored)) {
    return warn(
      name,
      `${database.path} and auth.json hold different anthropic credentials; OpenCode 2 uses the database's`,
      `run \`${PROGRAM} login\` (or \`refresh --force\`) to make them agree`,
    );
  }
  const picked = database.picked;
  return ok(
    name,
    picked
      ? `${database.path}: OpenCode 2 uses the anthropic row labelled ${
        JSON.stringify(picked.label)
      }${
        picked.id === database.ours?.id ? " (written by this tool)" : " (not written by this tool)"
      }`
      : `${database.path}: no anthropic credential`,
  );
}

/** auth.json's mode and its folder's. */
async function authFileModes(ctx: FilesContext): Promise<Check[]> {
  const checks: Check[] = [];
  const mode = await modeOf(ctx.authFile);
  checks.push(
    mode === null || mode === 0o600
      ? ok(
        "auth file",
        `${ctx.authFile} is a valid JSON object${mode === null ? "" : ", mode 0600"}`,
      )
      : warn(
        "auth file",
        `${ctx.authFile} has mode ${octal(mode)}; others may read your tokens`,
        `chmod 600 '${ctx.authFile}'`,
      ),
  );
  const dirMode = await modeOf(dirname(ctx.authFile));
  if (dirMode !== null && (dirMode & 0o077) !== 0) {
    // The file itself is what holds the tokens; a listable folder is worth knowing, no more.
    checks.push(
      info(
        "auth directory",
        `${dirname(ctx.authFile)} has mode ${octal(dirMode)}`,
        `chmod 700 '${dirname(ctx.authFile)}'`,
      ),
    );
  }
  return checks;
}

/** The entry OpenCode uses: present, usable, fresh. */
async function entryCheck(ctx: Context, stored: Stored): Promise<Check> {
  const entry = stored.entry;
  if (!entry) {
    return stored.used.problem
      ? fail("anthropic entry", `unusable: ${stored.used.problem}`, RUN_LOGIN)
      : fail("anthropic entry", "not signed in", RUN_LOGIN);
  }
  if (entry.type === "api") return ok("anthropic entry", "API key stored (does not expire)");
  if (stored.method === "setup-token") return setupTokenCheck(entry.expires, ctx.now());
  const label = methodLabel(stored.method ?? "browser");
  const foreign = await foreignEntryCheck(ctx, stored, label);
  if (foreign) return foreign;
  const text = `${label}: token ${formatExpiry(entry.expires, ctx.now())}`;
  return isStale(entry.expires, ctx.now(), refreshSkewMs(ctx))
    ? warn("anthropic entry", text, RUN_REFRESH)
    : ok("anthropic entry", text);
}

/**
 * A browser-looking entry whose refresh token this tool did not obtain
 * (lib/ownership.ts): named as such, a warning while fresh (it works, but
 * nothing here renews it), a failure once stale.
 */
async function foreignEntryCheck(
  ctx: Context,
  stored: Stored,
  label: string,
): Promise<Check | null> {
  const entry = stored.entry;
  if (stored.method !== "browser" || entry?.type !== "oauth") return null;
  const current = requireCredential(stored);
  const verdict = await (await signInMethod(current.method)).renewability(ctx, current);
  if (!verdict.foreign) return null;
  const now = ctx.now();
  const message = `${label}: token ${formatExpiry(entry.expires, now)}; ${verdict.why}`;
  const fix = `${RUN_LOGIN} to sign in here (it takes the entry over)`;
  return isStale(entry.expires, now, refreshSkewMs(ctx))
    ? fail("anthropic entry", message, fix)
    : warn("anthropic entry", message, fix);
}

/** `doctor --check`: the live check of `status --check`, one line, why it failed and the fix. */
async function checkApi(ctx: Context, stored: Stored | null): Promise<Check | null> {
  if (!stored?.entry || !stored.method) return null;
  try {
    const verdict = await checkCredential(ctx, stored.method);
    return verdict.ok ? ok("API check", verdict.message) : fail("API check", verdict.message);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return fail("API check", error.message, error.hint);
  }
}

/** A long-lived token: ok with its days left, warn within 30 days, fail once run out. */
function setupTokenCheck(expires: number, now: number): Check {
  const name = "anthropic entry";
  const message = `long-lived token: ${describeSetupToken(expires, now)}`;
  if (setupTokenExpired(expires, now)) return fail(name, message, MAKE_NEW_SETUP_TOKEN);
  if (setupTokenExpiresSoon(expires, now)) return warn(name, message, MAKE_NEW_SETUP_TOKEN);
  return ok(name, message);
}

async function checkStateFile(ctx: FilesContext): Promise<Check> {
  const problem = await folderProblem(dirname(ctx.stateFile));
  if (problem) {
    return fail(
      "state file",
      `${ctx.stateFile} cannot be written: ${problem}`,
      "make that folder writable: login and refresh record the state there",
    );
  }
  let text: string | null;
  try {
    text = readBoundedText(ctx.stateFile, {
      maxBytes: MAX_STATE_FILE_BYTES,
      what: "the state file",
    });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return warn("state file", error.message);
  }
  if (text === null) return ok("state file", `${ctx.stateFile} not created yet`);
  if ("problem" in parseJson(text)) {
    return warn(
      "state file",
      `${ctx.stateFile} is not valid JSON; it is rewritten at the next login`,
      RUN_LOGIN,
    );
  }
  const mode = await modeOf(ctx.stateFile);
  if (mode !== null && mode !== 0o600) {
    return warn(
      "state file",
      `${ctx.stateFile} has mode ${octal(mode)}`,
      `chmod 600 '${ctx.stateFile}'`,
    );
  }
  return ok("state file", `${ctx.stateFile} is valid`);
}

/**
 * Why a file cannot be written in `dir` (created with its parents as needed),
 * or null when it can: the nearest existing folder is tried with a temporary
 * file, removed at once.
 */
async function folderProblem(dir: string): Promise<string | null> {
  for (let folder = dir;; folder = dirname(folder)) {
    try {
      if (!(await Deno.stat(folder)).isDirectory) return `${folder} is not a folder`;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) return `${folder}: ${osReason(error)}`;
      if (dirname(folder) === folder) return `${folder} does not exist`;
      continue;
    }
    try {
      await Deno.remove(await Deno.makeTempFile({ dir: folder, prefix: ".doctor-probe-" }));
      return null;
    } catch (error) {
      return `${folder} cannot be written (${osReason(error)})`;
    }
  }
}

/** Time limit of `--version`: a program that hangs must not hang `doctor`. */
const VERSION_TIMEOUT_MS = 10_000;

/** Run `command --version`; the first output line, or null when it cannot run. */
async function versionOf(ctx: ProcessContext, command: string): Promise<string | null> {
  let result;
  try {
    result = await runBounded(ctx, {
      command,
      args: ["--version"],
      timeoutMs: VERSION_TIMEOUT_MS,
      maxOutputBytes: 4096,
      stderr: "null",
    });
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    // Present but not runnable (no execute bit): reported like a missing one.
    return null;
  }
  if (result.code !== 0) return null;
  const first = new TextDecoder().decode(result.stdout).trim().split("\n")[0];
  return first ? sanitize(first, true).slice(0, 200) : "unknown version";
}

/**
 * An `oauth` entry must never hold Claude Code's refresh token: an OAuth
 * plugin that finds the entry expired would spend it and sign Claude Code
 * out. Older versions copied it; the next sync rewrites the entry without it.
 */
function claudeRefreshCheck(stored: Stored | null, claudeRefresh: string | null): Check | null {
  const entry = stored?.entry;
  if (entry?.type !== "oauth" || entry.refresh === "") return null;
  const isClaudes = (claudeRefresh !== null && entry.refresh === claudeRefresh) ||
    stored?.method === "claude-code";
  if (!isClaudes) return null;
  return fail(
    "Claude Code's refresh token",
    "the anthropic entry holds Claude Code's refresh token (written by an older version): an OAuth plugin that finds it expired would spend it and sign Claude Code out",
    `run \`${PROGRAM} token\` (or \`refresh\`): it rewrites the entry without it`,
  );
}

async function checkClaudeCode(
  ctx: ClaudeStoreContext & ClockContext,
  usesIt: boolean,
  stored: Stored | null,
): Promise<Check[]> {
  const checks: Check[] = [];
  // What the stored method does not use is told, not warned about.
  const severity = usesIt ? fail : info;
  let claudeRefresh: string | null = null;
  const version = await versionOf(ctx, "claude");
  checks.push(
    version ? ok("claude CLI", `found (${version})`) : severity(
      "claude CLI",
      "`claude` was not found on PATH (or is not allowed by the permission flags)",
      usesIt ? "install Claude Code, or sign in with another method" : undefined,
    ),
  );
  try {
    const found = await findClaudeCredentials(ctx);
    const creds = found.credentials;
    claudeRefresh = creds?.refreshToken || null;
    if (!creds) {
      checks.push(
        severity(
          "Claude Code credentials",
          `not found (looked in: ${found.searched.join("; ")})`,
          "sign in with `claude auth login`",
        ),
      );
    } else {
      const stale = isStale(creds.expiresAt, ctx.now(), refreshSkewMs(ctx));
      checks.push(
        stale
          ? (usesIt ? warn : info)(
            "Claude Code credentials",
            `in ${creds.origin}: token ${formatExpiry(creds.expiresAt, ctx.now())}`,
            `run \`${PROGRAM} refresh\`, or \`claude auth login --claudeai\``,
          )
          : ok(
            "Claude Code credentials",
            `in ${creds.origin}: token ${formatExpiry(creds.expiresAt, ctx.now())}`,
          ),
      );
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    checks.push(severity("Claude Code credentials", error.message, error.hint));
  }
  const leaked = claudeRefreshCheck(stored, claudeRefresh);
  if (leaked) checks.push(leaked);
  return checks;
}

function olderThan13(version: string): boolean {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 1 || (major === 1 && minor < 3);
}

/** The major version in `opencode --version`'s line, or null. */
export function majorVersion(version: string | null): number | null {
  const match = version === null ? null : /(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? Number(match[1]) : null;
}

/**
 * Which OpenCode this machine runs: the major version `opencode --version`
 * prints where it runs, else 2 when OpenCode 2's database exists, else 1.
 */
export function whichOpenCode(version: string | null, stored: Stored | null): 1 | 2 {
  const major = majorVersion(version);
  if (major !== null) return major >= 2 ? 2 : 1;
  return stored?.database ? 2 : 1;
}

/** What OpenCode 2 does with the credential it uses: a key natively, an oauth row only through a `plugins` entry. */
function openCode2Use(stored: Stored, scan: PluginScan | null): Check {
  const name = "credential use";
  if (stored.entry?.type === "api") {
    return ok(name, "OpenCode 2 uses the stored API key natively");
  }
  if (scan && scan.oauthPluginsV2.length > 0) {
    return ok(
      name,
      `OpenCode 2 uses the oauth credential through: ${scan.oauthPluginsV2.join(", ")}`,
    );
  }
  return warn(
    name,
    "OpenCode 2 has only API keys built in for Anthropic: it uses an `oauth` credential only through a plugin listed under `plugins` (plural; OpenCode 1 `plugin` entries do not load), and none is configured",
    "add such a plugin under `plugins`, or store an API key: `login --method api-key` or `login --method browser --create-api-key`",
  );
}

async function checkOpenCode(
  ctx: ProcessContext & EnvContext,
  stored: Stored | null,
): Promise<Check[]> {
  const checks: Check[] = [];
  const version = await versionOf(ctx, "opencode");
  const which = whichOpenCode(version, stored);
  const found = majorVersion(version) !== null
    ? "from `opencode --version`"
    : which === 2
    ? "its database exists"
    : "no OpenCode 2 database";
  checks.push(
    // Not finding the CLI changes nothing this tool writes (OpenCode may run
    // from elsewhere, a desktop app say): information, not a warning.
    version ? ok("opencode", `found (${version}): OpenCode ${which}`) : info(
      "opencode",
      `\`opencode\` was not found on PATH; checking for OpenCode ${which} (${found})`,
      which === 2
        ? "put OpenCode 2's `opencode` on PATH for `run -- opencode`"
        : "install it (`npm install -g opencode-ai`) for `run -- opencode`",
    ),
  );
  if (which === 1) {
    checks.push(
      ctx.env.get("OPENCODE_AUTH_CONTENT")
        ? warn(
          "OPENCODE_AUTH_CONTENT",
          "is set: OpenCode reads credentials from it and ignores auth.json",
          "unset OPENCODE_AUTH_CONTENT",
        )
        : ok("OPENCODE_AUTH_CONTENT", "not set: OpenCode reads auth.json"),
    );
  }
  if (which === 2) {
    if (!stored?.entry) return checks;
    const scan = stored.entry.type === "oauth" ? await scanPlugins(ctx) : null;
    for (const file of scan?.unreadable ?? []) {
      checks.push(warn("opencode config", `${file} could not be parsed`));
    }
    checks.push(openCode2Use(stored, scan));
    return checks;
  }
  if (stored?.entry?.type !== "oauth") return checks;
  const scan = await scanPlugins(ctx);
  for (const file of scan.unreadable) {
    checks.push(warn("opencode config", `${file} could not be parsed`));
  }
  if (version && olderThan13(version)) {
    checks.push(ok("oauth entry use", `OpenCode ${version} has built-in Anthropic OAuth`));
  } else if (scan.oauthPlugins.length > 0) {
    checks.push(ok("oauth entry use", `plugin that can use it: ${scan.oauthPlugins.join(", ")}`));
  } else {
    checks.push(warn(
      "oauth entry use",
      'OpenCode 1.3+ ignores an `oauth` Anthropic entry without a plugin listed under `plugin` that handles it ("Anthropic API key is missing"), and none is configured',
      "add such a plugin to OpenCode's config, or store an API key: `login --method api-key` or `login --method browser --create-api-key`",
    ));
  }
  return checks;
}

function checkOverrides(ctx: EnvContext): Check {
  const overrides = overridesInForce(ctx.env);
  if (overrides.length === 0) return ok("endpoints", "Anthropic defaults (no overrides)");
  try {
    loadOAuthConfig(ctx.env);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return fail("endpoints", error.message, "fix or unset the variable");
  }
  // Set on purpose (a proxy, a test server): worth showing, nothing to fix.
  return info(
    "endpoints",
    `overrides in force: ${overrides.map((o) => `${o.env}=${o.value}`).join(", ")}`,
  );
}

/** Run every check, print them, exit 1 if any failed. */
export async function runDoctor(ctx: Context, options: DoctorOptions): Promise<ExitCode> {
  const { checks, stored } = await checkAuthFile(ctx);
  checks.push(await checkStateFile(ctx));
  checks.push(...await checkClaudeCode(ctx, stored?.method === "claude-code", stored));
  checks.push(...await checkOpenCode(ctx, stored));
  checks.push(checkOverrides(ctx));
  if (options.check) {
    const api = await checkApi(ctx, stored);
    if (api) checks.push(api);
  }
  const failed = checks.some((check) => check.status === "fail");
  if (options.json) {
    // Messages can quote other programs' output: scrubbed like every message.
    ctx.ui.data(scrub(JSON.stringify({ ok: !failed, checks })) + "\n");
  } else {
    const marks = {
      ok: ctx.ui.paint("32", "ok  "),
      info: ctx.ui.paint("36", "info"),
      warn: ctx.ui.paint("33", "warn"),
      fail: ctx.ui.paint("31", "FAIL"),
    };
    // The report is the command's output: shown even with --quiet. Each text
    // is wrapped under its mark, so a long path or message stays readable.
    const indent = "      ";
    const width = REPORT_WIDTH - indent.length;
    for (const check of checks) {
      const [first, ...rest] = wrap(`${check.name}: ${check.message}`, width);
      ctx.ui.line(first, `${marks[check.status]}  `);
      for (const line of rest) ctx.ui.line(line, indent);
      if (check.fix && (check.status === "warn" || check.status === "fail")) {
        for (const line of wrap(`fix: ${check.fix}`, width)) ctx.ui.line(line, indent);
      }
    }
    ctx.ui.line("");
    ctx.ui.line(failed ? "Some checks failed." : "No check failed.");
  }
  return failed ? 1 : 0;
}

/** Entry point used by main.ts. */
export function run(ctx: Context, args: ParsedArgs<"doctor">): Promise<ExitCode> {
  return runDoctor(ctx, { json: args.values.json === true, check: args.values.check === true });
}

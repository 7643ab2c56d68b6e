/**
 * `service install|uninstall|status`, in-process against fake `systemctl`,
 * `launchctl` and `schtasks` (tests/fakes/service_managers.ts) for every OS's
 * path, whatever OS runs the tests. The written units are checked with
 * `systemd-analyze verify`, the plist with Python's XML and plist parsers,
 * and the job's command line, taken from the written unit, is run for real
 * against a due browser sign-in and the fake token server.
 */

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMMANDS, parseCommandLine, type ParsedArgs } from "../../lib/cli.ts";
import {
  AHEAD_MARGIN_MS,
  checkSchedule,
  DEFAULT_AHEAD_MS,
  DEFAULT_EVERY_MS,
  run,
  runService,
  type ServiceOptions,
} from "../../lib/commands/service.ts";
import { type Context, createContext, recordEnv } from "../../lib/context.ts";
import { CliError } from "../../lib/errors.ts";
import { registerSecret } from "../../lib/redact.ts";
import { cronLine, cronQuote, cronScript } from "../../lib/service/cron.ts";
import {
  buildJob,
  type Job,
  JOB_NAME,
  type JobInputs,
  type JobRuntime,
  LAUNCHD_LABEL,
  modulePath,
} from "../../lib/service/job.ts";
import { launchAgentPlist, xmlEscape } from "../../lib/service/launchd.ts";
import {
  appendBounded,
  LOG_LIMIT_BYTES,
  readLastRun,
  recordRun,
  sanitizeMessage,
  SERVICE_KEY,
  serviceLogPath,
} from "../../lib/service/record.ts";
import { writeStateKey } from "../../lib/state.ts";
import { cmdQuote, cmdWrapper, createArgs } from "../../lib/service/schtasks.ts";
import { serviceUnit, systemdQuote, timerEvery, timerUnit } from "../../lib/service/systemd.ts";
import { startTaskFlags } from "../../lib/service/task_flags.ts";
import { Ui } from "../../lib/ui.ts";
import { seedBrowserEntry, withFake } from "../helpers/browser_login.ts";
import { seedClaudeSession } from "../helpers/claude_code_session.ts";
import type { FakeAnthropic } from "../fakes/anthropic_server.ts";
import {
  type FakeServiceManagers,
  installFakeServiceManagers,
  NO_BUS_MESSAGE,
} from "../fakes/service_managers.ts";
import { memoryIo } from "../helpers/context.ts";
import { MAIN, type Sandbox, withSandbox } from "../helpers/sandbox.ts";
import { runLikeScheduler } from "../helpers/processes.ts";

const FLAGS = startTaskFlags(denoJson.tasks.start);
const DENO_RUN: JobRuntime = {
  execPath: Deno.execPath(),
  standalone: false,
  mainModule: new URL(`file://${MAIN}`).href,
};
const WINDOWS_BINARY: JobRuntime = {
  execPath: "C:\\Tools\\opencode-claude-code-auth.exe",
  standalone: true,
  mainModule: "file:///C:/snapshot/main.ts",
};
const TIMER = `${JOB_NAME}.timer`;
const decoder = new TextDecoder();

/** An in-process Context for `box`, with the fakes as its only child processes. */
function serviceContext(
  box: Sandbox,
  fakes: FakeServiceManagers,
  os: typeof Deno.build.os,
  env: Record<string, string> = {},
  authFile?: string,
): Context & { io: ReturnType<typeof memoryIo> } {
  const io = memoryIo();
  return createContext({
    authFile,
    env: recordEnv({
      HOME: box.home,
      XDG_DATA_HOME: box.dataHome,
      XDG_CONFIG_HOME: box.configHome,
      PATH: box.bin,
      ...env,
    }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os,
    cwd: () => box.root,
    spawn: fakes.spawn,
  }) as Context & { io: ReturnType<typeof memoryIo> };
}

function install(extra: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    action: "install",
    every: DEFAULT_EVERY_MS,
    ahead: DEFAULT_AHEAD_MS,
    dryRun: false,
    ...extra,
  };
}

/** Fake service managers in `box`, and the service installed with them on Linux first. */
async function installedOnLinux(box: Sandbox): Promise<FakeServiceManagers> {
  const fakes = await installFakeServiceManagers(box);
  const first = serviceContext(box, fakes, "linux");
  assert.equal(await runService(first, install({ runtime: DENO_RUN })), 0, first.io.err);
  return fakes;
}

const uninstall: ServiceOptions = { ...install(), action: "uninstall" };
const status: ServiceOptions = { ...install(), action: "status" };

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const path = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else out.push(path);
    }
  };
  if (await exists(dir)) await walk("");
  return out.sort();
}

// ------------------------------------------------ one table, three platforms

interface Platform {
  os: typeof Deno.build.os;
  runtime: JobRuntime;
  /** The files an install writes. */
  files(box: Sandbox): string[];
  /** The folder those files go to (checked for leftovers). */
  folder(box: Sandbox): string;
  /** The calls of an install, in order. */
  installCalls(box: Sandbox): string[][];
  /** The calls of an uninstall of an installed job, in order. */
  uninstallCalls(box: Sandbox): string[][];
  /** The calls of an uninstall with nothing installed. */
  idleUninstallCalls: string[][];
  /** Check the installed content for `every` / `ahead`. */
  checkContent(box: Sandbox, texts: string[], every: string, ahead: string): void;
}

const PLATFORMS: Platform[] = [
  {
    os: "linux",
    runtime: DENO_RUN,
    files: (box) => [
      `${box.configHome}/systemd/user/${JOB_NAME}.service`,
      `${box.configHome}/systemd/user/${JOB_NAME}.timer`,
    ],
    folder: (box) => `${box.configHome}/systemd`,
    installCalls: () => [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", TIMER],
    ],
    uninstallCalls: () => [
      ["systemctl", "--user", "disable", "--now", TIMER],
      ["systemctl", "--user", "daemon-reload"],
    ],
    idleUninstallCalls: [],
    checkContent(box, [service, timer], every, ahead) {
      assert.match(service, /^Type=oneshot$/m);
      assert.match(service, new RegExp(`^Environment="HOME=${box.home}"$`, "m"));
      assert.match(service, new RegExp(`^Environment="PATH=${box.bin}"$`, "m"));
      assert.match(service, new RegExp(`"--ahead" "${ahead}" "--quiet"$`, "m"));
      assert.match(service, new RegExp(`^ExecStart="${Deno.execPath()}" "run" "-q"`, "m"));
      // Whole minutes that divide an hour: a calendar timer, which Persistent=true catches up.
      const minutes = { "2m": 2, "3m": 3 }[every];
      assert.match(timer, new RegExp(`^OnCalendar=\\*-\\*-\\* \\*:00/${minutes}:00$`, "m"));
      assert.doesNotMatch(timer, /^OnUnitActiveSec=/m);
      assert.match(timer, /^Persistent=true$/m);
      assert.match(timer, /^\[Install\]\nWantedBy=timers\.target$/m);
    },
  },
  {
    os: "darwin",
    runtime: DENO_RUN,
    files: (box) => [`${box.home}/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`],
    folder: (box) => `${box.home}/Library`,
    installCalls: (box) => [
      ["launchctl", "bootout", `gui/${Deno.statSync(box.home).uid}/${LAUNCHD_LABEL}`],
      [
        "launchctl",
        "bootstrap",
        `gui/${Deno.statSync(box.home).uid}`,
        `${box.home}/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
      ],
    ],
    uninstallCalls: (box) => [
      ["launchctl", "bootout", `gui/${Deno.statSync(box.home).uid}/${LAUNCHD_LABEL}`],
    ],
    idleUninstallCalls: [],
    checkContent(box, [plist], every, ahead) {
      const seconds = { "2m": 120, "3m": 180 }[every];
      assert.match(plist, new RegExp(`<key>StartInterval</key>\\s*<integer>${seconds}</integer>`));
      assert.match(plist, /<key>RunAtLoad<\/key>\s*<true\/>/);
      assert.match(plist, new RegExp(`<key>Label</key>\\s*<string>${LAUNCHD_LABEL}</string>`));
      assert.match(plist, new RegExp(`<string>--ahead</string>\\s*<string>${ahead}</string>`));
      assert.match(plist, new RegExp(`<key>HOME</key>\\s*<string>${box.home}</string>`));
    },
  },
  {
    os: "windows",
    runtime: WINDOWS_BINARY,
    files: (box) => [`${box.configHome}/opencode-claude-code-auth/service-refresh.cmd`],
    folder: (box) => `${box.configHome}/opencode-claude-code-auth`,
    installCalls: (box) => [[
      "schtasks",
      "/Create",
      "/F",
      "/SC",
      "MINUTE",
      "/MO",
      "2",
      "/TN",
      JOB_NAME,
      "/TR",
      `"${box.configHome}/opencode-claude-code-auth/service-refresh.cmd"`,
    ]],
    uninstallCalls: () => [
      ["schtasks", "/Query", "/TN", JOB_NAME, "/FO", "LIST", "/V"],
      ["schtasks", "/Delete", "/F", "/TN", JOB_NAME],
    ],
    idleUninstallCalls: [["schtasks", "/Query", "/TN", JOB_NAME, "/FO", "LIST", "/V"]],
    checkContent(box, [wrapper], every, ahead) {
      assert(wrapper.includes("\r\n"), "a .cmd file has CRLF line endings");
      assert.match(wrapper, new RegExp(`^set "HOME=${box.home}"\\r$`, "m"));
      assert.match(
        wrapper,
        new RegExp(
          `^"C:\\\\Tools\\\\opencode-claude-code-auth\\.exe" "--auth-file" ".*" "refresh" "--ahead" "${ahead}" "--quiet"\\r$`,
          "m",
        ),
      );
      assert.match(
        wrapper,
        new RegExp(`^rem Task ${JOB_NAME}: every ${every}, ahead ${ahead}`, "m"),
      );
      assert.match(wrapper, /^exit \/b %ERRORLEVEL%\r$/m);
    },
  },
];

for (const platform of PLATFORMS) {
  Deno.test(`service on ${platform.os}: install writes the files and runs the manager in order; status; install again updates; uninstall twice`, async () => {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box);
      const ctx = () => serviceContext(box, fakes, platform.os);
      const files = platform.files(box);

      const first = ctx();
      assert.equal(
        await runService(first, install({ runtime: platform.runtime })),
        0,
        first.io.err,
      );
      assert.deepEqual(await fakes.calls(), platform.installCalls(box));
      const texts = await Promise.all(files.map((f) => Deno.readTextFile(f)));
      platform.checkContent(box, texts, "2m", "4m");
      if (platform.os !== "windows") {
        for (const file of files) assert.equal((await Deno.stat(file)).mode! & 0o777, 0o644);
      }
      assert.match(first.io.err, /Installed the /);
      assert.equal(first.io.out, "");

      // status: installed, enabled, the schedule read back from the files; one
      // fact per line on stdout; exit 1 until a run is recorded.
      await fakes.clearCalls();
      const report = ctx();
      assert.equal(await runService(report, status), 1, "no run recorded yet");
      assert.equal(report.io.err, "");
      assert.match(report.io.out, /^Service: installed, /);
      assert.match(report.io.out, /^ {2}enabled: yes$/m);
      assert.doesNotMatch(report.io.out, /enabled \(enabled\)/);
      for (const file of files) assert.match(report.io.out, new RegExp(`^  file: ${file}$`, "m"));
      assert.match(report.io.out, /^ {2}schedule: every 2m$/m);
      assert.match(report.io.out, /^ {2}refreshes: a credential expiring within 4m$/m);
      assert.match(report.io.out, /^ {2}last run: none recorded yet$/m);
      assert.match(report.io.out, /^ {2}credential: not signed in/m);
      await recordRun(report, { ok: true, message: "refreshed" });
      const healthy = ctx();
      assert.equal(await runService(healthy, status), 0, "installed, enabled, last run ok");
      assert.match(healthy.io.out, /^ {2}last outcome: ok: refreshed$/m);

      // Install again with another schedule: one set of files, updated.
      await fakes.clearCalls();
      const again = ctx();
      const options = install({ runtime: platform.runtime, every: 180_000, ahead: 300_000 });
      assert.equal(await runService(again, options), 0, again.io.err);
      const expectedAgain = platform.installCalls(box).map((call) =>
        call.map((word) => word === "2" && call[0] === "schtasks" ? "3" : word)
      );
      assert.deepEqual(await fakes.calls(), expectedAgain);
      platform.checkContent(
        box,
        await Promise.all(files.map((f) => Deno.readTextFile(f))),
        "3m",
        "5m",
      );
      const leftovers = (await tree(platform.folder(box))).map((f) =>
        `${platform.folder(box)}/${f}`
      )
        .filter((f) => !f.endsWith(".lock") && !f.endsWith("/state.json"));
      assert.deepEqual(leftovers, [...files].sort(), "one set of files, no temporary copies");

      // Uninstall: the manager is told first, then the files go.
      await fakes.clearCalls();
      const removal = ctx();
      assert.equal(await runService(removal, uninstall), 0, removal.io.err);
      assert.deepEqual(await fakes.calls(), platform.uninstallCalls(box));
      for (const file of files) assert(!(await exists(file)), `${file} should be removed`);
      assert.doesNotMatch(removal.io.err, /warning|error/);

      // Uninstall again: nothing installed, exit 0.
      await fakes.clearCalls();
      const idle = ctx();
      assert.equal(await runService(idle, uninstall), 0, idle.io.err);
      assert.match(idle.io.err, /not installed; nothing to do/);
      assert.deepEqual(await fakes.calls(), platform.idleUninstallCalls);

      const after = ctx();
      assert.equal(await runService(after, status), 1, "not installed: not 0");
      assert.match(after.io.out, /^Service: not installed$/m);
      assert.doesNotMatch(after.io.out, /enabled/);
    });
  });

  Deno.test(`service on ${platform.os}: --dry-run prints the files and commands and touches nothing`, async () => {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box);
      const before = await tree(box.root);
      const ctx = serviceContext(box, fakes, platform.os);
      const code = await runService(ctx, install({ runtime: platform.runtime, dryRun: true }));
      assert.equal(code, 0, ctx.io.err);
      assert.deepEqual(await fakes.calls(), [], "no process was started");
      assert.deepEqual(await tree(box.root), before, "no file was written");
      for (const file of platform.files(box)) assert(ctx.io.out.includes(`# file ${file}`));
      assert(ctx.io.out.includes("--ahead"), ctx.io.out);
      for (const call of platform.installCalls(box)) {
        assert(
          ctx.io.out.includes(call.slice(0, 2).join(" ")),
          `${call} not shown:\n${ctx.io.out}`,
        );
      }
    });
  });
}

// ------------------------------------------------ no user service manager

async function assertNoManagerFallback(
  box: Sandbox,
  ctx: Context & { io: ReturnType<typeof memoryIo> },
  code: number,
  reason: RegExp,
  leftoverFolder: string,
) {
  assert.equal(code, 1, ctx.io.err);
  const errors = ctx.io.err.split("\n").filter((l) => l.startsWith("error:"));
  assert.equal(errors.length, 1, ctx.io.err);
  assert.match(errors[0], /^error: no user service manager: /);
  assert.match(errors[0], reason);
  assert.match(ctx.io.err, /crontab/);
  const lines = ctx.io.out.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, `one crontab line on stdout:\n${ctx.io.out}`);
  // The line calls the script written next to the state: short enough for any cron.
  const script = `${box.configHome}/opencode-claude-code-auth/service-refresh.sh`;
  assert.equal(lines[0], `*/2 * * * * '${script}' >/dev/null 2>&1`);
  assert(lines[0].length < 200, `${lines[0].length} characters`);
  assert.doesNotMatch(ctx.io.err, /characters long/);
  const text = await Deno.readTextFile(script);
  assert.equal((await Deno.stat(script)).mode! & 0o777, 0o700);
  assert.match(text, /^#!\/bin\/sh\n/);
  assert.match(text, new RegExp(`^HOME='${box.home}'; export HOME$`, "m"));
  assert.match(text, new RegExp(`^XDG_DATA_HOME='${box.dataHome}'; export XDG_DATA_HOME$`, "m"));
  assert.match(text, /^exec '.*' 'refresh' '--ahead' '4m' '--quiet'$/m);
  assert(!(await exists(leftoverFolder)), `${leftoverFolder} was left behind`);
}

Deno.test("service on linux without a user bus: exit 1, one-line reason, the crontab line, nothing left behind", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    await fakes.noUserBus();
    const ctx = serviceContext(box, fakes, "linux");
    const code = await runService(ctx, install({ runtime: DENO_RUN }));
    await assertNoManagerFallback(
      box,
      ctx,
      code,
      new RegExp(NO_BUS_MESSAGE),
      `${box.configHome}/systemd`,
    );
    assert.deepEqual(await fakes.calls(), [["systemctl", "--user", "daemon-reload"]]);
  });
});

Deno.test("service on linux without systemctl: exit 1 with the crontab line, nothing left behind", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box, []);
    const ctx = serviceContext(box, fakes, "linux");
    const code = await runService(ctx, install({ runtime: DENO_RUN }));
    await assertNoManagerFallback(
      box,
      ctx,
      code,
      /`systemctl` was not found/,
      `${box.configHome}/systemd`,
    );
  });
});

Deno.test("service on macOS without a GUI session: exit 1 with the crontab line, no plist left", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    await fakes.fail(
      "launchctl",
      "bootstrap*",
      125,
      "Bootstrap failed: 125: Domain does not support specified action",
    );
    const ctx = serviceContext(box, fakes, "darwin");
    const code = await runService(ctx, install({ runtime: DENO_RUN }));
    await assertNoManagerFallback(box, ctx, code, /Domain does not support/, `${box.home}/Library`);
  });
});

Deno.test("service on another OS (freebsd): exit 1 with the crontab line", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    const ctx = serviceContext(box, fakes, "freebsd");
    const code = await runService(ctx, install({ runtime: DENO_RUN }));
    await assertNoManagerFallback(box, ctx, code, /freebsd/, `${box.configHome}/systemd`);
    assert.deepEqual(await fakes.calls(), []);
  });
});

Deno.test("service on linux: a failing enable puts the previous units back and reloads", async () => {
  await withSandbox(async (box) => {
    const fakes = await installedOnLinux(box);
    const files = PLATFORMS[0].files(box);
    const before = await Promise.all(files.map((f) => Deno.readTextFile(f)));
    await fakes.clearCalls();
    await fakes.fail("systemctl", "--user enable*", 1, "Failed to enable unit: Access denied");
    const ctx = serviceContext(box, fakes, "linux");
    await assert.rejects(
      runService(ctx, install({ runtime: DENO_RUN, every: 180_000, ahead: 300_000 })),
      (error: Error) => {
        assert(error instanceof CliError && error.exitCode === 1, String(error));
        assert.match(error.message, /enable --now .* failed \(exit 1\): Failed to enable unit/);
        assert.match(error.message, /nothing was installed$/);
        return true;
      },
    );
    assert.deepEqual(await Promise.all(files.map((f) => Deno.readTextFile(f))), before);
    assert.deepEqual(await fakes.calls(), [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", TIMER],
      ["systemctl", "--user", "daemon-reload"],
    ]);
    assert.equal(ctx.io.out, "", "not a missing manager: no crontab line");
  });
});

Deno.test("service on windows: a refused schtasks /Create leaves no wrapper", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    await fakes.fail("schtasks", "/Create*", 1, "ERROR: Access is denied.");
    const ctx = serviceContext(box, fakes, "windows");
    await assert.rejects(
      runService(ctx, install({ runtime: WINDOWS_BINARY })),
      /schtasks \/Create .* failed \(exit 1\): ERROR: Access is denied\./,
    );
    assert(!(await exists(PLATFORMS[2].files(box)[0])));
  });
});

Deno.test("service uninstall on linux without a user bus: the files are removed anyway, with a warning", async () => {
  await withSandbox(async (box) => {
    const fakes = await installedOnLinux(box);
    await fakes.noUserBus();
    const ctx = serviceContext(box, fakes, "linux");
    assert.equal(await runService(ctx, uninstall), 0, ctx.io.err);
    for (const file of PLATFORMS[0].files(box)) assert(!(await exists(file)));
    assert.match(ctx.io.err, new RegExp(`warning: .*${NO_BUS_MESSAGE}`));

    const report = serviceContext(box, fakes, "linux");
    assert.equal(await runService(report, status), 1);
    assert.match(report.io.out, /^Service: not installed$/m);
  });
});

Deno.test("service status on linux without a user bus: installed, enabled unknown, with the reason", async () => {
  await withSandbox(async (box) => {
    const fakes = await installedOnLinux(box);
    await fakes.noUserBus();
    const ctx = serviceContext(box, fakes, "linux");
    assert.equal(await runService(ctx, status), 1, "no run recorded");
    assert.match(ctx.io.out, /^ {2}enabled: unknown \(.*Failed to connect to bus/m);
    await recordRun(ctx, { ok: true, message: "refreshed" });
    const ran = serviceContext(box, fakes, "linux");
    assert.equal(await runService(ran, status), 0, "enabled unknown, last run ok: healthy");
  });
});

// ------------------------------------------------ the files, checked by real parsers

const SYSTEMD_ANALYZE = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "systemd-analyze verify accepts the written units (tricky values included)",
  ignore: !SYSTEMD_ANALYZE,
  fn: async () => {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box);
      const ctx = serviceContext(box, fakes, "linux", {
        ANTHROPIC_SCOPE: `a b %h $HOME "quoted" back\\slash 'single'`,
        CLAUDE_CODE_AUTH_USER_AGENT: "agent/1.0 (100%; ${x})",
      }, `${box.root}/odd dir/auth %i $USER.json`);
      assert.equal(await runService(ctx, install({ runtime: DENO_RUN })), 0, ctx.io.err);
      const [service, timer] = PLATFORMS[0].files(box);
      // --user needs a runtime folder but no bus: it checks the units offline. The folder is
      // short and in /tmp, whatever TMPDIR is: the user's socket units put socket paths in it,
      // and a long one (a deep TMPDIR, as on macOS or in a soak) is refused as too long.
      const runtimeDir = await Deno.makeTempDir({ dir: "/tmp", prefix: "occa-rt-" });
      const output = await new Deno.Command(SYSTEMD_ANALYZE!, {
        args: ["--user", "verify", "--man=no", service, timer],
        env: { XDG_RUNTIME_DIR: runtimeDir, SYSTEMD_LOG_LEVEL: "notice" },
        stdout: "piped",
        stderr: "piped",
      }).output().finally(() => Deno.remove(runtimeDir, { recursive: true }));
      const stderr = decoder.decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      assert.equal(stderr.trim(), "", `systemd-analyze warned:\n${stderr}`);

      // And systemd reads back exactly the job's words and values.
      const parsed = parseServiceUnit(await Deno.readTextFile(service));
      assert.equal(parsed.env.ANTHROPIC_SCOPE, `a b %h $HOME "quoted" back\\slash 'single'`);
      assert.equal(parsed.env.CLAUDE_CODE_AUTH_USER_AGENT, "agent/1.0 (100%; ${x})");
      const words = parsed.argv;
      assert.equal(
        words[words.indexOf("--auth-file") + 1],
        `${box.root}/odd dir/auth %i $USER.json`,
      );
    });
  },
});

Deno.test({
  name: "the plist is well-formed XML and a property list holding exactly the job",
  ignore: !hasPython(),
  fn: async () => {
    const job: Job = {
      program: "/Applications/My Tools/opencode-claude-code-auth",
      args: ["--auth-file", "/Users/a&b/<auth>.json", "refresh", "--ahead", "4m", "--quiet"],
      env: { HOME: "/Users/a&b", ANTHROPIC_SCOPE: `x "y" 'z' <w> & ]]>` },
    };
    const dir = await Deno.makeTempDir({ prefix: "occa-plist-" });
    try {
      const path = `${dir}/job.plist`;
      await Deno.writeTextFile(path, launchAgentPlist(job, 150_000));
      const check = await python(
        "import xml.dom.minidom,plistlib,sys,json\n" +
          "xml.dom.minidom.parse(sys.argv[1])\n" +
          "print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))",
        path,
      );
      const plist = JSON.parse(check);
      assert.deepEqual(plist, {
        Label: LAUNCHD_LABEL,
        ProgramArguments: [job.program, ...job.args],
        EnvironmentVariables: job.env,
        StartInterval: 150,
        RunAtLoad: true,
        ProcessType: "Background",
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function hasPython(): boolean {
  try {
    return new Deno.Command("python3", { args: ["-c", "pass"] }).outputSync().success;
  } catch {
    return false;
  }
}

async function python(script: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("python3", { args: ["-c", script, ...args] }).output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  return decoder.decode(output.stdout);
}

/**
 * A service unit's ExecStart= words and Environment= values as systemd reads
 * them (quotes and C escapes removed, `%%` and `$$` undone), written
 * independently of the generator so that a quoting mistake shows.
 */
function parseServiceUnit(text: string): { argv: string[]; env: Record<string, string> } {
  const unescapeSpecifiers = (word: string, dollars: boolean) => {
    let out = "";
    for (let i = 0; i < word.length; i++) {
      const ch = word[i];
      if (ch === "%" || (dollars && ch === "$")) {
        assert.equal(word[i + 1], ch, `unescaped ${ch} in ${word}`);
        i++;
      }
      out += ch;
    }
    return out;
  };
  const words = (line: string): string[] => {
    const out: string[] = [];
    let word = "";
    let inWord = false;
    let quote: string | null = null;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === "\\") {
        const next = line[++i];
        word += { n: "\n", t: "\t" }[next as "n" | "t"] ?? next;
        inWord = true;
      } else if (quote) {
        if (ch === quote) quote = null;
        else word += ch;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
        inWord = true;
      } else if (ch === " ") {
        if (inWord) out.push(word);
        word = "";
        inWord = false;
      } else {
        word += ch;
        inWord = true;
      }
    }
    assert.equal(quote, null, `unterminated quote in ${line}`);
    if (inWord) out.push(word);
    return out;
  };
  const env: Record<string, string> = {};
  let argv: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("Environment=")) {
      for (const assignment of words(line.slice("Environment=".length))) {
        const plain = unescapeSpecifiers(assignment, false);
        const eq = plain.indexOf("=");
        env[plain.slice(0, eq)] = plain.slice(eq + 1);
      }
    } else if (line.startsWith("ExecStart=")) {
      argv = words(line.slice("ExecStart=".length)).map((w) => unescapeSpecifiers(w, true));
    }
  }
  return { argv, env };
}

// ------------------------------------------------ THE KEY PROOF

// enable when refresh --ahead lands: the job runs `refresh --ahead`, which the CLI must accept.
const REFRESH_AHEAD = "ahead" in (COMMANDS.refresh.options as Record<string, unknown>);

Deno.test({
  name:
    "the job's command line, taken from the written unit, refreshes a due credential and records the run",
  ignore: !REFRESH_AHEAD,
  fn: async () => {
    await withFake(async (fake: FakeAnthropic) => {
      await withSandbox(async (box) => {
        const due = await seedBrowserEntry(box, fake, { expires: Date.now() + 2 * 60_000 });
        const fakes = await installFakeServiceManagers(box);
        const ctx = serviceContext(box, fakes, "linux", {
          ...fake.env(),
          DISPLAY: ":0",
          OPENCODE_CONFIG: `${box.root}/opencode.json`,
        });
        assert.equal(await runService(ctx, install({ runtime: DENO_RUN })), 0, ctx.io.err);
        const { argv, env } = parseServiceUnit(await Deno.readTextFile(PLATFORMS[0].files(box)[0]));

        // What is carried, and what is not.
        assert.equal(env.ANTHROPIC_TOKEN_URL, fake.env().ANTHROPIC_TOKEN_URL);
        assert.equal(env.XDG_DATA_HOME, box.dataHome);
        assert.equal(env.PATH, box.bin);
        assert.equal(env.DISPLAY, undefined);
        assert.equal(env.OPENCODE_CONFIG, undefined);
        assert.deepEqual(argv.slice(0, 2 + FLAGS.length), [Deno.execPath(), "run", ...FLAGS]);
        assert.deepEqual(argv.slice(-6), [
          "--auth-file",
          box.authFile,
          "refresh",
          "--ahead",
          "4m",
          "--quiet",
        ]);

        // Run it as systemd would: that environment only, from /, stdin closed.
        const runJob = async () => {
          const result = await runLikeScheduler(argv[0], argv.slice(1), env);
          for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
          box.assertNoLeak(argv, result);
          return result;
        };
        const before = Date.now();
        const result = await runJob();
        const after = Date.now();
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "");
        assert.equal(result.stderr, "", "--quiet: a successful run prints nothing");
        assert.equal(fake.refreshRequests().length, 1);
        const stored = (await box.readAuth()).anthropic as { access: string; expires: number };
        assert.notEqual(stored.access, due.access);
        assert.equal(stored.access, fake.issued.at(-1)!.access);
        assert(stored.expires > Date.now() + 60 * 60_000);

        const ctxAfter = serviceContext(box, fakes, "linux");
        const last = readLastRun(ctxAfter);
        assert(last, "the run was recorded in the state's service key");
        assert.equal(last.ok, true);
        // Recorded during the run (bracketed by the clock around it, whatever its speed).
        assert(last.at >= before && last.at <= after, `recorded at ${last.at}`);

        // The next tick finds the credential fresh: no second refresh.
        const second = await runJob();
        assert.equal(second.code, 0, second.stderr);
        assert.equal(fake.refreshRequests().length, 1);
      });
    });
  },
});

Deno.test("a recorded last run at a time no Date can hold counts as no record (service status shows it as a date)", async () => {
  await withSandbox(async (box) => {
    const ctx = serviceContext(box, await installFakeServiceManagers(box), "linux");
    for (const at of [1e16, -1e16, 8.64e15]) {
      await writeStateKey(ctx.stateFile, SERVICE_KEY, { lastRun: { at, ok: true } });
      assert.equal(readLastRun(ctx)?.at, at === 8.64e15 ? at : undefined, String(at));
    }
  });
});

// ------------------------------------------------ usage

function ctxForUsage(): Context {
  const io = memoryIo();
  return createContext({
    env: recordEnv({ HOME: "/nonexistent-home" }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    spawn: () => {
      throw new Error("no process may start on a usage error");
    },
  });
}

/** Parse `service ARGS` as the CLI does and run it. */
function runParsed(args: string[]): Promise<number> {
  const parsed = parseCommandLine(["service", ...args]);
  assert.equal(parsed.command, "service");
  return run(ctxForUsage(), parsed as ParsedArgs<"service">);
}

async function assertUsage(args: string[], message: RegExp) {
  await assert.rejects(
    () => runParsed(["install", ...args]),
    (error: Error) => {
      assert(error instanceof CliError, String(error));
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
      return true;
    },
  );
}

Deno.test("service install: malformed or unsafe durations are usage errors (exit 2)", async () => {
  await assertUsage(["--every", "1x"], /--every needs a positive whole number/);
  await assertUsage(["--ahead", "0s"], /--ahead needs a positive whole number/);
  await assertUsage(["--every", "30s"], /--every must be at least 1m/);
  await assertUsage(["--every", "2h"], /--every must be at most 60m/);
  await assertUsage(["--every", "4m"], /--ahead 4m is too short for --every 4m/);
  await assertUsage(["--ahead", "2m"], /--ahead 2m is too short for --every 2m/);
  await assertUsage(["--every", "90s", "--ahead", "2m"], /runs 2m apart/);
  await assert.rejects(
    () => runParsed(["status", "--every", "2m"]),
    /options of `service install`/,
  );
  assert.throws(() => parseCommandLine(["service", "start"]), /invalid ACTION 'start'/);
});

Deno.test("checkSchedule: ahead must cover the period (rounded up to minutes) plus the run's own time", () => {
  checkSchedule(DEFAULT_EVERY_MS, DEFAULT_AHEAD_MS);
  checkSchedule(120_000, 120_000 + AHEAD_MARGIN_MS);
  assert.throws(() => checkSchedule(120_000, 120_000 + AHEAD_MARGIN_MS - 1000));
  checkSchedule(90_000, 180_000);
  assert.throws(() => checkSchedule(90_000, 179_000));
});

// ------------------------------------------------ the job, the quoting

function jobInputs(overrides: Partial<JobInputs> = {}): JobInputs {
  return {
    ...DENO_RUN,
    flags: FLAGS,
    env: recordEnv({
      HOME: "/home/u",
      PATH: "/usr/local/bin:/usr/bin",
      CLAUDE_CONFIG_DIR: "/home/u/.claude-work",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      CLAUDE_CODE_AUTH_REFRESH_MODEL: "claude-haiku-4-5",
      DISPLAY: ":0",
      OPENCODE_CONFIG: "/x.json",
      OPENCODE_AUTH_CONTENT: "{}",
      CLAUDE_CODE_AUTH_DEBUG: "1",
      NO_COLOR: "1",
      XDG_DATA_HOME: "",
    }),
    os: "linux",
    authFile: "/home/u/.local/share/opencode/auth.json",
    stateFile: "/home/u/.config/opencode-claude-code-auth/state.json",
    cwd: "/work",
    ahead: 240_000,
    ...overrides,
  };
}

Deno.test("the job under deno run: the same deno, run, the start task's flags, the same main module", () => {
  const job = buildJob(jobInputs());
  assert.equal(job.program, Deno.execPath());
  assert.deepEqual(job.args, [
    "run",
    ...FLAGS,
    MAIN,
    "--auth-file",
    "/home/u/.local/share/opencode/auth.json",
    "refresh",
    "--ahead",
    "4m",
    "--quiet",
  ]);
  // Carried: the set ones marked carried, in the table's order; not the rest.
  assert.deepEqual(job.env, {
    HOME: "/home/u",
    PATH: "/usr/local/bin:/usr/bin",
    CLAUDE_CONFIG_DIR: "/home/u/.claude-work",
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    CLAUDE_CODE_AUTH_REFRESH_MODEL: "claude-haiku-4-5",
  });
});

Deno.test("the job of a compiled binary runs the binary itself, without deno's flags", () => {
  const job = buildJob(jobInputs({ execPath: "/opt/occa/bin/occa", standalone: true }));
  assert.equal(job.program, "/opt/occa/bin/occa");
  assert.deepEqual(job.args, [
    "--auth-file",
    "/home/u/.local/share/opencode/auth.json",
    "refresh",
    "--ahead",
    "4m",
    "--quiet",
  ]);
});

Deno.test("the job: a remote main module stays a URL; a relative --auth-file is made absolute; a custom state folder is carried", () => {
  const remote = buildJob(jobInputs({ mainModule: "https://example.com/occa/main.ts" }));
  assert(remote.args.includes("https://example.com/occa/main.ts"));
  const relative = buildJob(jobInputs({ authFile: "auth.json", ahead: 90_000 }));
  assert.deepEqual(relative.args.slice(-6), [
    "--auth-file",
    "/work/auth.json",
    "refresh",
    "--ahead",
    "90s",
    "--quiet",
  ]);
  const state = buildJob(jobInputs({ stateFile: "/srv/cfg/opencode-claude-code-auth/state.json" }));
  assert.equal(state.env.XDG_CONFIG_HOME, "/srv/cfg");
  assert.equal(buildJob(jobInputs()).env.XDG_CONFIG_HOME, undefined, "the default needs nothing");
  assert.equal(modulePath("file:///C:/a%20b/main.ts", "windows"), "C:\\a b\\main.ts");
  assert.equal(modulePath("file:///a%20b/main.ts", "linux"), "/a b/main.ts");
  const shimmed = buildJob(jobInputs({
    env: recordEnv({ PATH: "/root/.cache/deno/node_compat_bin:/usr/bin" }),
  }));
  assert.equal(shimmed.env.PATH, "/usr/bin", "Deno's node shim folder is not the user's PATH");
});

Deno.test("the job refuses values no scheduler file can hold (control characters)", () => {
  assert.throws(
    () => buildJob(jobInputs({ env: recordEnv({ HOME: "/home/u", PATH: "/bin\n/x" }) })),
    /cannot carry PATH into the job/,
  );
  assert.throws(() => buildJob(jobInputs({ authFile: "/a\u0007b" })), /control or bidi character/);
});

Deno.test("quoting: systemd, cron, cmd.exe and XML", () => {
  assert.equal(systemdQuote(`a "b" \\ %i $X`), `"a \\"b\\" \\\\ %%i $$X"`);
  assert.equal(systemdQuote("A=$X %h", "environment"), `"A=$X %%h"`);
  assert.equal(cronQuote("it's 100%"), `'it'\\''s 100\\%'`);
  assert.throws(() => cronQuote("a\\%b"), /crontab/);
  assert.equal(cmdQuote("C:\\a b\\"), `"C:\\a b\\\\"`);
  assert.equal(cmdQuote("100% & more"), `"100%% & more"`);
  assert.throws(() => cmdQuote('say "hi"'), /double quote/);
  assert.equal(xmlEscape(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  const job: Job = { program: "/p", args: ["a"], env: { HOME: "/h" } };
  assert.equal(cronLine("/s/x.sh", 120_000), "*/2 * * * * '/s/x.sh' >/dev/null 2>&1");
  assert.equal(cronLine("/s/100%.sh", 120_000), "*/2 * * * * '/s/100\\%.sh' >/dev/null 2>&1");
  assert.equal(cronLine("/s", 61_000).slice(0, 4), "*/2 ");
  assert.equal(cronLine("/s", 3_600_000).slice(0, 10), "0 * * * * ");
  assert.match(
    cronScript({ ...job, env: { HOME: "/h's" } }, { every: 120_000, ahead: 240_000 }),
    /^HOME='\/h'\\''s'; export HOME\nexec '\/p' 'a'\n$/m,
  );
  assert.deepEqual(createArgs("C:\\x\\w.cmd", 150_000).slice(4, 6), ["/MO", "3"]);
  const wrapper = cmdWrapper({ ...job, env: { PATH: "C:\\bin;%SystemRoot%" } }, {
    every: 120_000,
    ahead: 240_000,
  });
  assert.match(wrapper, /^set "PATH=C:\\bin;%%SystemRoot%%"\r$/m);
  assert.match(serviceUnit(job, { every: 120_000, ahead: 240_000 }), /^ExecStart="\/p" "a"$/m);
  assert.match(timerUnit(90_000), /^OnUnitActiveSec=90s$/m);
  assert.match(timerUnit(90_000), /^OnBootSec=90s$/m);
  assert.match(timerUnit(3_600_000), /^OnCalendar=\*-\*-\* \*:00:00$/m);
  assert.match(timerUnit(420_000), /^OnUnitActiveSec=420s$/m); // 7 minutes do not divide an hour
  for (const every of [60_000, 120_000, 90_000, 420_000, 900_000, 3_600_000]) {
    assert.equal(timerEvery(timerUnit(every)), every);
  }
});

// ------------------------------------------------ run records

function recordContext(
  box: Sandbox,
  now = Date.now(),
): Context & { io: ReturnType<typeof memoryIo> } {
  const io = memoryIo();
  return createContext({
    env: recordEnv({
      HOME: box.home,
      XDG_DATA_HOME: box.dataHome,
      XDG_CONFIG_HOME: box.configHome,
    }),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os: "linux",
    now: () => now,
  }) as Context & { io: ReturnType<typeof memoryIo> };
}

Deno.test("recordRun: the last run in the state's service key; a failure adds one scrubbed line to the log", async () => {
  await withSandbox(async (box) => {
    await Deno.mkdir(`${box.configHome}/opencode-claude-code-auth`, { recursive: true });
    await Deno.writeTextFile(box.stateFile, JSON.stringify({ anthropic: { source: "api-key" } }));
    const ctx = recordContext(box, 1_700_000_000_000);
    await recordRun(ctx, { ok: true, message: "refreshed; expires in 8h" });
    assert.deepEqual(readLastRun(ctx), {
      at: 1_700_000_000_000,
      ok: true,
      message: "refreshed; expires in 8h",
    });
    assert(!(await exists(serviceLogPath(box.stateFile))), "a success is not logged");

    const secret = "sk-ant-ort01-SERVICE-LOG-SECRET-0123456789abcdef";
    registerSecret(secret);
    const later = recordContext(box, 1_700_000_120_000);
    await recordRun(later, {
      ok: false,
      message: `token endpoint said no\n\x1b[31mrefresh_token=${secret}\r\nsecond line`,
    });
    const last = readLastRun(later)!;
    assert.equal(last.ok, false);
    assert(!last.message.includes(secret));
    // deno-lint-ignore no-control-regex
    assert(!/[\x00-\x1f]/.test(last.message), last.message);
    const log = await Deno.readTextFile(serviceLogPath(box.stateFile));
    assert.equal(log.split("\n").filter(Boolean).length, 1);
    assert.match(log, /^2023-11-14T22:(1|2)\d:\d\d\.000Z failed: token endpoint said no /);
    assert(!log.includes(secret), log);
    assert.equal((await Deno.stat(serviceLogPath(box.stateFile))).mode! & 0o777, 0o600);
    // The state's other keys are kept.
    const state = JSON.parse(await Deno.readTextFile(box.stateFile));
    assert.deepEqual(state.anthropic, { source: "api-key" });

    // status shows it.
    const fakes = await installFakeServiceManagers(box);
    const report = serviceContext(box, fakes, "linux");
    assert.equal(await runService(report, status), 1, "last run failed");
    assert.match(report.io.out, /^ {2}last run: 2023-11-14 22:15:20 UTC \(.* ago\)$/m);
    assert.match(report.io.out, /^ {2}last outcome: FAILED: token endpoint said no/m);
    assert.match(report.io.out, /failures are logged in .*service\.log/);
  });
});

Deno.test("the failure log stays bounded: cut to its newest whole lines", async () => {
  await withSandbox(async (box) => {
    const path = `${box.root}/state/service.log`;
    const line = (i: number) => `${String(i).padStart(6, "0")} ${"x".repeat(90)}\n`;
    for (let i = 0; i < 40; i++) await appendBounded(path, line(i), 1024);
    const text = await Deno.readTextFile(path);
    assert(new TextEncoder().encode(text).length <= 1024, `${text.length}`);
    assert(text.endsWith(line(39)));
    assert(text.split("\n").filter(Boolean).every((l) => /^\d{6} x{90}$/.test(l)), text);
    assert(LOG_LIMIT_BYTES === 64 * 1024);
  });
});

Deno.test("sanitizeMessage: one line, no control characters, bounded", () => {
  assert.equal(sanitizeMessage("a\nb\t\x1b[0mc  d"), "a b [0mc d");
  assert.equal([...sanitizeMessage("é".repeat(1000))].length, 300);
});

Deno.test("service status: the credential's expiry, or that an API key does not expire", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    await box.writeAuth({
      anthropic: { type: "api", key: "sk-ant-api03-STATUS-0123456789abcdef" },
    });
    const api = serviceContext(box, fakes, "linux");
    await runService(api, status);
    assert.match(api.io.out, /credential: an API key does not expire/);
    await box.writeAuth({
      anthropic: {
        type: "oauth",
        refresh: "",
        access: "sk-ant-oat01-STATUS-0123456789",
        expires: Date.now() + 3 * 3_600_000,
      },
    });
    const oauth = serviceContext(box, fakes, "linux");
    await runService(oauth, status);
    assert.match(
      oauth.io.out,
      /credential: the token expires in 2h 59m|credential: the token expires in 3h 0m/,
    );
  });
});

Deno.test("--allow-run and --allow-env of the start task cover what service runs and reads", () => {
  const run = FLAGS.find((f) => f.startsWith("--allow-run="))!.split("=")[1].split(",");
  for (const program of ["systemctl", "launchctl", "schtasks"]) {
    assert(run.includes(program), program);
  }
  const env = FLAGS.find((f) => f.startsWith("--allow-env="))!.split("=")[1].split(",");
  assert(env.includes("PATH"));
});

// ------------------------------------------------ rough edges (issue 18)

/** Every file the service could have written, for "nothing was written". */
async function serviceFiles(box: Sandbox): Promise<string[]> {
  return [
    ...(await tree(`${box.configHome}/systemd`)),
    ...(await tree(`${box.configHome}/opencode-claude-code-auth`)).filter((f) =>
      f !== "state.json" && !f.endsWith(".lock")
    ),
  ];
}

async function assertRefused(
  run: Promise<number>,
  code: 1 | 2,
  message: RegExp,
): Promise<CliError> {
  let caught: CliError | undefined;
  await assert.rejects(run, (error: Error) => {
    assert(error instanceof CliError, String(error));
    assert.equal(error.exitCode, code, error.message);
    assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught!;
}

Deno.test("service install over an API key: refused (exit 2) saying why, nothing written; --force installs with a warning", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    await box.writeAuth({ anthropic: { type: "api", key: "sk-ant-api03-SERVICE-0123456789ab" } });
    const refused = serviceContext(box, fakes, "linux");
    const error = await assertRefused(
      runService(refused, install({ runtime: DENO_RUN })),
      2,
      /^nothing to refresh: .*auth\.json holds an API key, which never expires/,
    );
    assert.match(error.hint!, /service install --force/);
    assert.deepEqual(await serviceFiles(box), []);
    assert.deepEqual(await fakes.calls(), []);
    // --dry-run shows what install would do, so it is refused the same way.
    await assertRefused(
      runService(refused, install({ runtime: DENO_RUN, dryRun: true })),
      2,
      /nothing to refresh/,
    );

    const forced = serviceContext(box, fakes, "linux");
    assert.equal(await runService(forced, install({ runtime: DENO_RUN, force: true })), 0);
    assert.match(forced.io.err, /^warning: installing anyway \(--force\): .* an API key/m);
    assert.equal((await serviceFiles(box)).length, 2);
    await assert.rejects(() => runParsed(["status", "--force"]), /options of `service install`/);
  });
});

Deno.test("service install over a long-lived token (oauth without a refresh token) is refused; over a Claude Code session it is not", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    const token = {
      type: "oauth",
      refresh: "",
      access: "sk-ant-oat01-LONG-LIVED-0123456789",
      expires: Date.now() + 300 * 86_400_000,
    };
    await box.writeAuth({ anthropic: token });
    await assertRefused(
      runService(serviceContext(box, fakes, "linux"), install({ runtime: DENO_RUN })),
      2,
      /nothing to refresh: .* a token without a refresh token/,
    );
    assert.deepEqual(await serviceFiles(box), []);

    // The same entry shape written by `login --method claude-code`: renewed by running claude.
    await seedClaudeSession(
      box,
      {
        accessToken: token.access,
        refreshToken: "sk-ant-ort01-CC-0123456789",
        expiresAt: token.expires,
      } as Parameters<typeof seedClaudeSession>[1],
    );
    const ctx = serviceContext(box, fakes, "linux");
    assert.equal(await runService(ctx, install({ runtime: DENO_RUN })), 0, ctx.io.err);
    assert.doesNotMatch(ctx.io.err, /warning/);
  });
});

Deno.test("service install checks carried values as they are checked at use, before anything is written", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { ANTHROPIC_TOKEN_URL: "https://user:hunter2-pass@example.com/token" },
      /ANTHROPIC_TOKEN_URL must not contain a user name or password/,
    ],
    [{ ANTHROPIC_BASE_URL: "http://example.com" }, /ANTHROPIC_BASE_URL must be an https: URL/],
    [
      { CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS: "soon" },
      /CLAUDE_CODE_AUTH_HTTP_TIMEOUT_MS must be a whole number/,
    ],
    [{ CLAUDE_CODE_AUTH_USER_AGENT: "agent\u00e9" }, /USER_AGENT must be printable ASCII/],
  ];
  for (const [env, message] of cases) {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box);
      for (const dryRun of [false, true]) {
        const ctx = serviceContext(box, fakes, "linux", env);
        const error = await assertRefused(
          runService(ctx, install({ runtime: DENO_RUN, dryRun })),
          2,
          message,
        );
        assert.match(error.message, /^cannot schedule the job: /);
        assert(!`${error.message} ${error.hint} ${ctx.io.out}`.includes("hunter2"));
      }
      assert.deepEqual(await serviceFiles(box), []);
      assert.deepEqual(await fakes.calls(), []);
    });
  }
});

Deno.test("C1 and bidi controls in PATH, --auth-file or HOME are refused before anything is written or shown", async () => {
  const cases: [Record<string, string>, string | undefined, RegExp][] = [
    [{ PATH: "/usr/bin:/opt/\u0085evil" }, undefined, /cannot carry PATH/],
    [{ PATH: "/usr/bin:/opt/\u202egnp.exe" }, undefined, /cannot carry PATH/],
    [{}, "/tmp/auth\u2066.json", /an argument holds a control or bidi character/],
    [{ CLAUDE_CONFIG_DIR: "/home/u/\u009b31m.claude" }, undefined, /cannot carry CLAUDE_CONFIG/],
  ];
  for (const [env, authFile, message] of cases) {
    await withSandbox(async (box) => {
      const fakes = await installFakeServiceManagers(box);
      for (const os of ["linux", "freebsd"] as const) {
        for (const dryRun of [false, true]) {
          const ctx = serviceContext(box, fakes, os, env, authFile);
          await assertRefused(runService(ctx, install({ runtime: DENO_RUN, dryRun })), 1, message);
          assert.equal(ctx.io.out, "", "no --dry-run output, no crontab line");
          assert.doesNotMatch(ctx.io.err, /[\x80-\x9f\u202a-\u202e\u2066-\u2069]/);
        }
      }
      assert.deepEqual(await serviceFiles(box), []);
    });
  }
});

Deno.test("no secret is ever carried into the job", () => {
  registerSecret("sk-ant-oat01-CARRIED-SECRET-0123456789");
  assert.throws(
    () =>
      buildJob(jobInputs({
        env: recordEnv({ HOME: "/home/u", ANTHROPIC_CLIENT_ID: "sk-ant-api03-abcdefghijklmnop" }),
      })),
    /cannot carry ANTHROPIC_CLIENT_ID into the job: its value holds what looks like a secret/,
  );
  assert.throws(
    () =>
      buildJob(jobInputs({
        env: recordEnv({ HOME: "/home/u" }),
        authFile: "/x/sk-ant-oat01-CARRIED-SECRET-0123456789.json",
      })),
    /cannot carry --auth-file/,
  );
});

Deno.test("service on windows: the wrapper switches cmd.exe to UTF-8 before a non-ASCII profile path", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    const profile = "C:\\Users\\José Müller";
    const ctx = serviceContext(box, fakes, "windows", { USERPROFILE: profile });
    assert.equal(await runService(ctx, install({ runtime: WINDOWS_BINARY })), 0, ctx.io.err);
    const path = PLATFORMS[2].files(box)[0];
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const lines = text.split("\r\n");
    assert.deepEqual(lines.slice(0, 2), ["@echo off", "chcp 65001 >nul"]);
    const profileLine = lines.findIndex((l) => l === `set "USERPROFILE=${profile}"`);
    assert(profileLine > 1, text);
    // Everything before the switch is ASCII, so it reads the same under any code page.
    // deno-lint-ignore no-control-regex
    assert.match(lines.slice(0, 2).join(""), /^[\x00-\x7f]*$/);
    // The UTF-8 bytes of "é" are in the file as UTF-8, not as a code-page byte.
    assert(text.includes("José"));
    assert.equal(bytes.indexOf(0xe9), -1, "no Latin-1 é");
  });
});

Deno.test("service status on windows: a task still registered without its wrapper is not installed (exit 1)", async () => {
  await withSandbox(async (box) => {
    const fakes = await installFakeServiceManagers(box);
    const ctx = serviceContext(box, fakes, "windows");
    assert.equal(await runService(ctx, install({ runtime: WINDOWS_BINARY })), 0, ctx.io.err);
    await Deno.remove(PLATFORMS[2].files(box)[0]);
    const report = serviceContext(box, fakes, "windows");
    assert.equal(await runService(report, status), 1);
    assert.match(report.io.out, /^Service: not installed$/m);
    assert.match(report.io.out, /^ {2}still registered: the Scheduled Task /m);
    assert.doesNotMatch(report.io.out, /enabled/);
  });
});

Deno.test("service status on linux: a disabled timer with a good last run is exit 1", async () => {
  await withSandbox(async (box) => {
    const fakes = await installedOnLinux(box);
    const ctx = serviceContext(box, fakes, "linux");
    await recordRun(ctx, { ok: true, message: "refreshed" });
    await Deno.remove(`${fakes.dir}/enabled-${TIMER}`);
    const report = serviceContext(box, fakes, "linux");
    assert.equal(await runService(report, status), 1);
    assert.match(report.io.out, /^ {2}enabled: no$/m);
  });
});

Deno.test({
  name:
    "the crontab script does the job: run by sh with an empty environment, it refreshes a due credential; uninstall removes it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withFake(async (fake: FakeAnthropic) => {
      await withSandbox(async (box) => {
        const due = await seedBrowserEntry(box, fake, { expires: Date.now() + 2 * 60_000 });
        const fakes = await installFakeServiceManagers(box);
        await fakes.noUserBus();
        const ctx = serviceContext(box, fakes, "linux", fake.env());
        assert.equal(await runService(ctx, install({ runtime: DENO_RUN })), 1);
        const line = ctx.io.out.trim();
        const script = /'([^']+)'/.exec(line)![1];
        // As cron runs it: no environment of ours.
        const output = await runLikeScheduler("/bin/sh", [script], {});
        assert.equal(output.code, 0, output.stderr);
        assert.equal(fake.refreshRequests().length, 1);
        const stored = (await box.readAuth()).anthropic as { access: string };
        assert.notEqual(stored.access, due.access);
        for (const pair of fake.issued) box.plant(pair.access, pair.refresh);
        box.assertNoLeak(["cron script"], {
          code: 0,
          stdout: await Deno.readTextFile(script),
          stderr: output.stderr,
        });

        // status finds the script and the run it recorded.
        const report = serviceContext(box, fakes, "linux");
        assert.equal(await runService(report, status), 0, report.io.out);
        assert.match(report.io.out, /^Service: installed as a crontab script/);

        const removal = serviceContext(box, fakes, "linux");
        assert.equal(await runService(removal, uninstall), 0, removal.io.err);
        assert(!(await exists(script)));
        assert.match(removal.io.err, /crontab -e/);
      });
    });
  },
});

Deno.test({
  name: "service.log: a link there is replaced, never followed; its target stays as it was",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(async (box) => {
      const path = `${box.root}/state/service.log`;
      await Deno.mkdir(`${box.root}/state`);
      const victim = `${box.root}/victim.txt`;
      await Deno.writeTextFile(victim, "x".repeat(3000));
      await Deno.symlink(victim, path);
      await appendBounded(path, "one line\n", 1024);
      assert.equal(await Deno.readTextFile(victim), "x".repeat(3000), "the target is untouched");
      assert((await Deno.lstat(path)).isFile);
      assert.equal(await Deno.readTextFile(path), "one line\n");
      assert(!(await exists(`${victim}.lock`)), "no lock beside the link's target");
      // A dangling link too.
      await Deno.remove(path);
      await Deno.symlink(`${box.root}/nowhere/log`, path);
      await appendBounded(path, "two\n", 1024);
      assert.equal(await Deno.readTextFile(path), "two\n");
      assert(!(await exists(`${box.root}/nowhere`)));
    });
  },
});

Deno.test("service.log trim: reads back only the kept half, cut to whole lines", async () => {
  await withSandbox(async (box) => {
    const path = `${box.root}/state/service.log`;
    await Deno.mkdir(`${box.root}/state`);
    // A line longer than the half that is kept, then a short one: under the limit.
    await Deno.writeTextFile(path, `${"L".repeat(900)}\n`);
    await appendBounded(path, "a\n", 1024);
    assert.equal(await Deno.readTextFile(path), `${"L".repeat(900)}\na\n`);
    // Over it now: the newest 512 bytes start inside the long line, which is dropped whole.
    await appendBounded(path, `${"b".repeat(200)}\n`, 1024);
    assert.equal(await Deno.readTextFile(path), `a\n${"b".repeat(200)}\n`);
    // A cut that falls exactly on a line start keeps that line.
    await Deno.writeTextFile(path, `${"c".repeat(100)}\n${"d".repeat(99)}\n`);
    await appendBounded(path, "", 200);
    assert.equal(await Deno.readTextFile(path), `${"d".repeat(99)}\n`);
  });
});

/**
 * The service managers by OS: the one table every platform dispatch of
 * `service` goes through (as lib/methods/index.ts is for sign-in methods).
 * An OS not in the table gets the crontab fallback.
 *
 * @module
 */

import type { Context } from "../context.ts";
import { fileFailure } from "../errors.ts";
import { cronManager } from "./cron.ts";
import { launchdManager } from "./launchd.ts";
import type { ServiceManager, ServicePlace } from "./manager.ts";
import { schtasksManager } from "./schtasks.ts";
import { systemdManager } from "./systemd.ts";

/** Each OS's manager. */
const MANAGERS: Readonly<Record<string, (place: ServicePlace) => ServiceManager>> = {
  linux: systemdManager,
  darwin: launchdManager,
  windows: schtasksManager,
};

/** The owner's uid of `path`, from its metadata (no --allow-sys needed). */
export function fileOwner(path: string): number | null {
  try {
    return Deno.statSync(path).uid;
  } catch (error) {
    throw fileFailure("read", path, error);
  }
}

/** The manager of `place.os`: systemd, launchd, Task Scheduler, or none (the crontab fallback). */
export function serviceManager(
  place: Pick<Context, "env" | "os" | "stateFile">,
  ownerOf: (path: string) => number | null = fileOwner,
): ServiceManager {
  const full: ServicePlace = { env: place.env, os: place.os, stateFile: place.stateFile, ownerOf };
  return (MANAGERS[place.os] ?? cronManager)(full);
}

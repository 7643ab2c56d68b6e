/**
 * Opening a URL in the user's browser with the platform's opener (`open`,
 * `xdg-open`, `rundll32`). Kept apart so the sign-in never depends on it: when
 * no browser starts, the user opens the printed URL by hand.
 *
 * @module
 */

import type { EnvContext, OutputContext, ProcessContext } from "./context.ts";

/**
 * The opener command for this platform, or null when no browser can be
 * started (Linux without a display, e.g. over SSH). Windows uses rundll32's
 * URL handler rather than `cmd /c start`, which splits URLs at `&`.
 */
export function browserCommand(
  ctx: EnvContext,
  url: string,
): { command: string; args: string[] } | null {
  switch (ctx.os) {
    case "darwin":
      return { command: "open", args: [url] };
    case "windows":
      return { command: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
    default:
      if (!ctx.env.get("DISPLAY") && !ctx.env.get("WAYLAND_DISPLAY")) return null;
      return { command: "xdg-open", args: [url] };
  }
}

/** Start the browser on `url` without waiting for it; false when it could not start. */
export function openBrowser(
  ctx: ProcessContext & EnvContext & OutputContext,
  url: string,
): boolean {
  const opener = browserCommand(ctx, url);
  if (!opener) {
    ctx.ui.debug("no display found; not starting a browser");
    return false;
  }
  try {
    // Fire and forget: an opener may stay around (xdg-open waits for some
    // browsers), so it is not waited for and does not keep this process alive.
    const child = ctx.spawn(opener.command, {
      args: opener.args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    });
    child.unref();
    child.status.then((status) => {
      if (!status.success) ctx.ui.debug(`${opener.command} exited with code ${status.code}`);
    });
    return true;
  } catch (error) {
    ctx.ui.debug(
      `could not start ${opener.command}: ${error instanceof Error ? error.message : error}`,
    );
    return false;
  }
}

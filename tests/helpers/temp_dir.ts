/** A temporary folder for a test, removed afterwards (written once for the unit tests). */

/**
 * Run `fn` in a new temporary folder named with `prefix`. Its real path is
 * given (the temporary folder may itself sit behind a link, as /var on macOS).
 */
export async function withTempDir(
  prefix: string,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

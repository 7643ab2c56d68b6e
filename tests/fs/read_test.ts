/**
 * The bounded reader: regular files only, a size cap that also holds for a
 * file that lies about its size, and no hang on a FIFO or an endless device.
 */

import assert from "node:assert/strict";
import { FailureError } from "../../lib/errors.ts";
import {
  FileTooLargeError,
  NotUtf8Error,
  readBoundedBytes,
  readBoundedText,
} from "../../lib/fs/read.ts";
import { readTextOrNull } from "../../lib/fs/atomic.ts";
import { withTempDir } from "../helpers/temp_dir.ts";
import { countingReads } from "../helpers/counting.ts";
import { HANG_MS } from "../helpers/wait.ts";

const WHAT = "the test file";
const posix = Deno.build.os !== "windows";

/** A temporary folder for one test. */
function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("occa-read-", fn);
}

const READER = new URL("../../lib/fs/read.ts", import.meta.url).href;

/**
 * Read `path` in a separate Deno killed after `ms`: a reader that blocks
 * (a FIFO's open) or never ends (/dev/zero) fails the test instead of hanging it.
 * Returns the error message the reader threw, or "read N bytes".
 */
async function readInSubprocess(path: string, ms = HANG_MS): Promise<string> {
  const code = `
    import { readBoundedText } from ${JSON.stringify(READER)};
    try {
      const text = readBoundedText(${JSON.stringify(path)}, { maxBytes: 1 << 20, what: "f" });
      console.log("read " + (text === null ? "null" : text.length) + " bytes");
    } catch (error) {
      console.log(error.message);
    }`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", code],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(ms),
  }).output();
  assert(output.success, `the read hung: no end within ${ms / 1000} s (signal ${output.signal})`);
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("a regular file is read whole; a missing one is null", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.json`, '{"a":1}');
    assert.equal(readBoundedText(`${dir}/a.json`, { maxBytes: 100, what: WHAT }), '{"a":1}');
    assert.deepEqual(
      readBoundedBytes(`${dir}/a.json`, { maxBytes: 100, what: WHAT }),
      new TextEncoder().encode('{"a":1}'),
    );
    assert.equal(readBoundedText(`${dir}/none.json`, { maxBytes: 100, what: WHAT }), null);
    assert.equal(readBoundedText(`${dir}/no/such/dir/x`, { maxBytes: 100, what: WHAT }), null);
    await Deno.writeTextFile(`${dir}/empty`, "");
    assert.equal(readBoundedText(`${dir}/empty`, { maxBytes: 100, what: WHAT }), "");
  });
});

Deno.test("the cap: exactly at it is read, one byte over is a one-line failure", async () => {
  await withDir(async (dir) => {
    const cap = 4096;
    await Deno.writeFile(`${dir}/at`, new Uint8Array(cap).fill(0x61));
    await Deno.writeFile(`${dir}/under`, new Uint8Array(cap - 1).fill(0x61));
    await Deno.writeFile(`${dir}/over`, new Uint8Array(cap + 1).fill(0x61));
    assert.equal(readBoundedText(`${dir}/at`, { maxBytes: cap, what: WHAT })!.length, cap);
    assert.equal(readBoundedText(`${dir}/under`, { maxBytes: cap, what: WHAT })!.length, cap - 1);
    assert.throws(
      () => readBoundedText(`${dir}/over`, { maxBytes: cap, what: WHAT }),
      (error: Error) => {
        assert(error instanceof FileTooLargeError && error instanceof FailureError);
        assert.equal(error.exitCode, 1);
        assert.equal(error.message, `the test file ${dir}/over is larger than 4 KiB`);
        return true;
      },
    );
  });
});

Deno.test("a directory and other non-files are refused, through symlinks too", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    assert.throws(
      () => readBoundedText(`${dir}/sub`, { maxBytes: 100, what: WHAT }),
      (error: Error) => error.message === `${dir}/sub is a directory, not a file`,
    );
    if (posix) {
      await Deno.symlink(`${dir}/sub`, `${dir}/link-to-dir`);
      assert.throws(
        () => readBoundedText(`${dir}/link-to-dir`, { maxBytes: 100, what: WHAT }),
        FailureError,
      );
      // A dangling link reads as missing, like the file it names.
      await Deno.symlink(`${dir}/gone`, `${dir}/dangling`);
      assert.equal(readBoundedText(`${dir}/dangling`, { maxBytes: 100, what: WHAT }), null);
    }
  });
});

Deno.test({
  name: "a FIFO and /dev/zero, directly or behind a symlink, are refused without hanging",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const made = await new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).output();
      assert(made.success, "mkfifo");
      await Deno.symlink(`${dir}/fifo`, `${dir}/opencode.json`);
      await Deno.symlink("/dev/zero", `${dir}/opencode.jsonc`);
      for (const path of [`${dir}/fifo`, `${dir}/opencode.json`, `${dir}/opencode.jsonc`]) {
        assert.equal(await readInSubprocess(path), `${path} is not a regular file`);
      }
      assert.equal(await readInSubprocess("/dev/zero"), "/dev/zero is not a regular file");
      // In-process too (the subprocess proved it cannot hang).
      assert.throws(() => readTextOrNull(`${dir}/opencode.jsonc`), /is not a regular file/);
      assert.throws(() => readTextOrNull(`${dir}/fifo`), /is not a regular file/);
    });
  },
});

Deno.test("a huge sparse file (2 GB) is refused from its size, without reading it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/auth.json`;
    await Deno.writeTextFile(path, "{}");
    await Deno.truncate(path, 2 * 1024 ** 3);
    const { bytesRead } = await countingReads(() =>
      assert.throws(
        () => readBoundedText(path, { maxBytes: 8 << 20, what: "OpenCode's credential file" }),
        new RegExp(
          `^FileTooLargeError: OpenCode's credential file ${path} is larger than 8192 KiB$`,
        ),
      )
    );
    // The kernel's count of bytes this process read, not a clock: next to nothing.
    assert(bytesRead === null || bytesRead < 1 << 20, `read ${bytesRead} bytes`);
  });
});

Deno.test("strict UTF-8 refuses invalid bytes with its own error; lenient replaces them", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/bad`, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    assert.throws(
      () => readBoundedText(`${dir}/bad`, { maxBytes: 100, what: WHAT, strictUtf8: true }),
      (error: Error) =>
        error instanceof NotUtf8Error &&
        error.message === `the test file ${dir}/bad is not valid UTF-8 text`,
    );
    assert.equal(
      readBoundedText(`${dir}/bad`, { maxBytes: 100, what: WHAT }),
      "{\ufffd\ufffd}",
    );
  });
});

Deno.test("the text: a leading BOM is dropped, a real U+FFFD is kept under strict UTF-8", async () => {
  await withDir(async (dir) => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    await Deno.writeFile(`${dir}/bom`, utf8('\ufeff{"a":1}'));
    await Deno.writeFile(`${dir}/replacement`, utf8('{"a":"\ufffd"}'));
    for (const strictUtf8 of [false, true]) {
      const options = { maxBytes: 100, what: WHAT, strictUtf8 };
      assert.equal(readBoundedText(`${dir}/bom`, options), '{"a":1}');
      assert.equal(readBoundedText(`${dir}/replacement`, options), '{"a":"\ufffd"}');
    }
  });
});

Deno.test("the cap counts bytes, not characters: multi-byte text at and over it", async () => {
  await withDir(async (dir) => {
    // "é" is 2 bytes, "€" 3: 4096 bytes of each is read; one more byte is refused.
    const cap = 4096;
    await Deno.writeTextFile(`${dir}/at2`, "é".repeat(cap / 2));
    await Deno.writeTextFile(`${dir}/over2`, "é".repeat(cap / 2) + "a");
    await Deno.writeTextFile(`${dir}/at3`, "€".repeat(1365) + "a");
    await Deno.writeTextFile(`${dir}/over3`, "€".repeat(1366));
    for (const strictUtf8 of [false, true]) {
      const options = { maxBytes: cap, what: WHAT, strictUtf8 };
      assert.equal(readBoundedText(`${dir}/at2`, options), "é".repeat(cap / 2));
      assert.equal(readBoundedText(`${dir}/at3`, options), "€".repeat(1365) + "a");
      for (const over of ["over2", "over3"]) {
        assert.throws(() => readBoundedText(`${dir}/${over}`, options), FileTooLargeError);
      }
    }
  });
});

Deno.test({
  name: "an unreadable file is a one-line failure naming it",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/secret`, "x");
      await Deno.chmod(`${dir}/secret`, 0o000);
      try {
        Deno.readFileSync(`${dir}/secret`);
        return; // Running as root: mode bits do not stop reads.
      } catch { /* as expected */ }
      assert.throws(
        () => readBoundedText(`${dir}/secret`, { maxBytes: 100, what: WHAT }),
        new RegExp(`cannot read the test file ${dir}/secret: permission denied`),
      );
    });
  },
});

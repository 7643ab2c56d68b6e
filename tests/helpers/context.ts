/** In-process Contexts for unit tests: recorded output, no terminal, chosen env and OS. */

import { type Context, createContext, recordEnv } from "../../lib/context.ts";
import { type Io, Ui } from "../../lib/ui.ts";

/** An Io that records what is written and reads `stdin` (default: empty), then end of input. */
export function memoryIo(stdin: string | Uint8Array = ""): Io & { err: string; out: string } {
  const bytes = typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin;
  const io = {
    err: "",
    out: "",
    stdin: new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.length > 0) c.enqueue(bytes);
        c.close();
      },
    }),
    stdinIsTerminal: () => false,
    stderrIsTerminal: () => false,
    setRaw: () => {},
    writeOut(text: string) {
      io.out += text;
    },
    writeErr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** A Context for unit tests with the given environment, OS and (optionally) streams. */
export function testContext(
  env: Record<string, string | undefined>,
  os: typeof Deno.build.os = "linux",
  io: Io = memoryIo(),
  files: { authFile?: string; stateFile?: string } = {},
): Context {
  return createContext({
    env: recordEnv(env),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os,
    authFile: files.authFile ?? "/nonexistent/auth.json",
    stateFile: files.stateFile,
  });
}

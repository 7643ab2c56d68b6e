/** In-process Contexts for unit tests: recorded output, no terminal, chosen env and OS. */

import { type Context, createContext, recordEnv } from "../../lib/context.ts";
import { type Io, Ui } from "../../lib/ui.ts";

/** An Io that records what is written and reads an empty stdin. */
export function memoryIo(): Io & { err: string; out: string } {
  const io = {
    err: "",
    out: "",
    stdin: new ReadableStream<Uint8Array>({ start: (c) => c.close() }),
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
): Context {
  return createContext({
    env: recordEnv(env),
    io,
    ui: new Ui(io, { debug: false, quiet: false, color: false }),
    os,
    authFile: "/nonexistent/auth.json",
  });
}

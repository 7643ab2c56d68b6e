/**
 * A fake Anthropic Messages API on 127.0.0.1 (port 0) for a real OpenCode to
 * talk to: it records every request (method, path, headers, body) and answers
 * `POST /v1/messages` with a minimal streamed (SSE) or plain JSON reply.
 * The token endpoint is not here: tests/fakes/anthropic_server.ts has it.
 *
 * Also a recording forward proxy (HTTP_PROXY/HTTPS_PROXY) that shows which
 * outside hosts a process tried to reach, refusing them, or handing chosen
 * hosts to a loopback TLS fake (with a throwaway test CA made by openssl) so
 * that what is sent there can be read.
 */

import { listenLoopback, serveLoopback } from "./loopback.ts";

/** A request as the fake saw it. */
export interface SeenApiRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

const encoder = new TextEncoder();

function sse(events: [string, unknown][]): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    .join("");
}

/** The fake Messages API. */
export class FakeMessagesApi {
  /** Every request seen, in order. */
  readonly requests: SeenApiRequest[] = [];
  /** The assistant's reply text. */
  reply = "pong from the fake API";
  /** Base URL, e.g. http://127.0.0.1:43210 (no trailing slash). */
  url = "";
  private server!: Deno.HttpServer<Deno.NetAddr>;

  /** Start on a free loopback port. */
  static async start(): Promise<FakeMessagesApi> {
    const fake = new FakeMessagesApi();
    ({ server: fake.server, url: fake.url } = await serveLoopback((request) =>
      fake.handle(request)
    ));
    return fake;
  }

  /** Stop the server. */
  async close(): Promise<void> {
    await this.server.shutdown();
  }

  /** Requests to /v1/messages. */
  messageRequests(): SeenApiRequest[] {
    return this.requests.filter((r) => r.path === "/v1/messages");
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    this.requests.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      body,
    });
    if (url.pathname !== "/v1/messages" || request.method !== "POST") {
      return Response.json(
        { type: "error", error: { type: "not_found_error", message: "Not found" } },
        { status: 404 },
      );
    }
    let parsed: { model?: string; stream?: boolean } = {};
    try {
      parsed = JSON.parse(body);
    } catch {
      // answered anyway
    }
    const model = parsed.model ?? "claude-fake";
    const id = `msg_fake_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const usage = { input_tokens: 12, output_tokens: 5 };
    if (!parsed.stream) {
      return Response.json({
        id,
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "text", text: this.reply }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage,
      });
    }
    const text = sse([
      ["message_start", {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 1 },
        },
      }],
      ["content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      }],
      ["content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: this.reply },
      }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 5 },
      }],
      ["message_stop", { type: "message_stop" }],
    ]);
    return new Response(encoder.encode(text), {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }
}

/**
 * A forward proxy on 127.0.0.1 that records the target of every request
 * (`CONNECT host:443` for HTTPS, the absolute URL for plain HTTP). Targets in
 * `intercept` are tunnelled to a local port (a {@link FakeTlsHost}); every
 * other one is refused with 403, so nothing leaves the machine.
 */
export class RecordingProxy {
  /** Targets seen, in order: "CONNECT host:port" or "GET http://…". */
  readonly targets: string[] = [];
  /** "host:port" → local port to tunnel to. */
  readonly intercept = new Map<string, number>();
  private readonly open = new Set<Deno.Conn>();
  private constructor(private readonly listener: Deno.Listener, readonly url: string) {}

  /** Start on a free port. */
  static start(): RecordingProxy {
    const { listener, url } = listenLoopback((conn) => proxy.serve(conn));
    const proxy = new RecordingProxy(listener, url);
    return proxy;
  }

  /** The hosts (without port) a client asked to CONNECT to. */
  connectHosts(): string[] {
    return this.targets.filter((t) => t.startsWith("CONNECT ")).map((t) =>
      t.slice(8).replace(/:\d+$/, "")
    );
  }

  private async serve(conn: Deno.Conn): Promise<void> {
    this.open.add(conn);
    let upstream: Deno.Conn | undefined;
    try {
      const buffer = new Uint8Array(16384);
      let head = new Uint8Array(0);
      let end = -1;
      while (end < 0) {
        const n = await conn.read(buffer);
        if (n === null) return;
        const next = new Uint8Array(head.length + n);
        next.set(head);
        next.set(buffer.subarray(0, n), head.length);
        head = next;
        end = new TextDecoder("latin1").decode(head).indexOf("\r\n\r\n");
        if (end < 0 && head.length > 65536) return;
      }
      const [method, target] = new TextDecoder().decode(head.subarray(0, end)).split("\r\n")[0]
        .split(" ");
      this.targets.push(`${method} ${target ?? ""}`);
      const port = method === "CONNECT" ? this.intercept.get(target) : undefined;
      if (port === undefined) {
        await conn.write(
          encoder.encode(
            "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
          ),
        );
        return;
      }
      upstream = await Deno.connect({ hostname: "127.0.0.1", port });
      this.open.add(upstream);
      await conn.write(encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
      const rest = head.subarray(end + 4);
      if (rest.length) await upstream.write(rest);
      await Promise.allSettled([
        conn.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(conn.writable),
      ]);
    } catch {
      // a side went away
    } finally {
      for (const c of [conn, upstream]) {
        if (!c) continue;
        this.open.delete(c);
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    }
  }

  /** Stop listening and drop open tunnels. */
  close(): void {
    for (const c of [this.listener, ...this.open]) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
  }
}

/** A throwaway CA and a server certificate signed by it, as PEM text. */
export interface TestPki {
  /** The CA certificate (give it to the client, e.g. NODE_EXTRA_CA_CERTS). */
  caFile: string;
  cert: string;
  key: string;
}

/**
 * Make a test CA and a server certificate for `hosts` in `dir` with the
 * `openssl` command; null when openssl is not installed or fails.
 */
export async function makeTestPki(dir: string, hosts: string[]): Promise<TestPki | null> {
  const openssl = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await openssl([
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=occa test CA",
    ]);
    await openssl([
      "req",
      ...ec,
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      `/CN=${hosts[0]}`,
    ]);
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}\nbasicConstraints=CA:FALSE\n` +
        "extendedKeyUsage=serverAuth\n",
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "2",
      "-days",
      "2",
      "-extfile",
      "leaf.ext",
      "-out",
      "leaf.pem",
    ]);
    return {
      caFile: `${dir}/ca.pem`,
      cert: await Deno.readTextFile(`${dir}/leaf.pem`),
      key: await Deno.readTextFile(`${dir}/leaf.key`),
    };
  } catch {
    return null;
  }
}

/**
 * A stand-in for an outside HTTPS host (reached through {@link RecordingProxy}):
 * records every request and answers like Anthropic's token endpoint does for
 * a refresh token it does not know (400 invalid_grant); 404 elsewhere.
 */
export class FakeTlsHost {
  /** Every request seen, in order (`headers.host` says which host was meant). */
  readonly requests: SeenApiRequest[] = [];
  private server!: Deno.HttpServer<Deno.NetAddr>;
  /** The local port the proxy tunnels to. */
  port = 0;

  /** Start on a free loopback port with `pki`'s server certificate. */
  static async start(pki: TestPki): Promise<FakeTlsHost> {
    const fake = new FakeTlsHost();
    await new Promise<void>((resolve) => {
      fake.server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, cert: pki.cert, key: pki.key, onListen: () => resolve() },
        async (request) => {
          const url = new URL(request.url);
          const body = request.method === "GET" ? "" : await request.text();
          fake.requests.push({
            method: request.method,
            path: url.pathname,
            search: url.search,
            headers: Object.fromEntries(request.headers),
            body,
          });
          if (url.pathname === "/v1/oauth/token") {
            return Response.json({
              error: "invalid_grant",
              error_description: "Refresh token not found or invalid",
            }, { status: 400 });
          }
          return new Response("Not Found", { status: 404 });
        },
      );
    });
    fake.port = fake.server.addr.port;
    return fake;
  }

  /** Stop the server. */
  async close(): Promise<void> {
    await this.server.shutdown();
  }
}

/** Starting a fake server on a free loopback port (127.0.0.1, port 0), written once for the fakes. */

/** Serve `handler` on 127.0.0.1 at a free port; resolves once it listens. */
export async function serveLoopback(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<{ server: Deno.HttpServer<Deno.NetAddr>; url: string }> {
  let server!: Deno.HttpServer<Deno.NetAddr>;
  await new Promise<void>((resolve) => {
    server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => resolve() }, handler);
  });
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

/**
 * Listen for TCP on 127.0.0.1 at a free port and hand every accepted
 * connection to `onConnection` until the listener is closed.
 */
export function listenLoopback(
  onConnection: (conn: Deno.Conn) => void,
): { listener: Deno.Listener; url: string } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    try {
      for await (const conn of listener) onConnection(conn);
    } catch {
      // listener closed
    }
  })();
  return { listener, url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}` };
}

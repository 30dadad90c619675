/**
 * A local HTTP CONNECT proxy for tests: what a corporate `HTTPS_PROXY` does, with nothing leaving
 * loopback. Every tunnel, whatever authority it asks for (`cloud.mongodb.com:443`), is connected
 * to ONE fixed loopback target (the TLS emulator), so a client using the provider's default base
 * URL reaches the emulator with TLS end to end; the proxy only sees ciphertext.
 *
 * Deliberately node:http and node:net only, no proxy library: a test proxy must map every tunnel to
 * one loopback target (real proxies resolve the requested host) and record exactly what it saw
 * (authorities, whether credentials came, clear-text requests), which no off-the-shelf proxy
 * exposes. It records booleans and header NAMES only: never a password or a header value.
 */
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";

export interface ConnectProxyOptions {
  /** Where every tunnel goes, whatever host:port the client asked for. */
  target: { host: string; port: number };
  /** Require `Proxy-Authorization: Basic base64(username:password)` on CONNECT (else 407). */
  auth?: { username: string; password: string };
  /** "bad-gateway": every CONNECT answers 502. @default "tunnel" */
  mode?: "tunnel" | "bad-gateway";
}

export interface TunnelRecord {
  /** The CONNECT request target, e.g. "cloud.mongodb.com:443". */
  authority: string;
  /** A Proxy-Authorization header came with the CONNECT. */
  proxyAuthorizationPresent: boolean;
  /** It was Basic with the configured credentials (false when none are configured). */
  proxyAuthorizationValid: boolean;
  /** What the proxy answered: 200 (tunnel), 407 (credentials), 502 (bad-gateway or target down). */
  status: 200 | 407 | 502;
  /** Date.now() when the CONNECT arrived. */
  at: number;
}

export interface PlainRequestRecord {
  method: string;
  /** The request target as sent: absolute-form ("https://cloud.mongodb.com/...") for a proxy. */
  url: string;
  /** Lower-case header names only; values (credentials) are never kept. */
  headerNames: string[];
  at: number;
}

export interface ConnectProxy {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "http://user:pass@127.0.0.1:PORT" (percent-encoded) when options.auth is set. */
  urlWithCredentials?: string;
  port: number;
  /** CONNECTs that got a tunnel (200). */
  tunnels: TunnelRecord[];
  /** CONNECTs answered 407 or 502. */
  refusedTunnels: TunnelRecord[];
  /** Non-CONNECT requests (clear text to the proxy), all answered 400. */
  plainRequests: PlainRequestRecord[];
  /** Ends every socket (client and upstream) and stops listening. */
  close(): Promise<void>;
}

function basicMatches(header: string | undefined, auth: ConnectProxyOptions["auth"]): boolean {
  if (auth === undefined || header === undefined) return false;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return false;
  return Buffer.from(match[1], "base64").toString("utf8") === `${auth.username}:${auth.password}`;
}

function refuse(socket: Socket, status: 407 | 502): void {
  const lines =
    status === 407
      ? ["HTTP/1.1 407 Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="test"']
      : ["HTTP/1.1 502 Bad Gateway"];
  socket.end([...lines, "Content-Length: 0", "Connection: close", "", ""].join("\r\n"));
}

export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const { target, auth, mode = "tunnel" } = options;
  const tunnels: TunnelRecord[] = [];
  const refusedTunnels: TunnelRecord[] = [];
  const plainRequests: PlainRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A peer resetting mid-test must not crash the test process.
    socket.on("error", () => socket.destroy());
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    plainRequests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headerNames: Object.keys(req.headers),
      at: Date.now(),
    });
    req.resume();
    res.writeHead(400, { "Content-Type": "text/plain", Connection: "close" });
    res.end("this test proxy only tunnels (CONNECT); clear-text requests are refused\n");
  });
  server.on("connection", track);

  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const header = req.headers["proxy-authorization"];
    const record = {
      authority: req.url ?? "",
      proxyAuthorizationPresent: header !== undefined,
      proxyAuthorizationValid: basicMatches(header, auth),
      at: Date.now(),
    };
    if (auth !== undefined && !record.proxyAuthorizationValid) {
      refusedTunnels.push({ ...record, status: 407 });
      refuse(client, 407);
      return;
    }
    if (mode === "bad-gateway") {
      refusedTunnels.push({ ...record, status: 502 });
      refuse(client, 502);
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    let established = false;
    upstream.once("error", () => {
      if (established) {
        client.destroy();
        return;
      }
      refusedTunnels.push({ ...record, status: 502 });
      refuse(client, 502);
    });
    upstream.once("connect", () => {
      established = true;
      tunnels.push({ ...record, status: 200 });
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    ...(auth
      ? {
          urlWithCredentials: `http://${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@127.0.0.1:${port}`,
        }
      : {}),
    port,
    tunnels,
    refusedTunnels,
    plainRequests,
    close: () => {
      closed ??= (async () => {
        const stopped = once(server, "close");
        server.close();
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}

/**
 * The HTTPS proxy path: a CONNECT tunnel through the proxy named by the environment, so TLS runs
 * end to end with Atlas (https-proxy-agent, the agent the Node ecosystem uses for this; version 7
 * is its last CommonJS line, and this package must stay CommonJS for Pulumi's closure serializer).
 * axios's own proxy support stays off (`proxy: false`): for years it sent an https request to the
 * proxy in clear text instead of tunnelling (axios/axios#4531, fixed only in 2026 by #10858), and it
 * reads `process.env` itself, while this transport takes the proxy from settings.ts and names it in
 * its errors.
 *
 * A tunnel the proxy refuses (407, 502...) or a proxy that cannot be reached is reported as a
 * `ProxyTunnelFailure`, which the transport turns into an `AtlasProxyError` naming the proxy
 * (without its credentials) and the variable that set it. Such a request never reached Atlas.
 */
import type { Agent, ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { HttpsProxyAgentOptions } from "https-proxy-agent";
import type { Secret } from "./secret";

/** A proxy chosen for the Atlas base URL (settings.ts). */
export interface ProxySettings {
  /** The proxy URL, credentials included: revealed only to build the agent. */
  url: Secret;
  /** The proxy's origin without credentials, safe to print (`http://proxy.example:3128`). */
  display: string;
  /** The environment variable that named it (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`...). */
  variable: string;
}

const TUNNEL_FAILURE = Symbol.for("pulumi-atlas-org-invitations.ProxyTunnelFailure");

/** The tunnel could not be opened; carries the proxy's status or Node's error code. */
export class ProxyTunnelFailure extends Error {
  readonly [TUNNEL_FAILURE] = true;
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(
      status !== undefined ? `proxy answered CONNECT with ${status}` : `proxy: ${code ?? "error"}`,
    );
  }
}

/** Finds a tunnel failure in an error or its `cause` chain (axios keeps the original as `cause`). */
export function tunnelFailureIn(error: unknown): ProxyTunnelFailure | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e === "object" && (e as Record<symbol, unknown>)[TUNNEL_FAILURE] === true) {
      return e as ProxyTunnelFailure;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * https-proxy-agent replays a refused CONNECT's answer to the request as if Atlas had sent it;
 * this agent fails the request instead, so a proxy's 502 is never taken for Atlas's.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  override async connect(
    req: ClientRequest,
    opts: Parameters<HttpsProxyAgent<string>["connect"]>[1],
  ): Promise<Socket> {
    let status: number | undefined;
    const onConnect = (connect: { statusCode: number }): void => void (status = connect.statusCode);
    req.once("proxyConnect", onConnect);
    let socket: Socket;
    try {
      socket = (await super.connect(req, opts)) as Socket;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ProxyTunnelFailure(undefined, typeof code === "string" ? code : undefined);
    } finally {
      req.removeListener("proxyConnect", onConnect);
    }
    if (status !== undefined && status !== 200) {
      socket.destroy();
      throw new ProxyTunnelFailure(status, undefined);
    }
    return socket;
  }
}

/** The agent for https requests through `proxy`, reusing tunnels between requests. */
export function createProxyAgent(proxy: ProxySettings): Agent {
  const options: HttpsProxyAgentOptions<string> = { keepAlive: true };
  return new TunnelAgent(proxy.url.reveal(), options);
}

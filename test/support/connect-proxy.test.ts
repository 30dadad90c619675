/**
 * Self-test of the CONNECT proxy (connect-proxy.ts) against the TLS emulator: the provider's
 * default host, https://cloud.mongodb.com, reaches the emulator through a tunnel with TLS end to
 * end and nothing leaving loopback.
 */
import axios from "axios";
import { HttpsProxyAgent } from "https-proxy-agent";
import { once } from "node:events";
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { startConnectProxy } from "./connect-proxy";
import type { ConnectProxy } from "./connect-proxy";

const ATLAS = "https://cloud.mongodb.com";
const INFO = `${ATLAS}/__emulator/info`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function collect(req: ReturnType<typeof httpsRequest>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** GET over https through an agent (HttpsProxyAgent), trusting only the emulator's CA. */
function viaAgent(url: string, agent: Agent, ca: string, headers: OutgoingHttpHeaders = {}) {
  return collect(httpsRequest(url, { agent, ca, headers }));
}

/**
 * A raw CONNECT: writes the request line and headers, reads the proxy's answer head. On 200 the
 * returned socket is the tunnel.
 */
async function rawConnect(
  proxyPort: number,
  authority: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; head: string; socket: Socket }> {
  const socket = netConnect(proxyPort, "127.0.0.1");
  await once(socket, "connect");
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  let buffer = "";
  while (!buffer.includes("\r\n\r\n")) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      socket.once("data", resolve);
      socket.once("end", () => resolve(null));
    });
    if (chunk === null) break;
    buffer += chunk.toString("latin1");
  }
  socket.removeAllListeners("data");
  socket.removeAllListeners("end");
  const head = buffer.split("\r\n\r\n")[0] ?? "";
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, socket };
}

let emu: RunningEmulator;
let ca: string;

beforeAll(async () => {
  emu = await startEmulator({ tls: true });
  if (!emu.tls) throw new Error("expected an HTTPS emulator");
  ca = emu.tls.caPem;
});
afterAll(() => emu.close());

const proxies: ConnectProxy[] = [];
async function proxy(options: Omit<Parameters<typeof startConnectProxy>[0], "target"> = {}) {
  const started = await startConnectProxy({
    target: { host: "127.0.0.1", port: Number(new URL(emu.baseUrl).port) },
    ...options,
  });
  proxies.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  emu.control.reset();
});

test("https-proxy-agent tunnels https://cloud.mongodb.com to the emulator, TLS end to end", async () => {
  const p = await proxy();
  expect(p.url).toBe(`http://127.0.0.1:${p.port}`);
  expect(p.urlWithCredentials).toBeUndefined();
  const agent = new HttpsProxyAgent(p.url);
  const info = await viaAgent(INFO, agent, ca);
  expect(info.status).toBe(200);
  expect(JSON.parse(info.text)).toMatchObject({ baseUrl: emu.baseUrl, orgId: emu.orgId });

  const api = await viaAgent(`${ATLAS}/api/atlas/v2/orgs/${emu.orgId}/invites`, agent, ca, {
    Accept: "application/vnd.atlas.2023-01-01+json",
  });
  expect(api.status).toBe(401);
  expect(emu.log.count({ operationId: "listOrgInvites" })).toBe(1);

  expect(p.tunnels).toHaveLength(2);
  expect(p.tunnels[0]).toMatchObject({
    authority: "cloud.mongodb.com:443",
    proxyAuthorizationPresent: false,
    proxyAuthorizationValid: false,
    status: 200,
  });
  expect(typeof p.tunnels[0]?.at).toBe("number");
  expect(p.refusedTunnels).toEqual([]);
  expect(p.plainRequests).toEqual([]);
  agent.destroy();
});

test("a raw CONNECT, then TLS with SNI cloud.mongodb.com over the tunnel, reaches /__emulator/info", async () => {
  const p = await proxy();
  const { status, head, socket } = await rawConnect(p.port, "cloud.mongodb.com:443");
  expect(status).toBe(200);
  expect(head).toBe("HTTP/1.1 200 Connection Established");
  const secure = tlsConnect({ socket, servername: "cloud.mongodb.com", ca });
  const answer = await collect(
    httpsRequest(INFO, { createConnection: () => secure, headers: { Connection: "close" } }),
  );
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.text)).toMatchObject({ baseUrl: emu.baseUrl });
  expect(secure.authorized).toBe(true);
  expect(p.tunnels.map((t) => t.authority)).toEqual(["cloud.mongodb.com:443"]);
});

test("the tunnel is TLS to the emulator: without its CA the client refuses the certificate", async () => {
  const p = await proxy();
  const agent = new HttpsProxyAgent(p.url);
  await expect(collect(httpsRequest(INFO, { agent }))).rejects.toMatchObject({
    code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  });
  expect(p.tunnels).toHaveLength(1);
  agent.destroy();
});

describe("with credentials", () => {
  const auth = { username: "ci-user", password: "p@ss:w0rd/secret" };

  test("a CONNECT without Proxy-Authorization gets 407 with a Basic challenge", async () => {
    const p = await proxy({ auth });
    const { status, head, socket } = await rawConnect(p.port, "cloud.mongodb.com:443");
    socket.destroy();
    expect(status).toBe(407);
    expect(head).toContain("407 Proxy Authentication Required");
    expect(head).toContain('Proxy-Authenticate: Basic realm="test"');
    expect(p.tunnels).toEqual([]);
    expect(p.refusedTunnels).toMatchObject([
      {
        authority: "cloud.mongodb.com:443",
        proxyAuthorizationPresent: false,
        proxyAuthorizationValid: false,
        status: 407,
      },
    ]);
  });

  test("wrong credentials get 407; the record keeps a boolean, never the secret", async () => {
    const p = await proxy({ auth });
    const wrong = `Basic ${Buffer.from("ci-user:nope").toString("base64")}`;
    const { status, socket } = await rawConnect(p.port, "cloud.mongodb.com:443", {
      "Proxy-Authorization": wrong,
    });
    socket.destroy();
    expect(status).toBe(407);
    expect(p.refusedTunnels).toMatchObject([
      { proxyAuthorizationPresent: true, proxyAuthorizationValid: false, status: 407 },
    ]);
    const recorded = JSON.stringify([p.tunnels, p.refusedTunnels, p.plainRequests]);
    expect(recorded).not.toContain("nope");
    expect(recorded).not.toContain(wrong.slice("Basic ".length));
  });

  test("https-proxy-agent with urlWithCredentials gets its tunnel", async () => {
    const p = await proxy({ auth });
    expect(p.urlWithCredentials).toBe(
      `http://ci-user:${encodeURIComponent(auth.password)}@127.0.0.1:${p.port}`,
    );
    const agent = new HttpsProxyAgent(p.urlWithCredentials ?? "");
    const info = await viaAgent(INFO, agent, ca);
    expect(info.status).toBe(200);
    expect(p.tunnels).toMatchObject([
      { proxyAuthorizationPresent: true, proxyAuthorizationValid: true, status: 200 },
    ]);
    const recorded = JSON.stringify(p.tunnels);
    expect(recorded).not.toContain(auth.password);
    expect(recorded).not.toContain(Buffer.from(`ci-user:${auth.password}`).toString("base64"));
    agent.destroy();
  });

  test("https-proxy-agent without credentials surfaces the 407 as the response status", async () => {
    const p = await proxy({ auth });
    const agent = new HttpsProxyAgent(p.url);
    const answer = await viaAgent(INFO, agent, ca);
    expect(answer.status).toBe(407);
    expect(answer.headers["proxy-authenticate"]).toBe('Basic realm="test"');
    agent.destroy();
  });
});

test("bad-gateway mode answers every CONNECT 502", async () => {
  const p = await proxy({ mode: "bad-gateway" });
  const { status, head, socket } = await rawConnect(p.port, "cloud.mongodb.com:443");
  socket.destroy();
  expect(status).toBe(502);
  expect(head).toContain("502 Bad Gateway");
  expect(p.tunnels).toEqual([]);
  expect(p.refusedTunnels).toMatchObject([{ authority: "cloud.mongodb.com:443", status: 502 }]);
});

test("an unreachable target answers 502", async () => {
  const closed = await startConnectProxy({ target: { host: "127.0.0.1", port: 9 } });
  proxies.push(closed);
  const { status, socket } = await rawConnect(closed.port, "cloud.mongodb.com:443");
  socket.destroy();
  expect(status).toBe(502);
  expect(closed.refusedTunnels).toMatchObject([{ status: 502 }]);
});

test("a clear-text GET to the proxy is recorded (header names only) and answered 400", async () => {
  const p = await proxy();
  const answer = await collect(
    httpRequest({
      host: "127.0.0.1",
      port: p.port,
      method: "GET",
      path: `${ATLAS}/api/atlas/v2/orgs/${emu.orgId}/invites`,
      headers: { Host: "cloud.mongodb.com", Authorization: "Digest username=secret-key" },
    }),
  );
  expect(answer.status).toBe(400);
  expect(p.plainRequests).toHaveLength(1);
  expect(p.plainRequests[0]).toMatchObject({
    method: "GET",
    url: `${ATLAS}/api/atlas/v2/orgs/${emu.orgId}/invites`,
  });
  expect(p.plainRequests[0]?.headerNames).toEqual(
    expect.arrayContaining(["host", "authorization"]),
  );
  expect(JSON.stringify(p.plainRequests)).not.toContain("secret-key");
  expect(p.tunnels).toEqual([]);
});

test("axios 1.21's own proxy option tunnels https with CONNECT (nothing in clear text)", async () => {
  // Older axios sent `GET https://...` to the proxy in clear text; plainRequests would catch it.
  const p = await proxy();
  const answer = await axios.get(INFO, {
    proxy: { protocol: "http", host: "127.0.0.1", port: p.port },
    httpsAgent: new HttpsAgent({ ca }),
    validateStatus: () => true,
  });
  expect(answer.status).toBe(200);
  expect(answer.data).toMatchObject({ baseUrl: emu.baseUrl });
  expect(p.tunnels).toMatchObject([{ authority: "cloud.mongodb.com:443", status: 200 }]);
  expect(p.plainRequests).toEqual([]);
});

test("close() ends open tunnels", async () => {
  const p = await proxy();
  const { status, socket } = await rawConnect(p.port, "cloud.mongodb.com:443");
  expect(status).toBe(200);
  const ended = once(socket, "close");
  await p.close();
  await ended;
  expect(socket.destroyed).toBe(true);
  await p.close();
});

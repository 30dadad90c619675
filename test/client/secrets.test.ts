/**
 * No error, log line or serialization carries a secret. The emulator runs with sentinel secrets;
 * a recording proxy in front of it captures every Authorization header and access token that
 * went over the wire, and each error kind is provoked and searched for all of them.
 */
import { request as httpRequest, createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { Budget } from "../../provider/atlas/budget";
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasClientOptions } from "../../provider/atlas/client";
import { resolveRetryPolicy } from "../../provider/atlas/retry";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { isAtlasError } from "../../provider/errors";
import { resolveProxy, resolveSettings } from "../../provider/settings";
import { useEmulator } from "../support/emulator";
import {
  fastOptions,
  freshSessions,
  json,
  rejectionOf as caught,
  useLocalServers,
} from "./helpers";

const PRIVATE_KEY = "SENTINEL-PRIVATE-KEY-7f3a";
const CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-9c1e";
const WRONG_PRIVATE_KEY = "SENTINEL-WRONG-PRIVATE-KEY-51d0";
const WRONG_CLIENT_SECRET = "SENTINEL-WRONG-CLIENT-SECRET-a2b4";
const PROXY_PASSWORD = "SENTINEL-PROXY-PASSWORD-77e2";

const emulator = useEmulator({ privateKey: PRIVATE_KEY, clientSecret: CLIENT_SECRET });
freshSessions();

/** Forwards to the emulator and remembers every credential that crossed it. */
const seen = new Set<string>([
  PRIVATE_KEY,
  CLIENT_SECRET,
  WRONG_PRIVATE_KEY,
  WRONG_CLIENT_SECRET,
  PROXY_PASSWORD,
]);
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  const target = new URL(emulator().baseUrl);
  proxy = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) {
      seen.add(auth);
      seen.add(auth.replace(/^\S+\s+/, "")); // the credential without its scheme
      // The digest response hash, which survives any re-quoting (JSON escapes the header's quotes).
      const digestResponse = /response="([^"]+)"/.exec(auth)?.[1];
      if (digestResponse) seen.add(digestResponse);
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = Buffer.concat(chunks);
          const token = /"access_token"\s*:\s*"([^"]+)"/.exec(body.toString("utf8"))?.[1];
          if (token) seen.add(token);
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

function settings(kind: "digest" | "serviceAccount", secret?: string): AtlasSettings {
  const c = emulator().credentials;
  return {
    baseUrl: proxyUrl,
    credentials:
      kind === "digest"
        ? { kind, publicKey: c.publicKey, privateKey: new Secret(secret ?? PRIVATE_KEY) }
        : { kind, clientId: c.clientId, clientSecret: new Secret(secret ?? CLIENT_SECRET) },
  };
}

function renderings(err: unknown): string[] {
  const e = err as Error;
  return [
    e.message,
    String(err),
    JSON.stringify(err),
    inspect(err, { depth: 20, showHidden: true }),
    e.stack ?? "",
  ];
}

function expectNoSecret(texts: string[]): void {
  expect(seen.size).toBeGreaterThan(5);
  for (const text of texts) for (const secret of seen) expect(text).not.toContain(secret);
}

const ORG_ID = "64b7f1e2a3c4d5e6f7a8b9c0";

describe.each(["digest", "serviceAccount"] as const)("secrets with %s credentials", (kind) => {
  const ORG = ORG_ID;
  const ID = "0123456789abcdef01234567";
  let options: ReturnType<typeof fastOptions>;
  const client = (secret?: string, extra: AtlasClientOptions = {}) => {
    options = fastOptions(extra);
    return createAtlasClient(settings(kind, secret), options);
  };

  afterEach(() => {
    expectNoSecret(options.logs);
  });

  it("a successful session really sent credentials through the recording proxy", async () => {
    const before = seen.size;
    await client().listOrgInvites(emulator().orgId);
    expect(seen.size).toBeGreaterThan(before);
  });

  it("keeps secrets out of an Atlas API error (404)", async () => {
    const err = await caught(client().getOrgInvite(emulator().orgId, ID));
    expect(isAtlasError(err) && err.kind).toBe("api");
    expectNoSecret(renderings(err));
  });

  it("keeps secrets out of retried 503s and their log lines", async () => {
    emulator().control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      retryAfter: "1",
      times: Infinity,
    });
    const err = await caught(client(undefined, { retry: { limit: 2 } }).listOrgInvites(ORG));
    expect(options.logs).toHaveLength(2);
    expectNoSecret(renderings(err));
  });

  it("keeps secrets out of a 401 for wrong credentials", async () => {
    const err = await caught(
      client(kind === "digest" ? WRONG_PRIVATE_KEY : WRONG_CLIENT_SECRET).listOrgInvites(ORG),
    );
    expect(isAtlasError(err) && err.kind).toBe("api");
    expect((err as { status: number }).status).toBe(401);
    expectNoSecret(renderings(err));
  });

  it("keeps secrets out of network, timeout and protocol errors of signed requests", async () => {
    const emu = emulator();
    const api = client(undefined, { retry: { limit: 1, attemptTimeoutMs: 100 } });
    await api.listOrgInvites(ORG); // holds a challenge or token from here on: every failing request is signed
    emu.control.injectFault({
      match: { operationId: "getOrgInvite" },
      reset: true,
      times: Infinity,
    });
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      delayMs: 300,
      times: Infinity,
    });
    emu.control.injectFault({ match: { operationId: "listOrgUsers" }, malformedBody: true });
    const errors = [
      await caught(api.getOrgInvite(ORG, ID)),
      await caught(api.listOrgInvites(ORG)),
      await caught(api.listOrgUsers(ORG, { username: "z@example.com" })),
    ];
    expect(errors.map((e) => (isAtlasError(e) ? e.kind : String(e)))).toEqual([
      "network",
      "timeout",
      "protocol",
    ]);
    for (const err of errors) expectNoSecret(renderings(err));
    emu.takeViolations();
  });

  it("keeps secrets out of a deadline error, its cause and the log lines before it", async () => {
    const emu = emulator();
    const api = client();
    await api.listOrgInvites(ORG); // signed from here on
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      times: Infinity,
    });
    const err = await caught(
      api.listOrgInvites(ORG, {}, { budget: new Budget(2000, options.clock) }),
    );
    expect(isAtlasError(err) && err.kind).toBe("deadline");
    expect(
      isAtlasError((err as Error).cause) && (err as { cause: { kind: string } }).cause.kind,
    ).toBe("api");
    expect(options.logs.length).toBeGreaterThan(0);
    expectNoSecret([...renderings(err), ...renderings((err as Error).cause)]);
  });
});

describe("secrets when the server offers no usable challenge", () => {
  const serve = useLocalServers();

  it("keeps the private key out of an AtlasAuthenticationError and its log lines", async () => {
    // The emulator's faults apply after authentication, so a local server plays the host that
    // answers an unsigned request with a challenge this client cannot use.
    const { baseUrl, seen: requests } = await serve((_req, res) =>
      json(
        res,
        401,
        {},
        { "WWW-Authenticate": 'Digest realm="r", nonce="n", algorithm=SHA-512-256' },
      ),
    );
    const options = fastOptions();
    const api = createAtlasClient({ ...settings("digest"), baseUrl }, options);
    const err = await caught(api.listOrgInvites(ORG_ID));
    expect(isAtlasError(err) && err.kind).toBe("authentication");
    expect(requests).toHaveLength(1);
    expectNoSecret([...renderings(err), ...options.logs]);
  });
});

describe("secrets outside the HTTP exchange", () => {
  it("keeps the secret out of a configuration error about half-set credentials", () => {
    let err: unknown;
    try {
      resolveSettings({
        env: { MONGODB_ATLAS_PRIVATE_KEY: PRIVATE_KEY, MONGODB_ATLAS_CLIENT_SECRET: CLIENT_SECRET },
      });
    } catch (e) {
      err = e;
    }
    expect(isAtlasError(err) && err.kind).toBe("configuration");
    expectNoSecret(renderings(err));
  });

  it("keeps the proxy password out of resolved settings, their display and a bad-proxy error", () => {
    const env = {
      MONGODB_ATLAS_PUBLIC_KEY: "pub",
      MONGODB_ATLAS_PRIVATE_KEY: PRIVATE_KEY,
      HTTPS_PROXY: `http://user:${PROXY_PASSWORD}@proxy.example:3128`,
    };
    const { atlas } = resolveSettings({ env });
    expect(atlas.proxy?.url.reveal()).toContain(PROXY_PASSWORD);
    expect(atlas.proxy?.display).toBe("http://proxy.example:3128");
    expectNoSecret([
      JSON.stringify(atlas),
      inspect(atlas, { depth: 20, showHidden: true }),
      inspect(createAtlasClient(atlas), { depth: 20 }),
    ]);
    let err: unknown;
    try {
      resolveProxy("https://cloud.mongodb.com", {
        HTTPS_PROXY: `socks5://user:${PROXY_PASSWORD}@proxy.example:1080`,
      });
    } catch (e) {
      err = e;
    }
    expect(isAtlasError(err) && err.kind).toBe("configuration");
    expectNoSecret(renderings(err));
  });

  it("keeps the secret out of settings and clients when they are printed", () => {
    const s = settings("serviceAccount");
    const client = createAtlasClient(s);
    expectNoSecret([
      JSON.stringify(s),
      inspect(s, { depth: 20, showHidden: true }),
      inspect(client, { depth: 20 }),
    ]);
    expect(() => resolveRetryPolicy({ limit: -1 })).toThrow(/limit/);
  });
});

/**
 * Transport behaviour the emulator cannot show, against small node:http servers on 127.0.0.1:
 * exact headers, proxies and redirects, odd bodies and headers, pagination.
 */
import { resetProcessState } from "../../provider/process-state";
import { createAtlasClient } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { inspect } from "node:util";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import {
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTlsError,
} from "../../provider/errors";
import { isTlsFailureCode } from "../../provider/atlas/errors/request";
import { resolveAtlasSettings } from "../../provider/settings";
import { USER_AGENT } from "../../provider/version";
import { startConnectProxy } from "../support/connect-proxy";
import type { ConnectProxy } from "../support/connect-proxy";
import { fastOptions, json, rejectionOf as caught, useLocalServers } from "./helpers";
import type { Seen } from "./helpers";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const serve = useLocalServers();

beforeEach(() => resetProcessState());
afterEach(() => resetProcessState());

function digestSettings(baseUrl: string): AtlasSettings {
  return {
    baseUrl,
    credentials: { kind: "digest", publicKey: "pub", privateKey: new Secret("priv") },
  };
}

describe("transport", () => {
  it("sends the versioned media type, the package User-Agent and a JSON body", async () => {
    const { baseUrl, seen } = await serve((_req, res) =>
      json(res, 200, { id: "i1", username: "a@b.c" }),
    );
    await createAtlasClient(digestSettings(baseUrl)).createOrgInvite(ORG, {
      username: "a@b.c",
      roles: ["ORG_MEMBER"],
    });
    const [req] = seen;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe(`/api/atlas/v2/orgs/${ORG}/invites`);
    expect(req?.headers["accept"]).toBe("application/vnd.atlas.2023-01-01+json");
    expect(req?.headers["content-type"]).toBe("application/vnd.atlas.2023-01-01+json");
    expect(req?.headers["user-agent"]).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^pulumi-atlas-org-invitations\/\d+\.\d+\.\d+\S* \(node v\d+/);
    expect(JSON.parse(req?.body ?? "")).toEqual({ username: "a@b.c", roles: ["ORG_MEMBER"] });
  });

  it("signs exactly the request-target it sends, query string included", async () => {
    const { baseUrl, seen } = await serve((req, res) =>
      req.headers.authorization
        ? json(res, 200, [])
        : json(
            res,
            401,
            { error: 401, errorCode: "UNAUTHORIZED" },
            {
              "WWW-Authenticate":
                'Digest realm="MMS Public API", nonce="n1", algorithm=MD5, qop="auth"',
            },
          ),
    );
    await createAtlasClient(digestSettings(baseUrl)).listOrgInvites(ORG, {
      username: "o'neil+x y@example.com",
    });
    expect(seen).toHaveLength(2);
    const signed = seen[1] as Seen;
    expect(signed.url).toBe(
      `/api/atlas/v2/orgs/${ORG}/invites?username=o%27neil%2Bx+y%40example.com`,
    );
    expect(signed.headers.authorization).toContain(`uri="${signed.url}"`);
    expect(signed.headers.authorization).toMatch(/nc=00000001, cnonce="[0-9a-f]{32}", qop=auth/);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it("ignores proxy settings in the environment", async () => {
    const { baseUrl, seen } = await serve((_req, res) => json(res, 200, []));
    const saved = { HTTP_PROXY: process.env["HTTP_PROXY"], http_proxy: process.env["http_proxy"] };
    process.env["HTTP_PROXY"] = process.env["http_proxy"] = "http://127.0.0.1:9";
    try {
      await createAtlasClient(digestSettings(baseUrl)).listOrgInvites(ORG);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(seen).toHaveLength(1);
  });

  it("does not follow redirects", async () => {
    const { baseUrl, seen } = await serve((_req, res) => {
      res.writeHead(302, { Location: "/elsewhere" });
      res.end();
    });
    const err = await caught(createAtlasClient(digestSettings(baseUrl)).listOrgInvites(ORG));
    expect(isAtlasApiError(err) && err.status).toBe(302);
    expect(seen.map((s) => s.url)).toEqual([`/api/atlas/v2/orgs/${ORG}/invites`]);
  });

  it("maps a non-JSON 502 page to an AtlasApiError with errorCode UNKNOWN, and retries it on GET", async () => {
    const { baseUrl, seen } = await serve((_req, res) => {
      res.writeHead(502, { "Content-Type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    const err = await caught(
      createAtlasClient(
        digestSettings(baseUrl),
        fastOptions({ retry: { limit: 2 } }),
      ).listOrgInvites(ORG),
    );
    expect(err).toMatchObject({ status: 502, errorCode: "UNKNOWN", detail: undefined });
    expect(seen).toHaveLength(3);
  });

  it("honours an HTTP-date Retry-After on a 503, measured on the client's clock", async () => {
    let n = 0;
    const { baseUrl, seen } = await serve((_req, res) => {
      n += 1;
      if (n === 1)
        return json(
          res,
          503,
          { errorCode: "SERVICE_UNAVAILABLE" },
          { "Retry-After": "Sun, 01 Mar 2026 00:00:09 GMT" },
        );
      return json(res, 200, []);
    });
    const options = fastOptions();
    expect(options.clock.now()).toBe(Date.parse("2026-03-01T00:00:00Z"));
    await createAtlasClient(digestSettings(baseUrl), options).listOrgInvites(ORG);
    expect(options.waits).toEqual([9000]);
    expect(seen).toHaveLength(2);
  });

  // PRODUCT REGRESSION (reported): before the rebuild a 429 without Retry-After waited what
  // `RateLimit-Reset` said (toResult read it as a fallback); README "Retries and limits" still
  // promises it. The rebuilt transport ignores the header and backs off instead (375 ms here).
  // Flip to `it` once RateLimit-Reset is read again, or delete with the README line if dropped
  // on purpose.
  it("honours RateLimit-Reset on a 429 without Retry-After", async () => {
    let n = 0;
    const { baseUrl, seen } = await serve((_req, res) => {
      n += 1;
      if (n === 1) return json(res, 429, { errorCode: "RATE_LIMITED" }, { "RateLimit-Reset": "4" });
      return json(res, 200, []);
    });
    const options = fastOptions();
    await createAtlasClient(digestSettings(baseUrl), options).listOrgInvites(ORG);
    expect(seen).toHaveLength(2);
    expect(options.waits).toEqual([4000]);
  });

  it("exposes retryAfterMs on the final error", async () => {
    const { baseUrl } = await serve((_req, res) =>
      json(res, 429, { errorCode: "RATE_LIMITED" }, { "Retry-After": "7" }),
    );
    const err = await caught(
      createAtlasClient(
        digestSettings(baseUrl),
        fastOptions({ retry: { limit: 0 } }),
      ).listOrgInvites(ORG),
    );
    expect(err).toMatchObject({ status: 429, errorCode: "RATE_LIMITED", retryAfterMs: 7000 });
  });

  it("reports a refused connection as a network error with its code, retried on GET", async () => {
    const { baseUrl, close } = await serve(() => undefined);
    close();
    const options = fastOptions({ retry: { limit: 1 } });
    const err = await caught(
      createAtlasClient(digestSettings(baseUrl), options).listOrgInvites(ORG),
    );
    expect(isAtlasNetworkError(err) && err.code).toBe("ECONNREFUSED");
    expect(options.logs).toEqual([
      `network error ECONNREFUSED on GET /api/atlas/v2/orgs/${ORG}/invites; waiting 375 ms, then attempt 2 of 2`,
    ]);
    expect(options.waits).toEqual([375]);
  });

  it("flags a 2xx body of the wrong shape as a protocol error", async () => {
    const { baseUrl } = await serve((_req, res) => json(res, 200, { results: "nope" }));
    const err = await caught(createAtlasClient(digestSettings(baseUrl)).listOrgInvites(ORG));
    expect(isAtlasProtocolError(err) && err.message).toBe(
      `Atlas answered 200 for GET /api/atlas/v2/orgs/${ORG}/invites with a body that is not an array of invitations`,
    );
  });

  it("resolves a 204 delete with no body", async () => {
    const { baseUrl, seen } = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    await expect(
      createAtlasClient(digestSettings(baseUrl)).deleteOrgInvite(ORG, "inv"),
    ).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({
      method: "DELETE",
      url: `/api/atlas/v2/orgs/${ORG}/invites/inv`,
    });
  });
});

describe("listAllOrgUsers pagination", () => {
  const user = (i: number, username = `user${i}@example.com`) => ({
    id: i.toString(16).padStart(24, "0"),
    username,
    orgMembershipStatus: "ACTIVE",
    roles: {},
  });
  const next = (pageNum: number) => [
    {
      rel: "self",
      href: `https://cloud.mongodb.com/api/atlas/v2/orgs/${ORG}/users?pageNum=${pageNum}`,
    },
    {
      rel: "next",
      href: `https://cloud.mongodb.com/api/atlas/v2/orgs/${ORG}/users?pageNum=${pageNum + 1}`,
    },
  ];
  const pageOf = (url: string) => Number(new URL(url, "http://x").searchParams.get("pageNum"));

  it("walks pages of 500 while Atlas links a next page, unfiltered, with the 2025-02-19 version", async () => {
    const { baseUrl, seen } = await serve((req, res) => {
      const page = pageOf(req.url);
      if (page === 1)
        return json(res, 200, {
          results: Array.from({ length: 500 }, (_, i) => user(i)),
          links: next(1),
          totalCount: 3,
        });
      return json(res, 200, { results: [user(900, "Target@Example.com")], totalCount: 3 });
    });
    const users = await createAtlasClient(digestSettings(baseUrl)).listAllOrgUsers(ORG);
    expect(users).toHaveLength(501);
    expect(users.at(-1)?.username).toBe("Target@Example.com");
    expect(seen.map((s) => s.url)).toEqual([
      `/api/atlas/v2/orgs/${ORG}/users?itemsPerPage=500&pageNum=1`,
      `/api/atlas/v2/orgs/${ORG}/users?itemsPerPage=500&pageNum=2`,
    ]);
    expect(seen[0]?.headers["accept"]).toBe("application/vnd.atlas.2025-02-19+json");
  });

  it("stops at a full page without a next link: totalCount and page size are no proof of more", async () => {
    const { baseUrl, seen } = await serve((_req, res) =>
      json(res, 200, {
        results: Array.from({ length: 500 }, (_, i) => user(i)),
        totalCount: 9000,
      }),
    );
    expect(await createAtlasClient(digestSettings(baseUrl)).listAllOrgUsers(ORG)).toHaveLength(500);
    expect(seen).toHaveLength(1);
  });

  it("stops on an empty page even when it links a next one", async () => {
    const { baseUrl, seen } = await serve((req, res) => {
      const page = pageOf(req.url);
      return page === 1
        ? json(res, 200, { results: [user(1)], links: next(1) })
        : json(res, 200, { results: [], links: next(page) });
    });
    expect(
      (await createAtlasClient(digestSettings(baseUrl)).listAllOrgUsers(ORG)).map((u) => u.id),
    ).toEqual([user(1).id]);
    expect(seen).toHaveLength(2);
  });

  it("never follows a link's origin: every page is asked of the configured base URL", async () => {
    const { baseUrl, seen } = await serve((req, res) =>
      pageOf(req.url) < 3
        ? json(res, 200, { results: [user(pageOf(req.url))], links: next(pageOf(req.url)) })
        : json(res, 200, { results: [user(3)] }),
    );
    await createAtlasClient(digestSettings(baseUrl)).listAllOrgUsers(ORG);
    expect(seen.map((s) => pageOf(s.url))).toEqual([1, 2, 3]);
  });
});

describe("through an HTTPS proxy from the environment (a local CONNECT proxy)", () => {
  const PROXY_PASSWORD = "SENTINEL-PROXY-PASSWORD-c41f";
  const KEY = "SENTINEL-PRIVATE-KEY-PROXIED-0b7d";
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.close()));
  });

  async function proxy(options: Parameters<typeof startConnectProxy>[0]): Promise<ConnectProxy> {
    const p = await startConnectProxy(options);
    running.push(p);
    return p;
  }

  /** Settings as a user gets them: default base URL, proxy from HTTPS_PROXY with credentials. */
  function proxiedSettings(proxyUrl: string): AtlasSettings {
    return resolveAtlasSettings({
      env: {
        MONGODB_ATLAS_PUBLIC_KEY: "pub",
        MONGODB_ATLAS_PRIVATE_KEY: KEY,
        HTTPS_PROXY: proxyUrl,
      },
    });
  }

  const texts = (err: unknown): string[] => [
    String(err),
    JSON.stringify(err),
    inspect(err, { depth: 10, showHidden: true }),
  ];

  it("turns a 407 from the proxy into an AtlasProxyError naming the proxy and the variable, never the password", async () => {
    const p = await proxy({
      target: { host: "127.0.0.1", port: 9 },
      auth: { username: "u", password: "right" },
    });
    const url = p.url.replace("http://", `http://u:${PROXY_PASSWORD}@`);
    const settings = proxiedSettings(url);
    expect(settings.proxy).toMatchObject({ display: p.url, variable: "HTTPS_PROXY" });
    const options = fastOptions({ retry: { limit: 1 } });
    const err = await caught(createAtlasClient(settings, options).listOrgInvites(ORG));
    expect(isAtlasProxyError(err)).toBe(true);
    expect(err).toMatchObject({
      kind: "proxy",
      proxy: p.url,
      variable: "HTTPS_PROXY",
      status: 407,
      method: "GET",
      path: `/api/atlas/v2/orgs/${ORG}/invites`,
    });
    expect((err as Error).message).toContain("Proxy Authentication Required");
    expect((err as Error).message).toContain("HTTPS_PROXY");
    for (const text of [...texts(err), ...options.logs]) {
      expect(text).not.toContain(PROXY_PASSWORD);
      expect(text).not.toContain(KEY);
    }
    // A refused tunnel never reached Atlas, so it is repeated like any refusal.
    expect(
      p.refusedTunnels.map((t) => [t.authority, t.status, t.proxyAuthorizationPresent]),
    ).toEqual([
      ["cloud.mongodb.com:443", 407, true],
      ["cloud.mongodb.com:443", 407, true],
    ]);
    expect(options.waits).toEqual([375]);
  });

  it("sends a POST again after a proxy's 502, since the tunnel never carried it", async () => {
    const p = await proxy({ target: { host: "127.0.0.1", port: 9 }, mode: "bad-gateway" });
    const options = fastOptions({ retry: { limit: 2 } });
    const err = await caught(
      createAtlasClient(proxiedSettings(p.url), options).createOrgInvite(ORG, {
        username: "a@example.com",
        roles: ["ORG_MEMBER"],
      }),
    );
    expect(err).toMatchObject({ kind: "proxy", status: 502, method: "POST" });
    expect(p.refusedTunnels).toHaveLength(3);
    expect(p.plainRequests).toEqual([]);
  });

  it("reports an unreachable proxy with Node's error code", async () => {
    const p = await proxy({ target: { host: "127.0.0.1", port: 9 } });
    const url = p.url;
    await p.close();
    const err = await caught(
      createAtlasClient(proxiedSettings(url), fastOptions({ retry: { limit: 0 } })).listOrgInvites(
        ORG,
      ),
    );
    expect(err).toMatchObject({ kind: "proxy", code: "ECONNREFUSED", status: undefined });
    expect((err as Error).message).toContain("could not be reached (ECONNREFUSED)");
  });

  it("tunnels TLS end to end, so a certificate this process does not trust is an AtlasTlsError for the Atlas host", async () => {
    const emu: RunningEmulator = await startEmulator({ tls: true });
    running.push(emu);
    const port = Number(new URL(emu.baseUrl).port);
    const p = await proxy({
      target: { host: "127.0.0.1", port },
      auth: { username: "u", password: PROXY_PASSWORD },
    });
    const options = fastOptions();
    const err = await caught(
      createAtlasClient(proxiedSettings(p.urlWithCredentials as string), options).listOrgInvites(
        ORG,
      ),
    );
    expect(isAtlasTlsError(err)).toBe(true);
    expect(err).toMatchObject({ kind: "tls", host: "cloud.mongodb.com", method: "GET" });
    expect(isTlsFailureCode((err as { code: string }).code)).toBe(true);
    expect((err as Error).message).toContain("NODE_EXTRA_CA_CERTS");
    // The proxy got its credentials and opened one tunnel; a TLS failure is not retried.
    expect(p.tunnels.map((t) => [t.authority, t.proxyAuthorizationValid])).toEqual([
      ["cloud.mongodb.com:443", true],
    ]);
    expect(p.plainRequests).toEqual([]);
    expect(emu.log.count()).toBe(0);
    expect(options.waits).toEqual([]);
    for (const text of texts(err)) expect(text).not.toContain(PROXY_PASSWORD);
  });
});

describe("TLS without a proxy", () => {
  it("turns an untrusted certificate into an AtlasTlsError naming the host, without retrying", async () => {
    const emu = await startEmulator({ tls: true });
    try {
      const options = fastOptions();
      const err = await caught(
        createAtlasClient(digestSettings(emu.baseUrl), options).listOrgInvites(ORG),
      );
      expect(isAtlasTlsError(err)).toBe(true);
      expect(err).toMatchObject({ host: "127.0.0.1", method: "GET" });
      expect((err as Error).message).toMatch(/^TLS to 127\.0\.0\.1 failed for GET /);
      expect(emu.log.count()).toBe(0);
      expect(options.waits).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});

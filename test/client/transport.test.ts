/**
 * Transport behaviour the emulator cannot show, against small node:http servers on 127.0.0.1:
 * exact headers, proxies and redirects, odd bodies and headers, pagination.
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clearAuthSessions } from "../../provider/atlas/auth";
import { createAtlasClient } from "../../provider/atlas/client";
import {
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
} from "../../provider/atlas/errors";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { USER_AGENT } from "../../provider/version";
import { fastOptions } from "./helpers";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const servers: { close(): void }[] = [];

async function serve(handler: Handler): Promise<{ baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ close: () => server.close() });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(() => {
  servers.splice(0).forEach((s) => s.close());
  clearAuthSessions();
});

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
};

function digestSettings(baseUrl: string): AtlasSettings {
  return {
    baseUrl,
    credentials: { kind: "digest", publicKey: "pub", privateKey: new Secret("priv") },
  };
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );

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

  it("honours RateLimit-Reset when Retry-After is missing, and an HTTP-date Retry-After", async () => {
    let n = 0;
    const { baseUrl } = await serve((_req, res) => {
      n += 1;
      if (n === 1) return json(res, 429, { errorCode: "RATE_LIMITED" }, { "RateLimit-Reset": "4" });
      if (n === 2)
        return json(
          res,
          503,
          { errorCode: "SERVICE_UNAVAILABLE" },
          { "Retry-After": "Thu, 01 Jan 2026 00:00:09 GMT" },
        );
      return json(res, 200, []);
    });
    const options = fastOptions({ now: () => Date.parse("2026-01-01T00:00:00Z") });
    await createAtlasClient(digestSettings(baseUrl), options).listOrgInvites(ORG);
    expect(options.waits).toEqual([4000, 9000]);
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
    const { baseUrl } = await serve(() => undefined);
    servers.splice(0).forEach((s) => s.close());
    const options = fastOptions({ retry: { limit: 1 } });
    const err = await caught(
      createAtlasClient(digestSettings(baseUrl), options).listOrgInvites(ORG),
    );
    expect(isAtlasNetworkError(err) && err.code).toBe("ECONNREFUSED");
    expect(options.logs).toEqual([
      expect.stringMatching(/^network error ECONNREFUSED on GET .*\(attempt 2 of 2\)$/),
    ]);
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

describe("findOrgUserByUsername pagination", () => {
  const user = (i: number, username = `user${i}@example.com`) => ({
    id: i.toString(16).padStart(24, "0"),
    username,
    orgMembershipStatus: "ACTIVE",
    roles: {},
  });

  it("walks full pages of 500 until a short page and matches case-insensitively", async () => {
    const { baseUrl, seen } = await serve((req, res) => {
      const page = Number(new URL(req.url, "http://x").searchParams.get("pageNum"));
      if (page === 1)
        return json(res, 200, {
          results: Array.from({ length: 500 }, (_, i) => user(i)),
          totalCount: 3,
        });
      return json(res, 200, { results: [user(900, "Target@Example.com")], totalCount: 3 });
    });
    const found = await createAtlasClient(digestSettings(baseUrl)).findOrgUserByUsername(
      ORG,
      "target@example.COM",
    );
    expect(found?.username).toBe("Target@Example.com");
    expect(seen.map((s) => s.url)).toEqual([
      `/api/atlas/v2/orgs/${ORG}/users?username=target%40example.COM&itemsPerPage=500&pageNum=1`,
      `/api/atlas/v2/orgs/${ORG}/users?username=target%40example.COM&itemsPerPage=500&pageNum=2`,
    ]);
    expect(seen[0]?.headers["accept"]).toBe("application/vnd.atlas.2025-02-19+json");
  });

  it("returns undefined after a short page without a match, and stops on an empty one", async () => {
    const { baseUrl, seen } = await serve((_req, res) => json(res, 200, { results: [user(1)] }));
    expect(
      await createAtlasClient(digestSettings(baseUrl)).findOrgUserByUsername(
        ORG,
        "nobody@example.com",
      ),
    ).toBeUndefined();
    expect(seen).toHaveLength(1);
  });
});

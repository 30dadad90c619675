/**
 * serveRecorded replays real Atlas answers to a client under test: it must answer a recorded
 * request with the recorded bytes, recompute Content-Length, and refuse anything else loudly.
 */
import type { ReplayServer } from "../support/recorded";
import { header, jsonBody, loadRecorded, recorded, serveRecorded } from "../support/recorded";

let server: ReplayServer;
beforeAll(async () => {
  server = await serveRecorded(loadRecorded());
});
afterAll(() => server.close());

describe("the recorded-exchange loader", () => {
  it("reads every vendored .http file into a numeric status and [name, value] headers", () => {
    const all = loadRecorded();
    expect(all.length).toBeGreaterThanOrEqual(27);
    for (const e of all) {
      expect(e.response.status).toBeGreaterThanOrEqual(200);
      expect(e.response.headers.every(([n, v]) => n.length > 0 && typeof v === "string")).toBe(
        true,
      );
    }
  });

  it("finds headers case-insensitively and parses JSON bodies", () => {
    const created = recorded("01-createOrgInvite-200.http");
    expect(header(created, "ratelimit-limit")).toBe("500");
    expect(header(created, "RATELIMIT-REMAINING")).toBe("499");
    expect(header(created, "X-Error-Code")).toBeUndefined();
    expect(jsonBody(created)).toMatchObject({ orgName: "Atlas CLI E2E", roles: ["ORG_MEMBER"] });
    expect(jsonBody(recorded("10-deleteOrgInvite-204.http"))).toBeUndefined();
  });

  it("hands out copies, so a test cannot change what the next one reads", () => {
    recorded("01-createOrgInvite-200.http").response.headers.length = 0;
    expect(header(recorded("01-createOrgInvite-200.http"), "Sunset")).toBe(
      "Thu, 1 Jul 2027 00:00:00 GMT",
    );
  });

  it("refuses a fixture name that is not recorded", () => {
    expect(() => recorded("99-nope.http")).toThrow(/no recorded exchange 99-nope.http/);
  });
});

describe("the replay server", () => {
  it("answers a recorded request with the recorded status, headers and body bytes", async () => {
    const entry = recorded("01-createOrgInvite-200.http");
    const res = await fetch(`${server.baseUrl}${entry.request.path}`, {
      method: "POST",
      headers: { Accept: entry.request.acceptInferred },
      body: JSON.stringify({ username: "test-783@example.com", roles: ["ORG_MEMBER"] }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(entry.response.body);
    expect(res.headers.get("content-type")).toBe(header(entry, "Content-Type"));
    expect(res.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    expect(res.headers.get("ratelimit-remaining")).toBe("499");
  });

  it("recomputes Content-Length from the body bytes instead of the recorded one", async () => {
    // File 12 was anonymised after recording: its recorded Content-Length (5756) is stale.
    const entry = recorded("12-listOrgUsers-200-with-pending.http");
    expect(header(entry, "Content-Length")).toBe("5756");
    const res = await fetch(`${server.baseUrl}${entry.request.path}?${entry.request.query ?? ""}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(bytes.length).toBe(Buffer.byteLength(entry.response.body));
    expect(bytes.length).not.toBe(5756);
  });

  it("matches the query whatever the parameter order, and answers 204 without a body", async () => {
    const page = await fetch(
      `${server.baseUrl}/api/atlas/v2/orgs/a0123456789abcdef012345a/users?itemsPerPage=1&pageNum=1&includeCount=true`,
    );
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ totalCount: 9, results: [expect.any(Object)] });
    const deleted = await fetch(
      `${server.baseUrl}/api/atlas/v2/orgs/a0123456789abcdef012345a/invites/6a793f89c0eb9e7a177165b6`,
      { method: "DELETE" },
    );
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("content-length")).toBeNull();
    expect(deleted.headers.get("content-type")).toBe(
      "application/vnd.atlas.2023-01-01+json;charset=utf-8",
    );
    expect(await deleted.text()).toBe("");
  });

  it("answers an unrecorded method, path or query with a loud 404 REPLAY_UNKNOWN_ROUTE", async () => {
    const path = "/api/atlas/v2/orgs/a0123456789abcdef012345a/invites";
    for (const [method, url] of [
      ["PUT", path],
      ["GET", `${path}/000000000000000000000000`],
      ["GET", `${path}?username=x%40example.com`],
    ] as const) {
      const res = await fetch(`${server.baseUrl}${url}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        errorCode: "REPLAY_UNKNOWN_ROUTE",
        detail: expect.stringContaining(`${method} ${url}`),
      });
    }
  });

  it("records every request it received, with method, url and headers", async () => {
    const before = server.requests().length;
    await fetch(`${server.baseUrl}/nowhere?x=1`, { headers: { "X-Probe": "yes" } });
    const [last, ...rest] = server.requests().slice(before);
    expect(rest).toEqual([]);
    expect(last).toMatchObject({ method: "GET", url: "/nowhere?x=1" });
    expect(last?.headers["x-probe"]).toBe("yes");
  });
});

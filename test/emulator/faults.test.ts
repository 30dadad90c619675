import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { DigestClient, INVITES, ORG, V2023, invite, list, obj, raw } from "./support";

let now = 1_750_000_000_000;
let emu: RunningEmulator;
let api: DigestClient;

beforeAll(async () => {
  emu = await startEmulator({ now: () => now });
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.control.reset();
  // Prime the digest session so each test's first counted request is already signed.
  await api.call("GET", INVITES);
  emu.control.reset();
});

const create = (username: string): ReturnType<DigestClient["call"]> =>
  api.call("POST", INVITES, { body: invite(username) });

describe("injected faults", () => {
  test("a status fault answers its ApiError instead of the real operation, which does not run", async () => {
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      detail: "down",
    });
    const res = await create("a@example.com");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 503,
      errorCode: "SERVICE_UNAVAILABLE",
      detail: "down",
      reason: "Service Unavailable",
      parameters: [],
    });
    expect(emu.control.invitations(ORG)).toEqual([]);
    expect(emu.log.entries({ operationId: "createOrgInvite" }).map((e) => e.faulted)).toEqual([
      true,
    ]);
    expect((await create("a@example.com")).status).toBe(200);
  });

  test("faults are checked after authentication, so the challenge round trip is not consumed", async () => {
    const fresh = new DigestClient(
      emu.baseUrl,
      emu.credentials.publicKey,
      emu.credentials.privateKey,
    );
    emu.control.injectFault({ status: 500 });
    const res = await fresh.call("GET", INVITES);
    expect(res.status).toBe(500);
    expect(emu.log.entries().map((e) => [e.status, e.faulted])).toEqual([
      [401, false],
      [500, true],
    ]);
  });

  test("Retry-After and extra headers are sent, and `times` counts down", async () => {
    const handle = emu.control.injectFault({
      match: { method: "GET" },
      status: 429,
      retryAfter: "2",
      headers: { "X-Test": "yes" },
      times: 2,
    });
    const first = await api.call("GET", INVITES);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2");
    expect(first.headers.get("x-test")).toBe("yes");
    expect(obj(first.body)["errorCode"]).toBe("RATE_LIMITED");
    expect(handle.remaining()).toBe(1);
    expect((await api.call("GET", INVITES)).status).toBe(429);
    expect(handle.remaining()).toBe(0);
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });

  test("faults match in insertion order and a path RegExp matches the pathname", async () => {
    emu.control.injectFault({ match: { path: /\/invites\/[a-f0-9]{24}$/ }, status: 502 });
    emu.control.injectFault({ status: 504 });
    expect((await api.call("GET", INVITES)).status).toBe(504);
    expect((await api.call("GET", `${INVITES}/0123456789abcdef01234567`)).status).toBe(502);
  });

  test("a delay fault answers the real result after the delay", async () => {
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, delayMs: 150 });
    const start = Date.now();
    const res = await api.call("GET", INVITES);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  test("a reset before commit destroys the socket and changes nothing", async () => {
    emu.control.injectFault({ match: { operationId: "createOrgInvite" }, reset: true });
    await expect(create("a@example.com")).rejects.toThrow();
    expect(emu.control.invitations(ORG)).toEqual([]);
    expect(
      emu.log.entries({ operationId: "createOrgInvite" }).map((e) => [e.status, e.faulted]),
    ).toEqual([[0, true]]);
  });

  test("a reset after commit destroys the socket yet the invitation exists", async () => {
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      reset: true,
      commit: true,
    });
    await expect(create("a@example.com")).rejects.toThrow();
    expect(emu.control.invitations(ORG).map((i) => i.username)).toEqual(["a@example.com"]);
  });

  test("a committed status fault changes state and still answers the error", async () => {
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      status: 500,
      commit: true,
    });
    expect((await create("a@example.com")).status).toBe(500);
    expect(emu.control.invitations(ORG)).toHaveLength(1);
  });

  test("a malformed-body fault answers the real status with invalid JSON", async () => {
    emu.control.injectFault({ match: { operationId: "createOrgInvite" }, malformedBody: true });
    const res = await create("a@example.com");
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text) as unknown).toThrow();
    expect(res.text.length).toBeGreaterThan(0);
  });

  test("clearFaults and handle.clear() remove faults", async () => {
    const handle = emu.control.injectFault({ status: 500, times: Infinity });
    handle.clear();
    emu.control.injectFault({ status: 500, times: Infinity });
    emu.control.clearFaults();
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });
});

describe("invitation rate limit", () => {
  test("the N+1st invitation in the window answers 400 RATE_LIMITED_IP naming N and M", async () => {
    emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
    expect((await create("a@example.com")).status).toBe(200);
    expect((await api.call("PATCH", INVITES, { body: invite("a@example.com") })).status).toBe(200);
    const res = await create("c@example.com");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      errorCode: "RATE_LIMITED_IP",
      detail: "Rate limit of 2 invitations per 1 minutes exceeded.",
    });
    expect((await api.call("GET", INVITES)).status).toBe(200);
    now += 60_000;
    expect((await create("c@example.com")).status).toBe(200);
  });

  test("a fractional window is printed with up to 4 decimals", async () => {
    emu.control.setInvitationLimit({ count: 1, windowMs: 2000 });
    await create("a@example.com");
    const res = await create("b@example.com");
    expect(obj(res.body)["detail"]).toBe(
      "Rate limit of 1 invitations per 0.0333 minutes exceeded.",
    );
  });
});

describe("token bucket", () => {
  test("an empty bucket answers 429 RATE_LIMITED with Retry-After and RateLimit headers", async () => {
    emu.control.setTokenBucket({ capacity: 2, refillPerSecond: 0.5 });
    const first = await api.call("GET", INVITES);
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect((await api.call("GET", INVITES)).status).toBe(200);
    const limited = await api.call("GET", INVITES);
    expect(limited.status).toBe(429);
    expect(obj(limited.body)["errorCode"]).toBe("RATE_LIMITED");
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    now += 2000;
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });
});

describe("unknown routes", () => {
  test("an unknown path or method answers a loud 404 EMULATOR_UNKNOWN_ROUTE and is logged", async () => {
    const res = await api.call("PUT", INVITES, { body: {} });
    expect(res.status).toBe(404);
    expect(obj(res.body)["errorCode"]).toBe("EMULATOR_UNKNOWN_ROUTE");
    expect(obj(res.body)["detail"]).toContain(`PUT ${INVITES}`);
    const other = await raw(emu.baseUrl, "GET", "/api/atlas/v1.0/groups", { Accept: V2023 });
    expect(other.status).toBe(404);
    expect(obj(other.body)["errorCode"]).toBe("EMULATOR_UNKNOWN_ROUTE");
    expect(emu.log.count({ status: 404 })).toBe(2);
    expect(list(emu.log.entries({ status: 404 })).map((e) => e["method"])).toEqual(["PUT", "GET"]);
  });
});

describe("isolation between tests", () => {
  test("a request that started before a reset is not logged after it", async () => {
    emu.control.injectFault({ match: { operationId: "listOrgInvites" }, delayMs: 150 });
    const slow = api.call("GET", INVITES);
    await new Promise((r) => setTimeout(r, 50));
    emu.control.reset();
    await slow;
    expect(emu.log.entries()).toEqual([]);
    await api.call("GET", INVITES);
    expect(emu.log.entries().map((e) => e.status)).toEqual([200]);
  });
});

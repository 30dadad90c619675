import { request } from "node:http";
import { startEmulator } from "../../emulator";
import type { FaultSpec, RunningEmulator } from "../../emulator";
import type { FaultMatch } from "../../emulator/types";
import { DigestClient, INVITES, ORG, V2023, fetchToken, invite, list, obj, raw } from "./support";

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

describe("fault specs are checked when injected", () => {
  /** A spec as a JavaScript caller (or a cast) might pass it, past the FaultSpec type. */
  const loose = (spec: Record<string, unknown>): FaultSpec => spec as FaultSpec;

  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      "a status that is not a number",
      { status: "abc" },
      /^invalid fault status "abc": must be an integer from 200 to 599/,
    ],
    ["a fractional status", { status: 503.5 }, /^invalid fault status 503\.5: must be an integer/],
    ["a status below 200", { status: 103 }, /^invalid fault status 103: .*1xx/],
    [
      "a status above 599",
      { status: 600 },
      /^invalid fault status 600: must be an integer from 200 to 599/,
    ],
    [
      "zero times",
      { status: 500, times: 0 },
      /^invalid fault times 0: must be a positive integer or Infinity/,
    ],
    [
      "fractional times",
      { status: 500, times: 1.5 },
      /^invalid fault times 1\.5: must be a positive integer/,
    ],
    [
      "NaN times",
      { status: 500, times: NaN },
      /^invalid fault times NaN: must be a positive integer/,
    ],
    ["-Infinity times", { status: 500, times: -Infinity }, /^invalid fault times -Infinity:/],
    [
      "a negative delay",
      { delayMs: -1 },
      /^invalid fault delayMs -1: must be a number of milliseconds from 0 to 2147483647/,
    ],
    ["an infinite delay", { delayMs: Infinity }, /^invalid fault delayMs Infinity:/],
    [
      "a delay longer than setTimeout can wait",
      { delayMs: 2 ** 31 },
      /^invalid fault delayMs 2147483648:/,
    ],
    ["a delay given as text", { delayMs: "150" }, /^invalid fault delayMs "150":/],
    [
      "a numeric retryAfter",
      { status: 429, retryAfter: 2 },
      /^invalid fault retryAfter 2: must be a string/,
    ],
    [
      "a retryAfter with a line break",
      { status: 429, retryAfter: "1\r\nX-Evil: 1" },
      /^invalid fault retryAfter .*: must be a valid HTTP header value/,
    ],
    [
      "headers that are not an object",
      { headers: ["X-Test: yes"] },
      /^invalid fault headers \["X-Test: yes"\]: must be an object/,
    ],
    [
      "a header value that is not a string",
      { headers: { "X-Count": 1 } },
      /^invalid fault headers\.X-Count 1: must be a string/,
    ],
    [
      "a header name with a space",
      { headers: { "X Test": "yes" } },
      /^invalid fault headers\.X Test "yes": the name is not a valid HTTP header name/,
    ],
    [
      "an errorCode with a line break",
      { status: 500, errorCode: "A\nB" },
      /^invalid fault errorCode "A\\nB": must be a valid HTTP header value/,
    ],
    ["a numeric detail", { status: 500, detail: 42 }, /^invalid fault detail 42: must be a string/],
    [
      "an errorCode without a status",
      { errorCode: "SERVICE_UNAVAILABLE" },
      /^invalid fault errorCode "SERVICE_UNAVAILABLE": needs a status/,
    ],
    [
      "a detail without a status",
      { detail: "down" },
      /^invalid fault detail "down": needs a status/,
    ],
    [
      "a reset given as text",
      { reset: "yes" },
      /^invalid fault reset "yes": must be true or false/,
    ],
    [
      "a commit given as a number",
      { status: 500, commit: 1 },
      /^invalid fault commit 1: must be true or false/,
    ],
    [
      "a malformedBody given as text",
      { malformedBody: "true" },
      /^invalid fault malformedBody "true": must be true or false/,
    ],
    [
      "a match that is a string",
      { match: "listOrgInvites", status: 500 },
      /^invalid fault match "listOrgInvites": must be an object/,
    ],
    [
      "a match that is a RegExp",
      { match: /invites/, status: 500 },
      /^invalid fault match \/invites\/: must be an object/,
    ],
    [
      "a numeric match.method",
      { match: { method: 1 }, status: 500 },
      /^invalid fault match\.method 1: must be a string/,
    ],
    [
      "a match.operationId list",
      { match: { operationId: ["listOrgInvites"] }, status: 500 },
      /^invalid fault match\.operationId \["listOrgInvites"\]: must be a string/,
    ],
    [
      "a numeric match.path",
      { match: { path: 7 }, status: 500 },
      /^invalid fault match\.path 7: must be a string .* or a RegExp/,
    ],
    [
      "an unknown match field",
      { match: { operation: "listOrgInvites" }, status: 500 },
      /^invalid fault match\.operation "listOrgInvites": no such field \(fields: method, operationId, path\)/,
    ],
    [
      "a misspelt field",
      { staus: 503 },
      /^invalid fault staus 503: no such field \(fields: match, times, status, /,
    ],
  ])("injectFault refuses %s with an error naming the field", async (_what, spec, message) => {
    let thrown: unknown;
    try {
      emu.control.injectFault(loose(spec));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe("EmulatorControlError");
    expect((thrown as Error).message).toMatch(message);
    // Nothing was registered: the next request is answered for real.
    const res = await api.call("GET", INVITES);
    expect([res.status, emu.log.entries().map((e) => e.faulted)]).toEqual([200, [false]]);
  });

  test("injectFault refuses a spec that is not an object", () => {
    expect(() => emu.control.injectFault(null as unknown as FaultSpec)).toThrow(
      /^invalid fault spec null: must be an object$/,
    );
  });

  test("the edges of every range are accepted, and absent (undefined) fields are fine", async () => {
    const specs: FaultSpec[] = [
      { status: 200, times: 1 },
      { status: 599, times: Infinity, errorCode: "X", detail: "d", headers: {} },
      { delayMs: 0, match: {} },
      { reset: false, commit: false, malformedBody: false },
      loose({ status: undefined, times: undefined, match: { method: undefined } }),
    ];
    const handles = specs.map((spec) => emu.control.injectFault(spec));
    expect(handles.map((h) => h.remaining())).toEqual([1, Infinity, 1, 1, 1]);
    const first = await api.call("GET", INVITES);
    expect([first.status, obj(first.body)["errorCode"]]).toEqual([200, "EMULATOR_INJECTED_FAULT"]);
    expect((await api.call("GET", INVITES)).status).toBe(599);
  });

  test("changing the caller's match or headers after injecting does not change the fault", async () => {
    const match: FaultMatch = { operationId: "createOrgInvite" };
    const headers: Record<string, string> = { "X-Test": "yes" };
    emu.control.injectFault({ match, headers, status: 503 });
    match.operationId = "listOrgInvites";
    headers["X-Test"] = "bad\r\nvalue";
    const listed = await api.call("GET", INVITES);
    expect(listed.status).toBe(200);
    const created = await create("a@example.com");
    expect([created.status, created.headers.get("x-test")]).toEqual([503, "yes"]);
  });
});

describe("invitation rate limit", () => {
  test("the N+1st invitation in the window answers 400 INVITATIONS_RATE_LIMITED_IP naming N and M", async () => {
    emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
    expect((await create("a@example.com")).status).toBe(200);
    expect((await api.call("PATCH", INVITES, { body: invite("a@example.com") })).status).toBe(200);
    const res = await create("c@example.com");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Rate limit of 2 invitations per 1 minutes exceeded.",
      error: 400,
      errorCode: "INVITATIONS_RATE_LIMITED_IP",
      parameters: ["2", "1"],
      reason: "Bad Request",
    });
    expect((await api.call("GET", INVITES)).status).toBe(200);
    now += 60_000;
    expect((await create("c@example.com")).status).toBe(200);
  });

  test('with invitationLimitCode "RATE_LIMITED_IP" the same limit answers that code', async () => {
    emu.control.setKnobs({
      invitationLimitCode: "RATE_LIMITED_IP",
      invitationLimit: { count: 1, windowMs: 60_000 },
    });
    await create("a@example.com");
    expect(obj((await create("b@example.com")).body)["errorCode"]).toBe("RATE_LIMITED_IP");
  });

  test("a fractional window is printed with up to 4 decimals", async () => {
    emu.control.setInvitationLimit({ count: 1, windowMs: 2000 });
    await create("a@example.com");
    const res = await create("b@example.com");
    expect(obj(res.body)["detail"]).toBe(
      "Rate limit of 1 invitations per 0.033333 minutes exceeded.",
    );
  });
});

describe("token bucket", () => {
  test("a fresh emulator has Atlas's bucket: Ratelimit-Limit 500 and Ratelimit-Remaining 499, spelt as recorded", async () => {
    const first = await raw(emu.baseUrl, "GET", INVITES, { Accept: V2023 });
    expect(first.status).toBe(401);
    expect(first.headers.get("ratelimit-limit")).toBeNull();
    const res = await api.call("GET", INVITES);
    expect(res.headers.get("ratelimit-limit")).toBe("500");
    expect(res.headers.get("ratelimit-remaining")).toBe("499");
    expect(emu.control.knobs().tokenBucket).toEqual({ capacity: 500, refillPerSecond: 250 / 60 });
    // fetch lower-cases header names: read the raw spelling with node:http and a Bearer token.
    const token = String(
      obj(
        (await fetchToken(emu.baseUrl, emu.credentials.clientId, emu.credentials.clientSecret))
          .body,
      )["access_token"],
    );
    const spelt = await new Promise<string[]>((resolve, reject) => {
      const headers = { Accept: V2023, Authorization: `Bearer ${token}` };
      const req = request(`${emu.baseUrl}${INVITES}`, { headers }, (r) => {
        r.resume();
        r.on("end", () => resolve(r.rawHeaders.filter((_h, i) => i % 2 === 0)));
      });
      req.on("error", reject);
      req.end();
    });
    expect(spelt).toEqual(
      expect.arrayContaining(["Ratelimit-Limit", "Ratelimit-Remaining", "Deprecation", "Sunset"]),
    );
    expect(spelt).not.toContain("RateLimit-Limit");
  });

  test("the bucket refills 250 tokens a minute, and errors carry the headers too", async () => {
    emu.control.setTokenBucket({ capacity: 500, refillPerSecond: 250 / 60 });
    for (let i = 0; i < 10; i++) await api.call("GET", INVITES);
    const missing = await api.call("GET", `${INVITES}/0123456789abcdef01234567`);
    expect(missing.status).toBe(400);
    expect(missing.headers.get("ratelimit-remaining")).toBe("489");
    now += 60_000;
    expect((await api.call("GET", INVITES)).headers.get("ratelimit-remaining")).toBe("499");
  });

  test("an empty bucket answers 429 RATE_LIMITED with Retry-After and the rate-limit headers", async () => {
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
    expect(limited.headers.get("x-error-code")).toBe("RATE_LIMITED");
    expect(limited.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    now += 2000;
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });

  test("setTokenBucket(null) removes the bucket and every rate-limit header; reset() restores Atlas's", async () => {
    emu.control.setTokenBucket(null);
    for (let i = 0; i < 600; i++) {
      const res = await api.call("GET", INVITES);
      if (res.status !== 200 || res.headers.has("ratelimit-limit")) {
        throw new Error(`call ${i}: ${res.status} ${String(res.headers.get("ratelimit-limit"))}`);
      }
    }
    expect(emu.control.knobs().tokenBucket).toBeNull();
    emu.control.reset();
    await api.call("GET", INVITES);
    expect((await api.call("GET", INVITES)).headers.get("ratelimit-remaining")).toBe("498");
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

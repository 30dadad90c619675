import { connectControl, startEmulator } from "../../emulator";
import type { ControlClient, Exchange, RunningEmulator } from "../../emulator";
import {
  DigestClient,
  INVITES,
  ORG,
  TEAM_A,
  USERS,
  V2025,
  fetchToken,
  invite,
  list,
  obj,
  raw,
} from "./support";

const exchanges: Exchange[] = [];
let emu: RunningEmulator;
let api: DigestClient;
let remote: ControlClient;

beforeAll(async () => {
  emu = await startEmulator({ onExchange: (e) => exchanges.push(e) });
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
  remote = connectControl(emu.baseUrl);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await remote.reset();
  exchanges.length = 0;
});

async function create(username: string): Promise<string> {
  const res = await api.call("POST", INVITES, { body: invite(username) });
  return String(obj(res.body)["id"]);
}

describe("HTTP control API", () => {
  test("accepting over HTTP makes the user ACTIVE, as the programmatic API does", async () => {
    const id = await create("alice@example.com");
    const user = await remote.acceptInvitation(ORG, id);
    expect(user).toMatchObject({ username: "alice@example.com", orgMembershipStatus: "ACTIVE" });
    expect(emu.control.users(ORG)).toEqual([user]);
    expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(400);
  });

  test("expire, reject, invitations and users mirror the programmatic API", async () => {
    await create("bob@example.com");
    await create("carol@example.com");
    expect((await remote.invitations(ORG)).map((i) => i.username).sort()).toEqual([
      "bob@example.com",
      "carol@example.com",
    ]);
    await remote.expireInvitation(ORG, "bob@example.com");
    await remote.rejectInvitation(ORG, "carol@example.com");
    expect(await remote.invitations(ORG)).toEqual([]);
    expect((await remote.users(ORG)).map((u) => u.orgMembershipStatus).sort()).toEqual([
      "INVITATION_EXPIRED",
      "INVITATION_REJECTED",
    ]);
  });

  test("addMember, setInvitation and an unknown invitation over HTTP", async () => {
    const member = await remote.addMember(ORG, { username: "m@example.com", teamIds: [TEAM_A] });
    expect(member).toMatchObject({
      orgMembershipStatus: "ACTIVE",
      roles: ["ORG_MEMBER"],
      teamIds: [TEAM_A],
    });
    const id = await create("drift@example.com");
    await remote.setInvitation(ORG, id, { roles: ["ORG_OWNER"] });
    expect(emu.control.invitations(ORG)[0]?.roles).toEqual(["ORG_OWNER"]);
    await expect(remote.acceptInvitation(ORG, "nobody@example.com")).rejects.toThrow(/404/);
  });

  test("faults with a pathRegex and Infinity times travel over HTTP", async () => {
    const handle = await remote.injectFault({
      match: { path: /\/users$/ },
      status: 503,
      times: Infinity,
    });
    expect((await api.call("GET", USERS, { accept: V2025 })).status).toBe(503);
    expect((await api.call("GET", INVITES)).status).toBe(200);
    expect(await handle.remaining()).toBe(Infinity);
    await remote.clearFaults();
    expect((await api.call("GET", USERS, { accept: V2025 })).status).toBe(200);
  });

  const postFault = (body: string): ReturnType<typeof raw> =>
    raw(emu.baseUrl, "POST", "/__emulator/faults", { "Content-Type": "application/json" }, body);
  const listFaults = async (): Promise<unknown> =>
    (await raw(emu.baseUrl, "GET", "/__emulator/faults")).body;

  test("a fault with a non-numeric status answers 400 naming the field, and the next API call is not broken", async () => {
    const res = await postFault('{"status":"abc"}');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 400,
      errorCode: "EMULATOR_CONTROL_ERROR",
      field: "status",
      detail:
        'invalid fault status "abc": must be an integer from 200 to 599 (a 1xx answer cannot carry an error and leaves the client waiting)',
    });
    expect(await listFaults()).toEqual([]);
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });

  test.each<[string, string, RegExp]>([
    [
      '{"times":0}',
      "times",
      /must be a positive integer or Infinity \(over HTTP: "Infinity" or null\)/,
    ],
    ['{"times":"abc"}', "times", /^invalid fault times "abc"/],
    ['{"times":"5"}', "times", /^invalid fault times "5"/],
    ['{"times":2.5}', "times", /^invalid fault times 2\.5/],
    ['{"status":99}', "status", /^invalid fault status 99/],
    ['{"status":"503"}', "status", /^invalid fault status "503"/],
    ['{"delayMs":-5}', "delayMs", /^invalid fault delayMs -5: must be a number of milliseconds/],
    ['{"delayMs":null}', "delayMs", /^invalid fault delayMs null/],
    [
      '{"status":429,"retryAfter":2}',
      "retryAfter",
      /^invalid fault retryAfter 2: must be a string/,
    ],
    ['{"status":429,"retryAfter":"1\\nX: y"}', "retryAfter", /valid HTTP header value/],
    ['{"headers":"X-Test: yes"}', "headers", /must be an object of header strings/],
    [
      '{"headers":{"X-Test":true}}',
      "headers.X-Test",
      /^invalid fault headers\.X-Test true: must be a string/,
    ],
    ['{"headers":{"":"x"}}', "headers.", /not a valid HTTP header name/],
    ['{"errorCode":"SERVICE_UNAVAILABLE"}', "errorCode", /needs a status/],
    ['{"reset":"true"}', "reset", /must be true or false/],
    ['{"match":[]}', "match", /^invalid fault match \[\]: must be an object/],
    ['{"match":{"method":["GET"]}}', "match.method", /must be a string/],
    ['{"match":{"operationId":null}}', "match.operationId", /must be a string/],
    ['{"match":{"path":{}}}', "match.path", /over HTTP: match\.pathRegex/],
    [
      '{"match":{"pathRegex":"("}}',
      "match.pathRegex",
      /^invalid fault match\.pathRegex "\(": not a regular expression \(Invalid regular expression/,
    ],
    ['{"match":{"pathRegex":5}}', "match.pathRegex", /must be a string \(a RegExp source\)/],
    [
      '{"match":{"path":"/a","pathRegex":"b"}}',
      "match.pathRegex",
      /give match\.path or match\.pathRegex, not both/,
    ],
    ['{"match":{"operationid":"listOrgInvites"}}', "match.operationid", /no such field/],
    ['{"Status":503}', "Status", /^invalid fault Status 503: no such field/],
    ['{"constructor":503}', "constructor", /^invalid fault constructor 503: no such field/],
  ])("POST /__emulator/faults %s answers 400 naming %s", async (body, field, message) => {
    const res = await postFault(body);
    expect([res.status, obj(res.body)["errorCode"], obj(res.body)["field"]]).toEqual([
      400,
      "EMULATOR_CONTROL_ERROR",
      field,
    ]);
    expect(String(obj(res.body)["detail"])).toMatch(message);
    expect(await listFaults()).toEqual([]);
  });

  test("a fault with times null is played without end, since JSON.stringify writes Infinity as null", async () => {
    const res = await postFault('{"status":503,"times":null}');
    expect(obj(res.body)["remaining"]).toBe("Infinity");
    expect((await api.call("GET", INVITES)).status).toBe(503);
    expect((await api.call("GET", INVITES)).status).toBe(503);
  });

  test("the control client rejects a bad fault with the server's 400, and NaN times does not become Infinity", async () => {
    await expect(remote.injectFault({ status: "abc" as unknown as number })).rejects.toThrow(
      /answered 400: invalid fault status "abc"/,
    );
    await expect(remote.injectFault({ status: 503, times: NaN })).rejects.toThrow(
      /answered 400: invalid fault times "NaN"/,
    );
    await expect(remote.injectFault({ delayMs: Infinity })).rejects.toThrow(
      /answered 400: invalid fault delayMs "Infinity"/,
    );
    expect(await listFaults()).toEqual([]);
    expect((await api.call("GET", INVITES)).status).toBe(200);
  });

  test("knobs read back with their least favourable defaults", async () => {
    expect(await remote.knobs()).toEqual({
      duplicateInvitePolicy: "duplicate",
      missingInvitationAnswer: "400",
      usernameCase: "exact",
      usernameNormalization: "none",
      usernameStorage: "as-sent",
      invitationLimitCode: "INVITATIONS_RATE_LIMITED_IP",
      acceptedUserId: "new",
      reinvitedUserId: "new",
      lapsedInvitations: "listed",
      invitationLimit: null,
      tokenBucket: { capacity: 500, refillPerSecond: 250 / 60 },
    });
    expect(emu.control.knobs()).toEqual(await remote.knobs());
  });

  test("knobs set over HTTP change behaviour, read back, and reset restores every default", async () => {
    const knobs = await remote.setKnobs({
      duplicateInvitePolicy: "reject",
      missingInvitationAnswer: "404",
      usernameCase: "insensitive",
      usernameNormalization: "nfc",
      usernameStorage: "lower-case",
      invitationLimitCode: "RATE_LIMITED_IP",
      acceptedUserId: "same",
      reinvitedUserId: "same",
      lapsedInvitations: "dropped",
      invitationLimit: { count: 5, windowMs: 60_000 },
      tokenBucket: null,
    });
    expect(knobs).toEqual({
      duplicateInvitePolicy: "reject",
      missingInvitationAnswer: "404",
      usernameCase: "insensitive",
      usernameNormalization: "nfc",
      usernameStorage: "lower-case",
      invitationLimitCode: "RATE_LIMITED_IP",
      acceptedUserId: "same",
      reinvitedUserId: "same",
      lapsedInvitations: "dropped",
      invitationLimit: { count: 5, windowMs: 60_000 },
      tokenBucket: null,
    });
    await create("dup@example.com");
    expect((await api.call("POST", INVITES, { body: invite("DUP@example.com") })).status).toBe(409);
    const missing = await api.call("GET", `${INVITES}/0123456789abcdef01234567`);
    expect([missing.status, missing.headers.get("ratelimit-limit")]).toEqual([404, null]);
    await remote.setKnobs({ domainAllowList: { domains: ["corp.io"] } });
    expect((await api.call("POST", INVITES, { body: invite("x@example.com") })).status).toBe(400);
    await remote.reset();
    expect((await remote.knobs()).duplicateInvitePolicy).toBe("duplicate");
    expect((await remote.knobs()).usernameNormalization).toBe("none");
    expect((await remote.knobs()).lapsedInvitations).toBe("listed");
    expect((await remote.knobs()).tokenBucket).toEqual({
      capacity: 500,
      refillPerSecond: 250 / 60,
    });
  });

  test("a status number is fine for missingInvitationAnswer over HTTP", async () => {
    const res = await raw(
      emu.baseUrl,
      "PUT",
      "/__emulator/knobs",
      { "Content-Type": "application/json" },
      JSON.stringify({ missingInvitationAnswer: 404 }),
    );
    expect([res.status, obj(res.body)["missingInvitationAnswer"]]).toEqual([200, "404"]);
  });

  test.each([
    [{ duplicateInvitePolicy: "sometimes" }, /duplicateInvitePolicy "sometimes": use one of/],
    [{ missingInvitationAnswer: "410" }, /missingInvitationAnswer "410"/],
    [{ usernameCase: "upper" }, /usernameCase "upper"/],
    [{ usernameStorage: "upper-case" }, /usernameStorage "upper-case"/],
    [{ invitationLimitCode: "RATE_LIMITED" }, /invitationLimitCode "RATE_LIMITED"/],
    [{ acceptedUserId: "other" }, /acceptedUserId "other"/],
    [{ invitationLimit: { count: 0, windowMs: 1 } }, /invitationLimit/],
    [{ tokenBucket: { capacity: 1, refillPerSecond: -1 } }, /tokenBucket/],
    [{ deleteMissingAnswer: "400" }, /deleteMissingAnswer: no such knob/],
    [{ pendingUserIdEqualsInvitationId: true }, /pendingUserIdEqualsInvitationId: no such knob/],
  ])("refuses the knob patch %j with a 400 and a plain message", async (patch, message) => {
    const res = await raw(
      emu.baseUrl,
      "PUT",
      "/__emulator/knobs",
      { "Content-Type": "application/json" },
      JSON.stringify(patch),
    );
    expect(res.status).toBe(400);
    expect(String(obj(res.body)["detail"])).toMatch(message);
    expect(emu.control.knobs().duplicateInvitePolicy).toBe("duplicate");
  });

  test("accept takes the account's spelling of the address over HTTP", async () => {
    await create("Sam@Example.com");
    const user = await remote.acceptInvitation(ORG, "sam@example.com", {
      accountUsername: "sam@example.com",
    });
    expect(user).toMatchObject({ username: "sam@example.com", orgMembershipStatus: "ACTIVE" });
    await create("bo@example.com");
    await expect(
      remote.acceptInvitation(ORG, "bo@example.com", {
        accountUsername: 7 as unknown as string,
      }),
    ).rejects.toThrow(/400.*accountUsername must be a string/);
  });

  test("the log and stats are readable and clearable, and control calls are not logged", async () => {
    await api.call("GET", INVITES);
    const log = await remote.log({ method: "GET" });
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.every((e) => e.path.startsWith("/api/"))).toBe(true);
    expect((await remote.log({ operationId: "listOrgInvites" })).length).toBe(log.length);
    expect(await remote.stats()).toEqual(emu.stats());
    await remote.clearLog();
    expect(await remote.log()).toEqual([]);
  });

  test("an unknown control route answers 404", async () => {
    const res = await raw(emu.baseUrl, "GET", "/__emulator/nope");
    expect(res.status).toBe(404);
    expect(obj(res.body)["errorCode"]).toBe("EMULATOR_UNKNOWN_ROUTE");
  });
});

describe("onExchange", () => {
  test("is called once per request with parsed bodies, the operationId and no secrets", async () => {
    await api.call("GET", INVITES);
    exchanges.length = 0;
    await api.call("POST", `${INVITES}?pretty=false`, { body: invite("ex@example.com") });
    expect(exchanges).toHaveLength(1);
    const [e] = exchanges;
    expect(e).toMatchObject({
      method: "POST",
      path: INVITES,
      query: { pretty: "false" },
      requestBody: invite("ex@example.com"),
      status: 200,
      operationId: "createOrgInvite",
    });
    expect(obj(e?.responseBody)["username"]).toBe("ex@example.com");
    expect(e?.responseHeaders["content-type"]).toBe(
      "application/vnd.atlas.2023-01-01+json;charset=utf-8",
    );
    expect(e?.responseHeaders["sunset"]).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    expect(obj(e?.responseBody)["inviterUsername"]).toBe(emu.credentials.publicKey);
    expect(e?.requestHeaders["authorization"]).toBe("Digest [REDACTED]");
  });

  test("token exchanges never carry the token or the client secret", async () => {
    await fetchToken(emu.baseUrl, emu.credentials.clientId, emu.credentials.clientSecret);
    const [e] = exchanges;
    expect(e?.path).toBe("/api/oauth/token");
    expect(obj(e?.responseBody)["access_token"]).toBe("[REDACTED]");
    expect(JSON.stringify(e)).not.toContain(emu.credentials.clientSecret);
    expect(JSON.stringify(e)).not.toContain(
      Buffer.from(`${emu.credentials.clientId}:${emu.credentials.clientSecret}`).toString("base64"),
    );
  });

  test("control requests produce no exchange", async () => {
    await remote.users(ORG);
    expect(list(exchanges)).toEqual([]);
  });
});

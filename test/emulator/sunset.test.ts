import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { parseArgs } from "../../emulator/main";
import { DigestClient } from "./support";
import {
  INVITES,
  ORG,
  TEAM_A,
  USERS,
  V2023,
  V2025,
  invite,
  list,
  obj,
  raw,
  useClockedEmulator,
} from "./support";

const START = Date.parse("2025-03-01T12:00:00Z");
const t = useClockedEmulator(START);

async function createInvite(username: string): Promise<string> {
  const res = await t.api.call("POST", INVITES, { body: invite(username) });
  expect(res.status).toBe(200);
  return String(obj(res.body)["id"]);
}

/** Every invites operation once, with 2023-01-01 and valid bodies. */
async function everyInvitesCall(invitationId: string): Promise<[string, number][]> {
  const calls: [string, string, string, unknown][] = [
    ["listOrgInvites", "GET", INVITES, undefined],
    ["createOrgInvite", "POST", INVITES, invite("new@example.com")],
    ["updateOrgInvites", "PATCH", INVITES, invite("old@example.com", { teamIds: [TEAM_A] })],
    ["getOrgInvite", "GET", `${INVITES}/${invitationId}`, undefined],
    ["updateOrgInviteById", "PATCH", `${INVITES}/${invitationId}`, { teamIds: [TEAM_A] }],
    ["deleteOrgInvite", "DELETE", `${INVITES}/${invitationId}`, undefined],
  ];
  const out: [string, number][] = [];
  for (const [op, method, path, body] of calls) {
    const res = await t.api.call(method, path, body === undefined ? {} : { body });
    out.push([op, res.status]);
  }
  return out;
}

describe("the sunset of the invites API", () => {
  test("answers 410 on every invites operation once the sunset has passed, and never on org-user operations with 2025-02-19", async () => {
    const id = await createInvite("old@example.com");
    const member = t.emu.control.addMember(ORG, { username: "member@example.com" });
    t.emu.control.sunsetNow();
    expect(await everyInvitesCall(id)).toEqual([
      ["listOrgInvites", 410],
      ["createOrgInvite", 410],
      ["updateOrgInvites", 410],
      ["getOrgInvite", 410],
      ["updateOrgInviteById", 410],
      ["deleteOrgInvite", 410],
    ]);
    // Nothing ran: the invitation is still there, unchanged, and nobody new was invited.
    expect(t.emu.control.invitations(ORG)).toEqual([
      expect.objectContaining({ id, username: "old@example.com", teamIds: [] }),
    ]);
    const created = await t.api.call("POST", USERS, {
      accept: V2025,
      body: { username: "carol@example.com", roles: { orgRoles: ["ORG_MEMBER"] } },
    });
    const carol = String(obj(created.body)["id"]);
    const statuses = [
      (await t.api.call("GET", USERS, { accept: V2025 })).status,
      created.status,
      (await t.api.call("GET", `${USERS}/${carol}`, { accept: V2025 })).status,
      (await t.api.call("PATCH", `${USERS}/${carol}`, { accept: V2025, body: { teamIds: [] } }))
        .status,
      (await t.api.call("DELETE", `${USERS}/${member.id}`, { accept: V2025 })).status,
    ];
    expect(statuses).toEqual([200, 201, 200, 200, 204]);
    expect(t.emu.log.entries({ status: 410 })).toHaveLength(6);
  });

  test("answers 410 on listOrgUsers and removeOrgUser with 2023-01-01 after the sunset, and removes nobody", async () => {
    const member = t.emu.control.addMember(ORG, { username: "member@example.com" });
    t.emu.control.sunsetNow();
    expect((await t.api.call("GET", USERS, { accept: V2023 })).status).toBe(410);
    expect((await t.api.call("DELETE", `${USERS}/${member.id}`, { accept: V2023 })).status).toBe(
      410,
    );
    expect(t.emu.control.users(ORG).map((u) => u.id)).toEqual([member.id]);
    expect(t.emu.stats().activeUserRemovals).toBe(0);
  });

  test("the 410 is VERSION_GONE and carries Deprecation, the configured Sunset and X-Error-Code", async () => {
    t.emu.control.setSunsetDate("2025-02-28T00:00:00Z");
    const res = await t.api.call("GET", INVITES);
    expect(res.status).toBe(410);
    expect(res.body).toEqual({
      detail: "The API version 2023-01-01 of this resource was sunset on 2025-02-28.",
      error: 410,
      errorCode: "VERSION_GONE",
      parameters: ["2023-01-01", "2025-02-28"],
      reason: "Gone",
    });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-error-code")).toBe("VERSION_GONE");
    expect(res.headers.get("deprecation")).toBe("Wed, 19 Feb 2025 00:00:00 GMT");
    expect(res.headers.get("sunset")).toBe("Fri, 28 Feb 2025 00:00:00 GMT");
  });

  test("after the sunset the invites API answers 410 whatever the Accept header or body says", async () => {
    t.emu.control.sunsetNow();
    expect((await t.api.call("GET", INVITES, { accept: V2025 })).status).toBe(410);
    expect((await t.api.call("GET", INVITES, { accept: "application/json" })).status).toBe(410);
    const broken = await t.api.call("POST", INVITES, { rawBody: "{not json" });
    expect([broken.status, obj(broken.body)["errorCode"]]).toEqual([410, "VERSION_GONE"]);
  });

  test("answers before the sunset carry Deprecation and the configured Sunset date", async () => {
    t.emu.control.setSunsetDate(new Date("2026-09-15T00:00:00Z"));
    const res = await t.api.call("GET", INVITES);
    expect(res.status).toBe(200);
    expect(res.headers.get("deprecation")).toBe("Wed, 19 Feb 2025 00:00:00 GMT");
    expect(res.headers.get("sunset")).toBe("Tue, 15 Sep 2026 00:00:00 GMT");
    const oldUsers = await t.api.call("GET", USERS, { accept: V2023 });
    expect(oldUsers.headers.get("sunset")).toBe("Tue, 15 Sep 2026 00:00:00 GMT");
    const newUsers = await t.api.call("GET", USERS, { accept: V2025 });
    expect([newUsers.headers.get("deprecation"), newUsers.headers.get("sunset")]).toEqual([
      null,
      null,
    ]);
  });

  test("sunsetNow uses the emulator clock, and the invites API comes back when the sunset moves later", async () => {
    expect(t.emu.control.sunsetNow()).toEqual({
      sunsetDate: "2025-03-01T12:00:00.000Z",
      passed: true,
    });
    const gone = await t.api.call("GET", INVITES);
    expect([gone.status, gone.headers.get("sunset")]).toEqual([
      410,
      "Sat, 1 Mar 2025 12:00:00 GMT",
    ]);
    expect(t.emu.control.setSunsetDate("2025-03-02T00:00:00Z").passed).toBe(false);
    expect((await t.api.call("GET", INVITES)).status).toBe(200);
    t.now = Date.parse("2025-03-02T00:00:00Z");
    expect(t.emu.control.sunset().passed).toBe(true);
    expect((await t.api.call("GET", INVITES)).status).toBe(410);
  });

  test("setSunsetDate(null) and reset() go back to 2027-07-01, and a bad date throws", async () => {
    expect(t.emu.control.sunset()).toEqual({
      sunsetDate: "2027-07-01T00:00:00.000Z",
      passed: false,
    });
    t.emu.control.sunsetNow();
    expect(t.emu.control.setSunsetDate(null).sunsetDate).toBe("2027-07-01T00:00:00.000Z");
    expect((await t.api.call("GET", INVITES)).status).toBe(200);
    t.emu.control.sunsetNow();
    t.emu.control.reset();
    const res = await t.api.call("GET", INVITES);
    expect([res.status, res.headers.get("sunset")]).toEqual([200, "Thu, 1 Jul 2027 00:00:00 GMT"]);
    expect(() => t.emu.control.setSunsetDate("next summer")).toThrow(/sunsetDate/);
    expect(t.emu.control.sunset().sunsetDate).toBe("2027-07-01T00:00:00.000Z");
  });

  test("over HTTP: GET, PUT and POST /__emulator/sunset[/now], and the typed client, move the sunset", async () => {
    expect(await t.remote.sunset()).toEqual({
      sunsetDate: "2027-07-01T00:00:00.000Z",
      passed: false,
    });
    expect(await t.remote.setSunsetDate(new Date("2025-01-01T00:00:00Z"))).toEqual({
      sunsetDate: "2025-01-01T00:00:00.000Z",
      passed: true,
    });
    expect((await t.api.call("GET", INVITES)).status).toBe(410);
    expect((await t.remote.setSunsetDate(null)).passed).toBe(false);
    expect((await t.api.call("GET", INVITES)).status).toBe(200);
    expect(await t.remote.sunsetNow()).toEqual({
      sunsetDate: "2025-03-01T12:00:00.000Z",
      passed: true,
    });
    const put = await raw(
      t.emu.baseUrl,
      "PUT",
      "/__emulator/sunset",
      { "Content-Type": "application/json" },
      JSON.stringify({ date: "2030-01-01T00:00:00Z" }),
    );
    expect([put.status, obj(put.body)["passed"]]).toEqual([200, false]);
    await expect(t.remote.setSunsetDate("soon")).rejects.toThrow(/400/);
    const missing = await raw(t.emu.baseUrl, "PUT", "/__emulator/sunset", {}, "{}");
    expect(missing.status).toBe(400);
    await t.remote.sunsetNow();
    await t.remote.reset();
    expect((await t.remote.sunset()).sunsetDate).toBe("2027-07-01T00:00:00.000Z");
  });
});

describe("an emulator started with a sunsetDate", () => {
  let past: RunningEmulator;
  let pastApi: DigestClient;

  beforeAll(async () => {
    past = await startEmulator({ now: () => t.now, sunsetDate: "2025-01-01T00:00:00Z" });
    pastApi = new DigestClient(
      past.baseUrl,
      past.credentials.publicKey,
      past.credentials.privateKey,
    );
  });
  afterAll(() => past.close());

  test("answers 410 from the start, and reset() and setSunsetDate(null) keep that start-up sunset", async () => {
    expect((await pastApi.call("GET", INVITES)).status).toBe(410);
    past.control.setSunsetDate("2030-01-01T00:00:00Z");
    expect((await pastApi.call("GET", INVITES)).status).toBe(200);
    past.control.reset();
    expect((await pastApi.call("GET", INVITES)).status).toBe(410);
    past.control.setSunsetDate("2030-01-01T00:00:00Z");
    expect(past.control.setSunsetDate(null).sunsetDate).toBe("2025-01-01T00:00:00.000Z");
    const users = await pastApi.call("GET", USERS, { accept: V2025 });
    expect([users.status, list(obj(users.body)["results"])]).toEqual([200, []]);
  });
});

describe("CLI sunset flags", () => {
  test("--sunset makes the sunset the start-up time, in whole seconds", () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { sunsetDate } = parseArgs(["--sunset"]);
    expect(sunsetDate).toBeInstanceOf(Date);
    const ms = (sunsetDate as Date).getTime();
    expect(ms % 1000).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  test("--sunset-date takes an ISO date, inline or as the next argument, and refuses a bad one or a second sunset flag", () => {
    expect(parseArgs(["--sunset-date", "2026-09-15T00:00:00Z"]).sunsetDate).toBe(
      "2026-09-15T00:00:00Z",
    );
    expect(parseArgs(["--sunset-date=2026-07-31"]).sunsetDate).toBe("2026-07-31");
    expect(() => parseArgs(["--sunset-date", "someday"])).toThrow(/ISO-8601/);
    expect(() => parseArgs(["--sunset-date"])).toThrow(/needs a value/);
    expect(() => parseArgs(["--sunset", "--sunset-date", "2026-07-31"])).toThrow(/once/);
  });
});

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
    expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(404);
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

  test("knobs set over HTTP change behaviour and read back", async () => {
    const knobs = await remote.setKnobs({
      duplicateInvitePolicy: "reject",
      deleteMissingAnswer: "400",
      invitationLimit: { count: 5, windowMs: 60_000 },
    });
    expect(knobs).toMatchObject({
      duplicateInvitePolicy: "reject",
      deleteMissingAnswer: "400",
      invitationLimit: { count: 5, windowMs: 60_000 },
      tokenBucket: null,
    });
    await create("dup@example.com");
    expect((await api.call("POST", INVITES, { body: invite("dup@example.com") })).status).toBe(409);
    await remote.setKnobs({ domainAllowList: { domains: ["corp.io"] } });
    expect((await api.call("POST", INVITES, { body: invite("x@example.com") })).status).toBe(400);
    await expect(
      remote.setKnobs({ duplicateInvitePolicy: "sometimes" as "reject" }),
    ).rejects.toThrow(/400/);
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
    expect(e?.responseHeaders["content-type"]).toBe("application/vnd.atlas.2023-01-01+json");
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

import type { DigestClient } from "./support";
import {
  INVITES,
  ORG,
  TEAM_A,
  TEAM_B,
  USERS,
  V2023,
  V2025,
  invite,
  list,
  obj,
  useClockedEmulator,
} from "./support";

const START = Date.parse("2025-03-01T12:00:00Z");
const t = useClockedEmulator(START);

const createUser = (
  username: string,
  extra: Record<string, unknown> = {},
): ReturnType<DigestClient["call"]> =>
  t.api.call("POST", USERS, {
    accept: V2025,
    body: { username, roles: { orgRoles: ["ORG_MEMBER"] }, ...extra },
  });

async function pendingUser(username: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await createUser(username, extra);
  expect(res.status).toBe(201);
  return String(obj(res.body)["id"]);
}

const getUser = (id: string, query = ""): ReturnType<DigestClient["call"]> =>
  t.api.call("GET", `${USERS}/${id}${query}`, { accept: V2025 });

const listUsers = async (query = ""): Promise<Record<string, unknown>[]> =>
  list(obj((await t.api.call("GET", `${USERS}${query}`, { accept: V2025 })).body)["results"]);

const listInvites = async (): Promise<Record<string, unknown>[]> =>
  list((await t.api.call("GET", INVITES)).body);

const remove = (id: string, accept = V2025): ReturnType<DigestClient["call"]> =>
  t.api.call("DELETE", `${USERS}/${id}`, { accept });

describe("one person record behind both APIs", () => {
  test("lists the invitation of a createOrgUser in listOrgInvites with an id other than the user id", async () => {
    const userId = await pendingUser("carol@example.com", { teamIds: [TEAM_A] });
    const [inv, ...more] = await listInvites();
    expect(more).toEqual([]);
    expect(inv).toMatchObject({
      username: "carol@example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [TEAM_A],
      createdAt: "2025-03-01T12:00:00Z",
      expiresAt: "2025-03-31T12:00:00Z",
    });
    expect(inv?.["id"]).not.toBe(userId);
    const byId = await t.api.call("GET", `${INVITES}/${String(inv?.["id"])}`);
    expect(obj(byId.body)["username"]).toBe("carol@example.com");
  });

  test("a createOrgInvite makes a PENDING org user with another id, readable by getOrgUser", async () => {
    const res = await t.api.call("POST", INVITES, { body: invite("dan@example.com") });
    const invitationId = String(obj(res.body)["id"]);
    const [user, ...more] = await listUsers();
    expect(more).toEqual([]);
    expect(user).toMatchObject({ username: "dan@example.com", orgMembershipStatus: "PENDING" });
    expect(user?.["id"]).not.toBe(invitationId);
    expect(obj((await getUser(String(user?.["id"]))).body)["invitationCreatedAt"]).toBe(
      "2025-03-01T12:00:00Z",
    );
  });
});

describe("createOrgUser", () => {
  test("answers 409 USER_ALREADY_EXISTS, with the username in the message and parameters, for a PENDING or an ACTIVE user", async () => {
    await pendingUser("pending@example.com");
    t.emu.control.addMember(ORG, { username: "member@example.com" });
    for (const username of ["pending@example.com", "member@example.com"]) {
      const res = await createUser(username);
      expect(res.status).toBe(409);
      expect(res.headers.get("x-error-code")).toBe("USER_ALREADY_EXISTS");
      expect(res.body).toEqual({
        detail: `A user with username ${username} already exists.`,
        error: 409,
        errorCode: "USER_ALREADY_EXISTS",
        parameters: [username],
        reason: "Conflict",
      });
    }
    expect(await listInvites()).toHaveLength(1);
  });

  test("compares usernames under the usernameCase knob: another case is another person unless insensitive", async () => {
    await pendingUser("Sam@example.com");
    t.emu.control.addMember(ORG, { username: "Member@example.com" });
    expect((await createUser("sam@example.com")).status).toBe(201);
    t.emu.control.reset();
    t.emu.control.setKnobs({ usernameCase: "insensitive" });
    await pendingUser("Sam@example.com");
    t.emu.control.addMember(ORG, { username: "Member@example.com" });
    expect((await createUser("sam@example.com")).status).toBe(409);
    expect((await createUser("MEMBER@example.com")).status).toBe(409);
  });

  test("replaces an expired user on createOrgUser: one PENDING record with a new id, the old one gone", async () => {
    const oldId = await pendingUser("late@example.com");
    t.emu.control.expireInvitation(ORG, "late@example.com");
    t.now += 60_000;
    const res = await createUser("late@example.com", { teamIds: [TEAM_B] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      orgMembershipStatus: "PENDING",
      teamIds: [TEAM_B],
      invitationCreatedAt: "2025-03-01T12:01:00Z",
    });
    const newId = String(obj(res.body)["id"]);
    expect(newId).not.toBe(oldId);
    const all = await listUsers(
      "?orgMembershipStatuses=PENDING,ACTIVE,INVITATION_EXPIRED,INVITATION_REJECTED",
    );
    expect(all.map((u) => [u["id"], u["orgMembershipStatus"]])).toEqual([[newId, "PENDING"]]);
    expect((await getUser(oldId, "?orgMembershipStatuses=INVITATION_EXPIRED")).status).toBe(404);
    expect((await listInvites()).map((i) => i["username"])).toEqual(["late@example.com"]);
  });

  test("replaces a rejected user too, on createOrgUser and on createOrgInvite alike", async () => {
    const first = await pendingUser("no@example.com");
    t.emu.control.rejectInvitation(ORG, "no@example.com");
    const second = await pendingUser("no@example.com");
    t.emu.control.rejectInvitation(ORG, "no@example.com");
    expect((await t.api.call("POST", INVITES, { body: invite("no@example.com") })).status).toBe(
      200,
    );
    const users = t.emu.control.users(ORG);
    expect(users.map((u) => u.orgMembershipStatus)).toEqual(["PENDING"]);
    expect([first, second]).not.toContain(users[0]?.id);
  });

  test("keeps the replaced record's id when the reinvitedUserId knob is same", async () => {
    const oldId = await pendingUser("late@example.com");
    t.emu.control.expireInvitation(ORG, "late@example.com");
    t.emu.control.setKnobs({ reinvitedUserId: "same" });
    expect(await pendingUser("late@example.com")).toBe(oldId);
    expect(t.emu.control.users(ORG)).toHaveLength(1);
  });
});

describe("listOrgUsers and getOrgUser", () => {
  test("hide expired and rejected users unless orgMembershipStatuses asks for them", async () => {
    const expired = await pendingUser("late@example.com");
    const rejected = await pendingUser("no@example.com");
    t.emu.control.expireInvitation(ORG, "late@example.com");
    t.emu.control.rejectInvitation(ORG, "no@example.com");
    expect(await listUsers()).toEqual([]);
    expect((await getUser(expired)).status).toBe(404);
    expect((await getUser(rejected)).status).toBe(404);
    const asked = await listUsers("?orgMembershipStatuses=INVITATION_EXPIRED,INVITATION_REJECTED");
    expect(asked.map((u) => u["orgMembershipStatus"]).sort()).toEqual([
      "INVITATION_EXPIRED",
      "INVITATION_REJECTED",
    ]);
    const one = await getUser(expired, "?orgMembershipStatuses=INVITATION_EXPIRED");
    expect([one.status, obj(one.body)["invitationExpiresAt"]]).toEqual([200, expect.any(String)]);
    const both = `?orgMembershipStatuses=INVITATION_REJECTED&orgMembershipStatuses=ACTIVE`;
    expect((await getUser(rejected, both)).status).toBe(200);
  });

  test("links rel next while more pages remain, with up to 500 users a page", async () => {
    for (let n = 0; n < 501; n++) t.emu.control.addMember(ORG, { username: `m${n}@example.com` });
    const first = obj(
      (await t.api.call("GET", `${USERS}?itemsPerPage=500`, { accept: V2025 })).body,
    );
    expect(list(first["results"])).toHaveLength(500);
    expect(first["totalCount"]).toBe(501);
    const next = list(first["links"]).find((l) => l["rel"] === "next");
    expect(next?.["href"]).toBe(`${t.emu.baseUrl}${USERS}?itemsPerPage=500&pageNum=2`);
    const second = obj(
      (await t.api.call("GET", `${USERS}?itemsPerPage=500&pageNum=2`, { accept: V2025 })).body,
    );
    expect(list(second["results"]).map((u) => u["username"])).toEqual(["m500@example.com"]);
    expect(list(second["links"]).map((l) => l["rel"])).toEqual(["self", "previous"]);
  });
});

describe("updateOrgUser", () => {
  test("on a PENDING user replaces the team set and changes its invitation too", async () => {
    const id = await pendingUser("erin@example.com", { teamIds: [TEAM_A, TEAM_B] });
    const patch = (body: unknown): ReturnType<DigestClient["call"]> =>
      t.api.call("PATCH", `${USERS}/${id}`, { accept: V2025, body });
    expect(obj((await patch({ teamIds: [TEAM_B] })).body)["teamIds"]).toEqual([TEAM_B]);
    expect((await listInvites())[0]).toMatchObject({ teamIds: [TEAM_B], roles: ["ORG_MEMBER"] });
    const emptied = await patch({ teamIds: [], roles: { orgRoles: ["ORG_READ_ONLY"] } });
    expect(emptied.body).toMatchObject({
      orgMembershipStatus: "PENDING",
      teamIds: [],
      roles: { orgRoles: ["ORG_READ_ONLY"] },
    });
    expect((await listInvites())[0]).toMatchObject({ teamIds: [], roles: ["ORG_READ_ONLY"] });
  });

  test("on an ACTIVE member changes the member and creates no invitation", async () => {
    const member = t.emu.control.addMember(ORG, { username: "m@example.com", teamIds: [TEAM_A] });
    const res = await t.api.call("PATCH", `${USERS}/${member.id}`, {
      accept: V2025,
      body: { teamIds: [TEAM_B] },
    });
    expect(res.body).toMatchObject({ orgMembershipStatus: "ACTIVE", teamIds: [TEAM_B] });
    expect(await listInvites()).toEqual([]);
  });
});

describe("removeOrgUser and the removal counters", () => {
  test("counts a removeOrgUser of an ACTIVE member in activeUserRemovals, with either version", async () => {
    const a = t.emu.control.addMember(ORG, { username: "a@example.com" });
    const b = t.emu.control.addMember(ORG, { username: "b@example.com" });
    expect((await remove(a.id)).status).toBe(204);
    expect((await remove(b.id, V2023)).status).toBe(204);
    expect(t.emu.stats()).toMatchObject({ activeUserRemovals: 2, pendingUserRemovals: 0 });
    expect(t.emu.control.users(ORG)).toEqual([]);
  });

  test("counts a removeOrgUser of a PENDING user in pendingUserRemovals, and the invitation is cancelled", async () => {
    const id = await pendingUser("p@example.com");
    const [inv] = await listInvites();
    expect((await remove(id)).status).toBe(204);
    expect(t.emu.stats()).toMatchObject({ activeUserRemovals: 0, pendingUserRemovals: 1 });
    expect(await listInvites()).toEqual([]);
    expect((await t.api.call("GET", `${INVITES}/${String(inv?.["id"])}`)).status).toBe(400);
  });

  test("counts neither a removal that failed, one a fault answered instead, nor an expired user's", async () => {
    const member = t.emu.control.addMember(ORG, { username: "m@example.com" });
    const pending = await pendingUser("p@example.com");
    expect((await remove(pending, V2023)).status).toBe(404);
    t.emu.control.injectFault({ match: { operationId: "removeOrgUser" }, status: 503 });
    expect((await remove(member.id)).status).toBe(503);
    const late = await pendingUser("late@example.com");
    t.emu.control.expireInvitation(ORG, "late@example.com");
    expect((await remove(late)).status).toBe(204);
    expect(t.emu.stats()).toMatchObject({ activeUserRemovals: 0, pendingUserRemovals: 0 });
    expect(
      t.emu.control
        .users(ORG)
        .map((u) => u.username)
        .sort(),
    ).toEqual(["m@example.com", "p@example.com"]);
  });

  test("counts a removal that a commit fault let through before failing the answer", async () => {
    const member = t.emu.control.addMember(ORG, { username: "m@example.com" });
    t.emu.control.injectFault({
      match: { operationId: "removeOrgUser" },
      status: 500,
      commit: true,
    });
    expect((await remove(member.id)).status).toBe(500);
    expect(t.emu.stats().activeUserRemovals).toBe(1);
  });

  test("GET /__emulator/stats and the control client report the counters, and reset() zeroes them", async () => {
    const member = t.emu.control.addMember(ORG, { username: "m@example.com" });
    await remove(member.id);
    await remove(await pendingUser("p@example.com"));
    const stats = await t.remote.stats();
    expect(stats).toMatchObject({ activeUserRemovals: 1, pendingUserRemovals: 1 });
    expect(stats).toEqual(t.emu.stats());
    await t.remote.reset();
    expect(await t.remote.stats()).toMatchObject({ activeUserRemovals: 0, pendingUserRemovals: 0 });
  });
});

describe("the invitation limit on the users API", () => {
  test("counts createOrgUser exactly like createOrgInvite", async () => {
    t.emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
    expect((await t.api.call("POST", INVITES, { body: invite("a@example.com") })).status).toBe(200);
    expect((await createUser("b@example.com")).status).toBe(201);
    const refused = await createUser("c@example.com");
    expect([refused.status, obj(refused.body)["errorCode"]]).toEqual([
      400,
      "INVITATIONS_RATE_LIMITED_IP",
    ]);
    expect((await t.api.call("POST", INVITES, { body: invite("d@example.com") })).status).toBe(400);
    expect(t.emu.control.users(ORG).map((u) => u.username)).toEqual([
      "a@example.com",
      "b@example.com",
    ]);
    t.now += 60_000;
    expect((await createUser("c@example.com")).status).toBe(201);
  });

  test("counts updateOrgUser on a PENDING user, but not on an ACTIVE member, nor a 409", async () => {
    const member = t.emu.control.addMember(ORG, { username: "m@example.com" });
    t.emu.control.setInvitationLimit({ count: 1, windowMs: 60_000 });
    expect((await createUser("m@example.com")).status).toBe(409);
    const id = await pendingUser("p@example.com");
    const onMember = await t.api.call("PATCH", `${USERS}/${member.id}`, {
      accept: V2025,
      body: { teamIds: [TEAM_A] },
    });
    expect(onMember.status).toBe(200);
    const onPending = await t.api.call("PATCH", `${USERS}/${id}`, {
      accept: V2025,
      body: { teamIds: [TEAM_A] },
    });
    expect([onPending.status, obj(onPending.body)["errorCode"]]).toEqual([
      400,
      "INVITATIONS_RATE_LIMITED_IP",
    ]);
    expect((await listInvites())[0]?.["teamIds"]).toEqual([]);
    t.now += 60_000;
    const later = await t.api.call("PATCH", `${USERS}/${id}`, {
      accept: V2025,
      body: { teamIds: [TEAM_A] },
    });
    expect(later.status).toBe(200);
    expect((await createUser("q@example.com")).status).toBe(400);
  });
});

import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import {
  DigestClient,
  INVITES,
  ORG,
  TEAM_A,
  UNKNOWN_ID,
  USERS,
  V2025,
  invite,
  list,
  obj,
} from "./support";

let now = Date.parse("2025-03-01T12:00:00Z");
let emu: RunningEmulator;
let api: DigestClient;

beforeAll(async () => {
  emu = await startEmulator({ now: () => now });
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});
afterAll(() => emu.close());
beforeEach(() => {
  now = Date.parse("2025-03-01T12:00:00Z");
  emu.control.reset();
});

async function create(username: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.call("POST", INVITES, { body: invite(username, extra) });
  expect(res.status).toBe(200);
  return String(obj(res.body)["id"]);
}

async function orgUser(
  username: string,
  statuses = "",
): Promise<Record<string, unknown> | undefined> {
  const q = `?username=${encodeURIComponent(username)}${statuses}`;
  return list(obj((await api.call("GET", `${USERS}${q}`, { accept: V2025 })).body)["results"])[0];
}

test("a pending invitation shows up as a PENDING org user with the invitation's dates", async () => {
  const id = await create("alice@example.com", { teamIds: [TEAM_A] });
  const user = await orgUser("alice@example.com");
  expect(user).toMatchObject({
    orgMembershipStatus: "PENDING",
    roles: { orgRoles: ["ORG_MEMBER"] },
    teamIds: [TEAM_A],
    invitationCreatedAt: "2025-03-01T12:00:00Z",
    invitationExpiresAt: "2025-03-31T12:00:00Z",
    inviterUsername: emu.credentials.publicKey,
  });
  expect(user?.["id"]).not.toBe(id);
});

test("a PENDING user's id is never its invitation's id, nor the invitation id plus one", async () => {
  for (let n = 0; n < 20; n++) {
    const id = await create(`p${n}@example.com`);
    const user = emu.control.users(ORG).find((u) => u.invitationId === id);
    const plusOne = (BigInt(`0x${id}`) + 1n).toString(16).padStart(24, "0");
    expect([user?.id === id, user?.id === plusOne]).toEqual([false, false]);
  }
});

test("accepting makes the user ACTIVE with the invitation's roles and the invitation disappear", async () => {
  const id = await create("alice.smith@example.com", {
    roles: ["ORG_READ_ONLY"],
    teamIds: [TEAM_A],
  });
  now += 5_000;
  const accepted = emu.control.acceptInvitation(ORG, id);
  expect(accepted).toMatchObject({
    orgMembershipStatus: "ACTIVE",
    roles: ["ORG_READ_ONLY"],
    teamIds: [TEAM_A],
    firstName: "Alice",
    lastName: "Smith",
  });
  expect(accepted).not.toHaveProperty("invitationId");
  expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(400);
  expect((await api.call("DELETE", `${INVITES}/${id}`)).status).toBe(400);
  const user = await orgUser("alice.smith@example.com");
  expect(user).toEqual({
    country: "US",
    createdAt: "2025-03-01T12:00:05Z",
    firstName: "Alice",
    id: accepted.id,
    lastAuth: "2025-03-01T12:00:05Z",
    lastName: "Smith",
    mobileNumber: null,
    orgMembershipStatus: "ACTIVE",
    roles: { groupRoleAssignments: [], orgRoles: ["ORG_READ_ONLY"] },
    teamIds: [TEAM_A],
    username: "alice.smith@example.com",
  });
});

describe("acceptedUserId", () => {
  test('"new" (default): the ACTIVE user has another id, and the PENDING id answers 404', async () => {
    await create("alice@example.com");
    const pending = emu.control.users(ORG)[0];
    const active = emu.control.acceptInvitation(ORG, "alice@example.com");
    expect(active.id).not.toBe(pending?.id);
    const old = await api.call("GET", `${USERS}/${pending?.id ?? ""}`, { accept: V2025 });
    expect([old.status, obj(old.body)["errorCode"]]).toEqual([404, "RESOURCE_NOT_FOUND"]);
    const now = await api.call("GET", `${USERS}/${active.id}`, { accept: V2025 });
    expect(obj(now.body)["orgMembershipStatus"]).toBe("ACTIVE");
  });

  test('"same": the ACTIVE user keeps the PENDING user\'s id', async () => {
    emu.control.setKnobs({ acceptedUserId: "same" });
    await create("alice@example.com");
    const pending = emu.control.users(ORG)[0];
    expect(emu.control.acceptInvitation(ORG, "alice@example.com").id).toBe(pending?.id);
  });
});

test("expiring leaves an INVITATION_EXPIRED user, hidden from the default user filter", async () => {
  await create("bob@example.com");
  emu.control.expireInvitation(ORG, "bob@example.com");
  expect(emu.control.invitations(ORG)).toEqual([]);
  expect(await orgUser("bob@example.com")).toBeUndefined();
  const user = await orgUser("bob@example.com", "&orgMembershipStatuses=INVITATION_EXPIRED");
  expect(user).toMatchObject({
    orgMembershipStatus: "INVITATION_EXPIRED",
    invitationExpiresAt: "2025-03-01T12:00:00Z",
  });
});

test("rejecting leaves an INVITATION_REJECTED user with a null invitationExpiresAt", async () => {
  await create("carol@example.com");
  emu.control.rejectInvitation(ORG, "carol@example.com");
  const user = await orgUser("carol@example.com", "&orgMembershipStatuses=INVITATION_REJECTED");
  expect(user).toMatchObject({
    orgMembershipStatus: "INVITATION_REJECTED",
    invitationExpiresAt: null,
  });
});

test('"dropped" lapsed invitations: an invitation expires on its own once the clock passes 30 days', async () => {
  emu.control.setKnobs({ lapsedInvitations: "dropped" });
  const id = await create("slow@example.com");
  now += 30 * 86_400_000 + 1000;
  expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(400);
  const user = await orgUser("slow@example.com", "&orgMembershipStatuses=INVITATION_EXPIRED");
  expect(user).toMatchObject({
    orgMembershipStatus: "INVITATION_EXPIRED",
    invitationExpiresAt: "2025-03-31T12:00:00Z",
  });
});

test("a user whose invitation expired can be invited again and is PENDING again", async () => {
  await create("again@example.com");
  emu.control.expireInvitation(ORG, "again@example.com");
  const second = await create("again@example.com");
  expect(await orgUser("again@example.com")).toMatchObject({ orgMembershipStatus: "PENDING" });
  expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([second]);
  expect(emu.control.users(ORG)).toHaveLength(1);
});

test("deleting a pending invitation removes its PENDING org user", async () => {
  const id = await create("dan@example.com");
  expect((await api.call("DELETE", `${INVITES}/${id}`)).status).toBe(204);
  expect(emu.control.users(ORG)).toEqual([]);
});

describe("duplicate invitation policies", () => {
  test('"duplicate" (default): both invitations stay pending and are both listed; one PENDING user follows the newest', async () => {
    const first = await create("dup@example.com");
    const second = await create("dup@example.com");
    const listed = list((await api.call("GET", `${INVITES}?username=dup%40example.com`)).body).map(
      (i) => i["id"],
    );
    expect(listed).toEqual([first, second]);
    expect(emu.control.users(ORG)).toHaveLength(1);
    expect(emu.control.users(ORG)[0]?.invitationId).toBe(second);
    await api.call("DELETE", `${INVITES}/${second}`);
    expect(emu.control.users(ORG)[0]).toMatchObject({
      orgMembershipStatus: "PENDING",
      invitationId: first,
    });
  });

  test('"duplicate", lapsed invitations "dropped": the older invitation expiring on its own leaves the newer one and its PENDING user', async () => {
    emu.control.setKnobs({ lapsedInvitations: "dropped" });
    const first = await create("dup@example.com");
    now += 86_400_000;
    const second = await create("dup@example.com");
    now += 29 * 86_400_000 + 1000;
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([second]);
    expect((await api.call("GET", `${INVITES}/${first}`)).status).toBe(400);
    expect(await orgUser("dup@example.com")).toMatchObject({ orgMembershipStatus: "PENDING" });
  });

  test('"replace": the second POST answers 200 with a new id and the old invitation is gone', async () => {
    emu.control.setDuplicateInvitePolicy("replace");
    const first = await create("dup@example.com");
    const second = await create("dup@example.com", { roles: ["ORG_OWNER"] });
    expect(second).not.toBe(first);
    expect(emu.control.invitations(ORG).map((i) => [i.id, i.roles])).toEqual([
      [second, ["ORG_OWNER"]],
    ]);
    expect((await api.call("GET", `${INVITES}/${first}`)).status).toBe(400);
  });

  test('"reject": the second POST answers 409 INVITATION_ALREADY_EXISTS and the first stays', async () => {
    emu.control.setDuplicateInvitePolicy("reject");
    const first = await create("dup@example.com");
    const res = await api.call("POST", INVITES, { body: invite("dup@example.com") });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      errorCode: "INVITATION_ALREADY_EXISTS",
      parameters: ["dup@example.com"],
    });
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([first]);
  });
});

describe("missingInvitationAnswer", () => {
  const answers = async (id: string): Promise<[number, unknown][]> =>
    Promise.all(
      [
        api.call("GET", `${INVITES}/${id}`),
        api.call("PATCH", `${INVITES}/${id}`, { body: { roles: ["ORG_MEMBER"] } }),
        api.call("DELETE", `${INVITES}/${id}`),
      ].map(async (p) => {
        const res = await p;
        return [res.status, obj(res.body)["errorCode"]] as [number, unknown];
      }),
    );

  test('"400" (default): GET, PATCH and DELETE of an accepted invitation answer 400 INVALID_INVITATION_ID', async () => {
    const id = await create("acc@example.com");
    emu.control.acceptInvitation(ORG, "acc@example.com");
    expect(await answers(id)).toEqual([
      [400, "INVALID_INVITATION_ID"],
      [400, "INVALID_INVITATION_ID"],
      [400, "INVALID_INVITATION_ID"],
    ]);
    expect(emu.control.users(ORG)[0]?.orgMembershipStatus).toBe("ACTIVE");
  });

  test('"404": GET, PATCH and DELETE of an unknown invitation answer 404 RESOURCE_NOT_FOUND', async () => {
    emu.control.setMissingInvitationAnswer("404");
    expect(await answers(UNKNOWN_ID)).toEqual([
      [404, "RESOURCE_NOT_FOUND"],
      [404, "RESOURCE_NOT_FOUND"],
      [404, "RESOURCE_NOT_FOUND"],
    ]);
  });
});

describe("usernameCase and usernameStorage", () => {
  test('"exact" (default): two spellings are two people, with two invitations and two PENDING users', async () => {
    const upper = await create("Sam@example.com");
    const lower = await create("sam@example.com");
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([upper, lower]);
    expect(
      emu.control
        .users(ORG)
        .map((u) => u.username)
        .sort(),
    ).toEqual(["Sam@example.com", "sam@example.com"]);
    const filtered = await orgUser("sam@example.com");
    expect(filtered?.["username"]).toBe("sam@example.com");
  });

  test('"exact": the ACTIVE user carries the spelling the person\'s account has', async () => {
    await create("Sam@Example.com");
    const active = emu.control.acceptInvitation(ORG, "sam@example.com", {
      accountUsername: "sam@example.com",
    });
    expect(active.username).toBe("sam@example.com");
    expect(await orgUser("Sam@Example.com")).toBeUndefined();
    expect(await orgUser("sam@example.com")).toMatchObject({ orgMembershipStatus: "ACTIVE" });
    expect(emu.control.invitations(ORG)).toEqual([]);
  });

  test('"exact": createOrgUser conflicts only with the same spelling', async () => {
    emu.control.addMember(ORG, { username: "member@example.com" });
    const body = (username: string): Record<string, unknown> => ({
      username,
      roles: { orgRoles: ["ORG_MEMBER"] },
    });
    const same = await api.call("POST", USERS, { accept: V2025, body: body("member@example.com") });
    const other = await api.call("POST", USERS, {
      accept: V2025,
      body: body("Member@example.com"),
    });
    expect([same.status, other.status]).toEqual([409, 201]);
  });

  test('"insensitive": another spelling is the same person for the duplicate policy and createOrgUser', async () => {
    emu.control.setKnobs({ usernameCase: "insensitive", duplicateInvitePolicy: "reject" });
    await create("sam@example.com");
    const again = await api.call("POST", INVITES, { body: invite("SAM@example.com") });
    expect(again.status).toBe(409);
    const user = await api.call("POST", USERS, {
      accept: V2025,
      body: { username: "Sam@Example.com", roles: { orgRoles: ["ORG_MEMBER"] } },
    });
    expect([user.status, obj(user.body)["errorCode"]]).toEqual([409, "USER_ALREADY_EXISTS"]);
    expect((await orgUser("SAM@EXAMPLE.COM"))?.["username"]).toBe("sam@example.com");
  });

  test('"lower-case": Atlas stores and returns the address lower-cased and finds it by any spelling', async () => {
    emu.control.setKnobs({ usernameStorage: "lower-case" });
    await create("Sam@Example.com");
    expect(emu.control.invitations(ORG).map((i) => i.username)).toEqual(["sam@example.com"]);
    expect((await orgUser("SAM@example.com"))?.["username"]).toBe("sam@example.com");
    const listed = await api.call("GET", `${INVITES}?username=Sam%40Example.com`);
    expect(list(listed.body).map((i) => i["username"])).toEqual(["sam@example.com"]);
  });

  test("control helpers find people in any case whatever the knobs", async () => {
    await create("Sam@example.com");
    emu.control.expireInvitation(ORG, "SAM@EXAMPLE.COM");
    expect(emu.control.users(ORG).map((u) => u.orgMembershipStatus)).toEqual([
      "INVITATION_EXPIRED",
    ]);
    const member = emu.control.addMember(ORG, { username: "sam@EXAMPLE.com" });
    expect(emu.control.users(ORG)).toEqual([member]);
  });
});

test("setInvitation drifts an invitation out of band", async () => {
  const id = await create("drift@example.com");
  emu.control.setInvitation(ORG, id, { roles: ["ORG_OWNER"], teamIds: [TEAM_A] });
  expect((await api.call("GET", `${INVITES}/${id}`)).body).toMatchObject({
    roles: ["ORG_OWNER"],
    teamIds: [TEAM_A],
  });
});

test("control snapshots are deep copies", async () => {
  await create("copy@example.com");
  const snapshot = emu.control.invitations(ORG);
  snapshot[0]?.roles.push("ORG_OWNER");
  expect(emu.control.invitations(ORG)[0]?.roles).toEqual(["ORG_MEMBER"]);
});

test("control calls for unknown orgs or invitations throw", () => {
  expect(() => emu.control.acceptInvitation(ORG, "nobody@example.com")).toThrow(
    /no pending invitation/,
  );
  expect(() => emu.control.users(UNKNOWN_ID)).toThrow(/no org/);
});

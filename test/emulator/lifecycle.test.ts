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
    inviterUsername: "owner@emulator.local",
  });
  expect(user?.["id"]).not.toBe(id);
});

test("with the id knob on, the PENDING user's id is the invitation id", async () => {
  emu.control.setPendingUserIdEqualsInvitationId(true);
  const id = await create("alice@example.com");
  expect((await orgUser("alice@example.com"))?.["id"]).toBe(id);
});

test("accepting makes the user ACTIVE with the invitation's roles and the invitation disappear", async () => {
  const id = await create("alice.smith@example.com", {
    roles: ["ORG_READ_ONLY"],
    teamIds: [TEAM_A],
  });
  const accepted = emu.control.acceptInvitation(ORG, id);
  expect(accepted).toMatchObject({
    orgMembershipStatus: "ACTIVE",
    roles: ["ORG_READ_ONLY"],
    teamIds: [TEAM_A],
    firstName: "Alice",
    lastName: "Smith",
  });
  expect(accepted).not.toHaveProperty("invitationId");
  expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(404);
  expect((await api.call("DELETE", `${INVITES}/${id}`)).status).toBe(404);
  const user = await orgUser("alice.smith@example.com");
  expect(user).toMatchObject({
    orgMembershipStatus: "ACTIVE",
    createdAt: "2025-03-01T12:00:00Z",
    firstName: "Alice",
  });
  expect(user).not.toHaveProperty("invitationCreatedAt");
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

test("an invitation expires on its own once the clock passes 30 days", async () => {
  const id = await create("slow@example.com");
  now += 30 * 86_400_000 + 1000;
  expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(404);
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
  test('"replace" (default): the second POST answers 200 with a new id and the old invitation is gone', async () => {
    const first = await create("dup@example.com");
    const second = await create("dup@example.com", { roles: ["ORG_OWNER"] });
    expect(second).not.toBe(first);
    expect(emu.control.invitations(ORG).map((i) => [i.id, i.roles])).toEqual([
      [second, ["ORG_OWNER"]],
    ]);
    expect((await api.call("GET", `${INVITES}/${first}`)).status).toBe(404);
  });

  test('"reject": the second POST answers 409 INVITATION_ALREADY_EXISTS and the first stays', async () => {
    emu.control.setDuplicateInvitePolicy("reject");
    const first = await create("dup@example.com");
    const res = await api.call("POST", INVITES, { body: invite("dup@example.com") });
    expect(res.status).toBe(409);
    expect(obj(res.body)["errorCode"]).toBe("INVITATION_ALREADY_EXISTS");
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([first]);
  });

  test('"duplicate": both invitations stay pending and are both listed; one PENDING user remains', async () => {
    emu.control.setDuplicateInvitePolicy("duplicate");
    const first = await create("dup@example.com");
    const second = await create("dup@example.com");
    const listed = list((await api.call("GET", `${INVITES}?username=dup%40example.com`)).body).map(
      (i) => i["id"],
    );
    expect(listed).toEqual([first, second]);
    expect(emu.control.users(ORG)).toHaveLength(1);
    await api.call("DELETE", `${INVITES}/${second}`);
    expect(emu.control.users(ORG)[0]).toMatchObject({
      orgMembershipStatus: "PENDING",
      invitationId: first,
    });
  });
});

describe("DELETE of a missing invitation", () => {
  test('answers 404 RESOURCE_NOT_FOUND with the "404" knob (default)', async () => {
    const res = await api.call("DELETE", `${INVITES}/${UNKNOWN_ID}`);
    expect(res.status).toBe(404);
    expect(obj(res.body)["errorCode"]).toBe("RESOURCE_NOT_FOUND");
  });

  test('answers 400 INVALID_INVITATION_ID with the "400" knob, also after acceptance', async () => {
    emu.control.setDeleteMissingAnswer("400");
    const id = await create("acc@example.com");
    emu.control.acceptInvitation(ORG, "acc@example.com");
    const res = await api.call("DELETE", `${INVITES}/${id}`);
    expect(res.status).toBe(400);
    expect(obj(res.body)["errorCode"]).toBe("INVALID_INVITATION_ID");
    expect(emu.control.users(ORG)[0]?.orgMembershipStatus).toBe("ACTIVE");
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

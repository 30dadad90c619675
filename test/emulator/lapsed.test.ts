/**
 * Invitations past their `expiresAt` (issue 19, item 6): whether Atlas still lists and serves them
 * is unrecorded, so the emulator plays both answers with the `lapsedInvitations` knob. "listed"
 * (the default, the least favourable): they stay listed and served, their user stays PENDING,
 * writes answer 400 ALREADY_EXPIRED and creates treat them as ended. "dropped": they expire on
 * their own at the next request, as before the knob existed.
 */
import { connectControl } from "../../emulator";
import { useEmulator } from "../support/emulator";
import type { Answer } from "./support";
import { DigestClient, INVITES, ORG, TEAM_A, USERS, V2025, invite, list, obj } from "./support";

const START = Date.parse("2025-03-01T12:00:00Z");
const DAY = 86_400_000;
let clock = START;
const emulator = useEmulator({ now: () => clock });
let api: DigestClient;

// Back at the start before the next test's reset (useEmulator's beforeEach runs first), so the
// token bucket it refills is not stamped with a clock that then runs backwards.
afterEach(() => {
  clock = START;
});

beforeEach(() => {
  const emu = emulator();
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});

async function sendInvite(username: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.call("POST", INVITES, { body: invite(username, extra) });
  expect(res.status).toBe(200);
  return String(obj(res.body)["id"]);
}

const createUser = (username: string): Promise<Answer> =>
  api.call("POST", USERS, {
    accept: V2025,
    body: { username, roles: { orgRoles: ["ORG_MEMBER"] } },
  });

const listInvites = async (query = ""): Promise<Record<string, unknown>[]> =>
  list((await api.call("GET", `${INVITES}${query}`)).body);

const listUsers = async (query = ""): Promise<Record<string, unknown>[]> =>
  list(obj((await api.call("GET", `${USERS}${query}`, { accept: V2025 })).body)["results"]);

/** The org user that shows this invitation (control snapshot). */
function userOf(invitationId: string) {
  return emulator()
    .control.users(ORG)
    .find((u) => u.invitationId === invitationId);
}

/** Every way to write to an invitation or to its PENDING user. */
const WRITES: [string, (id: string, userId: string, username: string) => Promise<Answer>][] = [
  [
    "updateOrgInviteById",
    (id) => api.call("PATCH", `${INVITES}/${id}`, { body: { roles: ["ORG_READ_ONLY"] } }),
  ],
  [
    "updateOrgInvites (PATCH by username)",
    (_id, _user, username) =>
      api.call("PATCH", INVITES, { body: { username, roles: ["ORG_READ_ONLY"] } }),
  ],
  ["deleteOrgInvite", (id) => api.call("DELETE", `${INVITES}/${id}`)],
  [
    "updateOrgUser",
    (_id, userId) =>
      api.call("PATCH", `${USERS}/${userId}`, {
        accept: V2025,
        body: { roles: { orgRoles: ["ORG_READ_ONLY"] }, teamIds: [TEAM_A] },
      }),
  ],
  [
    "removeOrgUser (2025-02-19)",
    (_id, userId) => api.call("DELETE", `${USERS}/${userId}`, { accept: V2025 }),
  ],
];

describe('lapsedInvitations "listed" (the default)', () => {
  test("is the default, and the first of the knob's values", () => {
    expect(emulator().control.knobs().lapsedInvitations).toBe("listed");
  });

  test("an invitation the clock ran past stays listed and served with its past expiresAt, its user PENDING", async () => {
    const id = await sendInvite("slow@example.com");
    clock += 30 * DAY + 1000;
    const listed = await listInvites();
    expect(listed.map((i) => [i["id"], i["expiresAt"]])).toEqual([[id, "2025-03-31T12:00:00Z"]]);
    expect((await listInvites("?username=slow%40example.com")).map((i) => i["id"])).toEqual([id]);
    const served = await api.call("GET", `${INVITES}/${id}`);
    expect([served.status, obj(served.body)["expiresAt"]]).toEqual([200, "2025-03-31T12:00:00Z"]);
    const [user, ...others] = await listUsers();
    expect(others).toEqual([]);
    expect(user).toMatchObject({
      orgMembershipStatus: "PENDING",
      invitationExpiresAt: "2025-03-31T12:00:00Z",
      username: "slow@example.com",
    });
    const one = await api.call("GET", `${USERS}/${String(user?.["id"])}`, { accept: V2025 });
    expect([one.status, obj(one.body)["orgMembershipStatus"]]).toEqual([200, "PENDING"]);
    expect(await listUsers("?orgMembershipStatuses=INVITATION_EXPIRED")).toEqual([]);
  });

  test("lapseInvitation sets expiresAt a second before now without moving the clock, by id or by username", async () => {
    const emu = emulator();
    const id = await sendInvite("bob@example.com");
    clock += 5 * DAY;
    const lapsed = emu.control.lapseInvitation(ORG, id);
    expect(lapsed).toMatchObject({ id, expiresAt: "2025-03-06T11:59:59Z" });
    expect(clock).toBe(START + 5 * DAY);
    expect(emu.control.invitations(ORG)[0]?.expiresAt).toBe("2025-03-06T11:59:59Z");
    expect(userOf(id)).toMatchObject({
      orgMembershipStatus: "PENDING",
      invitationExpiresAt: "2025-03-06T11:59:59Z",
    });
    const other = await sendInvite("carol@example.com");
    clock += 1000;
    expect(emu.control.lapseInvitation(ORG, "CAROL@example.com").id).toBe(other);
    expect(userOf(other)?.invitationExpiresAt).toBe("2025-03-06T12:00:00Z");
  });

  test("lapseInvitation over the HTTP control API answers the invitation; an unknown one is a 404", async () => {
    const id = await sendInvite("bob@example.com");
    const remote = connectControl(emulator().baseUrl);
    expect(await remote.lapseInvitation(ORG, "bob@example.com")).toMatchObject({
      id,
      expiresAt: "2025-03-01T11:59:59Z",
    });
    expect((await remote.invitations(ORG))[0]?.expiresAt).toBe("2025-03-01T11:59:59Z");
    await expect(remote.lapseInvitation(ORG, "nobody@example.com")).rejects.toThrow(/404/);
  });

  test.each(WRITES)("%s answers 400 ALREADY_EXPIRED and changes nothing", async (_name, write) => {
    const emu = emulator();
    const id = await sendInvite("late@example.com", { teamIds: [TEAM_A] });
    const userId = String(userOf(id)?.id);
    emu.control.lapseInvitation(ORG, id);
    const invitations = emu.control.invitations(ORG);
    const users = emu.control.users(ORG);
    const res = await write(id, userId, "late@example.com");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: "Cannot update an entity that has already expired.",
      error: 400,
      errorCode: "ALREADY_EXPIRED",
      parameters: [],
      reason: "Bad Request",
    });
    expect(res.headers.get("x-error-code")).toBe("ALREADY_EXPIRED");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(emu.control.invitations(ORG)).toEqual(invitations);
    expect(emu.control.users(ORG)).toEqual(users);
    expect(emu.stats().pendingUserRemovals).toBe(0);
  });

  test("the same writes answer 400 ALREADY_EXPIRED when the clock, not the control API, ran past expiresAt", async () => {
    const id = await sendInvite("late@example.com");
    const userId = String(userOf(id)?.id);
    clock += 30 * DAY;
    for (const [, write] of WRITES) {
      const res = await write(id, userId, "late@example.com");
      expect([res.status, obj(res.body)["errorCode"]]).toEqual([400, "ALREADY_EXPIRED"]);
    }
    expect(
      emulator()
        .control.invitations(ORG)
        .map((i) => i.id),
    ).toEqual([id]);
  });

  test("a write refused as ALREADY_EXPIRED does not count against the invitation limit", async () => {
    const emu = emulator();
    emu.control.setInvitationLimit({ count: 2, windowMs: 60_000 });
    const id = await sendInvite("late@example.com");
    emu.control.lapseInvitation(ORG, id);
    const refused = await api.call("PATCH", `${INVITES}/${id}`, {
      body: { roles: ["ORG_MEMBER"] },
    });
    expect(refused.status).toBe(400);
    expect((await api.call("POST", INVITES, { body: invite("next@example.com") })).status).toBe(
      200,
    );
  });

  test("removeOrgUser with 2023-01-01 still answers 404 for the lapsed PENDING user (only active users)", async () => {
    const id = await sendInvite("late@example.com");
    emulator().control.lapseInvitation(ORG, id);
    const res = await api.call("DELETE", `${USERS}/${String(userOf(id)?.id)}`);
    expect([res.status, obj(res.body)["errorCode"]]).toEqual([404, "RESOURCE_NOT_FOUND"]);
  });

  test("PATCH by username changes the person's invitation still running when an older one lapsed", async () => {
    const emu = emulator();
    const first = await sendInvite("dup@example.com");
    clock += DAY;
    const second = await sendInvite("dup@example.com");
    emu.control.lapseInvitation(ORG, first);
    const res = await api.call("PATCH", INVITES, {
      body: { username: "dup@example.com", roles: ["ORG_READ_ONLY"] },
    });
    expect([res.status, obj(res.body)["id"]]).toEqual([200, second]);
    expect(emu.control.invitations(ORG).map((i) => [i.id, i.roles])).toEqual([
      [first, ["ORG_MEMBER"]],
      [second, ["ORG_READ_ONLY"]],
    ]);
  });

  test("PATCH by username of a person with no invitation at all is still a 404", async () => {
    const res = await api.call("PATCH", INVITES, {
      body: { username: "nobody@example.com", roles: ["ORG_READ_ONLY"] },
    });
    expect([res.status, obj(res.body)["errorCode"]]).toEqual([404, "RESOURCE_NOT_FOUND"]);
  });

  test("lapsing the invitation the PENDING user shows moves the user to the person's invitation still running", async () => {
    const emu = emulator();
    const first = await sendInvite("dup@example.com");
    clock += DAY;
    const second = await sendInvite("dup@example.com");
    const userId = userOf(second)?.id;
    emu.control.lapseInvitation(ORG, second);
    expect(emu.control.users(ORG)).toEqual([
      expect.objectContaining({
        id: userId,
        orgMembershipStatus: "PENDING",
        invitationId: first,
        invitationExpiresAt: "2025-03-31T12:00:00Z",
      }),
    ]);
  });

  test.each(["duplicate", "replace", "reject"] as const)(
    "createOrgInvite after a lapse sends a fresh invitation under policy %s: the lapsed one stays listed beside it, the PENDING user follows the new one",
    async (policy) => {
      const emu = emulator();
      emu.control.setDuplicateInvitePolicy(policy);
      const lapsed = await sendInvite("again@example.com");
      const oldUser = String(userOf(lapsed)?.id);
      emu.control.lapseInvitation(ORG, lapsed);
      clock += 1000;
      const fresh = await sendInvite("again@example.com", { roles: ["ORG_READ_ONLY"] });
      expect(fresh).not.toBe(lapsed);
      expect((await listInvites()).map((i) => i["id"])).toEqual([lapsed, fresh]);
      const users = await listUsers();
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({
        orgMembershipStatus: "PENDING",
        invitationExpiresAt: "2025-03-31T12:00:01Z",
        roles: { orgRoles: ["ORG_READ_ONLY"] },
      });
      // Replaced like an INVITATION_EXPIRED user: a new id by default (reinvitedUserId "new").
      expect(users[0]?.["id"]).not.toBe(oldUser);
      expect(userOf(fresh)?.id).toBe(users[0]?.["id"]);
      // The fresh invitation takes writes; the lapsed one still refuses them.
      const patched = await api.call("PATCH", INVITES, {
        body: { username: "again@example.com", roles: ["ORG_MEMBER"] },
      });
      expect([patched.status, obj(patched.body)["id"]]).toEqual([200, fresh]);
      expect((await api.call("DELETE", `${INVITES}/${lapsed}`)).status).toBe(400);
    },
  );

  test("a duplicate policy still applies to an invitation still running beside a lapsed one", async () => {
    const emu = emulator();
    emu.control.setDuplicateInvitePolicy("reject");
    const lapsed = await sendInvite("again@example.com");
    emu.control.lapseInvitation(ORG, lapsed);
    await sendInvite("again@example.com");
    const third = await api.call("POST", INVITES, { body: invite("again@example.com") });
    expect([third.status, obj(third.body)["errorCode"]]).toEqual([
      409,
      "INVITATION_ALREADY_EXISTS",
    ]);
  });

  test("createOrgUser after a lapse answers 201, not 409, and replaces the lapsed PENDING user; the lapsed invitation stays listed", async () => {
    const emu = emulator();
    const first = await createUser("again@example.com");
    expect(first.status).toBe(201);
    const oldUser = String(obj(first.body)["id"]);
    const [lapsed] = emu.control.invitations(ORG);
    emu.control.lapseInvitation(ORG, "again@example.com");
    const second = await createUser("again@example.com");
    expect(second.status).toBe(201);
    expect(obj(second.body)).toMatchObject({
      orgMembershipStatus: "PENDING",
      invitationExpiresAt: "2025-03-31T12:00:00Z",
    });
    const newUser = obj(second.body)["id"];
    expect(newUser).not.toBe(oldUser);
    expect((await listUsers()).map((u) => u["id"])).toEqual([newUser]);
    const fresh = emu.control.users(ORG)[0]?.invitationId;
    expect(fresh).not.toBe(lapsed?.id);
    expect((await listInvites()).map((i) => i["id"])).toEqual([lapsed?.id, fresh]);
    // A second createOrgUser now meets the live PENDING user: 409 as always.
    expect((await createUser("again@example.com")).status).toBe(409);
  });

  test('createOrgUser after a lapse keeps the user id with reinvitedUserId "same"', async () => {
    const emu = emulator();
    emu.control.setKnobs({ reinvitedUserId: "same" });
    const oldUser = String(obj((await createUser("again@example.com")).body)["id"]);
    emu.control.lapseInvitation(ORG, "again@example.com");
    const second = await createUser("again@example.com");
    expect([second.status, obj(second.body)["id"]]).toEqual([201, oldUser]);
  });

  test("a person cannot accept a lapsed invitation (control API and HTTP control API)", async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    emu.control.lapseInvitation(ORG, id);
    expect(() => emu.control.acceptInvitation(ORG, id)).toThrow(/lapsed .* cannot be accepted/);
    expect(() => emu.control.acceptInvitation(ORG, "late@example.com")).toThrow(
      /cannot be accepted/,
    );
    const remote = connectControl(emu.baseUrl);
    await expect(remote.acceptInvitation(ORG, id)).rejects.toThrow(/409/);
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([id]);
    expect(userOf(id)?.orgMembershipStatus).toBe("PENDING");
  });

  test("accepting by username takes the person's invitation still running, past a lapsed newer one", async () => {
    const emu = emulator();
    await sendInvite("dup@example.com", { roles: ["ORG_READ_ONLY"] });
    clock += DAY;
    const second = await sendInvite("dup@example.com");
    emu.control.lapseInvitation(ORG, second);
    expect(() => emu.control.acceptInvitation(ORG, second)).toThrow(/cannot be accepted/);
    const active = emu.control.acceptInvitation(ORG, "dup@example.com");
    expect(active).toMatchObject({ orgMembershipStatus: "ACTIVE", roles: ["ORG_READ_ONLY"] });
    expect(emu.control.invitations(ORG)).toEqual([]);
  });

  test("expireInvitation still ends a lapsed invitation at once: gone, its user INVITATION_EXPIRED", async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    emu.control.lapseInvitation(ORG, id);
    clock += 60_000;
    emu.control.expireInvitation(ORG, id);
    expect(await listInvites()).toEqual([]);
    expect(await listUsers("?orgMembershipStatuses=INVITATION_EXPIRED")).toEqual([
      expect.objectContaining({
        orgMembershipStatus: "INVITATION_EXPIRED",
        invitationExpiresAt: "2025-03-01T12:01:00Z",
      }),
    ]);
  });

  test('switching the knob to "dropped" sweeps lapsed invitations at the next request', async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    emu.control.lapseInvitation(ORG, id);
    expect(await listInvites()).toHaveLength(1);
    emu.control.setKnobs({ lapsedInvitations: "dropped" });
    expect(await listInvites()).toEqual([]);
    expect(await listUsers("?orgMembershipStatuses=INVITATION_EXPIRED")).toHaveLength(1);
  });
});

describe('lapsedInvitations "dropped" (the sweep, as before the knob)', () => {
  beforeEach(() => {
    emulator().control.setKnobs({ lapsedInvitations: "dropped" });
  });

  test("an invitation lapsed by the control API is swept by the next request: gone, its user INVITATION_EXPIRED at its expiresAt", async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    const lapsed = emu.control.lapseInvitation(ORG, id);
    expect(lapsed.expiresAt).toBe("2025-03-01T11:59:59Z");
    expect(await listInvites()).toEqual([]);
    const missing = await api.call("GET", `${INVITES}/${id}`);
    expect([missing.status, obj(missing.body)["errorCode"]]).toEqual([
      400,
      "INVALID_INVITATION_ID",
    ]);
    expect(await listUsers()).toEqual([]);
    expect(await listUsers("?orgMembershipStatuses=INVITATION_EXPIRED")).toEqual([
      expect.objectContaining({
        orgMembershipStatus: "INVITATION_EXPIRED",
        invitationExpiresAt: "2025-03-01T11:59:59Z",
      }),
    ]);
  });

  test("the clock running past expiresAt sweeps it too", async () => {
    const id = await sendInvite("slow@example.com");
    clock += 30 * DAY + 1000;
    expect((await api.call("GET", `${INVITES}/${id}`)).status).toBe(400);
    expect(emulator().control.invitations(ORG)).toEqual([]);
  });

  test("writes answer as for any missing invitation or hidden user, never ALREADY_EXPIRED", async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    const userId = String(userOf(id)?.id);
    emu.control.lapseInvitation(ORG, id);
    const answers: [number, unknown][] = [];
    for (const [, write] of WRITES) {
      const res = await write(id, userId, "late@example.com");
      answers.push([res.status, res.body === undefined ? undefined : obj(res.body)["errorCode"]]);
    }
    expect(answers).toEqual([
      [400, "INVALID_INVITATION_ID"], // updateOrgInviteById
      [404, "RESOURCE_NOT_FOUND"], // PATCH by username
      [400, "INVALID_INVITATION_ID"], // deleteOrgInvite
      [404, "RESOURCE_NOT_FOUND"], // updateOrgUser: INVITATION_EXPIRED, hidden by default
      [204, undefined], // removeOrgUser removes an expired user, as always
    ]);
  });

  test("creates after a lapse send a fresh invitation on both APIs, replacing the INVITATION_EXPIRED user", async () => {
    const emu = emulator();
    const id = await sendInvite("again@example.com");
    emu.control.lapseInvitation(ORG, id);
    const fresh = await sendInvite("again@example.com");
    expect(emu.control.invitations(ORG).map((i) => i.id)).toEqual([fresh]);
    expect(emu.control.users(ORG)).toEqual([
      expect.objectContaining({ orgMembershipStatus: "PENDING", invitationId: fresh }),
    ]);
    emu.control.lapseInvitation(ORG, fresh);
    const created = await createUser("again@example.com");
    expect([created.status, obj(created.body)["orgMembershipStatus"]]).toEqual([201, "PENDING"]);
    expect(emu.control.invitations(ORG)).toHaveLength(1);
    expect(emu.control.users(ORG)).toHaveLength(1);
  });

  test("a swept invitation cannot be accepted: the control API finds no pending invitation", async () => {
    const emu = emulator();
    const id = await sendInvite("late@example.com");
    emu.control.lapseInvitation(ORG, id);
    expect(() => emu.control.acceptInvitation(ORG, id)).toThrow(/no pending invitation/);
  });
});

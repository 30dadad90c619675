import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import {
  DigestClient,
  INVITES,
  ORG,
  PROJECT,
  TEAM_A,
  UNKNOWN_ID,
  USERS,
  V2023,
  V2025,
  invite,
  list,
  obj,
} from "./support";

let emu: RunningEmulator;
let api: DigestClient;

beforeAll(async () => {
  emu = await startEmulator();
  api = new DigestClient(emu.baseUrl, emu.credentials.publicKey, emu.credentials.privateKey);
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const users = (path = USERS): ReturnType<DigestClient["call"]> =>
  api.call("GET", path, { accept: V2025 });

describe("org user operations (2025-02-19)", () => {
  test("createOrgUser answers 201 with a PENDING user that also shows up as an invitation", async () => {
    const res = await api.call("POST", USERS, {
      accept: V2025,
      body: {
        username: "carol@example.com",
        roles: {
          orgRoles: ["ORG_MEMBER"],
          groupRoleAssignments: [{ groupId: PROJECT, groupRoles: ["GROUP_READ_ONLY"] }],
        },
        teamIds: [TEAM_A],
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe(`${V2025};charset=utf-8`);
    expect(res.body).toMatchObject({
      username: "carol@example.com",
      orgMembershipStatus: "PENDING",
      roles: {
        orgRoles: ["ORG_MEMBER"],
        groupRoleAssignments: [{ groupId: PROJECT, groupRoles: ["GROUP_READ_ONLY"] }],
      },
      teamIds: [TEAM_A],
      inviterUsername: emu.credentials.publicKey,
    });
    expect(Object.keys(obj(res.body))).toEqual([
      "id",
      "invitationCreatedAt",
      "invitationExpiresAt",
      "inviterUsername",
      "orgMembershipStatus",
      "roles",
      "teamIds",
      "username",
    ]);
    expect(list((await api.call("GET", INVITES)).body).map((i) => i["username"])).toEqual([
      "carol@example.com",
    ]);
  });

  test("createOrgUser answers 409 USER_ALREADY_EXISTS for a PENDING or ACTIVE user", async () => {
    emu.control.addMember(ORG, { username: "member@example.com" });
    await api.call("POST", INVITES, { body: invite("pending@example.com") });
    for (const username of ["member@example.com", "pending@example.com"]) {
      const res = await api.call("POST", USERS, {
        accept: V2025,
        body: { username, roles: { orgRoles: ["ORG_MEMBER"] } },
      });
      expect(res.status).toBe(409);
      expect(obj(res.body)["errorCode"]).toBe("USER_ALREADY_EXISTS");
    }
  });

  test("createOrgUser with empty orgRoles answers 400 INVALID_ATTRIBUTE", async () => {
    const res = await api.call("POST", USERS, {
      accept: V2025,
      body: { username: "x@example.com", roles: { orgRoles: [] } },
    });
    expect(res.status).toBe(400);
    expect(obj(res.body)["errorCode"]).toBe("INVALID_ATTRIBUTE");
  });

  test("getOrgUser returns the user, 404 for an unknown id and 400 INVALID_USER_ID for a malformed one", async () => {
    const member = emu.control.addMember(ORG, {
      username: "dave.jones@example.com",
      roles: ["ORG_OWNER"],
    });
    const res = await api.call("GET", `${USERS}/${member.id}`, { accept: V2025 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: member.id,
      orgMembershipStatus: "ACTIVE",
      firstName: "Dave",
      lastName: "Jones",
      roles: { orgRoles: ["ORG_OWNER"] },
    });
    expect(obj(res.body)["createdAt"]).toEqual(expect.any(String));
    expect((await api.call("GET", `${USERS}/${UNKNOWN_ID}`, { accept: V2025 })).status).toBe(404);
    const bad = await api.call("GET", `${USERS}/bad`, { accept: V2025 });
    expect(bad.status).toBe(400);
    expect(obj(bad.body)["errorCode"]).toBe("INVALID_USER_ID");
  });

  test("updateOrgUser on a PENDING user changes its invitation too", async () => {
    await api.call("POST", INVITES, { body: invite("erin@example.com") });
    const [user] = emu.control.users(ORG);
    const res = await api.call("PATCH", `${USERS}/${user?.id ?? ""}`, {
      accept: V2025,
      body: { roles: { orgRoles: ["ORG_READ_ONLY"] }, teamIds: [TEAM_A] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      orgMembershipStatus: "PENDING",
      roles: { orgRoles: ["ORG_READ_ONLY"] },
      teamIds: [TEAM_A],
    });
    expect(emu.control.invitations(ORG)[0]).toMatchObject({
      roles: ["ORG_READ_ONLY"],
      teamIds: [TEAM_A],
    });
  });

  test("removeOrgUser answers 204 and removes a pending user together with its invitation", async () => {
    await api.call("POST", INVITES, { body: invite("frank@example.com") });
    const [user] = emu.control.users(ORG);
    const res = await api.call("DELETE", `${USERS}/${user?.id ?? ""}`, { accept: V2025 });
    expect(res.status).toBe(204);
    expect(emu.control.users(ORG)).toEqual([]);
    expect(emu.control.invitations(ORG)).toEqual([]);
  });

  test("removeOrgUser with 2023-01-01 removes only active users", async () => {
    await api.call("POST", INVITES, { body: invite("pending@example.com") });
    const pending = emu.control.users(ORG)[0];
    expect(
      (await api.call("DELETE", `${USERS}/${pending?.id ?? ""}`, { accept: V2023 })).status,
    ).toBe(404);
    const member = emu.control.addMember(ORG, { username: "member@example.com" });
    expect((await api.call("DELETE", `${USERS}/${member.id}`, { accept: V2023 })).status).toBe(204);
  });

  test("listOrgUsers honours username and orgMembershipStatus filters, defaulting to ACTIVE and PENDING", async () => {
    emu.control.addMember(ORG, { username: "member@example.com" });
    await api.call("POST", INVITES, { body: invite("pending@example.com") });
    await api.call("POST", INVITES, { body: invite("late@example.com") });
    emu.control.expireInvitation(ORG, "late@example.com");
    const all = obj((await users()).body);
    expect(
      list(all["results"])
        .map((u) => u["username"])
        .sort(),
    ).toEqual(["member@example.com", "pending@example.com"]);
    expect(all["totalCount"]).toBe(2);
    const byName = obj((await users(`${USERS}?username=pending%40example.com`)).body);
    expect(list(byName["results"]).map((u) => u["orgMembershipStatus"])).toEqual(["PENDING"]);
    const otherCase = obj((await users(`${USERS}?username=PENDING%40example.com`)).body);
    expect(otherCase["results"]).toEqual([]);
    const expired = obj((await users(`${USERS}?orgMembershipStatuses=INVITATION_EXPIRED`)).body);
    expect(list(expired["results"])).toEqual([
      expect.objectContaining({
        username: "late@example.com",
        orgMembershipStatus: "INVITATION_EXPIRED",
      }),
    ]);
    const active = obj((await users(`${USERS}?orgMembershipStatus=ACTIVE`)).body);
    expect(list(active["results"]).map((u) => u["username"])).toEqual(["member@example.com"]);
  });

  test("listOrgUsers links self with pageNum then itemsPerPage last, and next in the request's order, as recorded", async () => {
    for (const n of [1, 2, 3]) emu.control.addMember(ORG, { username: `m${n}@example.com` });
    const page = obj((await users(`${USERS}?includeCount=true&itemsPerPage=1&pageNum=1`)).body);
    const base = `${emu.baseUrl}${USERS}`;
    expect(page["links"]).toEqual([
      { href: `${base}?includeCount=true&pageNum=1&itemsPerPage=1`, rel: "self" },
      { href: `${base}?includeCount=true&itemsPerPage=1&pageNum=2`, rel: "next" },
    ]);
    expect(Object.keys(page)).toEqual(["links", "results", "totalCount"]);
    const last = obj((await users(`${USERS}?itemsPerPage=2&pageNum=2`)).body);
    expect(last["links"]).toEqual([
      { href: `${base}?pageNum=2&itemsPerPage=2`, rel: "self" },
      { href: `${base}?itemsPerPage=2&pageNum=1`, rel: "previous" },
    ]);
  });

  test("listOrgUsers paginates with itemsPerPage and pageNum and refuses itemsPerPage over 500", async () => {
    for (const n of [1, 2, 3]) emu.control.addMember(ORG, { username: `m${n}@example.com` });
    const page2 = obj((await users(`${USERS}?itemsPerPage=2&pageNum=2`)).body);
    expect(list(page2["results"]).map((u) => u["username"])).toEqual(["m3@example.com"]);
    expect(page2["totalCount"]).toBe(3);
    const noCount = obj((await users(`${USERS}?includeCount=false`)).body);
    expect(noCount).not.toHaveProperty("totalCount");
    const tooMany = await users(`${USERS}?itemsPerPage=501`);
    expect(tooMany.status).toBe(400);
  });
});

describe("versioned Accept negotiation", () => {
  test("invites refuse 2025-02-19 and a missing Accept with 406 UNSUPPORTED_API_VERSION", async () => {
    const res = await api.call("GET", INVITES, { accept: V2025 });
    expect(res.status).toBe(406);
    expect(res.body).toMatchObject({
      error: 406,
      errorCode: "UNSUPPORTED_API_VERSION",
      reason: "Not Acceptable",
    });
    expect((await api.call("GET", INVITES, { accept: "application/json" })).status).toBe(406);
  });

  test("getOrgUser, createOrgUser and updateOrgUser refuse 2023-01-01", async () => {
    const member = emu.control.addMember(ORG, { username: "m@example.com" });
    expect((await api.call("GET", `${USERS}/${member.id}`, { accept: V2023 })).status).toBe(406);
    expect(
      (
        await api.call("POST", USERS, {
          accept: V2023,
          body: { username: "n@example.com", roles: { orgRoles: ["ORG_MEMBER"] } },
        })
      ).status,
    ).toBe(406);
    expect(
      (await api.call("PATCH", `${USERS}/${member.id}`, { accept: V2023, body: { teamIds: [] } }))
        .status,
    ).toBe(406);
  });

  test("listOrgUsers with 2023-01-01 ignores username and returns only ACTIVE users as CloudAppUser", async () => {
    emu.control.addMember(ORG, { username: "member@example.com", roles: ["ORG_OWNER"] });
    await api.call("POST", INVITES, { body: invite("pending@example.com") });
    const res = await api.call("GET", `${USERS}?username=pending%40example.com`, { accept: V2023 });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(`${V2023};charset=utf-8`);
    expect(res.headers.get("sunset")).toBe("Thu, 1 Jul 2027 00:00:00 GMT");
    const [only, ...rest] = list(obj(res.body)["results"]);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      username: "member@example.com",
      emailAddress: "member@example.com",
      roles: [{ orgId: ORG, roleName: "ORG_OWNER" }],
    });
    // The CloudAppUser shape recorded on the deprecated team-users endpoint (file 16).
    expect(Object.keys(only ?? {})).toEqual([
      "country",
      "createdAt",
      "emailAddress",
      "firstName",
      "id",
      "lastAuth",
      "lastName",
      "links",
      "roles",
      "teamIds",
      "username",
    ]);
  });

  test("an Accept listing several versions gets the one the operation serves", async () => {
    const res = await api.call("GET", USERS, { accept: `${V2023};q=0.5, ${V2025}` });
    expect(res.headers.get("content-type")).toBe(`${V2025};charset=utf-8`);
    expect(res.headers.get("deprecation")).toBeNull();
  });
});

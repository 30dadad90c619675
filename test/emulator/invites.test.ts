import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import {
  DigestClient,
  INVITES,
  ORG,
  PROJECT,
  TEAM_A,
  TEAM_B,
  UNKNOWN_ID,
  V2023,
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

async function create(
  username: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await api.call("POST", INVITES, { body: invite(username, extra) });
  expect(res.status).toBe(200);
  return obj(res.body);
}

describe("invitation operations", () => {
  test("createOrgInvite answers 200 with the invitation, group roles flattened to one entry per role", async () => {
    const res = await api.call("POST", INVITES, {
      body: invite("alice@example.com", {
        roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
        teamIds: [TEAM_A],
        groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_READ_ONLY", "GROUP_OWNER"] }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(`${V2023};charset=utf-8`);
    const body = obj(res.body);
    expect(body).toMatchObject({
      orgId: ORG,
      orgName: "Emulated Org",
      username: "alice@example.com",
      roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
      teamIds: [TEAM_A],
      inviterUsername: emu.credentials.publicKey,
      groupRoleAssignments: [
        { groupId: PROJECT, groupRole: "GROUP_READ_ONLY" },
        { groupId: PROJECT, groupRole: "GROUP_OWNER" },
      ],
    });
    expect(body["id"]).toMatch(/^[a-f0-9]{24}$/);
    expect(body["createdAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const days =
      (Date.parse(String(body["expiresAt"])) - Date.parse(String(body["createdAt"]))) / 86_400_000;
    expect(days).toBe(30);
  });

  test("an invitation carries exactly the ten recorded fields, in Atlas's alphabetical order and without links", async () => {
    const created = await create("alice@example.com");
    expect(Object.keys(created)).toEqual([
      "createdAt",
      "expiresAt",
      "groupRoleAssignments",
      "id",
      "inviterUsername",
      "orgId",
      "orgName",
      "roles",
      "teamIds",
      "username",
    ]);
  });

  test("listOrgInvites returns a bare array of pending invitations, filtered by username exactly by default", async () => {
    await create("alice@example.com");
    await create("bob@example.com");
    const all = await api.call("GET", INVITES);
    expect(all.status).toBe(200);
    expect(
      list(all.body)
        .map((i) => i["username"])
        .sort(),
    ).toEqual(["alice@example.com", "bob@example.com"]);
    const exact = await api.call("GET", `${INVITES}?username=alice%40example.com`);
    expect(list(exact.body).map((i) => i["username"])).toEqual(["alice@example.com"]);
    const otherCase = await api.call("GET", `${INVITES}?username=ALICE%40example.com`);
    expect(list(otherCase.body)).toEqual([]);
    emu.control.setKnobs({ usernameCase: "insensitive" });
    const insensitive = await api.call("GET", `${INVITES}?username=ALICE%40example.com`);
    expect(list(insensitive.body).map((i) => i["username"])).toEqual(["alice@example.com"]);
  });

  test("getOrgInvite returns the invitation; an unknown id answers 400 INVALID_INVITATION_ID by default", async () => {
    const created = await create("alice@example.com");
    const got = await api.call("GET", `${INVITES}/${String(created["id"])}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
    const missing = await api.call("GET", `${INVITES}/${UNKNOWN_ID}`);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      detail: `Invitation ${UNKNOWN_ID} does not exist or has already been accepted.`,
      error: 400,
      errorCode: "INVALID_INVITATION_ID",
      parameters: [UNKNOWN_ID],
      reason: "Bad Request",
    });
    expect(missing.headers.get("content-type")).toBe("application/json");
    expect(missing.headers.get("x-error-code")).toBe("INVALID_INVITATION_ID");
  });

  test('with missingInvitationAnswer "404" an unknown id answers 404 RESOURCE_NOT_FOUND in Atlas\'s wording', async () => {
    emu.control.setMissingInvitationAnswer("404");
    const missing = await api.call("GET", `${INVITES}/${UNKNOWN_ID}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      detail: `Cannot find resource Invitation with id ${UNKNOWN_ID}.`,
      error: 404,
      errorCode: "RESOURCE_NOT_FOUND",
      parameters: [`Invitation with id ${UNKNOWN_ID}`],
      reason: "Not Found",
    });
    expect(missing.headers.get("x-error-code")).toBe("RESOURCE_NOT_FOUND");
  });

  test("updateOrgInviteById replaces only the fields present in the body", async () => {
    const created = await create("alice@example.com", { teamIds: [TEAM_A] });
    const res = await api.call("PATCH", `${INVITES}/${String(created["id"])}`, {
      body: { roles: ["ORG_OWNER"] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created["id"], roles: ["ORG_OWNER"], teamIds: [TEAM_A] });
    const teams = await api.call("PATCH", `${INVITES}/${String(created["id"])}`, {
      body: { teamIds: [TEAM_B] },
    });
    expect(teams.body).toMatchObject({ roles: ["ORG_OWNER"], teamIds: [TEAM_B] });
  });

  test("updateOrgInvites finds the invitation by the username in the body, spelt exactly by default", async () => {
    const created = await create("alice@example.com");
    const res = await api.call("PATCH", INVITES, {
      body: { username: "alice@example.com", roles: ["ORG_BILLING_ADMIN"], teamIds: [TEAM_B] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created["id"],
      roles: ["ORG_BILLING_ADMIN"],
      teamIds: [TEAM_B],
    });
    const otherCase = await api.call("PATCH", INVITES, {
      body: { username: "Alice@Example.com", roles: ["ORG_MEMBER"] },
    });
    expect(otherCase.status).toBe(404);
    emu.control.setKnobs({ usernameCase: "insensitive" });
    const insensitive = await api.call("PATCH", INVITES, {
      body: { username: "Alice@Example.com", roles: ["ORG_MEMBER"] },
    });
    expect([insensitive.status, obj(insensitive.body)["id"]]).toEqual([200, created["id"]]);
    const missing = await api.call("PATCH", INVITES, {
      body: { username: "nobody@example.com", roles: ["ORG_MEMBER"] },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      errorCode: "RESOURCE_NOT_FOUND",
      parameters: ["Invitation for username nobody@example.com"],
    });
  });

  test("deleteOrgInvite answers 204 with no body, no Content-Length but a Content-Type, and the invitation is gone", async () => {
    const created = await create("alice@example.com");
    const res = await api.call("DELETE", `${INVITES}/${String(created["id"])}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(res.headers.get("content-length")).toBeNull();
    expect(res.headers.get("content-type")).toBe(`${V2023};charset=utf-8`);
    expect((await api.call("GET", `${INVITES}/${String(created["id"])}`)).status).toBe(400);
    expect(emu.control.invitations(ORG)).toEqual([]);
  });
});

describe("invitation validation", () => {
  const cases: [string, number, string, string, Record<string, unknown>][] = [
    [
      "a malformed org id",
      400,
      "INVALID_ORG_ID",
      "/api/atlas/v2/orgs/not-an-id/invites",
      invite("a@example.com"),
    ],
    [
      "an unknown org",
      404,
      "ORG_NOT_FOUND",
      `/api/atlas/v2/orgs/${UNKNOWN_ID}/invites`,
      invite("a@example.com"),
    ],
    ["a username that is not an email", 400, "INVALID_USERNAME", INVITES, invite("not-an-email")],
    ["missing roles", 400, "INVALID_ATTRIBUTE", INVITES, { username: "a@example.com" }],
    ["empty roles", 400, "INVALID_ATTRIBUTE", INVITES, { username: "a@example.com", roles: [] }],
    [
      "an unknown role",
      400,
      "INVALID_ENUM_VALUE",
      INVITES,
      invite("a@example.com", { roles: ["ORG_EMPEROR"] }),
    ],
    [
      "a project role as org role",
      400,
      "INVALID_ROLE_FOR_ORG",
      INVITES,
      invite("a@example.com", { roles: ["GROUP_OWNER"] }),
    ],
    [
      "a malformed team id",
      400,
      "INVALID_TEAM_ID",
      INVITES,
      invite("a@example.com", { teamIds: ["xyz"] }),
    ],
    [
      "a team of no such team",
      400,
      "INVALID_TEAM_ID",
      INVITES,
      invite("a@example.com", { teamIds: [UNKNOWN_ID] }),
    ],
    [
      "a malformed project id",
      400,
      "INVALID_GROUP_ID",
      INVITES,
      invite("a@example.com", { groupRoleAssignments: [{ groupId: "x", roles: ["GROUP_OWNER"] }] }),
    ],
    [
      "an attribute outside the schema",
      400,
      "INVALID_ATTRIBUTE",
      INVITES,
      invite("a@example.com", { color: "blue" }),
    ],
  ];

  test.each(cases)(
    "createOrgInvite with %s answers %i %s",
    async (_name, status, errorCode, path, body) => {
      const res = await api.call("POST", path, { body });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error: status, errorCode });
      expect(typeof obj(res.body)["detail"]).toBe("string");
      expect(emu.control.invitations(ORG)).toEqual([]);
    },
  );

  test("a field at fault is named in badRequestDetail.fields", async () => {
    const res = await api.call("POST", INVITES, {
      body: invite("a@example.com", { roles: ["ORG_EMPEROR"] }),
    });
    expect(obj(res.body)["badRequestDetail"]).toEqual({
      fields: [{ field: "roles", description: expect.stringContaining("ORG_EMPEROR") }],
    });
  });

  test("a malformed invitation id answers 400 INVALID_INVITATION_ID", async () => {
    const res = await api.call("GET", `${INVITES}/nope`);
    expect(res.status).toBe(400);
    expect(obj(res.body)["errorCode"]).toBe("INVALID_INVITATION_ID");
  });

  test("a body that is not JSON answers 400 MALFORMED_REQUEST", async () => {
    const res = await api.call("POST", INVITES, { rawBody: "{not json" });
    expect(res.status).toBe(400);
    expect(obj(res.body)["errorCode"]).toBe("MALFORMED_REQUEST");
  });

  test("a body in another media type answers 415", async () => {
    const res = await api.call("POST", INVITES, {
      body: invite("a@example.com"),
      contentType: "text/plain",
    });
    expect(res.status).toBe(415);
    expect(obj(res.body)["errorCode"]).toBe("UNSUPPORTED_MEDIA_TYPE");
    const json = await api.call("POST", INVITES, {
      body: invite("a@example.com"),
      contentType: "application/json",
    });
    expect(json.status).toBe(200);
  });

  test("a username outside the org's domain allow list answers 400 DOMAIN_NOT_IN_ALLOW_LIST", async () => {
    emu.control.setDomainAllowList(ORG, ["example.com"]);
    const res = await api.call("POST", INVITES, { body: invite("eve@evil.io") });
    expect(res.status).toBe(400);
    expect(obj(res.body)["errorCode"]).toBe("DOMAIN_NOT_IN_ALLOW_LIST");
    expect((await api.call("POST", INVITES, { body: invite("ok@EXAMPLE.com") })).status).toBe(200);
  });

  test("creating an invitation for an active member answers 409 USER_ALREADY_EXISTS naming the username", async () => {
    emu.control.addMember(ORG, { username: "member@example.com" });
    const res = await api.call("POST", INVITES, { body: invite("member@example.com") });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      detail: "A user with username member@example.com already exists.",
      error: 409,
      errorCode: "USER_ALREADY_EXISTS",
      parameters: ["member@example.com"],
      reason: "Conflict",
    });
  });
});

import { isAtlasApiError, isNoSuchInvitation } from "../../provider/errors";
import type { AtlasApiError } from "../../provider/errors";
import { useEmulator } from "../support/emulator";
import { KINDS, clientFor, freshSessions } from "./helpers";

const emulator = useEmulator({ digestAlgorithms: ["MD5"] });
freshSessions();

async function failure(promise: Promise<unknown>): Promise<AtlasApiError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAtlasApiError(err)) throw new Error(`expected an AtlasApiError, got ${String(err)}`);
  return err;
}

describe.each(KINDS)("every operation with %s credentials", (kind) => {
  it("creates an invitation (200) with roles, teams and project roles, and reads it back", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    const created = await api.createOrgInvite(emu.orgId, {
      username: "ada@example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [emu.teamIds[0] as string],
      groupRoleAssignments: [{ groupId: emu.projectId, roles: ["GROUP_READ_ONLY"] }],
    });
    expect(created).toMatchObject({
      orgId: emu.orgId,
      username: "ada@example.com",
      roles: ["ORG_MEMBER"],
    });
    expect(created.id).toMatch(/^[a-f0-9]{24}$/);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([created.id]);

    const got = await api.getOrgInvite(emu.orgId, created.id as string);
    expect(got).toMatchObject({ id: created.id, teamIds: [emu.teamIds[0]] });
    expect(got.groupRoleAssignments).toEqual([
      { groupId: emu.projectId, groupRole: "GROUP_READ_ONLY" },
    ]);
  });

  it("lists pending invitations filtered by username", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    await api.createOrgInvite(emu.orgId, { username: "a@example.com", roles: ["ORG_MEMBER"] });
    await api.createOrgInvite(emu.orgId, { username: "b@example.com", roles: ["ORG_MEMBER"] });
    expect((await api.listOrgInvites(emu.orgId)).map((i) => i.username).sort()).toEqual([
      "a@example.com",
      "b@example.com",
    ]);
    expect(
      (await api.listOrgInvites(emu.orgId, { username: "b@example.com" })).map((i) => i.username),
    ).toEqual(["b@example.com"]);
    expect(emu.log.entries({ operationId: "listOrgInvites" }).map((e) => e.query)).toEqual([
      {},
      { username: "b@example.com" },
    ]);
  });

  it("updates an invitation by id without sending a username", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    const { id } = await api.createOrgInvite(emu.orgId, {
      username: "c@example.com",
      roles: ["ORG_MEMBER"],
    });
    const updated = await api.updateOrgInviteById(emu.orgId, id as string, {
      roles: ["ORG_BILLING_ADMIN"],
      teamIds: [emu.teamIds[1] as string],
    });
    expect(updated).toMatchObject({ id, roles: ["ORG_BILLING_ADMIN"], teamIds: [emu.teamIds[1]] });
    expect(emu.control.invitations(emu.orgId)[0]?.roles).toEqual(["ORG_BILLING_ADMIN"]);
  });

  it.each(["400", "404"] as const)(
    "deletes an invitation (204), after which reading it is a no-such-invitation answer (%s)",
    async (answer) => {
      const emu = emulator();
      emu.control.setKnobs({ missingInvitationAnswer: answer });
      const api = clientFor(emu, kind);
      const { id } = await api.createOrgInvite(emu.orgId, {
        username: "d@example.com",
        roles: ["ORG_MEMBER"],
      });
      await expect(api.deleteOrgInvite(emu.orgId, id as string)).resolves.toBeUndefined();
      expect(emu.control.invitations(emu.orgId)).toEqual([]);
      const err = await failure(api.getOrgInvite(emu.orgId, id as string));
      expect(err).toMatchObject({
        status: Number(answer),
        errorCode: answer === "400" ? "INVALID_INVITATION_ID" : expect.any(String),
        method: "GET",
        path: `/api/atlas/v2/orgs/${emu.orgId}/invites/${id}`,
      });
      expect(isNoSuchInvitation(err)).toBe(true);
      expect(emu.log.count({ operationId: "getOrgInvite" })).toBe(1);
    },
  );

  it("lists a pending invitation as a PENDING org user (2025-02-19) and reads that user by id", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    const invite = await api.createOrgInvite(emu.orgId, {
      username: "Eve@Example.com",
      roles: ["ORG_MEMBER"],
    });
    const users = await api.listAllOrgUsers(emu.orgId);
    const user = users.find((u) => u.username.toLowerCase() === "eve@example.com");
    expect(user).toMatchObject({ orgMembershipStatus: "PENDING" });
    expect(user?.id).toMatch(/^[a-f0-9]{24}$/);
    expect(user?.id).not.toBe(invite.id);
    expect(await api.getOrgUser(emu.orgId, user?.id as string)).toMatchObject({
      id: user?.id,
      orgMembershipStatus: "PENDING",
    });
    const [listed] = emu.log.entries({ operationId: "listOrgUsers" });
    expect(listed?.query).toEqual({ itemsPerPage: "500", pageNum: "1" });
    expect(emu.log.count({ operationId: "listOrgUsers" })).toBe(1);
  });

  it("sends a username filter exactly as given, with page size 500 and page 1", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    await api.createOrgInvite(emu.orgId, { username: "Eve@Example.com", roles: ["ORG_MEMBER"] });
    const page = await api.listOrgUsers(emu.orgId, { username: "Eve@Example.com" });
    expect(page.results.map((u) => u.username)).toEqual(["Eve@Example.com"]);
    expect(emu.log.entries({ operationId: "listOrgUsers" }).map((e) => e.query)).toEqual([
      { username: "Eve@Example.com", itemsPerPage: "500", pageNum: "1" },
    ]);
  });

  it("sees an accepted invitation as an ACTIVE user and lists no user for an unknown username", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    await api.createOrgInvite(emu.orgId, { username: "f@example.com", roles: ["ORG_MEMBER"] });
    emu.control.acceptInvitation(emu.orgId, "f@example.com");
    const users = await api.listAllOrgUsers(emu.orgId);
    expect(users.filter((u) => u.username === "f@example.com")).toEqual([
      expect.objectContaining({ orgMembershipStatus: "ACTIVE" }),
    ]);
    expect(users.some((u) => u.username === "nobody@example.com")).toBe(false);
    expect(await api.listOrgInvites(emu.orgId)).toEqual([]);
  });

  it("reports Atlas's error body with status, errorCode, detail, method and path", async () => {
    const emu = emulator();
    const api = clientFor(emu, kind);
    const unknownTeam = "0123456789abcdef01234567";
    const err = await failure(
      api.createOrgInvite(emu.orgId, {
        username: "g@example.com",
        roles: ["ORG_MEMBER"],
        teamIds: [unknownTeam],
      }),
    );
    expect(err.status).toBe(400);
    expect(err.errorCode).not.toBe("UNKNOWN");
    expect(err.detail).toBeTruthy();
    expect(err).toMatchObject({ method: "POST", path: `/api/atlas/v2/orgs/${emu.orgId}/invites` });
    expect(err.message).toContain(
      `Atlas answered 400 ${err.errorCode} for POST /api/atlas/v2/orgs/${emu.orgId}/invites`,
    );
    expect(err.message).toContain(err.detail as string);
  });
});

describe("path encoding", () => {
  it("encodes path segments so an id cannot change the route", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    const err = await failure(api.getOrgInvite(emu.orgId, "a/b?c"));
    expect(err.path).toBe(`/api/atlas/v2/orgs/${emu.orgId}/invites/a%2Fb%3Fc`);
    expect(emu.log.entries().at(-1)?.path).toBe(
      `/api/atlas/v2/orgs/${emu.orgId}/invites/a%2Fb%3Fc`,
    );
    emu.takeViolations(); // an invalid id on purpose
  });

  it("refuses dot segments in every id before sending anything", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    const ID = "0123456789abcdef01234567";
    // Promise.resolve().then(...) turns a synchronous throw into a rejection, so this test holds
    // however the method fails; the next test pins down that it fails asynchronously.
    const calls: (() => Promise<unknown>)[] = [
      () => api.getOrgInvite(emu.orgId, ".."),
      () => api.updateOrgInviteById(emu.orgId, ".", { roles: ["ORG_MEMBER"] }),
      () => api.deleteOrgInvite(emu.orgId, ".."),
      () => api.listOrgInvites(".."),
      () => api.createOrgInvite(".", { username: "x@example.com", roles: ["ORG_MEMBER"] }),
      () => api.getOrgUser(emu.orgId, ".."),
      () => api.updateOrgUser(emu.orgId, "..", { roles: { orgRoles: ["ORG_MEMBER"] } }),
      () => api.removeOrgUser("..", ID),
    ];
    for (const call of calls) {
      await expect(Promise.resolve().then(call)).rejects.toThrow(RangeError);
    }
    expect(emu.log.count()).toBe(0);
  });

  // PRODUCT BUG (reported): the non-async client methods (getOrgInvite, listOrgInvites,
  // createOrgInvite, updateOrgInviteById, listOrgUsers, getOrgUser, createOrgUser, updateOrgUser)
  // throw the RangeError synchronously, while deleteOrgInvite and removeOrgUser reject. A
  // Promise-returning API should reject; `api.getOrgInvite(org, "..").catch(...)` escapes the
  // catch today. Flip to `it` once provider/atlas/{invitations,users}.ts reject instead.
  it("refuses a dot segment as a rejected promise, never a synchronous throw", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest");
    await expect(api.getOrgInvite(emu.orgId, "..")).rejects.toThrow(RangeError);
    expect(emu.log.count()).toBe(0);
  });
});

import { isAtlasApiError, isAtlasNetworkError } from "../../provider/atlas/errors";
import {
  isInvitationAcceptedError,
  isInvitationGoneError,
  isUserAlreadyMemberError,
} from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { ALICE, asProps, calls, directApi, makeProvider } from "./helpers";

const emulator = useEmulator();

async function createAlice(roles = ["ORG_MEMBER"], extra: Record<string, unknown> = {}) {
  const emu = emulator();
  const { provider, log } = makeProvider(emu);
  const result = await provider.create({
    orgId: emu.orgId,
    username: ALICE,
    roles,
    onAccepted: "fail",
    ...extra,
  });
  emu.log.clear();
  return { provider, log, id: result.id, outs: result.outs as OrgInvitationOutputs };
}

describe("create", () => {
  it("creates a new invitation with one look-up and one POST, and returns plain-JSON outputs", async () => {
    const emu = emulator();
    const { provider } = makeProvider(emu);
    const created = await provider.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      teamIds: [emu.teamIds[0]],
      groupRoleAssignments: [{ groupId: emu.projectId, roles: ["GROUP_READ_ONLY"] }],
      onAccepted: "fail",
    });
    const { id } = created;
    const outs = created.outs as OrgInvitationOutputs;
    expect(calls(emu)).toEqual(["listOrgInvites", "createOrgInvite"]);
    const stored = emu.control.invitations(emu.orgId);
    expect(stored).toHaveLength(1);
    expect(id).toBe(stored[0]?.id);
    expect(outs).toMatchObject({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      teamIds: [emu.teamIds[0]],
      groupRoleAssignments: [{ groupId: emu.projectId, roles: ["GROUP_READ_ONLY"] }],
      onAccepted: "fail",
      invitationId: id,
      orgName: "Emulated-Org",
      status: "PENDING",
    });
    expect(typeof outs.createdAt).toBe("string");
    expect(typeof outs.expiresAt).toBe("string");
    // Plain JSON: nothing the engine would reject (undefined, Date, class instances).
    expect(JSON.parse(JSON.stringify(outs))).toEqual(outs);
  });

  it("adopts a pending invitation for the same user and brings its roles and teams to the declaration", async () => {
    const emu = emulator();
    const existing = await directApi(emu).createOrgInvite(emu.orgId, {
      username: ALICE,
      roles: ["ORG_READ_ONLY"],
    });
    emu.log.clear();
    const { provider, log } = makeProvider(emu);
    const { id, outs } = await provider.create({
      orgId: emu.orgId,
      username: "Alice@Example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [emu.teamIds[1]],
    });
    if (!outs) throw new Error("create returned no outputs");
    expect(calls(emu)).toEqual(["listOrgInvites", "updateOrgInviteById"]);
    expect(id).toBe(existing.id);
    expect(outs.roles).toEqual(["ORG_MEMBER"]);
    const stored = emu.control.invitations(emu.orgId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ roles: ["ORG_MEMBER"], teamIds: [emu.teamIds[1]] });
    expect(log.info.join("\n")).toMatch(/adopting the pending invitation/);
  });

  it("adopts a matching pending invitation without changing it", async () => {
    const emu = emulator();
    const existing = await directApi(emu).createOrgInvite(emu.orgId, {
      username: ALICE,
      roles: ["ORG_MEMBER"],
    });
    emu.log.clear();
    const { provider } = makeProvider(emu);
    const { id } = await provider.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
    });
    expect(calls(emu)).toEqual(["listOrgInvites"]);
    expect(id).toBe(existing.id);
  });

  it.each(["replace", "reject", "duplicate"] as const)(
    "never creates a second invitation when Atlas's answer to a repeated POST is %s",
    async (policy) => {
      const emu = emulator();
      emu.control.setDuplicateInvitePolicy(policy);
      const api = directApi(emu);
      await api.createOrgInvite(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
      if (policy === "duplicate")
        await api.createOrgInvite(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
      const before = emu.control.invitations(emu.orgId).map((i) => i.id);
      emu.log.clear();
      const { provider } = makeProvider(emu);
      const { id } = await provider.create({
        orgId: emu.orgId,
        username: ALICE,
        roles: ["ORG_MEMBER"],
      });
      expect(calls(emu)).not.toContain("createOrgInvite");
      expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual(before);
      expect(before).toContain(id);
    },
  );

  it("adopts the invitation when a concurrent invite makes the POST answer 409", async () => {
    const emu = emulator();
    emu.control.setDuplicateInvitePolicy("reject");
    // The POST lands, yet Atlas answers 409, as when another actor invited the user in between.
    emu.control.injectFault({
      match: { operationId: "createOrgInvite" },
      commit: true,
      status: 409,
      errorCode: "INVITATION_ALREADY_EXISTS",
    });
    const { provider } = makeProvider(emu);
    const { id } = await provider.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
    });
    expect(calls(emu)).toEqual([
      "listOrgInvites",
      "createOrgInvite:409",
      "listOrgUsers",
      "listOrgInvites",
    ]);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([id]);
  });

  it("fails with a clear error when the user is already an active member", async () => {
    const emu = emulator();
    emu.control.addMember(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
    const { provider } = makeProvider(emu);
    const error = await provider
      .create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] })
      .catch((e: unknown) => e);
    expect(isUserAlreadyMemberError(error)).toBe(true);
    expect((error as Error).message).toContain(
      `${ALICE} is already an active member of organization ${emu.orgId}`,
    );
    expect(calls(emu)).toEqual(["listOrgInvites", "createOrgInvite:409", "listOrgUsers"]);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it("names the input Atlas rejected instead of dumping the HTTP answer", async () => {
    const emu = emulator();
    emu.control.setDomainAllowList(emu.orgId, ["corp.example"]);
    const { provider } = makeProvider(emu);
    const error = await provider
      .create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^Atlas rejected username "alice@example.com" \(400 DOMAIN_NOT_IN_ALLOW_LIST\)/,
    );
  });
});

describe("read (refresh)", () => {
  it("refreshes a pending invitation with one GET", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    const result = await provider.read(id, outs);
    expect(calls(emu)).toEqual(["getOrgInvite"]);
    expect(result).toEqual({ id, props: outs });
  });

  it("shows roles and teams changed outside Pulumi as drift, which the next update reverts", async () => {
    const { provider, id, outs } = await createAlice(["ORG_MEMBER"]);
    const emu = emulator();
    emu.control.setInvitation(emu.orgId, id, {
      roles: ["ORG_OWNER"],
      teamIds: [emu.teamIds[0] as string],
    });
    const refreshed = await provider.read(id, outs);
    expect(refreshed.props).toMatchObject({ roles: ["ORG_OWNER"], teamIds: [emu.teamIds[0]] });
    const declared = {
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    };
    expect(await provider.diff(id, refreshed.props as OrgInvitationOutputs, declared)).toEqual({
      changes: true,
    });
    emu.log.clear();
    await provider.update(id, refreshed.props as OrgInvitationOutputs, declared);
    expect(calls(emu)).toEqual(["updateOrgInviteById"]);
    expect(emu.control.invitations(emu.orgId)[0]).toMatchObject({
      roles: ["ORG_MEMBER"],
      teamIds: [],
    });
  });

  it("keeps an accepted invitation in state with status ACCEPTED", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.acceptInvitation(emu.orgId, id);
    const result = await provider.read(id, outs);
    expect(result).toEqual({ id, props: { ...outs, status: "ACCEPTED" } });
    expect(calls(emu)).toEqual(["getOrgInvite:404", "listOrgUsers"]);
    // Already known to be accepted: no GET of an invitation that cannot exist any more.
    emu.log.clear();
    await provider.read(id, result.props as OrgInvitationOutputs);
    expect(calls(emu)).toEqual(["listOrgUsers"]);
  });

  it.each([
    ["expired", (orgId: string, id: string) => emulator().control.expireInvitation(orgId, id)],
    ["rejected", (orgId: string, id: string) => emulator().control.rejectInvitation(orgId, id)],
    [
      "cancelled outside Pulumi",
      async (orgId: string, id: string) => directApi(emulator()).deleteOrgInvite(orgId, id),
    ],
  ])("reports an %s invitation as gone so the next up invites again", async (_name, end) => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    await end(emu.orgId, id);
    emu.log.clear();
    expect(await provider.read(id, outs)).toEqual({});
    expect(calls(emu)).toEqual(["getOrgInvite:404", "listOrgUsers"]);
  });
});

describe("update", () => {
  it("changes roles and teams with one PATCH by id, clearing teams no longer declared", async () => {
    const emu = emulator();
    const { provider, id, outs } = await createAlice(["ORG_MEMBER"], { teamIds: [emu.teamIds[0]] });
    const result = await provider.update(id, outs, {
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
      onAccepted: "fail",
    });
    expect(calls(emu)).toEqual(["updateOrgInviteById"]);
    expect(result.outs).toMatchObject({
      roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
      teamIds: [],
      invitationId: id,
    });
    expect(emu.control.invitations(emu.orgId)[0]).toMatchObject({
      roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
      teamIds: [],
    });
  });

  it("changes onAccepted in state only, without any API call", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    const result = await provider.update(id, outs, {
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "retain",
    });
    expect(calls(emu)).toEqual([]);
    expect(result.outs).toEqual({ ...outs, onAccepted: "retain" });
  });

  it("refuses to change an invitation that was accepted, with a clear error", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.acceptInvitation(emu.orgId, id);
    const news = { orgId: emu.orgId, username: ALICE, roles: ["ORG_OWNER"], onAccepted: "fail" };
    const error = await provider.update(id, outs, news).catch((e: unknown) => e);
    expect(isInvitationAcceptedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/no longer exists/);
    expect(calls(emu)).toEqual(["updateOrgInviteById:404", "listOrgUsers"]);
    emu.log.clear();
    const again = await provider
      .update(id, { ...outs, status: "ACCEPTED" }, news)
      .catch((e: unknown) => e);
    expect(isInvitationAcceptedError(again)).toBe(true);
    expect(calls(emu)).toEqual([]);
  });

  it("says to refresh when the invitation expired before the update", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.expireInvitation(emu.orgId, id);
    const error = await provider
      .update(id, outs, { orgId: emu.orgId, username: ALICE, roles: ["ORG_OWNER"] })
      .catch((e: unknown) => e);
    expect(isInvitationGoneError(error)).toBe(true);
    expect((error as Error).message).toMatch(/pulumi refresh/);
  });
});

describe("delete", () => {
  it("cancels a pending invitation with exactly one DELETE", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    await provider.delete(id, asProps(outs));
    expect(calls(emu)).toEqual(["deleteOrgInvite"]);
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
    expect(emu.control.users(emu.orgId)).toEqual([]);
  });

  it.each(["404", "400"] as const)(
    "succeeds when the invitation is already gone and Atlas answers %s",
    async (answer) => {
      const { provider, id, outs } = await createAlice();
      const emu = emulator();
      emu.control.setDeleteMissingAnswer(answer);
      await directApi(emu).deleteOrgInvite(emu.orgId, id);
      emu.log.clear();
      await provider.delete(id, asProps(outs));
      expect(calls(emu)).toEqual([`deleteOrgInvite:${answer}`, "listOrgUsers"]);
    },
  );

  it("refuses to delete an accepted invitation under onAccepted fail, and never touches the member", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.acceptInvitation(emu.orgId, id);
    const error = await provider.delete(id, asProps(outs)).catch((e: unknown) => e);
    expect(isInvitationAcceptedError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(ALICE);
    expect(message).toContain(emu.orgId);
    expect(message).toContain('onAccepted: "retain"');
    expect(message).toContain("pulumi state delete");
    expect(calls(emu)).toEqual(["deleteOrgInvite:404", "listOrgUsers"]);
    expect(emu.control.users(emu.orgId)).toMatchObject([
      { username: ALICE, orgMembershipStatus: "ACTIVE" },
    ]);
  });

  it("leaves an accepted member in place under onAccepted retain, succeeding with a warning", async () => {
    const { provider, log, id, outs } = await createAlice(["ORG_MEMBER"], { onAccepted: "retain" });
    const emu = emulator();
    emu.control.acceptInvitation(emu.orgId, id);
    await provider.delete(id, asProps({ ...outs, status: "ACCEPTED" }));
    expect(calls(emu)).toEqual(["listOrgUsers"]);
    expect(log.warn.join("\n")).toMatch(/member was left in place/);
    expect(emu.control.users(emu.orgId)).toMatchObject([
      { username: ALICE, orgMembershipStatus: "ACTIVE" },
    ]);
  });

  it("never sends a DELETE to org users, whatever the outcome", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.acceptInvitation(emu.orgId, id);
    await provider.delete(id, asProps(outs)).catch(() => undefined);
    await provider.delete(id, asProps({ ...outs, onAccepted: "retain" }));
    expect(emu.log.entries({ operationId: "removeOrgUser" })).toEqual([]);
    expect(
      emu.log.entries().filter((e) => e.method === "DELETE" && e.path.includes("/users")),
    ).toEqual([]);
  });

  it.each([
    [401, "USER_UNAUTHORIZED"],
    [403, "ACCESS_FORBIDDEN"],
    [500, "UNEXPECTED_ERROR"],
    [503, "SERVICE_UNAVAILABLE"],
  ])("fails the delete on %i %s and keeps the invitation", async (status, errorCode) => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "deleteOrgInvite" },
      status,
      errorCode,
      times: Infinity,
    });
    const error = await provider.delete(id, asProps(outs)).catch((e: unknown) => e);
    expect(isAtlasApiError(error) && error.status === status && error.errorCode === errorCode).toBe(
      true,
    );
    expect(calls(emu).every((c) => c === `deleteOrgInvite:${status}`)).toBe(true);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([id]);
    expect(emu.log.count({ operationId: "listOrgUsers" })).toBe(0);
  });

  it("fails the delete on a network error and keeps the invitation", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "deleteOrgInvite" },
      reset: true,
      times: Infinity,
    });
    const error = await provider.delete(id, asProps(outs)).catch((e: unknown) => e);
    expect(isAtlasNetworkError(error)).toBe(true);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([id]);
  });

  it("fails, rather than reporting gone, when the organization itself is not found", async () => {
    const { provider, id, outs } = await createAlice();
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "deleteOrgInvite" },
      status: 404,
      errorCode: "ORG_NOT_FOUND",
    });
    const error = await provider.delete(id, asProps(outs)).catch((e: unknown) => e);
    expect(isAtlasApiError(error) && error.errorCode === "ORG_NOT_FOUND").toBe(true);
    expect(calls(emu)).toEqual(["deleteOrgInvite:404"]);
  });
});

describe("check and configuration", () => {
  it("reports missing credentials at preview time, naming what to set", async () => {
    const emu = emulator();
    const { provider } = makeProvider(emu, { env: {} });
    const error = await provider
      .check({}, { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/mongodbatlas:clientId.*MONGODB_ATLAS_CLIENT_ID/);
    expect(emu.log.count()).toBe(0);
  });

  it("reads credentials from Pulumi config before the environment", async () => {
    const emu = emulator();
    const { provider } = makeProvider(emu, {
      env: { MONGODB_ATLAS_PUBLIC_KEY: "wrong", MONGODB_ATLAS_PRIVATE_KEY: "wrong" },
    });
    const config: Record<string, string> = {
      "mongodbatlas:baseUrl": emu.baseUrl,
      "mongodbatlas:clientId": emu.credentials.clientId,
      "mongodbatlas:clientSecret": emu.credentials.clientSecret,
    };
    await provider.configure({
      config: { get: (k: string) => config[k], require: (k: string) => config[k] as string },
    });
    const { id } = await provider.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
    });
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual([id]);
    expect(emu.log.entries().some((e) => e.auth === "bearer")).toBe(true);
    expect(emu.log.entries().some((e) => e.auth === "digest")).toBe(false);
  });
});

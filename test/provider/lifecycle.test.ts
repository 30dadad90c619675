/**
 * The lifecycle rules (create, refresh, update, delete) on both backends, under every Atlas
 * variant the emulator can play where Atlas's answer is unrecorded (test/support/variants.ts).
 * Every test asserts the exact calls made.
 */
import {
  isAtlasApiError,
  isAtlasNetworkError,
  isInvitationAcceptedError,
  isInvitationDeclaredTwiceError,
  isInvitationGoneError,
  isUserAlreadyMemberError,
} from "../../provider/errors";
import { DECLARED_TWICE_KEY, UNKNOWN } from "../../provider/model";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ALL_VARIANTS, BACKENDS, knob } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import {
  ALICE,
  asProps,
  calls,
  declaredOf,
  directApi,
  expectCalls,
  freshProcessState,
  makeProvider,
  plan,
} from "./helpers";

const emulator = useEmulator();
freshProcessState();

/** How the program spells Alice's address in the tests about letter case. */
const ALICE_SHOUTED = "Alice@Example.COM";

describe.each(BACKENDS)("on the %s API", (backend: Backend) => {
  describe.each(ALL_VARIANTS)("with Atlas $name", (variant: AtlasVariant) => {
    const steps = plan(backend, variant);
    /** After acceptance, does a look-up by the pending user's id still find the person? */
    const sameUserId = knob(variant, "acceptedUserId") === "same";

    beforeEach(() => {
      emulator().control.setKnobs(variant.knobs);
    });

    const provider = (emu: TestEmulator) => makeProvider(emu, { api: backend });

    async function createAlice(extra: Record<string, unknown> = {}) {
      const emu = emulator();
      const { provider: p, log } = await provider(emu);
      const result = await p.create({
        orgId: emu.orgId,
        username: ALICE,
        roles: ["ORG_MEMBER"],
        onAccepted: "fail",
        ...extra,
      });
      emu.log.clear();
      return { provider: p, log, id: result.id, outs: result.outs as OrgInvitationOutputs };
    }

    /** The invitation id of Alice's pending invitation, whatever the backend recorded. */
    const invitationOfAlice = (emu: TestEmulator): string => {
      const [invitation] = emu.control.invitations(emu.orgId);
      if (!invitation) throw new Error("Alice has no pending invitation");
      return invitation.id;
    };

    describe("create", () => {
      it("sends one invitation after looking the person up, and returns plain-JSON outputs", async () => {
        const emu = emulator();
        const { provider: p } = await provider(emu);
        const created = await p.create({
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER"],
          teamIds: [emu.teamIds[0]],
          groupRoleAssignments: [{ groupId: emu.projectId, roles: ["GROUP_READ_ONLY"] }],
          onAccepted: "fail",
        });
        expectCalls(emu, steps.createNew);
        const outs = created.outs as OrgInvitationOutputs;
        const stored = emu.control.invitations(emu.orgId);
        expect(stored).toHaveLength(1);
        expect(outs).toMatchObject({
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER"],
          teamIds: [emu.teamIds[0]],
          groupRoleAssignments: [{ groupId: emu.projectId, roles: ["GROUP_READ_ONLY"] }],
          onAccepted: "fail",
          status: "PENDING",
        });
        if (backend === "invites") {
          expect(created.id).toBe(stored[0]?.id);
          expect(outs.invitationId).toBe(created.id);
        } else {
          const user = emu.control
            .users(emu.orgId)
            .find((u) => u.orgMembershipStatus === "PENDING");
          expect(created.id).toBe(user?.id);
          expect(outs.userId).toBe(created.id);
          expect(created.id).not.toBe(stored[0]?.id);
        }
        expect(typeof outs.createdAt).toBe("string");
        expect(typeof outs.expiresAt).toBe("string");
        expect(JSON.parse(JSON.stringify(outs))).toEqual(outs);
      });

      it("adopts the person's pending invitation, whatever letter case the program uses, and brings it to the declaration", async () => {
        const emu = emulator();
        const existing = await directApi(emu).createOrgInvite(emu.orgId, {
          username: ALICE,
          roles: ["ORG_READ_ONLY"],
        });
        emu.log.clear();
        const { provider: p, log } = await provider(emu);
        const { outs } = await p.create({
          orgId: emu.orgId,
          username: ALICE_SHOUTED,
          roles: ["ORG_MEMBER"],
          teamIds: [emu.teamIds[1]],
        });
        expectCalls(emu, steps.adoptDiffering);
        const stored = emu.control.invitations(emu.orgId);
        expect(stored.map((i) => i.id)).toEqual([existing.id]);
        expect(stored[0]).toMatchObject({ roles: ["ORG_MEMBER"], teamIds: [emu.teamIds[1]] });
        expect(outs).toMatchObject({ username: ALICE_SHOUTED, roles: ["ORG_MEMBER"] });
        expect(log.info.join("\n")).toMatch(/adopting the pending invitation/);
      });

      it("adopts a matching pending invitation without changing it", async () => {
        const emu = emulator();
        await directApi(emu).createOrgInvite(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
        emu.log.clear();
        const { provider: p } = await provider(emu);
        await p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
        expectCalls(emu, steps.adoptMatching);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("never sends a second invitation to a person who has one, whatever Atlas does with a repeated POST", async () => {
        const emu = emulator();
        const api = directApi(emu);
        await api.createOrgInvite(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
        if (knob(variant, "duplicateInvitePolicy") === "duplicate") {
          await api.createOrgInvite(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
        }
        const before = emu.control.invitations(emu.orgId).map((i) => i.id);
        emu.log.clear();
        const { provider: p } = await provider(emu);
        await p.create({ orgId: emu.orgId, username: ALICE_SHOUTED, roles: ["ORG_MEMBER"] });
        expect(calls(emu).some((c) => c.startsWith("createOrg"))).toBe(false);
        expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toEqual(before);
      });

      it("adopts the invitation when a concurrent invite makes the POST answer 409", async () => {
        const emu = emulator();
        const post = backend === "invites" ? "createOrgInvite" : "createOrgUser";
        // The POST lands, yet Atlas answers 409, as when another actor invited the person in between.
        emu.control.injectFault({
          match: { operationId: post },
          commit: true,
          status: 409,
          errorCode: "USER_ALREADY_EXISTS",
        });
        const { provider: p } = await provider(emu);
        await p.create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] });
        const lookups =
          backend === "invites"
            ? ["listOrgUsers", "listOrgInvites"]
            : ["listOrgUsers", "listOrgUsers"];
        expectCalls(emu, [
          ...(steps.createNew.slice(0, -1) as string[][]),
          `${post}:409`,
          ...lookups,
        ]);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("fails with a clear error, and sends nothing, when the person is already an active member under any spelling", async () => {
        const emu = emulator();
        emu.control.addMember(emu.orgId, { username: ALICE, roles: ["ORG_MEMBER"] });
        const { provider: p } = await provider(emu);
        const error = await p
          .create({ orgId: emu.orgId, username: ALICE_SHOUTED, roles: ["ORG_MEMBER"] })
          .catch((e: unknown) => e);
        expect(isUserAlreadyMemberError(error)).toBe(true);
        expect((error as Error).message).toContain(
          `is already an active member of organization ${emu.orgId}`,
        );
        expectCalls(emu, steps.createMember);
        expect(emu.control.invitations(emu.orgId)).toEqual([]);
      });

      it("names the input Atlas rejected instead of dumping the HTTP answer", async () => {
        const emu = emulator();
        emu.control.setDomainAllowList(emu.orgId, ["corp.example"]);
        const { provider: p } = await provider(emu);
        const error = await p
          .create({ orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] })
          .catch((e: unknown) => e);
        expect((error as Error).message).toMatch(
          /^Atlas rejected username "alice@example.com" \(400 DOMAIN_NOT_IN_ALLOW_LIST\)/,
        );
      });

      it("refuses a second resource that declares the same person in one deployment, before any API call", async () => {
        const emu = emulator();
        const { provider: p } = await provider(emu);
        const declare = (username: string) =>
          p.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }).then(
            () => "created",
            (e: unknown) => e,
          );
        const outcomes = await Promise.all([declare(ALICE), declare(ALICE_SHOUTED)]);
        expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
        const refused = outcomes.find((o) => o !== "created");
        expect(isInvitationDeclaredTwiceError(refused)).toBe(true);
        expect((refused as Error).message).toMatch(/declared by two OrgInvitation resources/);
        expect(calls(emu).filter((c) => c.startsWith("createOrg"))).toHaveLength(1);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
        // Later in the same deployment, too: no call at all.
        emu.log.clear();
        const again = await declare(ALICE);
        expect(isInvitationDeclaredTwiceError(again)).toBe(true);
        expect(calls(emu)).toEqual([]);
      });

      /** A later deployment: a new provider, whose engine checks the program's resources first. */
      async function laterDeployment(emu: TestEmulator) {
        const { provider: first } = await provider(emu);
        const declared = { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] };
        const made = await first.create({ ...declared });
        const { provider: p } = await provider(emu);
        emu.log.clear();
        return { p, made, declared };
      }

      it("refuses a new resource for a person another resource of the stack already manages, before any API call", async () => {
        const emu = emulator();
        const { p, declared } = await laterDeployment(emu);
        const duplicate = { ...declared, username: ALICE_SHOUTED };
        await p.check({ ...declared }, { ...declared }); // unchanged: its state holds the invitation
        await p.check({}, { ...duplicate }); // new
        const error = await p.create({ ...duplicate }).catch((e: unknown) => e);
        expect(isInvitationDeclaredTwiceError(error)).toBe(true);
        expect(error).toMatchObject({ alreadyManaged: true, otherUsername: ALICE });
        expect((error as Error).message).toMatch(/already manages the invitation/);
        expect(calls(emu)).toEqual([]);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("refuses the adoption when the managing resource's check arrives while the new one looks the person up", async () => {
        const emu = emulator();
        const { p, declared } = await laterDeployment(emu);
        const duplicate = { ...declared, username: ALICE_SHOUTED };
        await p.check({}, { ...duplicate });
        emu.control.injectFault({
          match: { method: "GET" },
          commit: true,
          delayMs: 150,
          times: Infinity,
        });
        const creating = p.create({ ...duplicate }).catch((e: unknown) => e);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(calls(emu).length).toBe(0); // the look-ups are still held back
        await p.check({ ...declared }, { ...declared });
        const error = await creating;
        expect(isInvitationDeclaredTwiceError(error)).toBe(true);
        // Only the look-ups reached Atlas: nothing was adopted, updated or sent.
        expect(calls(emu).every((c) => /^(get|list)/.test(c))).toBe(true);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("lets a resource replaced in place (pulumi up --replace) adopt its own invitation: no other resource declares the person", async () => {
        const emu = emulator();
        const { p, made, declared } = await laterDeployment(emu);
        await p.check({ ...declared }, { ...declared });
        const replaced = await p.create({ ...declared });
        expect(replaced.id).toBe(made.id);
        expect(calls(emu).some((c) => c.startsWith("create"))).toBe(false);
      });
    });

    describe("read (refresh)", () => {
      it("refreshes a pending invitation with one GET by id", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        const result = await p.read(id, outs);
        expectCalls(emu, steps.readPending);
        expect(result).toEqual({ id, props: outs, inputs: declaredOf(outs) });
      });

      it("shows roles and teams changed outside Pulumi as drift, which the next update reverts", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.setInvitation(emu.orgId, invitationOfAlice(emu), {
          roles: ["ORG_OWNER"],
          teamIds: [emu.teamIds[0] as string],
        });
        const refreshed = await p.read(id, outs);
        expect(refreshed.props).toMatchObject({ roles: ["ORG_OWNER"], teamIds: [emu.teamIds[0]] });
        // The engine keeps these as the inputs, so `ignoreChanges` on roles keeps the admin's edit.
        expect(refreshed.inputs).toEqual(declaredOf(refreshed.props as OrgInvitationOutputs));
        const declared = {
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER"],
          onAccepted: "fail",
        };
        expect(await p.diff(id, refreshed.props as OrgInvitationOutputs, declared)).toEqual({
          changes: true,
        });
        emu.log.clear();
        await p.update(id, refreshed.props as OrgInvitationOutputs, declared);
        expectCalls(emu, steps.updatePending);
        expect(emu.control.invitations(emu.orgId)[0]).toMatchObject({
          roles: ["ORG_MEMBER"],
          teamIds: [],
        });
      });

      it("keeps an accepted invitation in state as ACCEPTED, even when the account spells the address otherwise, then asks only for membership", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.acceptInvitation(emu.orgId, invitationOfAlice(emu), {
          accountUsername: ALICE_SHOUTED,
        });
        const result = await p.read(id, outs);
        expect(result).toEqual({
          id,
          props: { ...outs, status: "ACCEPTED" },
          inputs: declaredOf(outs),
        });
        expectCalls(emu, steps.readNotPending(sameUserId));
        emu.log.clear();
        await p.read(id, result.props as OrgInvitationOutputs);
        expectCalls(emu, ["listOrgUsers"]);
      });

      it.each(["expired", "rejected", "cancelled outside Pulumi"] as const)(
        "reports an %s invitation as gone so the next up invites again",
        async (how) => {
          const { provider: p, id, outs } = await createAlice();
          const emu = emulator();
          const invitationId = invitationOfAlice(emu);
          if (how === "expired") emu.control.expireInvitation(emu.orgId, invitationId);
          if (how === "rejected") emu.control.rejectInvitation(emu.orgId, invitationId);
          if (how === "cancelled outside Pulumi")
            await directApi(emu).deleteOrgInvite(emu.orgId, invitationId);
          emu.log.clear();
          expect(await p.read(id, outs)).toEqual({});
          expectCalls(emu, steps.readNotPending(false));
        },
      );
    });

    describe("update", () => {
      it("changes roles and teams of a pending invitation, clearing teams no longer declared", async () => {
        const emu = emulator();
        const { provider: p, id, outs } = await createAlice({ teamIds: [emu.teamIds[0]] });
        const result = await p.update(id, outs, {
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
          onAccepted: "fail",
        });
        expectCalls(emu, steps.updatePending);
        expect(result.outs).toMatchObject({
          roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
          teamIds: [],
        });
        expect(emu.control.invitations(emu.orgId)[0]).toMatchObject({
          roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
          teamIds: [],
        });
      });

      it("changes onAccepted in state only, without any API call", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        const result = await p.update(id, outs, {
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER"],
          onAccepted: "retain",
        });
        expect(calls(emu)).toEqual([]);
        expect(result.outs).toEqual({ ...outs, onAccepted: "retain" });
      });

      it("records changes to an accepted invitation in state only, with a warning, so up never fails for it", async () => {
        const { provider: p, log, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.acceptInvitation(emu.orgId, invitationOfAlice(emu));
        const news = {
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_OWNER"],
          onAccepted: "fail",
        };
        const first = await p.update(id, outs, news);
        expect(first.outs).toMatchObject({ roles: ["ORG_OWNER"], status: "ACCEPTED" });
        expectCalls(emu, steps.updateNotPending(sameUserId));
        expect(log.warn.join("\n")).toMatch(/recorded in state only/);
        emu.log.clear();
        const second = await p.update(id, first.outs as OrgInvitationOutputs, {
          ...news,
          roles: ["ORG_READ_ONLY"],
          onAccepted: "retain",
        });
        expect(second.outs).toMatchObject({
          roles: ["ORG_READ_ONLY"],
          onAccepted: "retain",
          status: "ACCEPTED",
        });
        expect(calls(emu)).toEqual([]);
        expect(emu.control.users(emu.orgId)).toMatchObject([
          { orgMembershipStatus: "ACTIVE", roles: ["ORG_MEMBER"] },
        ]);
      });

      it("says to refresh when the invitation expired before the update", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.expireInvitation(emu.orgId, invitationOfAlice(emu));
        const error = await p
          .update(id, outs, { orgId: emu.orgId, username: ALICE, roles: ["ORG_OWNER"] })
          .catch((e: unknown) => e);
        expect(isInvitationGoneError(error)).toBe(true);
        expect((error as Error).message).toMatch(/pulumi refresh/);
      });
    });

    describe("delete", () => {
      it("cancels a pending invitation", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        await p.delete(id, asProps(outs));
        expectCalls(emu, steps.deletePending);
        expect(emu.control.invitations(emu.orgId)).toEqual([]);
        expect(emu.control.users(emu.orgId)).toEqual([]);
      });

      it("succeeds when the invitation is already gone", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        await directApi(emu).deleteOrgInvite(emu.orgId, invitationOfAlice(emu));
        emu.log.clear();
        await p.delete(id, asProps(outs));
        expectCalls(emu, steps.deleteNotPending(false));
      });

      it("refuses to delete an accepted invitation under onAccepted fail, whatever the account's spelling, and never touches the member", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.acceptInvitation(emu.orgId, invitationOfAlice(emu), {
          accountUsername: ALICE_SHOUTED,
        });
        const error = await p.delete(id, asProps(outs)).catch((e: unknown) => e);
        expect(isInvitationAcceptedError(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain(ALICE);
        expect(message).toContain(emu.orgId);
        expect(message).toContain('onAccepted: "retain"');
        expect(message).toContain("ATLAS_INVITATIONS_ON_ACCEPTED=retain");
        expectCalls(emu, steps.deleteNotPending(sameUserId));
        expect(emu.control.users(emu.orgId)).toMatchObject([{ orgMembershipStatus: "ACTIVE" }]);
      });

      it("leaves an accepted member in place under onAccepted retain, succeeding with a warning", async () => {
        const { provider: p, log, id, outs } = await createAlice({ onAccepted: "retain" });
        const emu = emulator();
        emu.control.acceptInvitation(emu.orgId, invitationOfAlice(emu));
        await p.delete(id, asProps({ ...outs, status: "ACCEPTED" }));
        expectCalls(emu, ["listOrgUsers"]);
        expect(log.warn.join("\n")).toMatch(/member was left in place/);
        expect(emu.control.users(emu.orgId)).toMatchObject([{ orgMembershipStatus: "ACTIVE" }]);
      });

      it("never removes an active member, whatever the outcome", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        emu.control.acceptInvitation(emu.orgId, invitationOfAlice(emu));
        await p.delete(id, asProps(outs)).catch(() => undefined);
        await p.delete(id, asProps({ ...outs, onAccepted: "retain" }));
        expect(emu.control.users(emu.orgId)).toMatchObject([
          { username: ALICE, orgMembershipStatus: "ACTIVE" },
        ]);
        expect(emu.log.entries({ operationId: "removeOrgUser" })).toEqual([]);
      });

      it.each([
        [401, "USER_UNAUTHORIZED"],
        [403, "ACCESS_FORBIDDEN"],
        [500, "UNEXPECTED_ERROR"],
        [503, "SERVICE_UNAVAILABLE"],
      ])("fails the delete on %i %s and keeps the invitation", async (status, errorCode) => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        const first = backend === "invites" ? "deleteOrgInvite" : "getOrgUser";
        emu.control.injectFault({
          match: { operationId: first },
          status,
          errorCode,
          times: Infinity,
        });
        const error = await p.delete(id, asProps(outs)).catch((e: unknown) => e);
        expect(
          isAtlasApiError(error) && error.status === status && error.errorCode === errorCode,
        ).toBe(true);
        expect(calls(emu).every((c) => c === `${first}:${status}`)).toBe(true);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("fails the delete on a network error and keeps the invitation", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        const first = backend === "invites" ? "deleteOrgInvite" : "getOrgUser";
        emu.control.injectFault({ match: { operationId: first }, reset: true, times: Infinity });
        const error = await p.delete(id, asProps(outs)).catch((e: unknown) => e);
        expect(isAtlasNetworkError(error)).toBe(true);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("fails, rather than reporting gone, when the organization itself is not found", async () => {
        const { provider: p, id, outs } = await createAlice();
        const emu = emulator();
        const first = backend === "invites" ? "deleteOrgInvite" : "getOrgUser";
        emu.control.injectFault({
          match: { operationId: first },
          status: 404,
          errorCode: "ORG_NOT_FOUND",
        });
        const error = await p.delete(id, asProps(outs)).catch((e: unknown) => e);
        expect(isAtlasApiError(error) && error.errorCode === "ORG_NOT_FOUND").toBe(true);
        expect(calls(emu)).toEqual([`${first}:404`]);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
      });

      it("leaves pending an invitation that another resource of this deployment adopted (a renamed resource)", async () => {
        const { id, outs } = await createAlice();
        const emu = emulator();
        // The next deployment: the program now declares Alice under another resource name.
        const { provider: next, log } = await provider(emu);
        await next.create({
          orgId: emu.orgId,
          username: ALICE,
          roles: ["ORG_MEMBER"],
          onAccepted: "fail",
        });
        emu.log.clear();
        await next.delete(id, asProps(outs));
        expect(calls(emu)).toEqual([]);
        expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
        expect(log.warn.join("\n")).toMatch(/adopted by another OrgInvitation of this deployment/);
      });
    });
  });
});

describe("check, for a resource the program marked as declaring a person another resource declares", () => {
  const mark = (resource: string, username: string): string =>
    JSON.stringify({ resource, username });

  it("fails on username, naming the other resource and its spelling, before any API call", async () => {
    const emu = emulator();
    const { provider: p } = await makeProvider(emu);
    const news = {
      orgId: emu.orgId,
      username: ALICE_SHOUTED,
      roles: ["ORG_MEMBER"],
      [DECLARED_TWICE_KEY]: mark("alice", ALICE),
    };
    const checked = await p.check({}, news);
    expect(checked.failures).toEqual([
      {
        property: "username",
        reason: expect.stringMatching(
          /^Alice@Example\.COM is declared by two OrgInvitation resources for organization [0-9a-f]{24}; the other is "alice" \(as alice@example\.com\)/,
        ) as string,
      },
    ]);
    expect(checked.inputs).not.toHaveProperty(DECLARED_TWICE_KEY);
    expect(calls(emu)).toEqual([]);
  });

  it("ignores a mark unknown during preview, and never passes a mark on", async () => {
    const emu = emulator();
    const { provider: p } = await makeProvider(emu);
    const news = { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] };
    const checked = await p.check({}, { ...news, [DECLARED_TWICE_KEY]: UNKNOWN });
    expect(checked).toEqual({ inputs: { ...news, onAccepted: "fail" } });
  });
});

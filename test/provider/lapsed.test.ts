/**
 * Invitations past their `expiresAt` (issue 19, item 6). Whether Atlas still lists or serves them
 * is unrecorded, so every test runs on both APIs under every emulator variant, `lapsedInvitations`
 * "listed" (the default, least favourable: listed, served, every write answered 400
 * ALREADY_EXPIRED) and "dropped" (gone, its org user INVITATION_EXPIRED) among them. A lapsed
 * invitation is over: create never adopts it, refresh reports it gone, and ALREADY_EXPIRED is
 * "gone", never a raw API error.
 */
import { isAtlasApiError, isInvitationGoneError } from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ALL_VARIANTS, BACKENDS, knob } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import { asProps, calls, freshProcessState, makeProvider } from "./helpers";

const emulator = useEmulator();
freshProcessState();
afterEach(() => expect(emulator().stats().activeUserRemovals).toBe(0));

const ERIN = "erin@example.com";
const SEND = /^createOrg(Invite|User)$/;

describe.each(BACKENDS)("on the %s API", (backend: Backend) => {
  describe.each(ALL_VARIANTS)("with Atlas $name", (v: AtlasVariant) => {
    const listed = knob(v, "lapsedInvitations") === "listed";
    beforeEach(() => emulator().control.setKnobs(v.knobs));

    /** Erin's invitation, made by the provider, then lapsed in Atlas. */
    async function lapsedErin(emu: TestEmulator) {
      const { provider, log } = await makeProvider(emu, { api: backend });
      const made = await provider.create({
        orgId: emu.orgId,
        username: ERIN,
        roles: ["ORG_MEMBER"],
        onAccepted: "fail",
      });
      emu.control.lapseInvitation(emu.orgId, ERIN);
      emu.log.clear();
      return { provider, log, id: made.id, outs: made.outs as OrgInvitationOutputs };
    }

    it("sends a fresh invitation instead of adopting one that lapsed", async () => {
      const emu = emulator();
      const { id } = await lapsedErin(emu);
      // A later deployment: a new provider process.
      const { provider } = await makeProvider(emu, { api: backend });
      const fresh = await provider.create({
        orgId: emu.orgId,
        username: ERIN,
        roles: ["ORG_MEMBER"],
        onAccepted: "fail",
      });
      expect(calls(emu).filter((c) => SEND.test(c))).toHaveLength(1);
      // A new invitation id; the org users API may keep the user's id (reinvitedUserId "same").
      if (backend === "invites") expect(fresh.id).not.toBe(id);
      expect(Date.parse((fresh.outs as OrgInvitationOutputs).expiresAt ?? "")).toBeGreaterThan(
        Date.now(),
      );
      // The lapsed one was left as it is: still listed where Atlas lists lapsed invitations.
      const ids = emu.control.invitations(emu.orgId).map((i) => i.id);
      if (backend === "invites") expect(ids.includes(id)).toBe(listed);
    });

    it("reports a lapsed invitation gone on refresh, with no write", async () => {
      const emu = emulator();
      const { provider, id, outs } = await lapsedErin(emu);
      expect(await provider.read(id, outs)).toEqual({});
      expect(calls(emu).filter((c) => !c.startsWith("getOrg") && !c.startsWith("listOrg"))).toEqual(
        [],
      );
    });

    it("says the invitation is gone, not a raw API error, when an update meets a lapsed one", async () => {
      const emu = emulator();
      const { provider, id, outs } = await lapsedErin(emu);
      const error: unknown = await provider
        .update(id, outs, { orgId: emu.orgId, username: ERIN, roles: ["ORG_OWNER"] })
        .catch((e: unknown) => e);
      expect(isInvitationGoneError(error)).toBe(true);
      expect(isAtlasApiError(error)).toBe(false);
      expect((error as Error).message).toMatch(/pulumi refresh/);
    });

    it("destroys a lapsed invitation as already gone", async () => {
      const emu = emulator();
      const { provider, id, outs } = await lapsedErin(emu);
      await provider.delete(id, asProps(outs));
      expect(calls(emu).filter((c) => c.startsWith("createOrg"))).toEqual([]);
    });
  });

  it("treats 400 ALREADY_EXPIRED during an adoption as gone and sends a fresh invitation", async () => {
    const emu = emulator();
    const { provider: other } = await makeProvider(emu, { api: backend });
    await other.create({ orgId: emu.orgId, username: ERIN, roles: ["ORG_READ_ONLY"] });
    emu.log.clear();
    // The invitation lapses between the look-up and the adoption's update.
    emu.control.injectFault({
      match: { operationId: backend === "users" ? "updateOrgUser" : "updateOrgInviteById" },
      status: 400,
      errorCode: "ALREADY_EXPIRED",
    });
    emu.control.setKnobs({ duplicateInvitePolicy: "replace" });
    const { provider } = await makeProvider(emu, { api: backend });
    const made = await provider.create({
      orgId: emu.orgId,
      username: ERIN,
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    });
    expect(calls(emu)).toContain(
      backend === "users" ? "updateOrgUser:400" : "updateOrgInviteById:400",
    );
    expect((made.outs as OrgInvitationOutputs).roles).toEqual(["ORG_MEMBER"]);
  });
});

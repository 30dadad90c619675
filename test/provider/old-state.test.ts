/**
 * State written on one Atlas API, used on the other (issue 19, item 1): every 0.1.0 state and any
 * state not refreshed since the move holds an invitation id and no org user id, and the two ids
 * never match. The provider acts only on an invitation that is certainly the one state holds
 * (same send time, expiry and inviter: provider/same-invitation.ts); the person's other pending
 * invitations (an admin's re-sent one, say) are never cancelled, changed or taken over.
 */
import { isInvitationGoneError } from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ALL_VARIANTS } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import { asProps, calls, directApi, freshProcessState, makeProvider } from "./helpers";

/**
 * The emulator's clock runs ahead of real time by `ahead` ms, so a re-send gets a new send time.
 * It only ever moves forward: the emulator's token bucket refills by it.
 */
let ahead = 0;
const emulator = useEmulator({ now: () => Date.now() + ahead });
freshProcessState();
afterEach(() => expect(emulator().stats().activeUserRemovals).toBe(0));

const DANA = "dana@example.com";
const DAY_MS = 24 * 60 * 60 * 1000;
const WRITES = /^(create|update|delete|remove)Org/;

/** The other API: where state was written, and where it is used now. */
const OTHER: Record<Backend, Backend> = { invites: "users", users: "invites" };

/** One invitation for Dana made on `api`, its state as that API's provider stored it. */
async function madeOn(emu: TestEmulator, api: Backend) {
  const { provider } = await makeProvider(emu, { api });
  const r = await provider.create({
    orgId: emu.orgId,
    username: DANA,
    roles: ["ORG_MEMBER"],
    onAccepted: "fail",
  });
  return { id: r.id, outs: r.outs as OrgInvitationOutputs };
}

/** Dana's invitation ends, and a day later an admin sends her a new one, outside Pulumi. */
async function endedAndResent(emu: TestEmulator): Promise<void> {
  emu.control.expireInvitation(emu.orgId, DANA);
  ahead += DAY_MS;
  await directApi(emu).createOrgUser(emu.orgId, {
    username: DANA,
    roles: { orgRoles: ["ORG_READ_ONLY"] },
  });
  emu.log.clear();
}

const writes = (emu: TestEmulator): string[] => calls(emu).filter((c) => WRITES.test(c));

describe.each(["invites", "users"] as const)("state written on the %s API", (written) => {
  const now = OTHER[written];

  describe.each(ALL_VARIANTS)(`used on the ${now} API, with Atlas $name`, (v: AtlasVariant) => {
    beforeEach(() => emulator().control.setKnobs(v.knobs));

    it("cancels the invitation when Atlas shows certainly the same one: same send time, expiry and inviter", async () => {
      const emu = emulator();
      const dana = await madeOn(emu, written);
      emu.log.clear();
      const { provider, log } = await makeProvider(emu, { api: now });
      await provider.delete(dana.id, asProps(dana.outs));
      expect(emu.control.invitations(emu.orgId)).toEqual([]);
      expect(emu.control.users(emu.orgId)).toEqual([]);
      expect(writes(emu)).toEqual([now === "users" ? "removeOrgUser" : "deleteOrgInvite"]);
      expect(log.warn.join("\n")).not.toMatch(/cannot be proven/);
    });

    it("leaves an admin's re-sent invitation in place on destroy, with a warning naming it, and sends no write", async () => {
      const emu = emulator();
      const dana = await madeOn(emu, written);
      await endedAndResent(emu);
      const [resent] = emu.control.invitations(emu.orgId);
      const { provider, log } = await makeProvider(emu, { api: now });
      await provider.delete(dana.id, asProps(dana.outs));
      expect(writes(emu)).toEqual([]);
      expect(emu.control.invitations(emu.orgId)).toEqual([resent]);
      expect(emu.control.users(emu.orgId)).toMatchObject([
        { username: DANA, orgMembershipStatus: "PENDING" },
      ]);
      expect(log.warn.join("\n")).toMatch(
        /cannot be proven to be it .* so they were left in place, and this resource removed from the stack/,
      );
    });

    it("reports the stack's own invitation gone on refresh, and neither adopts nor touches the re-sent one", async () => {
      const emu = emulator();
      const dana = await madeOn(emu, written);
      await endedAndResent(emu);
      const { provider, log } = await makeProvider(emu, { api: now });
      expect(await provider.read(dana.id, dana.outs)).toEqual({});
      expect(writes(emu)).toEqual([]);
      expect(log.warn.join("\n")).toMatch(/treats the resource's invitation as gone/);
    });

    it("sends no update to a re-sent invitation: the update says the stack's own is gone", async () => {
      const emu = emulator();
      const dana = await madeOn(emu, written);
      await endedAndResent(emu);
      const { provider } = await makeProvider(emu, { api: now });
      const error: unknown = await provider
        .update(dana.id, dana.outs, {
          orgId: emu.orgId,
          username: DANA,
          roles: ["ORG_OWNER"],
          onAccepted: "fail",
        })
        .catch((e: unknown) => e);
      expect(isInvitationGoneError(error)).toBe(true);
      expect(writes(emu)).toEqual([]);
      expect(emu.control.users(emu.orgId)).toMatchObject([{ roles: ["ORG_READ_ONLY"] }]);
    });

    it("keeps the invitation for the new name of a resource renamed without an alias: the old name's delete leaves it", async () => {
      const emu = emulator();
      const dana = await madeOn(emu, written);
      emu.log.clear();
      // One deployment: the create under the new name, then the delete of the old name.
      const { provider, log } = await makeProvider(emu, { api: now });
      const renamed = await provider.create({
        orgId: emu.orgId,
        username: DANA,
        roles: ["ORG_MEMBER"],
        onAccepted: "fail",
      });
      await provider.delete(dana.id, asProps(dana.outs));
      expect(writes(emu)).toEqual([]);
      const [pendingUser] = emu.control.users(emu.orgId);
      expect(pendingUser).toMatchObject({ username: DANA, orgMembershipStatus: "PENDING" });
      const refreshed = await provider.read(renamed.id, renamed.outs as OrgInvitationOutputs);
      expect(refreshed.props).toMatchObject({ status: "PENDING", username: DANA });
      expect(log.warn.join("\n")).toMatch(/adopted by another OrgInvitation of this deployment/);
    });
  });
});

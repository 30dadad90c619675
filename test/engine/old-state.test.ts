/**
 * State written on the invites API, used after Atlas retired it (issue 19, item 1), under the real
 * CLI with `atlasInvitations:api` unset ("auto": the first 410 moves each provider process to the
 * org users API). Such state holds an invitation id and no org user id; the provider acts only on
 * a pending user that is certainly that invitation (same send time, expiry and inviter), never on
 * "the person's newest pending user". The emulator's own checks (useHostEmulator) add that no
 * member is ever removed.
 */
import { takeLog } from "../host/helpers";
import { directApi } from "../provider/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe("state from the invites API after the sunset, under the real CLI", () => {
  const { t, stack } = useEngineSuite("old-state");
  afterEach(() => t.emulator.control.setSunsetDate(null));
  const pendingUsers = (username: string) =>
    t.emulator.control
      .users(t.emulator.orgId)
      .filter((u) => u.username === username && u.orgMembershipStatus === "PENDING");

  it("keeps the invitation of a resource renamed without an alias: the new name adopts the pending user, the old name's delete leaves it", async () => {
    const s = await stack();
    expectExit(await s.up([invitationOf("uma", t.emulator.orgId)]), 0);
    const [before] = pendingUsers("uma@example.com");
    t.emulator.control.sunsetNow();
    takeWrites(t.emulator);
    const renamed = [
      invitationOf("uma-renamed", t.emulator.orgId, { username: "uma@example.com" }),
    ];
    const up = await s.up(renamed);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["uma-renamed: create", "uma: delete"]);
    // Nothing was written: no second invitation, and the old name's delete cancelled nothing.
    expect(takeWrites(t.emulator)).toEqual([]);
    expect(pendingUsers("uma@example.com").map((u) => u.id)).toEqual([before?.id]);
    expect(up.stdout).toMatch(/adopted by another OrgInvitation of this deployment/);
    const state = await s.invitationsInState();
    expect([...state.keys()]).toEqual(["uma-renamed"]);
    expect([...state.values()][0]?.outputs?.["userId"]).toBe(before?.id);
    expect(opsOf(await s.up(renamed))).toEqual(["uma-renamed: same"]);
    // The new name manages it: destroy cancels it, once.
    expectExit(await s.destroy(), 0);
    expect(takeWrites(t.emulator)).toEqual(["DELETE removeOrgUser"]);
    expect(pendingUsers("uma@example.com")).toEqual([]);
  }, 300_000);

  it("leaves in place, with a warning, an invitation an admin re-sent after the stack's own ended: destroy sends no DELETE", async () => {
    const s = await stack();
    expectExit(await s.up([invitationOf("vera", t.emulator.orgId)]), 0);
    t.emulator.control.expireInvitation(t.emulator.orgId, "vera@example.com");
    // An admin re-sends it a little later: a new send time, as any re-send has.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await directApi(t.emulator).createOrgUser(t.emulator.orgId, {
      username: "vera@example.com",
      roles: { orgRoles: ["ORG_READ_ONLY"] },
    });
    const [resent] = pendingUsers("vera@example.com");
    t.emulator.control.sunsetNow();
    takeWrites(t.emulator);
    const destroy = await s.destroy();
    expectExit(destroy, 0);
    // Only the invites API's DELETE, which answered 410 and moved the process to the org users
    // API; nothing was removed there.
    expect(takeLog(t.emulator).filter((e) => e.method !== "GET" && !e.challenged)).toEqual([
      expect.objectContaining({ operationId: "deleteOrgInvite", status: 410 }),
    ]);
    expect(destroy.stdout).toMatch(/cannot be proven to be it[\s\S]*left in place/);
    expect(pendingUsers("vera@example.com").map((u) => u.id)).toEqual([resent?.id]);
    expect([...(await s.invitationsInState()).keys()]).toEqual([]);
  }, 300_000);
});

/**
 * Writes to a pending org user (removePendingOrgUser, updatePendingOrgUser): each attempt, the
 * first and every retry, is preceded by a read of the user, so a person who accepted is never
 * removed or changed by this client.
 */
import type { TransportOptions } from "../../provider/atlas/http";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { clientFor, fastOptions, freshSessions } from "./helpers";

const emulator = useEmulator();
freshSessions();

/** A pending org user made through the org users API, and its id. */
async function pendingUser(emu: TestEmulator, username: string): Promise<string> {
  const user = await clientFor(emu, "digest").createOrgUser(emu.orgId, {
    username,
    roles: { orgRoles: ["ORG_MEMBER"] },
  });
  expect(user.orgMembershipStatus).toBe("PENDING");
  emu.log.clear();
  return user.id;
}

/** Operations the emulator served, digest challenges left out, as "operationId status". */
const calls = (emu: TestEmulator) =>
  emu.log
    .entries()
    .filter((e) => !(e.status === 401 && e.auth === "none"))
    .map((e) => `${String(e.operationId)} ${e.status}`);

describe("removePendingOrgUser", () => {
  it("reads the user, then removes it while it is pending", async () => {
    const emu = emulator();
    const id = await pendingUser(emu, "p1@example.com");
    const api = clientFor(emu, "digest", fastOptions());
    await expect(api.removePendingOrgUser(emu.orgId, id)).resolves.toBe("removed");
    expect(calls(emu)).toEqual(["getOrgUser 200", "removeOrgUser 204"]);
    expect(emu.control.users(emu.orgId).some((u) => u.id === id)).toBe(false);
  });

  it("never sends the DELETE for a person who accepted and kept the user id", async () => {
    const emu = emulator();
    emu.control.setKnobs({ acceptedUserId: "same" });
    const id = await pendingUser(emu, "p2@example.com");
    emu.control.acceptInvitation(emu.orgId, "p2@example.com");
    const api = clientFor(emu, "digest", fastOptions());
    await expect(api.removePendingOrgUser(emu.orgId, id)).resolves.toBe("active");
    expect(calls(emu)).toEqual(["getOrgUser 200"]);
    expect(emu.control.users(emu.orgId).find((u) => u.id === id)?.orgMembershipStatus).toBe(
      "ACTIVE",
    );
  });

  it("answers not-pending, without a DELETE, for a user that is gone", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest", fastOptions());
    await expect(api.removePendingOrgUser(emu.orgId, "0123456789abcdef01234567")).resolves.toBe(
      "not-pending",
    );
    expect(calls(emu)).toEqual(["getOrgUser 404"]);
  });

  it.each([
    ["same", "active"],
    ["new", "not-pending"],
  ] as const)(
    "reads the user again before a retry, and sends no second DELETE once the person accepted (user id %s)",
    async (acceptedUserId, outcome) => {
      const emu = emulator();
      emu.control.setKnobs({ acceptedUserId });
      const id = await pendingUser(emu, "p3@example.com");
      emu.control.injectFault({
        match: { operationId: "removeOrgUser" },
        status: 503,
        errorCode: "SERVICE_UNAVAILABLE",
      });
      // The person accepts while the first DELETE fails.
      const onAnswer: TransportOptions["onAnswer"] = ({ method, response }) => {
        if (method === "DELETE" && response.status === 503)
          emu.control.acceptInvitation(emu.orgId, "p3@example.com");
      };
      const options = fastOptions({ onAnswer });
      await expect(
        clientFor(emu, "digest", options).removePendingOrgUser(emu.orgId, id),
      ).resolves.toBe(outcome);
      expect(calls(emu)).toEqual([
        "getOrgUser 200",
        "removeOrgUser 503",
        `getOrgUser ${outcome === "active" ? 200 : 404}`,
      ]);
      expect(options.waits).toHaveLength(1);
      expect(
        emu.control
          .users(emu.orgId)
          .filter((u) => u.username === "p3@example.com")
          .map((u) => u.orgMembershipStatus),
      ).toEqual(["ACTIVE"]);
    },
  );
});

describe("updatePendingOrgUser", () => {
  it("reads the user, then updates it while it is pending", async () => {
    const emu = emulator();
    const id = await pendingUser(emu, "u1@example.com");
    const api = clientFor(emu, "digest", fastOptions());
    const updated = await api.updatePendingOrgUser(emu.orgId, id, {
      teamIds: [emu.teamIds[0] as string],
    });
    expect(updated).toMatchObject({
      id,
      orgMembershipStatus: "PENDING",
      teamIds: [emu.teamIds[0]],
    });
    expect(calls(emu)).toEqual(["getOrgUser 200", "updateOrgUser 200"]);
  });

  it("never sends the PATCH for a person who accepted", async () => {
    const emu = emulator();
    emu.control.setKnobs({ acceptedUserId: "same" });
    const id = await pendingUser(emu, "u2@example.com");
    emu.control.acceptInvitation(emu.orgId, "u2@example.com");
    const api = clientFor(emu, "digest", fastOptions());
    await expect(
      api.updatePendingOrgUser(emu.orgId, id, { teamIds: [emu.teamIds[0] as string] }),
    ).resolves.toBe("active");
    expect(calls(emu)).toEqual(["getOrgUser 200"]);
    expect(emu.control.users(emu.orgId).find((u) => u.id === id)?.teamIds).toEqual([]);
  });

  it("answers not-pending, without a PATCH, for a user that is gone", async () => {
    const emu = emulator();
    const api = clientFor(emu, "digest", fastOptions());
    await expect(
      api.updatePendingOrgUser(emu.orgId, "0123456789abcdef01234567", { teamIds: [] }),
    ).resolves.toBe("not-pending");
    expect(calls(emu)).toEqual(["getOrgUser 404"]);
  });
});

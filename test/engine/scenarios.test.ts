/**
 * Stack scenarios under the real CLI, on each backend (formerly run on the harness's home-made
 * engine): the escape hatch for an invitation an admin changed in the Atlas UI and the person then
 * accepted, and one person declared by two resources where one address arrives late, from another
 * resource's output, so the program cannot mark the pair before the provider sees them.
 */
import type { CliStack, StackResource } from "../../host-harness/cli-stack";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { invitationIdOf, takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe.each(BACKENDS)("stack scenarios on the %s API, under the real CLI", (backend: Backend) => {
  const { t, stack } = useEngineSuite("scenarios", backend);
  const member = (username: string) =>
    t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username);

  describe("the escape hatch: an invitation changed in the Atlas UI and then accepted, kept through up and destroy", () => {
    let s: CliStack;
    const declared = () => [invitationOf("uma", t.emulator.orgId)];
    const outputs = async () => (await s.invitationsInState()).get("uma")?.outputs ?? {};

    beforeAll(async () => {
      s = await stack("escape-hatch");
      expectExit(await s.up(declared()), 0);
      takeLog(t.emulator);
    }, 120_000);

    it("refresh records the roles an admin changed in the Atlas UI as drift in state, without a write", async () => {
      t.emulator.control.setInvitation(
        t.emulator.orgId,
        invitationIdOf(t.emulator, "uma@example.com"),
        { roles: ["ORG_READ_ONLY"] },
      );
      expectExit(await s.refresh(), 0);
      expect(await outputs()).toMatchObject({ roles: ["ORG_READ_ONLY"], status: "PENDING" });
      expect(takeWrites(t.emulator)).toEqual([]);
    }, 120_000);

    it("refresh after she accepts records status ACCEPTED", async () => {
      t.emulator.control.acceptInvitation(t.emulator.orgId, "uma@example.com");
      expectExit(await s.refresh(), 0);
      expect(await outputs()).toMatchObject({ roles: ["ORG_READ_ONLY"], status: "ACCEPTED" });
      expect(member("uma@example.com")).toMatchObject({
        orgMembershipStatus: "ACTIVE",
        roles: ["ORG_READ_ONLY"],
      });
    }, 120_000);

    it("up with the program's original roles is a state-only update with a warning, and writes nothing to Atlas", async () => {
      const preview = await s.preview(declared());
      expect(opsOf(preview)).toEqual(["uma: update"]);
      const up = await s.up(declared());
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["uma: update"]);
      expect(up.stdout).toMatch(/uma@example\.com[^\n]*recorded in state only/);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect(await outputs()).toMatchObject({ roles: ["ORG_MEMBER"], status: "ACCEPTED" });
      expect(member("uma@example.com")?.roles).toEqual(["ORG_READ_ONLY"]);
    }, 120_000);

    it('up with onAccepted "retain", then destroy: both succeed, the member stays ACTIVE with her roles', async () => {
      const up = await s.up([invitationOf("uma", t.emulator.orgId, { onAccepted: "retain" })]);
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["uma: update"]);
      const destroy = await s.destroy();
      expectExit(destroy, 0);
      expect(destroy.stdout).toMatch(/member was left in place/);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect([...(await s.invitationsInState()).keys()]).toEqual([]);
      expect(member("uma@example.com")).toMatchObject({
        orgMembershipStatus: "ACTIVE",
        roles: ["ORG_READ_ONLY"],
      });
    }, 180_000);
  });

  describe("one person declared twice, one address arriving late from another resource's output", () => {
    let s: CliStack;
    const program = (): StackResource[] => [
      { kind: "echo", name: "source", args: { echoId: "source", username: "Vera@Example.COM" } },
      invitationOf("vera", t.emulator.orgId),
      {
        name: "vera-late",
        args: {
          orgId: t.emulator.orgId,
          username: { $ref: "source", prop: "username" },
          roles: ["ORG_MEMBER"],
        },
      },
    ];

    beforeAll(async () => {
      s = await stack("declared-twice-late");
      takeLog(t.emulator);
    }, 120_000);

    it("up sends one invitation and refuses the other resource, naming the address", async () => {
      const up = await s.up(program());
      expect(up.exitCode).not.toBe(0);
      const refused = up.steps.filter((x) => x.failed);
      expect(refused).toHaveLength(1);
      expect(refused[0]?.errors.join("\n")).toMatch(/declared by two OrgInvitation resources/);
      expect(takeWrites(t.emulator).filter((w) => w.startsWith("POST"))).toHaveLength(1);
      const pending = t.emulator.control
        .invitations(t.emulator.orgId)
        .filter((i) => i.username.toLowerCase() === "vera@example.com");
      expect(pending).toHaveLength(1);
      expect([...(await s.invitationsInState()).keys()]).toHaveLength(1);
    }, 180_000);

    it("the next up still refuses the duplicate instead of handing it the invitation the other manages", async () => {
      const [kept] = [...(await s.invitationsInState()).keys()];
      const up = await s.up(program());
      expect(up.exitCode).not.toBe(0);
      expect(up.steps.filter((x) => x.failed).map((x) => x.name)).not.toContain(kept);
      expect(up.steps.some((x) => x.failed)).toBe(true);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect([...(await s.invitationsInState()).keys()]).toEqual([kept]);
    }, 180_000);
  });
});

/**
 * Every way forward that the refusal to delete an accepted invitation names works when followed,
 * under the real CLI, in the three places a refused delete can be: a resource still in the
 * program (retain on the resource, `pulumi up`, destroy), a resource removed from the program
 * (the `up` that deletes it is refused; then the same `up` with ATLAS_INVITATIONS_ON_ACCEPTED=retain
 * in its environment), and the old half of a replacement that the engine keeps as a pending
 * delete (the same variable). Stack config would not do: the engine configures the provider that
 * runs those deletes from the config stored in the state. Setting retain in the very edit that
 * replaces a resource reaches its old half (issue 19, item 3(a)); an accepted invitation moved into
 * a component without an alias fails before any write, naming `aliases` and the variable, and both
 * work (item 4). No member is removed in any of them (useHostEmulator checks).
 */
import type { CliStack, StackResource } from "../../host-harness/cli-stack";
import { takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

const REFUSAL = /accepted the invitation[\s\S]*ATLAS_INVITATIONS_ON_ACCEPTED=retain/;

describe("the refusal's ways forward, followed under the real CLI", () => {
  const { t, stack } = useEngineSuite("way-forward");
  const statusOf = (username: string) =>
    t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username)
      ?.orgMembershipStatus;
  /** Up of the person, then they accept, then a refresh records it. */
  const accepted = async (s: CliStack, name: string): Promise<void> => {
    expectExit(await s.up([invitationOf(name, t.emulator.orgId)]), 0);
    t.emulator.control.acceptInvitation(t.emulator.orgId, `${name}@example.com`);
    expectExit(await s.refresh(), 0);
    takeWrites(t.emulator);
  };
  const RETAIN = { ATLAS_INVITATIONS_ON_ACCEPTED: "retain" };

  it("a resource removed from the program: the refused up names the variable, which then lets the same up succeed", async () => {
    const s = await stack();
    await accepted(s, "olga");
    const refused = await s.up([]);
    expect(refused.exitCode).toBe(1);
    expect(refused.steps.find((x) => x.name === "olga")?.errors.join("\n")).toMatch(REFUSAL);
    expect([...(await s.invitationsInState()).keys()]).toEqual(["olga"]);
    const up = await s.run("up", { resources: [], env: RETAIN });
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["olga: delete"]);
    expect(up.stdout).toMatch(
      /ATLAS_INVITATIONS_ON_ACCEPTED is "retain", so the member was left in place/,
    );
    expect(takeWrites(t.emulator)).toEqual([]);
    expect([...(await s.invitationsInState()).keys()]).toEqual([]);
    expect(statusOf("olga@example.com")).toBe("ACTIVE");
  }, 240_000);

  it("the old half of a replacement: retain on the resource does not reach the pending delete, the variable does", async () => {
    const s = await stack();
    await accepted(s, "pia");
    const moved = (args: Record<string, unknown> = {}) => [
      invitationOf("pia", t.emulator.orgId, { username: "pia.new@example.com", ...args }),
    ];
    const replaced = await s.up(moved());
    expect(replaced.exitCode).toBe(1);
    // The new half was invited (create before delete, the engine's default); the old one refused.
    expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);
    expect(replaced.steps.find((x) => x.name === "pia")?.errors.join("\n")).toMatch(REFUSAL);
    // The engine keeps the old half, with its old inputs, as a pending delete beside the new one.
    const halves = (await s.exportState()).resources?.filter((r) => r.urn.endsWith("::pia")) ?? [];
    expect(halves.map((r) => [r.outputs?.["username"], r.delete === true]).sort()).toEqual([
      ["pia.new@example.com", false],
      ["pia@example.com", true],
    ]);
    // Retain on the resource reaches only the new half: the old one is refused again.
    const again = await s.up(moved({ onAccepted: "retain" }));
    expect(again.exitCode).toBe(1);
    expect(again.steps.find((x) => x.name === "pia")?.op).toBe("delete-replaced");
    expect(takeWrites(t.emulator)).toEqual([]);
    // And state delete cannot name it without a prompt: both halves share the URN.
    const urn = halves[0]?.urn ?? "";
    const stateDelete = await s.cli(["state", "delete", urn, "--yes"]);
    expect(stateDelete.exitCode).not.toBe(0);
    expect(stateDelete.stderr + stateDelete.stdout).toMatch(
      /ambiguously referred to multiple resources/,
    );
    const up = await s.run("up", { resources: moved({ onAccepted: "retain" }), env: RETAIN });
    expectExit(up, 0);
    expect(takeWrites(t.emulator)).toEqual([]);
    const left = (await s.exportState()).resources?.filter((r) => r.urn.endsWith("::pia")) ?? [];
    expect(left.map((r) => r.outputs?.["username"])).toEqual(["pia.new@example.com"]);
    expect(statusOf("pia@example.com")).toBe("ACTIVE");
    expect(t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username)).toEqual([
      "pia.new@example.com",
    ]);
  }, 300_000);

  it("changing the address and setting retain in one edit: the old half leaves the member in place, with no variable", async () => {
    const s = await stack();
    await accepted(s, "rosa");
    const up = await s.up([
      invitationOf("rosa", t.emulator.orgId, {
        username: "rosa.new@example.com",
        onAccepted: "retain",
      }),
    ]);
    expectExit(up, 0);
    expect(up.steps.find((x) => x.name === "rosa" && x.op === "delete-replaced")).toBeDefined();
    expect(up.stdout).toMatch(
      /the declaration that replaces this resource says onAccepted "retain", so the member was left in place/,
    );
    // Only the new half's invitation was sent; the member was not touched.
    expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);
    const left = (await s.exportState()).resources?.filter((r) => r.urn.endsWith("::rosa")) ?? [];
    expect(left.map((r) => r.outputs?.["username"])).toEqual(["rosa.new@example.com"]);
    expect(statusOf("rosa@example.com")).toBe("ACTIVE");
  }, 240_000);

  describe("an accepted invitation moved into a component without an alias", () => {
    const inTeam = (name: string, options: Record<string, unknown> = {}): StackResource[] => [
      { kind: "component", name: "team", type: "example:index:Team" },
      invitationOf(name, t.emulator.orgId, {}, { parent: "team", ...options }),
    ];
    const refusedMove = async (name: string): Promise<CliStack> => {
      const s = await stack();
      await accepted(s, name);
      const up = await s.up(inTeam(name));
      expect(up.exitCode).toBe(1);
      const errors = up.steps.find((x) => x.name === name && x.failed)?.errors.join("\n") ?? "";
      // Before any write, the create names aliases and both ways forward.
      expect(errors).toMatch(/already an active member[\s\S]*nothing was sent/);
      expect(errors).toMatch(/`aliases`[\s\S]*ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect([...(await s.invitationsInState()).keys()]).toEqual([name]);
      return s;
    };

    it("fails the up before any write, naming aliases; adding the alias then makes it the same resource", async () => {
      const s = await refusedMove("sami");
      const up = await s.up(inTeam("sami", { aliases: [{ noParent: true }] }));
      expectExit(up, 0);
      expect(up.steps.find((x) => x.name === "sami")?.op).toBe("same");
      expect(takeWrites(t.emulator)).toEqual([]);
      const state = await s.invitationsInState();
      expect([...state.values()].map((r) => r.urn)).toEqual([
        expect.stringContaining("example:index:Team$"),
      ]);
      expect(statusOf("sami@example.com")).toBe("ACTIVE");
    }, 300_000);

    it("fails the up before any write; removing the declaration and running up with the variable drops the old one and keeps the member", async () => {
      const s = await refusedMove("tove");
      const up = await s.run("up", { resources: [], env: RETAIN });
      expectExit(up, 0);
      // The component the refused up made goes too; the invitation's only step is its delete.
      expect(opsOf(up).filter((op) => op.startsWith("tove"))).toEqual(["tove: delete"]);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect([...(await s.invitationsInState()).keys()]).toEqual([]);
      expect(statusOf("tove@example.com")).toBe("ACTIVE");
    }, 300_000);
  });

  it("an unknown value of the variable fails the command before any Atlas call, naming the variable", async () => {
    const s = await stack();
    await accepted(s, "quinn");
    const destroy = await s.run("destroy", { env: { ATLAS_INVITATIONS_ON_ACCEPTED: "fail" } });
    expect(destroy.exitCode).not.toBe(0);
    expect(destroy.stdout + destroy.stderr).toMatch(
      /ATLAS_INVITATIONS_ON_ACCEPTED takes one value, "retain"/,
    );
    expect(takeLog(t.emulator)).toEqual([]);
    expect(statusOf("quinn@example.com")).toBe("ACTIVE");
  }, 240_000);
});

/**
 * A stack's life under the real Pulumi engine (the `pulumi` CLI, one process per command, a file
 * backend), on each backend, against the emulator: preview, up, a second up that sends nothing,
 * refresh after two acceptances, a destroy that refuses the accepted invitation under
 * `onAccepted: "fail"` (the CLI exits non-zero, names the person and the way forward, removes no
 * member, destroys the rest), and the way forward followed. The steps build on each other.
 */
import type { CliStack } from "../../host-harness/cli-stack";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { expectConcurrentCalls, stepsOn, takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe.each(BACKENDS)("a stack under the real pulumi CLI on the %s API", (backend: Backend) => {
  const suite = useEngineSuite("lifecycle", backend);
  const { t } = suite;
  const steps = stepsOn(backend);
  let stack: CliStack;
  const program = (aliceArgs: Record<string, unknown> = {}) => [
    invitationOf("alice", t.emulator.orgId, aliceArgs),
    invitationOf("bob", t.emulator.orgId, { onAccepted: "retain" }),
    invitationOf("carol", t.emulator.orgId, { roles: carolRoles }),
  ];
  let carolRoles = ["ORG_MEMBER"];

  beforeAll(async () => {
    stack = await suite.stack();
    takeLog(t.emulator);
  }, 120_000);

  it("previews three creates without a single request to Atlas", async () => {
    const preview = await stack.preview(program());
    expectExit(preview, 0);
    expect(opsOf(preview)).toEqual(["alice: create", "bob: create", "carol: create"]);
    expect(takeLog(t.emulator)).toEqual([]);
  }, 120_000);

  it("creates the three invitations with the planned calls, one POST each", async () => {
    const up = await stack.up(program());
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: create", "bob: create", "carol: create"]);
    expectConcurrentCalls(t.emulator, [steps.createNew, steps.createNew, steps.createNew]);
    takeLog(t.emulator);
    const pending = t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username);
    expect(pending.sort()).toEqual(["alice@example.com", "bob@example.com", "carol@example.com"]);
    expect([...(await stack.invitationsInState()).keys()].sort()).toEqual([
      "alice",
      "bob",
      "carol",
    ]);
  }, 120_000);

  it("sends nothing to Atlas on a second up with the same program", async () => {
    const up = await stack.up(program());
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: same", "bob: same", "carol: same"]);
    expect(takeLog(t.emulator)).toEqual([]);
  }, 120_000);

  it("updates carol's roles in place with the planned write and no new invitation", async () => {
    carolRoles = ["ORG_READ_ONLY"];
    const up = await stack.up(program());
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: same", "bob: same", "carol: update"]);
    expect(takeWrites(t.emulator)).toEqual(
      backend === "invites" ? ["PATCH updateOrgInviteById"] : ["PATCH updateOrgUser"],
    );
    const carol = t.emulator.control
      .invitations(t.emulator.orgId)
      .filter((i) => i.username === "carol@example.com");
    expect(carol.map((i) => i.roles)).toEqual([["ORG_READ_ONLY"]]);
  }, 120_000);

  it("records the two acceptances on refresh without a write to Atlas", async () => {
    t.emulator.control.acceptInvitation(t.emulator.orgId, "alice@example.com");
    t.emulator.control.acceptInvitation(t.emulator.orgId, "bob@example.com");
    const refresh = await stack.refresh();
    expectExit(refresh, 0);
    expect(opsOf(refresh)).toEqual(["alice: refresh", "bob: refresh", "carol: refresh"]);
    const status = Object.fromEntries(refresh.steps.map((s) => [s.name, s.outputs?.["status"]]));
    expect(status).toEqual({ alice: "ACCEPTED", bob: "ACCEPTED", carol: "PENDING" });
    expect(takeWrites(t.emulator)).toEqual([]);
  }, 120_000);

  it("refuses to destroy alice's accepted invitation: the CLI exits 1, names her and the way forward, and destroys the rest", async () => {
    const destroy = await stack.destroy();
    expect(destroy.exitCode).toBe(1);
    const alice = destroy.steps.find((s) => s.name === "alice");
    expect(alice?.failed).toBe(true);
    expect(alice?.errors.join("\n")).toMatch(/alice@example\.com accepted the invitation/);
    expect(alice?.errors.join("\n")).toMatch(/onAccepted: "retain"/);
    expect(alice?.errors.join("\n")).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
    expect(
      destroy.steps
        .filter((s) => s.op === "delete" && !s.failed)
        .map((s) => s.name)
        .sort(),
    ).toEqual(["bob", "carol"]);
    // The provider's stderr warning for bob (retain) is in the CLI's own Diagnostics output.
    expect(destroy.stdout).toMatch(
      /warning: bob@example\.com accepted the invitation[^\n]*"retain"/,
    );
    // Bob (retain) stays a member; carol's pending invitation is cancelled; alice stays a member.
    const users = t.emulator.control.users(t.emulator.orgId);
    const statusOf = (u: string) => users.find((x) => x.username === u)?.orgMembershipStatus;
    expect(statusOf("alice@example.com")).toBe("ACTIVE");
    expect(statusOf("bob@example.com")).toBe("ACTIVE");
    expect(statusOf("carol@example.com")).toBeUndefined();
    expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
    expect([...(await stack.invitationsInState()).keys()]).toEqual(["alice"]);
    takeLog(t.emulator);
  }, 120_000);

  it("follows the way forward: retain on alice is a state-only up, then destroy succeeds and leaves her a member", async () => {
    const up = await stack.up([invitationOf("alice", t.emulator.orgId, { onAccepted: "retain" })]);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["alice: update"]);
    expect(takeWrites(t.emulator)).toEqual([]);
    const destroy = await stack.destroy();
    expectExit(destroy, 0);
    expect(opsOf(destroy)).toEqual(["alice: delete"]);
    expect(takeWrites(t.emulator)).toEqual([]);
    expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
    const alice = t.emulator.control
      .users(t.emulator.orgId)
      .find((u) => u.username === "alice@example.com");
    expect(alice?.orgMembershipStatus).toBe("ACTIVE");
  }, 120_000);
});

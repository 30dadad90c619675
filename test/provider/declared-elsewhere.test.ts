/**
 * Two resources of one stack for one person (claims.ts): a delete leaves the pending invitation
 * that another resource checked in the same deployment declares, and, where `check` is told each
 * resource's URN (the provider plugin), a second resource for the person is refused at `check`.
 * Two `pulumi import`s of one id leave such a pair in state, which no create ever sees.
 */
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { ALICE, asProps, calls, declaredOf, freshProcessState, makeProvider } from "./helpers";

const emulator = useEmulator();
freshProcessState();

const URN = (name: string) =>
  `urn:pulumi:dev::invitations::atlasorginvitations:index:OrgInvitation::${name}`;

describe.each(BACKENDS)("on the %s API", (backend: Backend) => {
  async function aliceInState() {
    const emu = emulator();
    const { provider: first } = await makeProvider(emu, { api: backend });
    const created = await first.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    });
    return { emu, id: created.id, outs: created.outs as OrgInvitationOutputs };
  }

  it("a delete leaves the pending invitation when another resource checked in this deployment declares the person, and warns", async () => {
    const { emu, id, outs } = await aliceInState();
    // The next deployment: a new provider process, which checks the resource that stays.
    const { provider: p, log } = await makeProvider(emu, { api: backend });
    const declared = declaredOf(outs);
    expect(
      (await p.check(declared, { ...declared, username: "Alice@Example.com" })).failures,
    ).toBeUndefined();
    emu.log.clear();
    await p.delete(id, asProps(outs));
    expect(calls(emu)).toEqual([]);
    expect(emu.control.invitations(emu.orgId).map((i) => i.username)).toEqual([ALICE]);
    expect(log.warn).toEqual([
      expect.stringContaining(
        "was left pending for that resource, and this one removed from the stack",
      ),
    ]);
  });

  it("a delete cancels the invitation when the only other declaration checked is a new resource (it adopts nothing yet)", async () => {
    const { emu, id, outs } = await aliceInState();
    const { provider: p } = await makeProvider(emu, { api: backend });
    expect((await p.check({}, declaredOf(outs))).failures).toBeUndefined();
    emu.log.clear();
    await p.delete(id, asProps(outs));
    expect(calls(emu)).toEqual(
      backend === "invites" ? ["deleteOrgInvite"] : ["getOrgUser", "removeOrgUser"],
    );
  });

  it("with URNs (the plugin), the deleted resource's own check does not keep its invitation", async () => {
    const { emu, id, outs } = await aliceInState();
    const { provider: p } = await makeProvider(emu, { api: backend });
    const declared = declaredOf(outs);
    expect((await p.check(declared, declared, URN("alice"))).failures).toBeUndefined();
    emu.log.clear();
    await p.delete(id, asProps(outs), URN("alice"));
    expect(calls(emu)).toEqual(
      backend === "invites" ? ["deleteOrgInvite"] : ["getOrgUser", "removeOrgUser"],
    );
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
  });

  it("a delete with no other resource declaring the person cancels the invitation", async () => {
    const { emu, id, outs } = await aliceInState();
    const { provider: p, log } = await makeProvider(emu, { api: backend });
    expect(
      (await p.check({}, { orgId: emu.orgId, username: "bob@example.com", roles: ["ORG_MEMBER"] }))
        .failures,
    ).toBeUndefined();
    emu.log.clear();
    await p.delete(id, asProps(outs));
    expect(calls(emu)).toEqual(
      backend === "invites" ? ["deleteOrgInvite"] : ["getOrgUser", "removeOrgUser"],
    );
    expect(emu.control.invitations(emu.orgId)).toEqual([]);
    expect(log.warn).toEqual([]);
  });
});

describe("check, told each resource's URN (the provider plugin)", () => {
  it("refuses a second resource for the person, naming the first, and passes the first checked again", async () => {
    const emu = emulator();
    const { provider: p } = await makeProvider(emu);
    const alice = { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] };
    expect((await p.check(alice, alice, URN("alice"))).failures).toBeUndefined();
    const second = await p.check({}, { ...alice, username: "ALICE@example.com" }, URN("alice-2"));
    expect(second.failures).toEqual([
      {
        property: "username",
        reason: expect.stringContaining(
          `is declared by two OrgInvitation resources for organization ${emu.orgId}; the other is "alice"`,
        ) as string,
      },
    ]);
    expect((await p.check(alice, alice, URN("alice"))).failures).toBeUndefined();
    expect(calls(emu)).toEqual([]);
  });

  it("does not compare resources without a URN (the dynamic contract), which the program's marks cover", async () => {
    const emu = emulator();
    const { provider: p } = await makeProvider(emu);
    const alice = { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] };
    expect((await p.check(alice, alice)).failures).toBeUndefined();
    expect((await p.check(alice, alice)).failures).toBeUndefined();
  });
});

/**
 * Read coalescing (provider/coalesce.ts) against the emulator: concurrent refreshes and create
 * look-ups in one org share one org-wide list, a look-up never gets data older than its own
 * call, and a lone operation keeps its single-call path.
 */
import { createAtlasClient } from "../../provider/atlas/client";
import type { AtlasApi } from "../../provider/atlas/api";
import { OrgInvitationProvider } from "../../provider/invitation-provider";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { FAST_RETRY, calls, directApi, envFor } from "./helpers";

const emulator = useEmulator();

/** A provider whose calls all share one client, as the runtime's shared client does. */
function sharedProvider(emu: TestEmulator): OrgInvitationProvider {
  let api: AtlasApi | undefined;
  return new OrgInvitationProvider({
    env: envFor(emu),
    createApi: (settings) => (api ??= createAtlasClient(settings, { retry: FAST_RETRY })),
    logger: { info: () => undefined, warn: () => undefined },
  });
}

const user = (i: number): string => `user${i}@example.com`;

async function createMany(
  emu: TestEmulator,
  n: number,
): Promise<{ id: string; outs: OrgInvitationOutputs }[]> {
  const provider = sharedProvider(emu);
  const created = [];
  for (let i = 0; i < n; i++) {
    const { id, outs } = await provider.create({
      orgId: emu.orgId,
      username: user(i),
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    });
    created.push({ id, outs: outs as OrgInvitationOutputs });
  }
  emu.log.clear();
  return created;
}

const count = (list: string[], op: string): number => list.filter((c) => c === op).length;

describe("coalesced refresh", () => {
  it("serves 50 concurrent reads in one org with a handful of list calls and no GET by id", async () => {
    const emu = emulator();
    const created = await createMany(emu, 50);
    const provider = sharedProvider(emu);
    const results = await Promise.all(created.map((c) => provider.read(c.id, c.outs)));
    const made = calls(emu);
    expect(count(made, "getOrgInvite")).toBe(0);
    expect(count(made, "listOrgInvites")).toBeGreaterThanOrEqual(1);
    expect(count(made, "listOrgInvites")).toBeLessThanOrEqual(3);
    expect(results).toEqual(created.map((c) => ({ id: c.id, props: c.outs })));
  });

  it("returns exactly what uncoalesced reads return, drift and gone invitations included", async () => {
    const emu = emulator();
    const created = await createMany(emu, 6);
    const [drifted, cancelled, accepted] = created as [
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
    ];
    emu.control.setInvitation(emu.orgId, drifted.id, { roles: ["ORG_OWNER"] });
    await directApi(emu).deleteOrgInvite(emu.orgId, cancelled.id);
    emu.control.acceptInvitation(emu.orgId, accepted.id);
    const alone = [];
    for (const c of created) alone.push(await sharedProvider(emu).read(c.id, c.outs));
    emu.log.clear();
    const provider = sharedProvider(emu);
    const together = await Promise.all(created.map((c) => provider.read(c.id, c.outs)));
    expect(together).toEqual(alone);
    expect(together[0]).toMatchObject({ props: { roles: ["ORG_OWNER"] } });
    expect(together[1]).toEqual({});
    expect(together[2]).toMatchObject({ props: { status: "ACCEPTED" } });
    // The two invitations missing from the list fall back to the org user look-up, one each.
    expect(count(calls(emu), "listOrgUsers")).toBe(2);
    expect(count(calls(emu), "getOrgInvite")).toBe(0);
  });

  it("never hands a read the list that was already in flight when it began", async () => {
    const emu = emulator();
    const created = await createMany(emu, 3);
    const [a, b, c] = created as [(typeof created)[0], (typeof created)[0], (typeof created)[0]];
    const provider = sharedProvider(emu);
    // The first list is answered from the state before the change, then held back.
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      commit: true,
      delayMs: 150,
    });
    const early = Promise.all([provider.read(a.id, a.outs), provider.read(b.id, b.outs)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    emu.control.setInvitation(emu.orgId, c.id, { roles: ["ORG_BILLING_ADMIN"] });
    const late = await provider.read(c.id, c.outs);
    await early;
    expect(late).toMatchObject({ props: { roles: ["ORG_BILLING_ADMIN"] } });
    expect(calls(emu)).toEqual(["listOrgInvites", "getOrgInvite"]);
  });

  it("keeps a lone read at one GET by id", async () => {
    const emu = emulator();
    const [only] = await createMany(emu, 1);
    if (!only) throw new Error("nothing created");
    const result = await sharedProvider(emu).read(only.id, only.outs);
    expect(calls(emu)).toEqual(["getOrgInvite"]);
    expect(result).toEqual({ id: only.id, props: only.outs });
  });

  it("fails every read of a batch whose list failed, rather than reporting any invitation gone", async () => {
    const emu = emulator();
    const created = await createMany(emu, 4);
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 500,
      times: Infinity,
    });
    const provider = sharedProvider(emu);
    const outcomes = await Promise.allSettled(created.map((c) => provider.read(c.id, c.outs)));
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    expect(count(calls(emu), "listOrgUsers")).toBe(0);
  });
});

describe("coalesced create look-ups", () => {
  it("shares one org-wide list across 50 concurrent creates: at most 1.1 calls per invitation", async () => {
    const emu = emulator();
    const pre = await directApi(emu).createOrgInvite(emu.orgId, {
      username: user(7),
      roles: ["ORG_MEMBER"],
    });
    emu.log.clear();
    const provider = sharedProvider(emu);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        provider.create({ orgId: emu.orgId, username: user(i), roles: ["ORG_MEMBER"] }),
      ),
    );
    const made = calls(emu);
    expect(count(made, "createOrgInvite")).toBe(49);
    expect(made.length / 50).toBeLessThanOrEqual(1.1);
    expect(results[7]?.id).toBe(pre.id);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(50);
  });

  it("keeps a lone create at one filtered look-up and one POST", async () => {
    const emu = emulator();
    await sharedProvider(emu).create({
      orgId: emu.orgId,
      username: user(1),
      roles: ["ORG_MEMBER"],
    });
    expect(calls(emu)).toEqual(["listOrgInvites", "createOrgInvite"]);
    expect(emu.log.entries({ operationId: "listOrgInvites" })[0]?.query).toMatchObject({
      username: user(1),
    });
  });
});

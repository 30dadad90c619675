/**
 * Coalesced look-ups (provider/lookups.ts) against the emulator, on both backends: concurrent
 * refreshes and create look-ups in one org share one org-wide list, a look-up never gets data
 * older than its own call, and a lone operation keeps its single-call path.
 */
import type { AtlasClient } from "../../provider/atlas/api";
import { createAtlasClient } from "../../provider/atlas/client";
import type { OrgInvitationOutputs } from "../../provider/model";
import { OrgInvitationProvider } from "../../provider/provider";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import {
  FAST_RETRY,
  calls,
  configRequest,
  declaredOf,
  directApi,
  envFor,
  freshProcessState,
} from "./helpers";

const emulator = useEmulator();
freshProcessState();

const user = (i: number): string => `user${i}@example.com`;
const count = (list: string[], op: string): number => list.filter((c) => c === op).length;

describe.each(BACKENDS)("on the %s API", (backend: Backend) => {
  const getOne = backend === "invites" ? "getOrgInvite" : "getOrgUser";
  const list = backend === "invites" ? "listOrgInvites" : "listOrgUsers";

  /** A provider whose calls all share one client, as the runtime's shared client does. */
  async function sharedProvider(emu: TestEmulator): Promise<OrgInvitationProvider> {
    let client: AtlasClient | undefined;
    const provider = new OrgInvitationProvider({
      env: envFor(emu),
      createClient: (settings) => (client ??= createAtlasClient(settings, { retry: FAST_RETRY })),
      logger: {},
    });
    await provider.configure(configRequest({ "atlasInvitations:api": backend }));
    return provider;
  }

  async function createMany(emu: TestEmulator, n: number) {
    const provider = await sharedProvider(emu);
    const created: { id: string; outs: OrgInvitationOutputs }[] = [];
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

  const invitationIdOf = (emu: TestEmulator, username: string): string =>
    emu.control.invitations(emu.orgId).find((i) => i.username === username)?.id ?? "";

  describe("coalesced refresh", () => {
    it("serves 50 concurrent reads in one org with a handful of list calls and no GET by id", async () => {
      const emu = emulator();
      const created = await createMany(emu, 50);
      const provider = await sharedProvider(emu);
      const results = await Promise.all(created.map((c) => provider.read(c.id, c.outs)));
      const made = calls(emu);
      expect(count(made, getOne)).toBe(0);
      expect(count(made, list)).toBeGreaterThanOrEqual(1);
      expect(count(made, list)).toBeLessThanOrEqual(3);
      expect(results).toEqual(
        created.map((c) => ({ id: c.id, props: c.outs, inputs: declaredOf(c.outs) })),
      );
    });

    it("returns exactly what uncoalesced reads return, drift and gone invitations included", async () => {
      const emu = emulator();
      const created = await createMany(emu, 6);
      emu.control.setInvitation(emu.orgId, invitationIdOf(emu, user(0)), { roles: ["ORG_OWNER"] });
      await directApi(emu).deleteOrgInvite(emu.orgId, invitationIdOf(emu, user(1)));
      emu.control.acceptInvitation(emu.orgId, invitationIdOf(emu, user(2)));
      const alone = [];
      for (const c of created) alone.push(await (await sharedProvider(emu)).read(c.id, c.outs));
      emu.log.clear();
      const provider = await sharedProvider(emu);
      const together = await Promise.all(created.map((c) => provider.read(c.id, c.outs)));
      expect(together).toEqual(alone);
      expect(together[0]).toMatchObject({ props: { roles: ["ORG_OWNER"] } });
      expect(together[1]).toEqual({});
      expect(together[2]).toMatchObject({ props: { status: "ACCEPTED" } });
      expect(count(calls(emu), getOne)).toBe(0);
    });

    it("never hands a read the list that was already in flight when it began", async () => {
      const emu = emulator();
      const created = await createMany(emu, 3);
      const [a, b, c] = created as [(typeof created)[0], (typeof created)[0], (typeof created)[0]];
      const provider = await sharedProvider(emu);
      // The first list is answered from the state before the change, then held back.
      emu.control.injectFault({ match: { operationId: list }, commit: true, delayMs: 150 });
      const early = Promise.all([provider.read(a.id, a.outs), provider.read(b.id, b.outs)]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      emu.control.setInvitation(emu.orgId, invitationIdOf(emu, user(2)), {
        roles: ["ORG_BILLING_ADMIN"],
      });
      const late = await provider.read(c.id, c.outs);
      await early;
      expect(late).toMatchObject({ props: { roles: ["ORG_BILLING_ADMIN"] } });
      expect(calls(emu)).toEqual([list, getOne]);
    });

    it("keeps a lone read at one GET by id", async () => {
      const emu = emulator();
      const [only] = await createMany(emu, 1);
      if (!only) throw new Error("nothing created");
      const result = await (await sharedProvider(emu)).read(only.id, only.outs);
      expect(calls(emu)).toEqual([getOne]);
      expect(result).toEqual({ id: only.id, props: only.outs, inputs: declaredOf(only.outs) });
    });

    it("fails every read of a batch whose list failed, rather than reporting any invitation gone", async () => {
      const emu = emulator();
      const created = await createMany(emu, 4);
      emu.control.injectFault({ match: { operationId: list }, status: 500, times: Infinity });
      const provider = await sharedProvider(emu);
      const outcomes = await Promise.allSettled(created.map((c) => provider.read(c.id, c.outs)));
      expect(outcomes.map((o) => o.status)).toEqual([
        "rejected",
        "rejected",
        "rejected",
        "rejected",
      ]);
    });
  });

  describe("coalesced create look-ups", () => {
    it("shares the org-wide lists across 50 concurrent creates: at most 1.1 calls per invitation", async () => {
      const emu = emulator();
      await directApi(emu).createOrgInvite(emu.orgId, { username: user(7), roles: ["ORG_MEMBER"] });
      const pre = invitationIdOf(emu, user(7));
      emu.log.clear();
      const provider = await sharedProvider(emu);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          provider.create({ orgId: emu.orgId, username: user(i), roles: ["ORG_MEMBER"] }),
        ),
      );
      const made = calls(emu);
      expect(made.filter((c) => c.startsWith("createOrg"))).toHaveLength(49);
      expect(made.length / 50).toBeLessThanOrEqual(1.1);
      if (backend === "invites") expect(results[7]?.id).toBe(pre);
      else expect((results[7]?.outs as OrgInvitationOutputs).userId).toBe(results[7]?.id);
      expect(emu.control.invitations(emu.orgId)).toHaveLength(50);
    });

    it("looks up with unfiltered lists, so Atlas's letter-case matching never decides who is found", async () => {
      const emu = emulator();
      await (
        await sharedProvider(emu)
      ).create({ orgId: emu.orgId, username: user(1), roles: ["ORG_MEMBER"] });
      for (const e of emu.log.entries().filter((x) => x.operationId?.startsWith("list"))) {
        expect(e.query["username"]).toBeUndefined();
      }
    });
  });
});

/**
 * A lapsed invitation under the real CLI (issue 19, item 6), whether Atlas still lists it
 * (`lapsedInvitations` "listed", the emulator's default) or drops it ("dropped"): refresh removes
 * the resource from state, and the next up sends a fresh invitation instead of adopting the lapsed
 * one; a destroy of a lapsed invitation succeeds.
 */
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe.each(["listed", "dropped"] as const)(
  "a lapsed invitation under the real CLI, with Atlas lapsedInvitations=%s",
  (lapsedInvitations) => {
    const { t, stack } = useEngineSuite(`lapsed-${lapsedInvitations}`);
    beforeEach(() => t.emulator.control.setKnobs({ lapsedInvitations }));
    afterEach(() => t.emulator.control.setKnobs({ lapsedInvitations: "listed" }));
    const declared = () => [invitationOf("wren", t.emulator.orgId)];

    it("refresh reports it gone, and the next up sends a fresh invitation instead of adopting it", async () => {
      const s = await stack();
      expectExit(await s.up(declared()), 0);
      const lapsed = t.emulator.control.lapseInvitation(t.emulator.orgId, "wren@example.com");
      takeWrites(t.emulator);
      const refresh = await s.refresh();
      expectExit(refresh, 0);
      expect(opsOf(refresh)).toContain("wren: refresh");
      expect([...(await s.invitationsInState()).keys()]).toEqual([]);
      expect(takeWrites(t.emulator)).toEqual([]);
      const up = await s.up(declared());
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["wren: create"]);
      expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);
      const [state] = [...(await s.invitationsInState()).values()];
      expect(state?.outputs?.["invitationId"]).not.toBe(lapsed.id);
      expectExit(await s.destroy(), 0);
    }, 300_000);

    it("destroys a lapsed invitation as already gone", async () => {
      const s = await stack();
      expectExit(await s.up(declared()), 0);
      t.emulator.control.lapseInvitation(t.emulator.orgId, "wren@example.com");
      takeWrites(t.emulator);
      const destroy = await s.destroy();
      expectExit(destroy, 0);
      expect([...(await s.invitationsInState()).keys()]).toEqual([]);
    }, 300_000);
  },
);

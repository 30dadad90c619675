/**
 * `ignoreChanges` after a refresh that saw an admin's edit, under the real CLI, on each backend:
 * an admin changes roles or teams in the Atlas UI, `pulumi refresh` records it, and the program
 * says `ignoreChanges: ["roles"]` (or `["teamIds"]`): the next `up` keeps Atlas's value and sends
 * nothing, because refresh hands the engine the refreshed inputs as well as the outputs. Without
 * `ignoreChanges` the same `up` reverts the drift, as documented.
 */
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { invitationIdOf, takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe.each(BACKENDS)(
  "ignoreChanges after a refresh, on the %s API, under the real CLI",
  (backend: Backend) => {
    const { t, stack } = useEngineSuite("ignore", backend);
    const pending = (username: string) =>
      t.emulator.control.invitations(t.emulator.orgId).find((i) => i.username === username);

    it.each(["roles", "teamIds"] as const)(
      "keeps an admin's edit of %s that refresh recorded, and sends nothing",
      async (property) => {
        const s = await stack();
        const name = `${property.toLowerCase()}-${backend}`;
        const username = `${name}@example.com`;
        const teams = { teamIds: [t.emulator.teamIds[0] as string] };
        const program = (options = {}) => [invitationOf(name, t.emulator.orgId, teams, options)];
        expectExit(await s.up(program()), 0);
        const patch =
          property === "teamIds"
            ? { teamIds: [t.emulator.teamIds[1] as string] }
            : { roles: ["ORG_READ_ONLY"] };
        t.emulator.control.setInvitation(
          t.emulator.orgId,
          invitationIdOf(t.emulator, username),
          patch,
        );
        expectExit(await s.refresh(), 0);
        takeLog(t.emulator);

        const ignored = await s.up(program({ ignoreChanges: [property] }));
        expectExit(ignored, 0);
        expect(opsOf(ignored)).toEqual([`${name}: same`]);
        expect(takeWrites(t.emulator)).toEqual([]);
        expect(pending(username)).toMatchObject(patch);

        // Without ignoreChanges the drift is reverted, with the backend's one update.
        const reverted = await s.up(program());
        expectExit(reverted, 0);
        expect(opsOf(reverted)).toEqual([`${name}: update`]);
        expect(takeWrites(t.emulator)).toEqual(
          backend === "invites" ? ["PATCH updateOrgInviteById"] : ["PATCH updateOrgUser"],
        );
        expect(pending(username)).toMatchObject({ roles: ["ORG_MEMBER"], ...teams });
      },
      240_000,
    );
  },
);

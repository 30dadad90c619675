/**
 * One address in two Unicode forms is one person (issue 19, item 5), end to end: the dynamic
 * provider against the in-process emulator, on both backends, under both answers Atlas may give
 * (`usernameNormalization`: "none", the default, where Atlas itself takes the two forms for two
 * people, and "nfc"). The provider finds people in unfiltered lists and compares them itself
 * (identity.ts), so it adopts the invitation Atlas holds whatever Atlas's own matching does, and
 * never sends a second one. What Atlas holds is never rewritten.
 */
import { KNOB_VALUES } from "../../emulator";
import { isInvitationDeclaredTwiceError, isUserAlreadyMemberError } from "../../provider/errors";
import type { OrgInvitationOutputs } from "../../provider/model";
import type { TestEmulator } from "../support/emulator";
import {
  RENE_NFC,
  RENE_NFD,
  RENE_NFD_SHOUTED,
  useEmulatorWithUnicodeAddresses,
} from "../support/unicode-addresses";
import { BACKENDS } from "../support/variants";
import type { AtlasVariant, Backend } from "../support/variants";
import { calls, directApi, expectCalls, freshProcessState, makeProvider, plan } from "./helpers";

// Non-ASCII addresses break only the slice's `format: email` (see the helper).
const emulator = useEmulatorWithUnicodeAddresses();
freshProcessState();

/** The form Atlas holds, the form the program declares. */
const PAIRS: [string, string, string][] = [
  ["NFC in Atlas, NFD in the program", RENE_NFC, RENE_NFD],
  ["NFD in Atlas, NFC in the program", RENE_NFD, RENE_NFC],
  ["NFC in Atlas, NFD in another letter case in the program", RENE_NFC, RENE_NFD_SHOUTED],
];

/** Sends, through the API of the backend, the invitation Atlas then holds: as an admin would. */
async function heldInAtlas(
  emu: TestEmulator,
  backend: Backend,
  username: string,
  orgRoles: ("ORG_MEMBER" | "ORG_READ_ONLY")[] = ["ORG_MEMBER"],
): Promise<{ invitationId: string; userId: string }> {
  const api = directApi(emu);
  if (backend === "invites") await api.createOrgInvite(emu.orgId, { username, roles: orgRoles });
  else await api.createOrgUser(emu.orgId, { username, roles: { orgRoles } });
  const [invitation] = emu.control.invitations(emu.orgId);
  const user = emu.control.users(emu.orgId).find((u) => u.invitationId === invitation?.id);
  if (!invitation || !user) throw new Error("the emulator holds no pending invitation");
  return { invitationId: invitation.id, userId: user.id };
}

const posts = (emu: TestEmulator): number =>
  emu.log.count({ operationId: "createOrgInvite" }) +
  emu.log.count({ operationId: "createOrgUser" });

describe.each(BACKENDS)("on the %s API", (backend: Backend) => {
  describe.each(KNOB_VALUES.usernameNormalization)(
    "with Atlas usernameNormalization=%s",
    (usernameNormalization) => {
      const variant: AtlasVariant = {
        name: `usernameNormalization=${usernameNormalization}`,
        knobs: { usernameNormalization },
      };
      const steps = plan(backend, variant);

      beforeEach(() => {
        emulator().control.setKnobs(variant.knobs);
      });

      const provider = (emu: TestEmulator) => makeProvider(emu, { api: backend });

      describe.each(PAIRS)("%s", (_name, held, declared) => {
        it("adopts the pending invitation: the look-ups only, no second POST, Atlas's address untouched", async () => {
          const emu = emulator();
          const existing = await heldInAtlas(emu, backend, held);
          emu.log.clear();
          const { provider: p, log } = await provider(emu);
          const created = await p.create({
            orgId: emu.orgId,
            username: declared,
            roles: ["ORG_MEMBER"],
          });
          expectCalls(emu, steps.adoptMatching);
          expect(posts(emu)).toBe(0);
          expect(created.id).toBe(backend === "invites" ? existing.invitationId : existing.userId);
          const stored = emu.control.invitations(emu.orgId);
          expect(stored.map((i) => [i.id, i.username])).toEqual([[existing.invitationId, held]]);
          expect(emu.control.users(emu.orgId).map((u) => u.username)).toEqual([held]);
          const outs = created.outs as OrgInvitationOutputs;
          expect(outs).toMatchObject({ username: declared, status: "PENDING" });
          expect(log.info.join("\n")).toMatch(/adopting the pending invitation/);
        });

        it("adopts it with other roles and brings that same invitation to the declaration", async () => {
          const emu = emulator();
          const existing = await heldInAtlas(emu, backend, held, ["ORG_READ_ONLY"]);
          emu.log.clear();
          const { provider: p } = await provider(emu);
          await p.create({
            orgId: emu.orgId,
            username: declared,
            roles: ["ORG_MEMBER"],
            teamIds: [emu.teamIds[0]],
          });
          expectCalls(emu, steps.adoptDiffering);
          expect(posts(emu)).toBe(0);
          expect(emu.control.invitations(emu.orgId)).toEqual([
            expect.objectContaining({
              id: existing.invitationId,
              username: held,
              roles: ["ORG_MEMBER"],
              teamIds: [emu.teamIds[0]],
            }),
          ]);
        });

        it("then refreshes it with one GET, keeping the program's form in state", async () => {
          const emu = emulator();
          await heldInAtlas(emu, backend, held);
          const { provider: p } = await provider(emu);
          const created = await p.create({
            orgId: emu.orgId,
            username: declared,
            roles: ["ORG_MEMBER"],
          });
          emu.log.clear();
          const read = await p.read(created.id, created.outs as OrgInvitationOutputs);
          expectCalls(emu, steps.readPending);
          expect(read.props).toMatchObject({ username: declared, status: "PENDING" });
          expect(calls(emu).some((c) => c.startsWith("create"))).toBe(false);
        });

        it("refuses, before any POST, a person who is already an active member in the other form", async () => {
          const emu = emulator();
          emu.control.addMember(emu.orgId, { username: held, roles: ["ORG_MEMBER"] });
          const { provider: p } = await provider(emu);
          const error = await p
            .create({ orgId: emu.orgId, username: declared, roles: ["ORG_MEMBER"] })
            .catch((e: unknown) => e);
          expect(isUserAlreadyMemberError(error)).toBe(true);
          expectCalls(emu, steps.createMember);
          expect(emu.control.invitations(emu.orgId)).toEqual([]);
        });

        it("refuses a second resource of one deployment that declares the other form: one invitation is sent", async () => {
          const emu = emulator();
          const { provider: p } = await provider(emu);
          const declare = (username: string) =>
            p.create({ orgId: emu.orgId, username, roles: ["ORG_MEMBER"] }).then(
              () => "created",
              (e: unknown) => e,
            );
          const outcomes = await Promise.all([declare(held), declare(declared)]);
          expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
          const refused = outcomes.find((o) => o !== "created");
          expect(isInvitationDeclaredTwiceError(refused)).toBe(true);
          expect(posts(emu)).toBe(1);
          expect(emu.control.invitations(emu.orgId)).toHaveLength(1);
        });
      });
    },
  );
});

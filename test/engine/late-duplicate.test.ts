/**
 * The program-side duplicate mark's window, under the real CLI on each backend (issue 19, item 8).
 * Two `OrgInvitation`s of one program declare the same person, one of them with an address that
 * comes from another resource's output. The program can only compare the address once it is
 * known; these tests record what a user then sees at preview and at `up`, and what reaches Atlas
 * before the refusal (the emulator's log).
 *
 * Two kinds of output differ at preview. An output the engine previews from the other resource's
 * inputs (the echo resource's `username`) is known already at preview. An output only the
 * provider computes (its `id`; here the echo resource's id is the address) is unknown until that
 * resource exists, so the first preview cannot see the duplicate. scenarios.test.ts covers `up`
 * and the next `up` for the first kind.
 */
import type { CommandResult, StackResource } from "../../host-harness/cli-stack";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

const DECLARED_TWICE = /is declared by two OrgInvitation resources/;

/** The failed steps, as `name: op`, and their errors. */
function refusals(result: CommandResult): { steps: string[]; errors: string } {
  const failed = result.steps.filter((s) => s.failed);
  return {
    steps: failed.map((s) => `${s.name}: ${s.op}`),
    errors: failed.flatMap((s) => s.errors).join("\n"),
  };
}

describe.each(BACKENDS)(
  "one person declared twice, one address from another resource's output, on the %s API, under the real CLI",
  (backend: Backend) => {
    const { t, stack } = useEngineSuite("late-duplicate", backend);
    const invitationsOf = (address: string) =>
      t.emulator.control
        .invitations(t.emulator.orgId)
        .filter((i) => i.username.toLowerCase() === address);

    /**
     * `late` declares `address` from the output `prop` of an echo resource, `early` declares it
     * as a plain string. The echo resource takes `delayMs` to create, so `early` has long been
     * created when the late address arrives.
     */
    const program = (name: string, prop: "id" | "username", delayMs = 0): StackResource[] => [
      {
        kind: "echo",
        name: `${name}-source`,
        args: { echoId: `${name[0]?.toUpperCase()}${name.slice(1)}@Example.COM`, delayMs },
      },
      invitationOf(name, t.emulator.orgId),
      {
        name: `${name}-late`,
        args: {
          orgId: t.emulator.orgId,
          username: {
            $ref: `${name}-source`,
            prop: prop === "id" ? "id" : "echoId",
          },
          roles: ["ORG_MEMBER"],
        },
      },
    ];

    it("an output the engine previews from inputs: preview already refuses the late one, before any call to Atlas", async () => {
      const s = await stack("known-at-preview");
      takeLog(t.emulator);
      const preview = await s.preview(program("xena", "username"));
      expect(preview.exitCode).not.toBe(0);
      const refused = refusals(preview);
      expect(refused.steps).toEqual(["xena-late: check"]);
      expect(refused.errors).toMatch(DECLARED_TWICE);
      expect(refused.errors).toMatch(/the other is "xena"/);
      expect(takeLog(t.emulator)).toEqual([]);
    }, 180_000);

    describe("an output only the provider computes (an id): unknown until that resource exists", () => {
      let s: Awaited<ReturnType<typeof stack>>;
      const declared = () => program("wren", "id", 1_500);

      beforeAll(async () => {
        s = await stack("computed");
        takeLog(t.emulator);
      }, 120_000);

      it("the first preview cannot see it: it plans both invitations and passes", async () => {
        const preview = await s.preview(declared());
        expectExit(preview, 0);
        expect(opsOf(preview)).toEqual([
          "wren-late: create",
          "wren-source: create",
          "wren: create",
        ]);
        expect(refusals(preview).steps).toEqual([]);
        expect(takeLog(t.emulator)).toEqual([]);
      }, 180_000);

      it("up sends the other one's invitation, then refuses the late one at check, naming the other; nothing is sent for the late one", async () => {
        const up = await s.up(declared());
        expect(up.exitCode).not.toBe(0);
        const refused = refusals(up);
        // The program's mark, read by check: not the provider's own guard at create.
        expect(refused.steps).toEqual(["wren-late: check"]);
        expect(refused.errors).toMatch(DECLARED_TWICE);
        expect(refused.errors).toMatch(/the other is "wren"/);
        expect(refused.errors).not.toMatch(/already manages/);
        // One invitation went out before the refusal: the other resource's own, which it keeps.
        expect(takeWrites(t.emulator).filter((w) => w.startsWith("POST"))).toHaveLength(1);
        expect(invitationsOf("wren@example.com")).toHaveLength(1);
        expect([...(await s.invitationsInState()).keys()]).toEqual(["wren"]);
      }, 180_000);

      it("the next preview knows the address from the state and refuses the late one", async () => {
        const preview = await s.preview(declared());
        expect(preview.exitCode).not.toBe(0);
        expect(refusals(preview).steps).toEqual(["wren-late: check"]);
        expect(refusals(preview).errors).toMatch(/the other is "wren"/);
        expect(takeWrites(t.emulator)).toEqual([]);
      }, 180_000);
    });

    it("at --parallel 1 the late one is refused all the same, and at most the other one's invitation is sent", async () => {
      const s = await stack("computed-parallel-1");
      takeLog(t.emulator);
      const up = await s.up(program("yale", "id"), { parallel: 1 });
      expect(up.exitCode).not.toBe(0);
      expect(refusals(up).steps).toEqual(["yale-late: check"]);
      expect(refusals(up).errors).toMatch(/the other is "yale"/);
      const posts = takeWrites(t.emulator).filter((w) => w.startsWith("POST"));
      expect(posts.length).toBeLessThanOrEqual(1);
      expect(invitationsOf("yale@example.com")).toHaveLength(posts.length);
      const kept = [...(await s.invitationsInState()).keys()];
      expect(kept).toEqual(posts.length === 1 ? ["yale"] : []);
    }, 180_000);
  },
);

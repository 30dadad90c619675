/**
 * An invitation cancelled outside Pulumi (an admin in the Atlas UI), under the real engine, on
 * each backend: `pulumi refresh` drops it from the stack, and the next `pulumi up` invites the
 * person once; `pulumi up --refresh` does both in one command.
 */
import type { CliStack } from "../../host-harness/cli-stack";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import { takeLog } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useEngineSuite } from "./helpers";

describe.each(BACKENDS)(
  "an invitation cancelled outside Pulumi, on the %s API, under the real CLI",
  (backend: Backend) => {
    const suite = useEngineSuite("drift", backend);
    const { t } = suite;
    let stack: CliStack;
    const program = () => [
      invitationOf("erin", t.emulator.orgId),
      invitationOf("frank", t.emulator.orgId),
    ];
    const pendingFor = (username: string) =>
      t.emulator.control.invitations(t.emulator.orgId).filter((i) => i.username === username);
    const posts = () => takeWrites(t.emulator).filter((w) => w.startsWith("POST")).length;

    beforeAll(async () => {
      stack = await suite.stack();
      expectExit(await stack.up(program()), 0);
      takeLog(t.emulator);
    }, 180_000);

    it("drops the cancelled invitation from the stack on refresh and keeps the other", async () => {
      t.emulator.control.rejectInvitation(t.emulator.orgId, "frank@example.com");
      const refresh = await stack.refresh();
      expectExit(refresh, 0);
      expect(opsOf(refresh)).toEqual(["erin: refresh", "frank: refresh"]);
      expect([...(await stack.invitationsInState()).keys()]).toEqual(["erin"]);
      expect(posts()).toBe(0);
    }, 120_000);

    it("invites the person once on the next up", async () => {
      const up = await stack.up(program());
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["erin: same", "frank: create"]);
      expect(posts()).toBe(1);
      expect(pendingFor("frank@example.com")).toHaveLength(1);
      expect([...(await stack.invitationsInState()).keys()].sort()).toEqual(["erin", "frank"]);
    }, 120_000);

    it("does both in one command with up --refresh", async () => {
      t.emulator.control.rejectInvitation(t.emulator.orgId, "frank@example.com");
      expect(pendingFor("frank@example.com")).toHaveLength(0);
      const up = await stack.up(program(), { refresh: true });
      expectExit(up, 0);
      expect(up.steps.find((s) => s.name === "frank")?.op).toBe("create");
      expect(posts()).toBe(1);
      expect(pendingFor("frank@example.com")).toHaveLength(1);
      const second = await stack.up(program());
      expect(opsOf(second)).toEqual(["erin: same", "frank: same"]);
      expect(posts()).toBe(0);
    }, 120_000);
  },
);

/**
 * Stack scenarios through the real host and the harness engine, on each backend
 * (`atlasInvitations:api` invites and users, set in the stack config), each CLI command in a host
 * process of its own:
 * - the escape hatch for an accepted invitation: drift made in the Atlas UI is recorded by
 *   refresh; once she accepted, `up` with the program's values is a state-only update with a
 *   warning; `onAccepted: "retain"` lets the teardown succeed and the member stays;
 * - one person declared by two resources (two letter cases): refused at preview when one program
 *   run declares both; refused by the provider when they reach it unmarked, in the deployment
 *   that creates them and in every later one;
 * - a renamed resource: the new name adopts the invitation, the old name's delete leaves it.
 * The Atlas calls of each step are asserted against the one table of calls per step and backend
 * (`plan`, test/provider/helpers.ts).
 */
import { join } from "node:path";
import { Engine, serializeDeclarations, startConfiguredHost } from "../../host-harness";
import type { Declared, Props } from "../../host-harness";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import {
  apiConfig,
  authConfig,
  calls,
  expectCalls,
  invitation,
  invitationIdOf,
  stderrDuring,
  stepsOn,
  takeLog,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const ALICE = "alice@example.com";
const ALICE_SHOUTED = "Alice@Example.COM";

describe.each(BACKENDS)(
  "stack scenarios on the %s API, through the real host",
  (backend: Backend) => {
    const consumer = useConsumer();
    const steps = stepsOn(backend);
    const idOutput = backend === "invites" ? "invitationId" : "userId";
    const t = useHostEmulator({ prefix: "host-scenarios-" });

    /** An engine for one stack: each step starts a configured host of its own, as the CLI does. */
    const newEngine = (stack: string): Engine => {
      const { config, secretKeys } = authConfig(t.emulator, "digest");
      return new Engine({
        startHost: () =>
          startConfiguredHost(consumer(), {
            config: { ...config, ...apiConfig(backend) },
            secretKeys,
          }),
        statePath: join(t.dir, `${stack}.json`),
        project: "invitations",
        stack,
      });
    };
    /** One engine step, with what its host wrote to stderr. */
    const step = <T>(engine: Engine, run: () => Promise<T>) =>
      stderrDuring(() => engine.hostOutput(), run);
    const member = (username: string) =>
      t.emulator.control
        .users(t.emulator.orgId)
        .find((u) => u.username.toLowerCase() === username.toLowerCase());

    describe("the escape hatch: an invitation changed in the Atlas UI and then accepted, kept through up and destroy", () => {
      let engine: Engine;
      let declared: Declared[];
      let retained: Declared[];
      const alice = (): Props => engine.state.resources["alice"]?.outputs ?? {};
      let id: string | undefined;

      beforeAll(async () => {
        await t.emulator.control.reset();
        engine = newEngine("escape-hatch");
        [declared, retained] = await Promise.all([
          serializeDeclarations(consumer(), [invitation("alice", t.emulator.orgId)]),
          serializeDeclarations(consumer(), [
            invitation("alice", t.emulator.orgId, { onAccepted: "retain" }),
          ]),
        ]);
      }, 60_000);
      beforeEach(() => takeLog(t.emulator));

      it("up invites alice as a member", async () => {
        expect(await engine.up(declared)).toEqual([{ name: "alice", op: "create" }]);
        expectCalls(t.emulator, steps.createNew);
        id = engine.state.resources["alice"]?.id;
        expect(alice()).toMatchObject({ [idOutput]: id, roles: ["ORG_MEMBER"], status: "PENDING" });
      });

      it("refresh records the roles an admin changed in the Atlas UI as drift in state", async () => {
        t.emulator.control.setInvitation(t.emulator.orgId, invitationIdOf(t.emulator, ALICE), {
          roles: ["ORG_READ_ONLY"],
        });
        expect(await engine.refresh()).toEqual([{ name: "alice", op: "refresh" }]);
        expectCalls(t.emulator, steps.readPending);
        expect(engine.state.resources["alice"]?.id).toBe(id);
        expect(alice()).toMatchObject({ roles: ["ORG_READ_ONLY"], status: "PENDING" });
      });

      it("refresh after she accepts keeps her in state, now with status ACCEPTED", async () => {
        t.emulator.control.acceptInvitation(t.emulator.orgId, ALICE);
        expect(await engine.refresh()).toEqual([{ name: "alice", op: "refresh" }]);
        expectCalls(t.emulator, steps.readNotPending(false));
        expect(engine.state.resources["alice"]?.id).toBe(id);
        expect(alice()).toMatchObject({ roles: ["ORG_READ_ONLY"], status: "ACCEPTED" });
        expect(member(ALICE)).toMatchObject({
          orgMembershipStatus: "ACTIVE",
          roles: ["ORG_READ_ONLY"],
        });
      });

      it("up with the program's original roles is a state-only update: no Atlas call, and a warning that the declared values were recorded in state only", async () => {
        expect(await engine.preview(declared)).toEqual([{ name: "alice", op: "update" }]);
        const { result, stderr } = await step(engine, () => engine.up(declared));
        expect(result).toEqual([{ name: "alice", op: "update" }]);
        expect(calls(t.emulator)).toEqual([]);
        expect(alice()).toMatchObject({ roles: ["ORG_MEMBER"], status: "ACCEPTED" });
        expect(stderr).toContain(ALICE);
        expect(stderr).toMatch(/recorded in state only/);
        // Nothing was written: the member keeps the roles she accepted with.
        expect(member(ALICE)).toMatchObject({
          orgMembershipStatus: "ACTIVE",
          roles: ["ORG_READ_ONLY"],
        });
      });

      it('up with onAccepted "retain" is a state-only update without any Atlas call', async () => {
        expect(await engine.up(retained)).toEqual([{ name: "alice", op: "update" }]);
        expect(calls(t.emulator)).toEqual([]);
        expect(alice()).toMatchObject({ onAccepted: "retain", status: "ACCEPTED" });
      });

      it("destroy succeeds with a warning, and the member stays ACTIVE: nobody was removed", async () => {
        const { result, stderr } = await step(engine, () => engine.destroy());
        expect(result).toEqual([{ name: "alice", op: "delete" }]);
        expectCalls(t.emulator, ["listOrgUsers"]);
        expect(engine.state.resources).toEqual({});
        expect(stderr).toMatch(/member was left in place/);
        expect(member(ALICE)?.orgMembershipStatus).toBe("ACTIVE");
        expect(t.emulator.log.entries({ operationId: "removeOrgUser" })).toEqual([]);
        expect(t.emulator.stats().activeUserRemovals).toBe(0);
      });
    });

    describe("one person declared by two resources of one program, as alice@example.com and Alice@Example.COM", () => {
      let engine: Engine;
      let program: Declared[];

      beforeAll(async () => {
        await t.emulator.control.reset();
        engine = newEngine("declared-twice-in-one-program");
        program = await serializeDeclarations(consumer(), [
          invitation("alice", t.emulator.orgId),
          invitation("alice-shouted", t.emulator.orgId, { username: ALICE_SHOUTED }),
        ]);
      }, 60_000);

      it("preview refuses both resources at check, each naming the other, before any API call", async () => {
        takeLog(t.emulator);
        const reports = await engine.preview(program);
        expect(reports.map((r) => [r.name, r.op, r.failures?.map((f) => f.property)])).toEqual([
          ["alice", "failed", ["username"]],
          ["alice-shouted", "failed", ["username"]],
        ]);
        expect(reports[0]?.error).toMatch(
          /^username: alice@example\.com is declared by two OrgInvitation resources for organization [0-9a-f]{24}; the other is "alice-shouted" \(as Alice@Example\.COM\)/,
        );
        expect(reports[1]?.error).toMatch(/the other is "alice" \(as alice@example\.com\)/);
        expect(calls(t.emulator)).toEqual([]);
      });

      it("up creates neither: no invitation is sent, nothing is stored", async () => {
        const reports = await engine.up(program);
        expect(reports.map((r) => r.op)).toEqual(["failed", "failed"]);
        expect(calls(t.emulator)).toEqual([]);
        expect(engine.state.resources).toEqual({});
        expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
      });
    });

    // The program marks a duplicate only once it knows both values; one whose organization or
    // address comes late from another resource may reach the provider unmarked. Each resource is
    // serialized by a program run of its own here, so no mark is made: the provider alone decides.
    describe("one person declared by two resources that reach the provider unmarked", () => {
      let engine: Engine;
      let program: Declared[];
      const spelling = (name: string | undefined): string =>
        program.find((d) => d.name === name)?.inputs["username"] as string;

      beforeAll(async () => {
        await t.emulator.control.reset();
        engine = newEngine("declared-twice-unmarked");
        program = (
          await Promise.all([
            serializeDeclarations(consumer(), [invitation("alice", t.emulator.orgId)]),
            serializeDeclarations(consumer(), [
              invitation("alice-shouted", t.emulator.orgId, { username: ALICE_SHOUTED }),
            ]),
          ])
        ).flat();
        expect(program.every((d) => !("__declaredTwice" in d.inputs))).toBe(true);
      }, 60_000);

      it("up, creating both at once in one deployment, sends one invitation and refuses the other resource before any API call, naming the address", async () => {
        const reports = await engine.up(program);
        const created = reports.filter((r) => r.op === "create");
        const refused = reports.filter((r) => r.op === "failed");
        expect(created).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(refused[0]).toMatchObject({ attempted: "create" });
        const message = refused[0]?.error ?? "";
        expect(message).toMatch(/declared by two OrgInvitation resources/);
        expect(message).toContain(spelling(refused[0]?.name));
        expect(message).toContain(spelling(created[0]?.name));
        // The calls of one create, nothing from the refused one: exactly one POST reached Atlas.
        expectCalls(t.emulator, steps.createNew);
        expect(
          t.emulator.log.entries({ method: "POST" }).filter((e) => !e.challenged),
        ).toHaveLength(1);
        expect(Object.keys(engine.state.resources)).toEqual([created[0]?.name]);
        expect(t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username)).toEqual([
          spelling(created[0]?.name),
        ]);
      });

      it("the next up, a deployment of its own, still refuses the duplicate instead of handing it the invitation the other resource manages", async () => {
        takeLog(t.emulator);
        const [kept] = Object.keys(engine.state.resources);
        const reports = await engine.up(program);
        expect(reports.find((r) => r.name === kept)).toEqual({ name: kept, op: "same" });
        const duplicate = reports.find((r) => r.name !== kept);
        expect(duplicate).toMatchObject({ op: "failed", attempted: "create" });
        expect(duplicate?.error).toMatch(/declared by two OrgInvitation resources/);
        expect(duplicate?.error).toMatch(/already manages the invitation/);
        // Two resources sharing one invitation: destroying either would cancel the other's.
        const ids = Object.values(engine.state.resources).map((r) => r.id);
        expect(ids).toHaveLength(new Set(ids).size);
        expect(Object.keys(engine.state.resources)).toEqual([kept]);
        expect(calls(t.emulator)).toEqual([]);
      });
    });

    it("a renamed resource keeps the invitation: the new name adopts it, the old name's delete leaves it pending with a warning, and a later destroy cancels it", async () => {
      await t.emulator.control.reset();
      const engine = newEngine("renamed");
      const [before, after] = await Promise.all([
        serializeDeclarations(consumer(), [invitation("alice", t.emulator.orgId)]),
        serializeDeclarations(consumer(), [
          invitation("alice-renamed", t.emulator.orgId, { username: ALICE }),
        ]),
      ]);
      await engine.up(before);
      const id = engine.state.resources["alice"]?.id;
      const invitationId = invitationIdOf(t.emulator, ALICE);
      takeLog(t.emulator);

      const { result, stderr } = await step(engine, () => engine.up(after));
      expect(result).toEqual([
        { name: "alice-renamed", op: "create" },
        { name: "alice", op: "delete" },
      ]);
      expectCalls(t.emulator, steps.adoptMatching);
      expect(stderr).toMatch(/adopted by another OrgInvitation of this deployment/);
      expect(Object.keys(engine.state.resources)).toEqual(["alice-renamed"]);
      expect(engine.state.resources["alice-renamed"]?.id).toBe(id);
      expect(engine.state.resources["alice-renamed"]?.outputs).toMatchObject({
        [idOutput]: id,
        status: "PENDING",
      });
      expect(invitationIdOf(t.emulator, ALICE)).toBe(invitationId);
      takeLog(t.emulator);

      expect(await engine.destroy()).toEqual([{ name: "alice-renamed", op: "delete" }]);
      expectCalls(t.emulator, steps.deletePending);
      expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
    });
  },
);

/**
 * A stack's life through the real host, step by step, as the CLI runs it: a fresh host process
 * per command, a state file carried between commands, preview steps passing unknown values; on
 * each backend (`atlasInvitations:api` invites and users, set in the stack config). The steps
 * build on each other, in order; the Atlas calls of every step are asserted against the one table
 * of calls per step and backend (`plan`, test/provider/helpers.ts).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogEntry } from "../../emulator";
import { Engine, UNKNOWN, serializeDeclarations, startConfiguredHost } from "../../host-harness";
import type { Declaration, Declared, Props, StackState } from "../../host-harness";
import { BACKENDS } from "../support/variants";
import type { Backend } from "../support/variants";
import {
  apiConfig,
  authConfig,
  calls,
  expectCalls,
  expectConcurrentCalls,
  invitation,
  stepsOn,
  takeLog,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const ALICE = "alice@example.com";
const CAROL_NEW = "carol.new@example.com";

describe.each(BACKENDS)(
  "a stack of three invitations on the %s API, from first preview to destroy, through the real host",
  (backend: Backend) => {
    const consumer = useConsumer();
    const steps = stepsOn(backend);
    const t = useHostEmulator({ prefix: "host-stack-" });
    /** Where this backend keeps a resource's id: the invitation's, or the PENDING org user's. */
    const idOutput = backend === "invites" ? "invitationId" : "userId";
    const idPath = (id: string | undefined): string =>
      `/api/atlas/v2/orgs/${t.emulator.orgId}/${backend === "invites" ? "invites" : "users"}/${id}`;
    /** The ids of what is pending in Atlas, as this backend names them. */
    const pendingIds = (): string[] =>
      backend === "invites"
        ? t.emulator.control.invitations(t.emulator.orgId).map((i) => i.id)
        : t.emulator.control
            .users(t.emulator.orgId)
            .filter((u) => u.orgMembershipStatus === "PENDING")
            .map((u) => u.id);
    /** Roles of the person's pending invitation in Atlas (an org user's invitation follows its user). */
    const rolesInAtlas = (username: string): string[] | undefined =>
      t.emulator.control.invitations(t.emulator.orgId).find((i) => i.username === username)?.roles;
    let engine: Engine;
    const programs: Record<"v1" | "v2" | "v3" | "v4", Declared[]> = {
      v1: [],
      v2: [],
      v3: [],
      v4: [],
    };
    const everything: LogEntry[] = [];

    /** What Atlas saw during the step, kept for the whole-scenario assertions. */
    const stepLog = (): LogEntry[] => {
      const entries = takeLog(t.emulator);
      everything.push(...entries);
      return entries;
    };
    const stateFile = async (): Promise<StackState> =>
      JSON.parse(await readFile(join(t.dir, "state.json"), "utf8")) as StackState;
    const outputs = (name: string): Props => engine.state.resources[name]?.outputs ?? {};
    /** A declared program with some inputs replaced, as a preview with unknown values sends them. */
    const withInputs = (decls: Declared[], name: string, patch: Props): Declared[] =>
      decls.map((d) => (d.name === name ? { ...d, inputs: { ...d.inputs, ...patch } } : d));

    beforeAll(async () => {
      const { orgId, teamIds } = t.emulator;
      const v1: Declaration[] = [
        invitation("alice", orgId, { teamIds: [teamIds[0]] }),
        invitation("bob", orgId),
        invitation("carol", orgId),
      ];
      const v2 = v1.map((d) =>
        d.name === "alice"
          ? { ...d, args: { ...d.args, roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"] } }
          : d.name === "bob"
            ? { ...d, args: { ...d.args, roles: ["ORG_READ_ONLY"] } }
            : d,
      );
      const v3 = v2.map((d) =>
        d.name === "carol" ? { ...d, args: { ...d.args, username: CAROL_NEW } } : d,
      );
      const v4 = v2
        .filter((d) => d.name === "alice")
        .map((d) => ({ ...d, args: { ...d.args, onAccepted: "retain" } }));
      const [r1, r2, r3, r4] = await Promise.all(
        [v1, v2, v3, v4].map((v) => serializeDeclarations(consumer(), v)),
      );
      Object.assign(programs, { v1: r1, v2: r2, v3: r3, v4: r4 });
      const { config, secretKeys } = authConfig(t.emulator, "digest");
      engine = new Engine({
        startHost: () =>
          startConfiguredHost(consumer(), {
            config: { ...config, ...apiConfig(backend) },
            secretKeys,
          }),
        statePath: join(t.dir, "state.json"),
        project: "invitations",
        stack: "dev",
      });
      takeLog(t.emulator);
    }, 120_000);

    afterEach(async () => {
      // The state file on disk is what the next command starts from.
      expect(await stateFile()).toEqual(engine.state);
    });

    it("preview of a new stack plans three creates from unknown values, without calling Atlas", async () => {
      const preview = withInputs(withInputs(programs.v1, "alice", { teamIds: [UNKNOWN] }), "bob", {
        roles: UNKNOWN,
      });
      expect(await engine.preview(preview)).toEqual([
        { name: "alice", op: "create" },
        { name: "bob", op: "create" },
        { name: "carol", op: "create" },
      ]);
      expect(stepLog()).toEqual([]);
      expect(engine.state.resources).toEqual({});
    });

    it("up creates the three invitations: one POST each, after look-ups that concurrent creates share", async () => {
      expect(await engine.up(programs.v1)).toEqual(
        ["alice", "bob", "carol"].map((name) => ({ name, op: "create" })),
      );
      expectConcurrentCalls(t.emulator, [steps.createNew, steps.createNew, steps.createNew]);
      // The three creates reach the host together: their look-ups share one list of each kind.
      const kinds = [...new Set(steps.createNew.flat().filter((c) => c.startsWith("list")))];
      expect(
        calls(t.emulator)
          .filter((c) => c.startsWith("list"))
          .sort(),
      ).toEqual(kinds.sort());
      stepLog();
      const pending = t.emulator.control.invitations(t.emulator.orgId);
      expect(pending.map((i) => i.username).sort()).toEqual([
        ALICE,
        "bob@example.com",
        "carol@example.com",
      ]);
      for (const name of ["alice", "bob", "carol"]) {
        const id = engine.state.resources[name]?.id;
        expect(outputs(name)).toMatchObject({
          status: "PENDING",
          username: `${name}@example.com`,
          [idOutput]: id,
        });
        expect(pendingIds()).toContain(id);
      }
    });

    it("preview of changed roles, one list still unknown, plans two updates and no replacement", async () => {
      expect(await engine.preview(withInputs(programs.v2, "bob", { roles: [UNKNOWN] }))).toEqual([
        { name: "alice", op: "update" },
        { name: "bob", op: "update" },
        { name: "carol", op: "same" },
      ]);
      expect(stepLog()).toEqual([]);
    });

    it("up with changed roles updates both in place with one PATCH each, keeping their ids", async () => {
      const ids = Object.fromEntries(
        Object.entries(engine.state.resources).map(([n, r]) => [n, r.id]),
      );
      expect(await engine.up(programs.v2)).toEqual([
        { name: "alice", op: "update" },
        { name: "bob", op: "update" },
        { name: "carol", op: "same" },
      ]);
      expectConcurrentCalls(t.emulator, [steps.updatePending, steps.updatePending]);
      stepLog();
      expect(
        Object.fromEntries(Object.entries(engine.state.resources).map(([n, r]) => [n, r.id])),
      ).toEqual(ids);
      expect(rolesInAtlas("bob@example.com")).toEqual(["ORG_READ_ONLY"]);
      expect(outputs("alice")["roles"]).toEqual(["ORG_MEMBER", "ORG_BILLING_READ_ONLY"]);
    });

    it("preview of a username not known yet plans a replacement", async () => {
      expect(await engine.preview(withInputs(programs.v3, "carol", { username: UNKNOWN }))).toEqual(
        [
          { name: "alice", op: "same" },
          { name: "bob", op: "same" },
          { name: "carol", op: "replace" },
        ],
      );
      expect(stepLog()).toEqual([]);
    });

    it("up with a changed username replaces: the new invitation is created before the old one is cancelled", async () => {
      const oldId = engine.state.resources["carol"]?.id;
      expect(await engine.up(programs.v3)).toEqual([
        { name: "alice", op: "same" },
        { name: "bob", op: "same" },
        { name: "carol", op: "replace" },
      ]);
      expectCalls(t.emulator, [...steps.createNew, ...steps.deletePending]);
      const log = stepLog();
      expect(log.find((e) => e.method === "DELETE")?.path).toBe(idPath(oldId));
      const carol = engine.state.resources["carol"];
      expect(carol?.id).not.toBe(oldId);
      expect(carol?.outputs).toMatchObject({ username: CAROL_NEW, status: "PENDING" });
      expect(pendingIds()).toContain(carol?.id);
      expect(pendingIds()).not.toContain(oldId);
    });

    it("refresh keeps the invitation accepted in Atlas, now with status ACCEPTED", async () => {
      t.emulator.control.acceptInvitation(t.emulator.orgId, ALICE);
      expect(await engine.refresh()).toEqual(
        expect.arrayContaining(["alice", "bob", "carol"].map((name) => ({ name, op: "refresh" }))),
      );
      // Alice's pending id finds nobody any more (her member has a new id), so membership decides.
      expectConcurrentCalls(t.emulator, [
        steps.readNotPending(false),
        steps.readPending,
        steps.readPending,
      ]);
      stepLog();
      expect(outputs("alice")["status"]).toBe("ACCEPTED");
      expect(outputs("bob")["status"]).toBe("PENDING");
    });

    it("up after the refresh changes nothing and never invites the new member again", async () => {
      expect((await engine.up(programs.v3)).map((r) => r.op)).toEqual(["same", "same", "same"]);
      expect(stepLog()).toEqual([]);
    });

    it("destroy under the default onAccepted fail refuses the accepted one, naming the user and the ways forward, and deletes the others", async () => {
      const reports = await engine.destroy();
      expect(
        reports
          .filter((r) => r.op === "delete")
          .map((r) => r.name)
          .sort(),
      ).toEqual(["bob", "carol"]);
      const refusal = reports.find((r) => r.name === "alice");
      expect(refusal).toMatchObject({ op: "failed", attempted: "delete" });
      expect(refusal?.error).toContain(ALICE);
      expect(refusal?.error).toMatch(/onAccepted: "retain"/);
      expect(refusal?.error).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
      // Newest first, one at a time: carol and bob are cancelled; alice, ACCEPTED in state, costs
      // one membership look-up.
      expectCalls(t.emulator, [...steps.deletePending, ...steps.deletePending, "listOrgUsers"]);
      stepLog();
      expect(Object.keys(engine.state.resources)).toEqual(["alice"]);
      expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
      expect(pendingIds()).toEqual([]);
    });

    it("preview of onAccepted retain plans an update", async () => {
      expect(await engine.preview(programs.v4)).toEqual([{ name: "alice", op: "update" }]);
      expect(stepLog()).toEqual([]);
    });

    it("up with onAccepted retain updates state without an API call", async () => {
      expect(await engine.up(programs.v4)).toEqual([{ name: "alice", op: "update" }]);
      expect(stepLog()).toEqual([]);
      expect(outputs("alice")).toMatchObject({ onAccepted: "retain", status: "ACCEPTED" });
    });

    it("destroy under retain succeeds, leaves the member active, warns, and never removed a member", async () => {
      const before = engine.hostOutput().stderr.length;
      expect(await engine.destroy()).toEqual([{ name: "alice", op: "delete" }]);
      expectCalls(t.emulator, ["listOrgUsers"]);
      stepLog();
      expect(engine.state.resources).toEqual({});
      const alice = t.emulator.control.users(t.emulator.orgId).find((u) => u.username === ALICE);
      expect(alice?.orgMembershipStatus).toBe("ACTIVE");
      const stderr = engine.hostOutput().stderr.slice(before);
      expect(stderr).toContain(ALICE);
      expect(stderr).toMatch(/member was left in place/);
      const removals = everything.filter((e) => e.operationId === "removeOrgUser");
      if (backend === "invites") {
        // The invites API cancels with its own DELETE: no org user is ever removed.
        expect(removals).toEqual([]);
        expect(t.emulator.stats().pendingUserRemovals).toBe(0);
      } else {
        // The org users API cancels by removing the PENDING user: the replaced carol, then carol
        // and bob; each removal a pending one.
        expect(removals.map((e) => e.status)).toEqual([204, 204, 204]);
        expect(t.emulator.stats().pendingUserRemovals).toBe(3);
      }
      expect(t.emulator.stats().activeUserRemovals).toBe(0);
    });
  },
);

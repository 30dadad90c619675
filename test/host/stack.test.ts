/**
 * A stack's life through the real host, step by step, as the CLI runs it: a fresh host process
 * per command, a state file carried between commands, preview steps passing unknown values.
 * The steps build on each other, in order; the Atlas calls of every step are asserted.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogEntry } from "../../emulator";
import { Engine, UNKNOWN, serializeDeclarations, startConfiguredHost } from "../../host-harness";
import type { Declaration, Declared, Props, StackState } from "../../host-harness";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  apiCalls,
  authConfig,
  callCounts,
  expectRequestsOnContract,
  invitation,
  takeLog,
  useConsumer,
} from "./helpers";

const ALICE = "alice@example.com";
const CAROL_NEW = "carol.new@example.com";

describe("a stack of three invitations, from first preview to destroy, through the real host", () => {
  const consumer = useConsumer();
  let emulator: TestEmulator;
  let engine: Engine;
  let dir: string;
  const programs: Record<"v1" | "v2" | "v3" | "v4", Declared[]> = {
    v1: [],
    v2: [],
    v3: [],
    v4: [],
  };
  const everything: LogEntry[] = [];

  /** What Atlas saw during the step, kept for the whole-scenario assertions. */
  const stepLog = (): LogEntry[] => {
    const entries = takeLog(emulator);
    everything.push(...entries);
    return entries;
  };
  const stateFile = async (): Promise<StackState> =>
    JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as StackState;
  const outputs = (name: string): Props => engine.state.resources[name]?.outputs ?? {};
  /** A declared program with some inputs replaced, as a preview with unknown values sends them. */
  const withInputs = (decls: Declared[], name: string, patch: Props): Declared[] =>
    decls.map((d) => (d.name === name ? { ...d, inputs: { ...d.inputs, ...patch } } : d));

  beforeAll(async () => {
    emulator = await startTestEmulator();
    dir = await mkdtemp(join(tmpdir(), "host-stack-"));
    const { orgId, teamIds } = emulator;
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
    const { config, secretKeys } = authConfig(emulator, "digest");
    engine = new Engine({
      startHost: () => startConfiguredHost(consumer(), { config, secretKeys }),
      statePath: join(dir, "state.json"),
      project: "invitations",
      stack: "dev",
    });
    takeLog(emulator);
  }, 120_000);

  afterEach(async () => {
    expectRequestsOnContract(emulator);
    // The state file on disk is what the next command starts from.
    expect(await stateFile()).toEqual(engine.state);
  });

  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
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

  it("up creates the three invitations: at most one look-up and one POST each", async () => {
    expect(await engine.up(programs.v1)).toEqual(
      ["alice", "bob", "carol"].map((name) => ({ name, op: "create" })),
    );
    // Concurrent look-ups in one org may share one org-wide list (provider/coalesce.ts).
    const counts = callCounts(stepLog());
    expect(Object.keys(counts).sort()).toEqual(["GET listOrgInvites", "POST createOrgInvite"]);
    expect(counts["POST createOrgInvite"]).toBe(3);
    expect(counts["GET listOrgInvites"]).toBeLessThanOrEqual(3);
    const pending = emulator.control.invitations(emulator.orgId);
    expect(pending.map((i) => i.username).sort()).toEqual([
      ALICE,
      "bob@example.com",
      "carol@example.com",
    ]);
    for (const name of ["alice", "bob", "carol"]) {
      expect(outputs(name)).toMatchObject({ status: "PENDING", username: `${name}@example.com` });
      expect(pending.some((i) => i.id === engine.state.resources[name]?.id)).toBe(true);
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
    expect(callCounts(stepLog())).toEqual({ "PATCH updateOrgInviteById": 2 });
    expect(
      Object.fromEntries(Object.entries(engine.state.resources).map(([n, r]) => [n, r.id])),
    ).toEqual(ids);
    const bob = emulator.control.invitations(emulator.orgId).find((i) => i.id === ids["bob"]);
    expect(bob?.roles).toEqual(["ORG_READ_ONLY"]);
    expect(outputs("alice")["roles"]).toEqual(["ORG_MEMBER", "ORG_BILLING_READ_ONLY"]);
  });

  it("preview of a username not known yet plans a replacement", async () => {
    expect(await engine.preview(withInputs(programs.v3, "carol", { username: UNKNOWN }))).toEqual([
      { name: "alice", op: "same" },
      { name: "bob", op: "same" },
      { name: "carol", op: "replace" },
    ]);
    expect(stepLog()).toEqual([]);
  });

  it("up with a changed username replaces: the new invitation is created before the old one is cancelled", async () => {
    const oldId = engine.state.resources["carol"]?.id;
    expect(await engine.up(programs.v3)).toEqual([
      { name: "alice", op: "same" },
      { name: "bob", op: "same" },
      { name: "carol", op: "replace" },
    ]);
    const log = stepLog();
    expect(apiCalls(log)).toEqual([
      "GET listOrgInvites",
      "POST createOrgInvite",
      "DELETE deleteOrgInvite",
    ]);
    const orgPath = `/api/atlas/v2/orgs/${emulator.orgId}`;
    expect(log.find((e) => e.method === "DELETE")?.path).toBe(`${orgPath}/invites/${oldId}`);
    const carol = engine.state.resources["carol"];
    expect(carol?.id).not.toBe(oldId);
    expect(carol?.outputs).toMatchObject({ username: CAROL_NEW, status: "PENDING" });
    const ids = emulator.control.invitations(emulator.orgId).map((i) => i.id);
    expect(ids).toContain(carol?.id);
    expect(ids).not.toContain(oldId);
  });

  it("refresh keeps the invitation accepted in Atlas, now with status ACCEPTED", async () => {
    emulator.control.acceptInvitation(emulator.orgId, ALICE);
    expect(await engine.refresh()).toEqual(
      expect.arrayContaining(["alice", "bob", "carol"].map((name) => ({ name, op: "refresh" }))),
    );
    // Concurrent refreshes in one org may share one org-wide list instead of a GET each
    // (provider/coalesce.ts); the accepted one still costs one member look-up.
    const { "GET listOrgUsers": memberLookups, ...reads } = callCounts(stepLog());
    expect(memberLookups).toBe(1);
    expect(
      Object.keys(reads).every((k) => k === "GET getOrgInvite" || k === "GET listOrgInvites"),
    ).toBe(true);
    const readCalls = Object.values(reads).reduce((a, b) => a + b, 0);
    expect(readCalls).toBeGreaterThanOrEqual(1);
    expect(readCalls).toBeLessThanOrEqual(3);
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
    expect(refusal?.error).toMatch(/pulumi state delete/);
    expect(callCounts(stepLog())).toEqual({ "DELETE deleteOrgInvite": 2, "GET listOrgUsers": 1 });
    expect(Object.keys(engine.state.resources)).toEqual(["alice"]);
    expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
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

  it("destroy under retain succeeds, leaves the member active, warns, and never removed a user", async () => {
    expect(await engine.destroy()).toEqual([{ name: "alice", op: "delete" }]);
    expect(apiCalls(stepLog())).toEqual(["GET listOrgUsers"]);
    expect(engine.state.resources).toEqual({});
    const alice = emulator.control.users(emulator.orgId).find((u) => u.username === ALICE);
    expect(alice?.orgMembershipStatus).toBe("ACTIVE");
    expect(engine.hostOutput().stderr).toMatch(/retain/);
    expect(everything.filter((e) => e.operationId === "removeOrgUser")).toEqual([]);
    expect(everything.filter((e) => e.method === "DELETE" && e.path.includes("/users"))).toEqual(
      [],
    );
  });
});

/**
 * Upgrades (issue 4): state written by the packed version keeps working after the user installs
 * a newer one. `pulumi refresh` and `pulumi destroy` run the `__provider` text stored at the last
 * update (pulumi#16826); because that text only requires the package's stable runtime subpath,
 * they must load the code installed now. The newer version here is the packed package with a
 * new version number and a marker line, installed over the old one with `npm install`; the
 * User-Agent (which carries the package version) and the marker prove which code ran.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Exchange, LogEntry } from "../../emulator";
import { Engine, serializeDeclarations, startConfiguredHost } from "../../host-harness";
import type { Consumer, Registration, StackState } from "../../host-harness";
import { copyConsumer, installNextVersion } from "../../host-harness/upgrade";
import {
  PREPARE_TIMEOUT_MS,
  authConfig,
  callCounts,
  invitation,
  takeLog,
  useConsumer,
  useHostEmulator,
} from "./helpers";

const NEXT = { version: "0.2.0", marker: "@@upgrade-marker: runtime of 0.2.0 loaded@@" };
const ALICE = "alice@example.com";

/**
 * Writes counted exactly; reads as the set of operations, since how many look-ups concurrent
 * resources share is the provider's caching business, not the upgrade's.
 */
function splitCalls(entries: readonly LogEntry[]): {
  writes: Record<string, number>;
  reads: string[];
} {
  const counts = callCounts(entries);
  const writes = Object.fromEntries(Object.entries(counts).filter(([c]) => !c.startsWith("GET ")));
  const reads = Object.keys(counts)
    .filter((c) => c.startsWith("GET "))
    .sort();
  return { writes, reads };
}

describe("state written by the packed version, refreshed and destroyed after an upgrade", () => {
  const consumer = useConsumer();
  let project: Consumer;
  let registrations: Registration[];
  let packedVersion: string;
  /** User-Agent of every Atlas request since the last `takeLog`. */
  let userAgents: string[] = [];
  const t = useHostEmulator({
    prefix: "host-upgrade-",
    emulator: {
      onExchange: (e: Exchange) => userAgents.push(e.requestHeaders["user-agent"] ?? "(none)"),
    },
  });

  const statePath = (): string => join(t.dir, "state.json");
  const stateFile = async (): Promise<StackState> =>
    JSON.parse(await readFile(statePath(), "utf8")) as StackState;
  /** Each CLI command starts from the state file, with a host process of its own. */
  const engineFromStateFile = async (): Promise<Engine> => {
    const { config, secretKeys } = authConfig(t.emulator, "digest");
    return new Engine({
      startHost: () => startConfiguredHost(project, { config, secretKeys }),
      statePath: statePath(),
      project: "invitations",
      stack: "dev",
      state: await stateFile().catch(() => ({ resources: {}, pendingDeletes: [] })),
    });
  };
  const sentVersions = (): string[] =>
    [
      ...new Set(userAgents.map((ua) => /^pulumi-atlas-org-invitations\/(\S+)/.exec(ua)?.[1])),
    ] as string[];

  beforeAll(async () => {
    project = await copyConsumer(consumer(), join(t.dir, "project"));
    packedVersion = (
      JSON.parse(await readFile(join(project.packageDir, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
    registrations = await serializeDeclarations(project, [
      invitation("alice", t.emulator.orgId),
      invitation("bob", t.emulator.orgId),
    ]);
  }, PREPARE_TIMEOUT_MS);

  beforeEach(() => {
    takeLog(t.emulator);
    userAgents = [];
  });

  it("up with the packed version creates two invitations and stores its __provider in the state file", async () => {
    expect(packedVersion).not.toBe(NEXT.version);
    const engine = await engineFromStateFile();
    expect(await engine.up(registrations)).toEqual([
      { name: "alice", op: "create" },
      { name: "bob", op: "create" },
    ]);
    // Each create looks up the person's pending invitations and membership before its POST.
    expect(splitCalls(takeLog(t.emulator))).toEqual({
      writes: { "POST createOrgInvite": 2 },
      reads: ["GET listOrgInvites", "GET listOrgUsers"],
    });
    expect(sentVersions()).toEqual([packedVersion]);
    const state = await stateFile();
    for (const r of registrations) {
      expect(state.resources[r.name]?.outputs["__provider"]).toBe(r.inputs["__provider"]);
      expect(state.resources[r.name]?.inputs["__provider"]).toBe(r.inputs["__provider"]);
    }
    expect(engine.hostOutput().stderr).not.toContain(NEXT.marker);
  });

  it("npm install of the next version replaces the package in node_modules and leaves the state file alone", async () => {
    const before = await stateFile();
    await installNextVersion(project, t.dir, NEXT);
    const manifest = JSON.parse(
      await readFile(join(project.packageDir, "package.json"), "utf8"),
    ) as { version: string };
    expect(manifest.version).toBe(NEXT.version);
    expect(await readFile(join(project.packageDir, "dist", "runtime.js"), "utf8")).toContain(
      NEXT.marker,
    );
    expect(await stateFile()).toEqual(before);
  });

  it("refresh from the old state runs the new version's code and sees the acceptance", async () => {
    const oldProviders = Object.values((await stateFile()).resources).map(
      (r) => r.outputs["__provider"],
    );
    t.emulator.control.acceptInvitation(t.emulator.orgId, ALICE);
    takeLog(t.emulator);
    userAgents = [];
    const engine = await engineFromStateFile();
    const reports = await engine.refresh();
    expect(reports).toEqual(
      expect.arrayContaining([
        { name: "alice", op: "refresh" },
        { name: "bob", op: "refresh" },
      ]),
    );
    const { writes, reads } = splitCalls(takeLog(t.emulator));
    expect(writes).toEqual({});
    expect(reads).toEqual(expect.arrayContaining(["GET listOrgUsers"]));
    expect(sentVersions()).toEqual([NEXT.version]);
    expect(engine.hostOutput().stderr).toContain(NEXT.marker);
    const state = await stateFile();
    expect(state.resources["alice"]?.outputs["status"]).toBe("ACCEPTED");
    expect(state.resources["bob"]?.outputs["status"]).toBe("PENDING");
    // The stored __provider is still the text the packed version wrote.
    expect(Object.values(state.resources).map((r) => r.inputs["__provider"])).toEqual(oldProviders);
  });

  it("destroy from the old state runs the new version's code: cancels the pending one, refuses the accepted one", async () => {
    const engine = await engineFromStateFile();
    const reports = await engine.destroy();
    expect(reports.find((r) => r.name === "bob")).toEqual({ name: "bob", op: "delete" });
    const refusal = reports.find((r) => r.name === "alice");
    expect(refusal).toMatchObject({ op: "failed", attempted: "delete" });
    expect(refusal?.error).toContain(ALICE);
    expect(refusal?.error).toMatch(/onAccepted: "retain"/);
    expect(splitCalls(takeLog(t.emulator))).toEqual({
      writes: { "DELETE deleteOrgInvite": 1 },
      reads: ["GET listOrgUsers"],
    });
    expect(sentVersions()).toEqual([NEXT.version]);
    expect(engine.hostOutput().stderr).toContain(NEXT.marker);
    expect(Object.keys((await stateFile()).resources)).toEqual(["alice"]);
    expect(t.emulator.control.invitations(t.emulator.orgId)).toEqual([]);
    const alice = t.emulator.control.users(t.emulator.orgId).find((u) => u.username === ALICE);
    expect(alice?.orgMembershipStatus).toBe("ACTIVE");
  });
});

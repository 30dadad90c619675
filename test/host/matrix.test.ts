/**
 * The runtime matrix (issue 4, and the supported-runtimes issue): the packed provider through the
 * SDK's own host on each supported pairing of Node and `@pulumi/pulumi`. Each row installs its own
 * consumer (the SDK version from the registry) and runs on its own Node: this process's Node when
 * it is of the row's major, else the `node@<major>` package from the registry
 * (host-harness/node-runtime.ts). The program that serializes the provider and the host both run
 * on the row's Node. A failed install fails the row with npm's error: nothing is skipped.
 *
 * Rows, each named by what it really runs:
 * - Node 20 (end of life since April 2026, still inside `engines`) with the lower bound of the
 *   peer range, read from package.json (configure() arrived in 3.139.0);
 * - Node 20 with the repo's pinned `@pulumi/pulumi` (3.248.0, the last release declaring Node 20:
 *   3.249+ declares node >= 22);
 * - Node 22 (maintenance) and Node 24 (active LTS) with the newest release below 4, asked of the
 *   registry once per run so the matrix follows what a user installs today
 *   (HOST_MATRIX_NEWEST_PULUMI=<version> pins it, say to reproduce a failure; the row name then
 *   says so).
 *
 * Each row prints `matrix row: node vX, @pulumi/pulumi Y` from what actually runs (`node
 * --version` of the binary, the version installed in the consumer), and its setup and total time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Exchange, LogEntry } from "../../emulator";
import {
  HostError,
  REPO_ROOT,
  installedPulumiVersion,
  prepareConsumer,
  serializeDeclarations,
  startConfiguredHost,
} from "../../host-harness";
import type { Consumer, HostClient, Registration } from "../../host-harness";
import { majorOf, nodeBinaryFor, nodeVersion } from "../../host-harness/node-runtime";
import type { NodeMajor } from "../../host-harness/node-runtime";
import { newestPulumi } from "../../host-harness/pulumi-versions";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  apiCalls,
  authConfig,
  callCounts,
  expectRequestsOnContract,
  invitation,
  takeLog,
} from "./helpers";

/**
 * Writes counted exactly; reads as the set of operations, since which look-ups serve a read is
 * the provider's caching business, not the runtime's.
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

/** Each row installs at most one SDK (about 20 s) and one Node (about 10 s) on a cold cache. */
const ROW_SETUP_TIMEOUT_MS = 180_000;

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function peerLowerBound(): string {
  const manifest = readJson<{ peerDependencies: Record<string, string> }>(
    join(REPO_ROOT, "package.json"),
  );
  const range = manifest.peerDependencies["@pulumi/pulumi"] ?? "";
  const lower = /^>=(\d+\.\d+\.\d+)\b/.exec(range)?.[1];
  if (!lower) throw new Error(`the @pulumi/pulumi peer range "${range}" has no >= lower bound`);
  return lower;
}

/** The repo's own `@pulumi/pulumi`, read synchronously so the row name can carry it. */
function pinnedPulumi(): string {
  return readJson<{ version: string }>(join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"))
    .version;
}

/** The lowest Node major an installed `@pulumi/pulumi` declares (`engines.node: ">=N"`). */
function sdkMinimumNode(consumerDir: string): number {
  const { engines } = readJson<{ engines?: { node?: string } }>(
    join(consumerDir, "node_modules/@pulumi/pulumi/package.json"),
  );
  const range = engines?.node ?? "";
  const major = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range.trim())?.[1];
  if (!major) throw new Error(`@pulumi/pulumi declares engines.node "${range}", not ">=N"`);
  return Number(major);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

interface Row {
  /** The row's name: the Node major and the SDK version it runs, and why that version. */
  title: string;
  node: NodeMajor;
  pulumiVersion: () => Promise<string>;
}

const NEWEST_PIN = process.env["HOST_MATRIX_NEWEST_PULUMI"];
/** Asked of the registry once per run, shared by the rows that want it. */
let newest: Promise<string> | undefined;
const newestRelease = (): Promise<string> =>
  NEWEST_PIN !== undefined ? Promise.resolve(NEWEST_PIN) : (newest ??= newestPulumi("<4"));
const newestTitle =
  NEWEST_PIN !== undefined
    ? `@pulumi/pulumi ${NEWEST_PIN} (pinned by HOST_MATRIX_NEWEST_PULUMI)`
    : "the newest @pulumi/pulumi below 4 on the registry";

const ROWS: Row[] = [
  {
    title: `Node 20 with @pulumi/pulumi ${peerLowerBound()}, the peer range's lower bound`,
    node: 20,
    pulumiVersion: async () => peerLowerBound(),
  },
  {
    title: `Node 20 with @pulumi/pulumi ${pinnedPulumi()}, the repo's pinned version`,
    node: 20,
    pulumiVersion: async () => pinnedPulumi(),
  },
  { title: `Node 22 with ${newestTitle}`, node: 22, pulumiVersion: newestRelease },
  { title: `Node 24 with ${newestTitle}`, node: 24, pulumiVersion: newestRelease },
];

describe.each(ROWS)("$title", (row) => {
  let consumer: Consumer;
  let nodeBinary: string;
  let runningNode: string;
  let installedPulumi: string;
  let requestedPulumi: string;
  let emulator: TestEmulator;
  let host: HostClient;
  let template: Registration;
  const userAgents = new Set<string>();
  let seq = 0;
  let rowStarted = 0;
  let setupMs = 0;

  beforeAll(async () => {
    rowStarted = performance.now();
    requestedPulumi = await row.pulumiVersion();
    [consumer, nodeBinary] = await Promise.all([
      prepareConsumer({ pulumiVersion: requestedPulumi }),
      nodeBinaryFor(row.node),
    ]);
    [runningNode, installedPulumi] = await Promise.all([
      nodeVersion(nodeBinary),
      installedPulumiVersion(consumer.dir),
    ]);
    console.log(`matrix row: node ${runningNode}, @pulumi/pulumi ${installedPulumi}`);
    emulator = await startTestEmulator({
      onExchange: (e: Exchange) => {
        const ua = e.requestHeaders["user-agent"];
        if (ua) userAgents.add(ua);
      },
    });
    [template] = (await serializeDeclarations(consumer, [invitation("template", emulator.orgId)], {
      nodeBinary,
    })) as [Registration];
    const { config, secretKeys } = authConfig(emulator, "digest");
    host = await startConfiguredHost(consumer, { config, secretKeys, nodeBinary });
    setupMs = performance.now() - rowStarted;
  }, ROW_SETUP_TIMEOUT_MS);

  beforeEach(() => {
    takeLog(emulator);
    emulator.clearViolations();
  });
  afterEach(() => expectRequestsOnContract(emulator));

  afterAll(async () => {
    await host?.close();
    await emulator?.close();
    if (rowStarted > 0) {
      const total = performance.now() - rowStarted;
      console.log(
        `matrix row: node ${runningNode}, @pulumi/pulumi ${installedPulumi}: ` +
          `setup ${seconds(setupMs)}, tests ${seconds(total - setupMs)}, total ${seconds(total)}`,
      );
    }
  });

  const declared = () => {
    const name = `matrix-${row.node}-${installedPulumi.replace(/\./g, "-")}-${++seq}`;
    return {
      urn: `urn:pulumi:dev::host-harness::${template.type}::${name}`,
      inputs: { ...template.inputs, username: `${name}@example.com` },
    };
  };

  it("runs on the row's Node and installs the row's @pulumi/pulumi, which declares support for that Node", () => {
    expect(majorOf(runningNode)).toBe(row.node);
    expect(consumer.pulumiVersion).toBe(requestedPulumi);
    expect(installedPulumi).toBe(requestedPulumi);
    expect(sdkMinimumNode(consumer.dir)).toBeLessThanOrEqual(row.node);
  });

  it("configures, checks, creates, reads, updates and deletes a pending invitation, with the Atlas calls each needs", async () => {
    const { urn, inputs } = declared();
    const checked = await host.check(urn, {}, inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({ ...inputs, onAccepted: "fail" });
    expect(takeLog(emulator)).toEqual([]);

    const { id, properties } = await host.create(urn, checked.inputs);
    expect(properties).toMatchObject({ invitationId: id, status: "PENDING" });
    expect(properties["__provider"]).toBe(template.inputs["__provider"]);
    // Create looks up pending invitations and membership (provider/lifecycle.ts) before its POST.
    expect(splitCalls(takeLog(emulator))).toEqual({
      writes: { "POST createOrgInvite": 1 },
      reads: ["GET listOrgInvites", "GET listOrgUsers"],
    });

    const read = await host.read(urn, id, properties, checked.inputs);
    expect(read).toMatchObject({ id, properties: { status: "PENDING", roles: ["ORG_MEMBER"] } });
    expect(splitCalls(takeLog(emulator)).writes).toEqual({});

    const news = { ...checked.inputs, roles: ["ORG_READ_ONLY"] };
    const updated = await host.update(urn, id, read.properties, news, checked.inputs);
    expect(updated.properties).toMatchObject({ invitationId: id, roles: ["ORG_READ_ONLY"] });
    expect(apiCalls(takeLog(emulator))).toEqual(["PATCH updateOrgInviteById"]);

    await host.delete(urn, id, updated.properties, news);
    expect(apiCalls(takeLog(emulator))).toEqual(["DELETE deleteOrgInvite"]);
    expect(emulator.control.invitations(emulator.orgId).some((i) => i.id === id)).toBe(false);
  });

  it("refuses to delete an accepted invitation under onAccepted fail, leaving the member active", async () => {
    const { urn, inputs } = declared();
    const checked = await host.check(urn, {}, inputs);
    const { id, properties } = await host.create(urn, checked.inputs);
    emulator.control.acceptInvitation(emulator.orgId, id);
    const refreshed = await host.read(urn, id, properties, checked.inputs);
    expect(refreshed.properties["status"]).toBe("ACCEPTED");
    takeLog(emulator);

    const error = await host.delete(urn, id, refreshed.properties, checked.inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toContain(inputs.username);
    expect((error as HostError).message).toMatch(/onAccepted: "retain"/);
    expect(splitCalls(takeLog(emulator))).toEqual({ writes: {}, reads: ["GET listOrgUsers"] });
    const member = emulator.control
      .users(emulator.orgId)
      .find((u) => u.username === inputs.username);
    expect(member?.orgMembershipStatus).toBe("ACTIVE");
  });

  it("sent every Atlas request from the row's Node, as the User-Agent names it", () => {
    expect(userAgents.size).toBeGreaterThan(0);
    for (const ua of userAgents)
      expect(ua).toMatch(new RegExp(`^pulumi-atlas-org-invitations/\\S+ \\(node v${row.node}\\.`));
  });
});

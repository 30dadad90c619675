/**
 * The runtime matrix (issue 4): the packed provider through the SDK's own host on each supported
 * pairing of Node and `@pulumi/pulumi`. Each row installs its own consumer (the SDK version from
 * the registry) and, for Node 22, the `node` package from the registry; the program that
 * serializes the provider and the host both run on the row's Node. A failed install fails the
 * row with npm's error: nothing is skipped.
 *
 * Rows: the lower bound of the peer range, read from package.json (configure() arrived in
 * 3.139.0) on Node 20; the repo's pinned 3.248.0, the newest that supports Node 20 (3.249+
 * declares node >= 22); and the newest release below 4, asked of the registry at run time so the
 * matrix follows what a user installs today, on Node 22 (HOST_MATRIX_NEWEST_PULUMI=<version> pins
 * it, say to reproduce a failure).
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
import { ensureNode, nodeVersion } from "../../host-harness/node-runtime";
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

function peerLowerBound(): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
  };
  const range = manifest.peerDependencies["@pulumi/pulumi"] ?? "";
  const lower = /^>=(\d+\.\d+\.\d+)\b/.exec(range)?.[1];
  if (!lower) throw new Error(`the @pulumi/pulumi peer range "${range}" has no >= lower bound`);
  return lower;
}

interface Row {
  label: string;
  node: 20 | 22;
  pulumiVersion: () => Promise<string>;
}

const ROWS: Row[] = [
  {
    label: "the peer range's lower bound",
    node: 20,
    pulumiVersion: async () => peerLowerBound(),
  },
  {
    label: "the newest release supporting Node 20",
    node: 20,
    pulumiVersion: () => installedPulumiVersion(),
  },
  {
    label: "the newest release",
    node: 22,
    pulumiVersion: async () => process.env["HOST_MATRIX_NEWEST_PULUMI"] ?? newestPulumi("<4"),
  },
];

describe.each(ROWS)("Node $node with $label of @pulumi/pulumi", (row) => {
  let consumer: Consumer;
  let nodeBinary: string;
  let emulator: TestEmulator;
  let host: HostClient;
  let template: Registration;
  const userAgents = new Set<string>();
  let seq = 0;

  beforeAll(async () => {
    const pulumiVersion = await row.pulumiVersion();
    [consumer, nodeBinary] = await Promise.all([
      prepareConsumer({ pulumiVersion }),
      row.node === 20 ? Promise.resolve(process.execPath) : ensureNode(row.node),
    ]);
    console.log(
      `matrix row: node ${await nodeVersion(nodeBinary)}, @pulumi/pulumi ${consumer.pulumiVersion}`,
    );
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
  }, ROW_SETUP_TIMEOUT_MS);

  beforeEach(() => {
    takeLog(emulator);
    emulator.clearViolations();
  });
  afterEach(() => expectRequestsOnContract(emulator));

  afterAll(async () => {
    await host?.close();
    await emulator?.close();
  });

  const declared = () => {
    const name = `matrix-${row.node}-${++seq}`;
    return {
      urn: `urn:pulumi:dev::host-harness::${template.type}::${name}`,
      inputs: { ...template.inputs, username: `${name}@example.com` },
    };
  };

  it("runs on the row's Node and installs the row's @pulumi/pulumi", async () => {
    expect(await nodeVersion(nodeBinary)).toMatch(new RegExp(`^v${row.node}\\.`));
    expect(consumer.pulumiVersion).toBe(await row.pulumiVersion());
    expect(await installedPulumiVersion(consumer.dir)).toBe(consumer.pulumiVersion);
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
    expect(splitCalls(takeLog(emulator))).toEqual({
      writes: { "POST createOrgInvite": 1 },
      reads: ["GET listOrgInvites"],
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

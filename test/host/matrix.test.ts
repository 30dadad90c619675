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
import type { Exchange, LogEntry } from "../../emulator";
import {
  HostError,
  installedPulumiVersion,
  prepareConsumer,
  serializeDeclarations,
  startConfiguredHost,
} from "../../host-harness";
import type { Consumer, HostClient, Registration } from "../../host-harness";
import { majorOf, nodeBinaryFor, nodeVersion } from "../../host-harness/node-runtime";
import { ROWS, ROW_SETUP_TIMEOUT_MS, sdkMinimumNode, seconds } from "../support/runtime-matrix";
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

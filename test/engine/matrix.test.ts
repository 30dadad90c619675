/**
 * The runtime matrix under the real CLI: each row (test/support/runtime-matrix.ts) installs its
 * own consumer with the row's `@pulumi/pulumi` and runs on the row's Node: the Automation API
 * program and the dynamic-provider plugin both (the row's Node is first on the CLI's PATH, and the
 * plugin script runs `node` from there). Up of two invitations, a refresh after one acceptance,
 * and a destroy that refuses that one; the User-Agent of every request proves which Node ran the
 * provider.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Exchange } from "../../emulator";
import { CliStack } from "../../host-harness/cli-stack";
import { installedPulumiVersion, prepareConsumer } from "../../host-harness";
import { majorOf, nodeBinaryFor, nodeVersion } from "../../host-harness/node-runtime";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ROWS, ROW_SETUP_TIMEOUT_MS, seconds } from "../support/runtime-matrix";
import { SECRET_CONFIG_KEYS, authConfig, expectNoMemberRemoved } from "../host/helpers";
import { expectExit, invitationOf, opsOf, takeWrites, useCli } from "./helpers";

describe.each(ROWS)("under the real CLI: $title", (row) => {
  const cli = useCli();
  let emulator: TestEmulator;
  let dir: string;
  let stack: CliStack;
  let runningNode: string;
  let installedPulumi: string;
  const userAgents = new Set<string>();

  beforeAll(async () => {
    const started = performance.now();
    const requested = await row.pulumiVersion();
    const [consumer, nodeBinary] = await Promise.all([
      prepareConsumer({ pulumiVersion: requested }),
      nodeBinaryFor(row.node),
    ]);
    [runningNode, installedPulumi] = await Promise.all([
      nodeVersion(nodeBinary),
      installedPulumiVersion(consumer.dir),
    ]);
    expect(installedPulumi).toBe(requested);
    emulator = await startTestEmulator({
      onExchange: (e: Exchange) => {
        const ua = e.requestHeaders["user-agent"];
        if (ua) userAgents.add(ua);
      },
    });
    dir = await mkdtemp(join(tmpdir(), "engine-matrix-"));
    stack = await CliStack.create({ consumer, cli: cli(), dir, stack: "matrix", nodeBinary });
    const auth = authConfig(emulator, "digest");
    await stack.setConfig(auth.config, SECRET_CONFIG_KEYS);
    console.log(
      `engine matrix row: node ${runningNode}, @pulumi/pulumi ${installedPulumi}, pulumi v${cli().version} (setup ${seconds(performance.now() - started)})`,
    );
  }, ROW_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("creates, refreshes and refuses the accepted invitation's delete, on the row's Node", async () => {
    expect(majorOf(runningNode)).toBe(row.node);
    const program = [invitationOf("maya", emulator.orgId), invitationOf("noor", emulator.orgId)];
    const up = await stack.up(program);
    expectExit(up, 0);
    expect(opsOf(up)).toEqual(["maya: create", "noor: create"]);
    expect(takeWrites(emulator).filter((w) => w.startsWith("POST"))).toHaveLength(2);
    emulator.control.acceptInvitation(emulator.orgId, "maya@example.com");
    const refresh = await stack.refresh();
    expectExit(refresh, 0);
    expect(refresh.steps.find((s) => s.name === "maya")?.outputs?.["status"]).toBe("ACCEPTED");
    const destroy = await stack.destroy();
    expect(destroy.exitCode).toBe(1);
    expect(destroy.steps.find((s) => s.name === "maya")?.failed).toBe(true);
    expect(destroy.steps.find((s) => s.name === "noor")?.failed).toBe(false);
    expect([...(await stack.invitationsInState()).keys()]).toEqual(["maya"]);
    expectNoMemberRemoved(emulator);
    // Every request came from a provider on the row's Node.
    expect(userAgents.size).toBeGreaterThan(0);
    for (const ua of userAgents) expect(ua).toContain(`(node ${runningNode})`);
  }, 300_000);
});

/**
 * The plugin's refusals reach the engine worded for any language (the plugin serves YAML, Python,
 * Go and TypeScript programs): the resource property `onAccepted` and the `aliases` resource
 * option by name, never the dynamic provider's TypeScript (`onAccepted: "retain"`,
 * `pulumi.rootStackResource`). Over real gRPC against the emulator, the plugin started through its
 * wrapper, so the audience travels the way the plugin sets it (plugin-provider.ts, provider.ts).
 */
import { HostError } from "../../host-harness/rpc";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { ensureBuilt, startFakeEngine, startPlugin, urnOf } from "./helpers";
import type { FakeEngine, RunningPlugin } from "./helpers";

jest.setTimeout(60_000);

const emulator = useEmulator();
const ALICE = "alice@example.com";
/** The dynamic provider's TypeScript, which a YAML or Python user cannot act on. */
const TYPESCRIPT = /rootStackResource|onAccepted: "retain"|aliases: \[/;

let engine: FakeEngine;
let plugin: RunningPlugin | undefined;

beforeAll(async () => {
  ensureBuilt();
  engine = await startFakeEngine();
}, 180_000);

afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

afterAll(async () => {
  await engine.close();
});

async function start(emu: TestEmulator): Promise<RunningPlugin> {
  plugin = await startPlugin(engine, {
    PULUMI_CONFIG: JSON.stringify({
      baseUrl: emu.baseUrl,
      publicKey: emu.credentials.publicKey,
      privateKey: emu.credentials.privateKey,
      maxRetries: "0",
    }),
  });
  return plugin;
}

/** The provider's message of a call that must fail, as the engine shows it. */
async function messageOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HostError);
  return (error as HostError).message;
}

describe("the plugin's refusals", () => {
  it("word the refused delete of an accepted invitation with the resource property onAccepted and the aliases option", async () => {
    const emu = emulator();
    const p = await start(emu);
    const inputs = { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] };
    const created = await p.rpc.create(urnOf("a"), inputs);
    emu.control.acceptInvitation(emu.orgId, created.id);
    const message = await messageOf(p.rpc.delete(urnOf("a"), created.id, created.properties));
    expect(message).toContain(`${ALICE} accepted the invitation`);
    expect(message).toContain(
      "the `aliases` resource option with its old name (and its old parent, when it had one)",
    );
    expect(message).toContain(
      "set this resource's property `onAccepted` (`on_accepted` in Python, `OnAccepted` in Go) to `retain`",
    );
    expect(message).not.toMatch(TYPESCRIPT);
  });

  it("word the refused invitation of an active member with the aliases option", async () => {
    const emu = emulator();
    emu.control.addMember(emu.orgId, { username: ALICE });
    const p = await start(emu);
    const message = await messageOf(
      p.rpc.create(urnOf("a"), { orgId: emu.orgId, username: ALICE, roles: ["ORG_MEMBER"] }),
    );
    expect(message).toContain(`${ALICE} is already an active member`);
    expect(message).toContain(
      "the `aliases` resource option with the old name (and the old parent, when it had one)",
    );
    expect(message).not.toMatch(TYPESCRIPT);
    expect(emu.log.count({ method: "POST" })).toBe(0);
  });
});

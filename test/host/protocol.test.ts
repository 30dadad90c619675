/**
 * The harness's gRPC client against the SDK's real host, with a hand-written `__provider` (the
 * host loads any text exporting `handler`): the protocol corners the OrgInvitation provider does
 * not reach by itself, pinned to what the host reads from each request (the SDK's
 * sdk/nodejs/cmd/dynamic-provider/index.ts, https://github.com/pulumi/pulumi).
 */
import { HostError, startHost } from "../../host-harness";
import type { HostClient } from "../../host-harness";
import { useConsumer } from "./helpers";

const PROVIDER = `exports.handler = () => ({
  configure: async (req) => { globalThis.seen = { key: req.config.get("test:key"), plain: req.config.get("test:plain") }; },
  create: async (inputs) => {
    if (inputs.mode === "init-failed") {
      const error = new Error("created, not ready");
      Object.assign(error, { id: "half-made", properties: { phase: "booting" }, reasons: ["still booting"] });
      throw error;
    }
    if (inputs.mode === "undefined-output") return { id: "u", outs: { nested: { missing: undefined } } };
    return { id: "ok", outs: { seen: globalThis.seen } };
  },
  read: async () => ({}),
});
`;

describe("the harness client against the SDK's dynamic-provider host", () => {
  const consumer = useConsumer();
  let host: HostClient;
  const urn = "urn:pulumi:dev::p::pulumi-nodejs:dynamic:Resource::r";

  beforeAll(async () => {
    host = await startHost(consumer());
    await host.configure({ "test:key": "wrapped-value", "test:plain": "plain-value" }, [
      "test:key",
    ]);
  }, 60_000);
  afterAll(async () => {
    await host?.close();
  });

  it("delivers secret-wrapped config to configure unwrapped, and returns __provider with the outputs", async () => {
    const { id, properties } = await host.create(urn, { __provider: PROVIDER });
    expect(id).toBe("ok");
    expect(properties).toEqual({
      seen: { key: "wrapped-value", plain: "plain-value" },
      __provider: PROVIDER,
    });
  });

  it("decodes an error carrying an id as 'created but failed to initialize'", async () => {
    const error = await host
      .create(urn, { __provider: PROVIDER, mode: "init-failed" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({
      method: "Create",
      code: 2,
      message: "created, not ready",
      initFailed: { id: "half-made", properties: { phase: "booting" }, reasons: ["still booting"] },
    });
  });

  it("fails outputs holding undefined with 'Unexpected struct type.'", async () => {
    const error = await host
      .create(urn, { __provider: PROVIDER, mode: "undefined-output" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/Unexpected struct type/);
    expect((error as HostError).initFailed).toBeUndefined();
  });

  it("reports a read that returns {} as an empty id", async () => {
    expect(await host.read(urn, "x", { __provider: PROVIDER })).toMatchObject({ id: "" });
  });

  it("records the host's port line on stdout and times every call", () => {
    expect(host.output().stdout.split("\n")[0]).toBe(String(host.port));
    expect(host.timings.map((t) => t.method)).toContain("Configure");
  });
});

/**
 * Sections 5 to 7, through the SDK's real dynamic-provider host with the package installed from
 * its tarball (scripts/host): serialized provider size and state bytes, host overhead per
 * operation (host time minus the same call made in-process), and the host's peak memory with
 * 1,000 invitations.
 */
import { readFile } from "node:fs/promises";
import type { Consumer, HostClient, Props, Registration } from "../host-harness";
import { serializeDeclarations, startConfiguredHost } from "../host-harness";
import type { Emulator, Outs } from "./setup";
import { countCalls, declared, median, runtimeProvider, user } from "./setup";

export interface SizeFigure {
  providerBytes: number;
  stateBytesPerInvitation: number;
}

export interface OverheadRow {
  operation: string;
  hostMs: number;
  directMs: number;
  overheadMs: number;
}

export interface MemoryFigure {
  invitations: number;
  peakRssMiB: number;
  refreshCalls: number;
}

const OPERATIONS = ["create", "read", "update", "delete"] as const;

function hostConfig(emu: Emulator): Record<string, string> {
  return {
    "mongodbatlas:baseUrl": emu.baseUrl,
    "mongodbatlas:publicKey": emu.credentials.publicKey,
    "mongodbatlas:privateKey": emu.credentials.privateKey,
  };
}

export async function template(consumer: Consumer, emu: Emulator): Promise<Registration> {
  const [registration] = await serializeDeclarations(consumer, [
    { name: "bench", args: declared(emu, user("template", 0)) },
  ]);
  if (!registration) throw new Error("the program registered nothing");
  return registration;
}

const urnOf = (t: Registration, name: string): string =>
  `urn:pulumi:bench::host-bench::${t.type}::${name}`;

async function start(consumer: Consumer, emu: Emulator): Promise<HostClient> {
  return startConfiguredHost(consumer, {
    config: hostConfig(emu),
    secretKeys: ["mongodbatlas:privateKey"],
  });
}

/** Section 5: what one resource adds to state, as the engine stores it (urn, id, inputs, outputs). */
export async function measureSizes(
  consumer: Consumer,
  emu: Emulator,
  t: Registration,
): Promise<SizeFigure> {
  await emu.control.reset();
  emu.control.setTokenBucket(null);
  const host = await start(consumer, emu);
  try {
    const urn = urnOf(t, "size");
    const inputs: Props = { ...t.inputs, username: user("size", 0) };
    const { id, properties } = await host.create(urn, inputs);
    const provider = t.inputs["__provider"];
    return {
      providerBytes: Buffer.byteLength(typeof provider === "string" ? provider : ""),
      stateBytesPerInvitation: Buffer.byteLength(
        JSON.stringify({ urn, id, inputs, outputs: properties }),
      ),
    };
  } finally {
    await host.close();
  }
}

/** Section 6: the same sequence of calls through the host and in-process, median per operation. */
export async function measureOverhead(
  consumer: Consumer,
  emu: Emulator,
  t: Registration,
  rounds: number,
): Promise<OverheadRow[]> {
  await emu.control.reset();
  emu.control.setTokenBucket(null);
  const host = await start(consumer, emu);
  const hostMs: Record<string, number[]> = {};
  const directMs: Record<string, number[]> = {};
  const time = async (into: Record<string, number[]>, op: string, run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    (into[op] ??= []).push(performance.now() - started);
  };
  try {
    // A warm-up round each, so neither side pays module loading or the first digest challenge.
    for (let r = -1; r < rounds; r++) {
      const name = `overhead-${r + 1}`;
      const inputs: Props = { ...t.inputs, username: user("host", r + 1) };
      const urn = urnOf(t, name);
      const sink: Record<string, number[]> = r < 0 ? {} : hostMs;
      let id = "";
      let outs: Props = {};
      await time(
        sink,
        "create",
        async () => ({ id, properties: outs } = await host.create(urn, inputs)),
      );
      await time(sink, "read", () => host.read(urn, id, outs, inputs));
      const news = { ...inputs, roles: ["ORG_BILLING_ADMIN"] };
      await time(
        sink,
        "update",
        async () => ({ properties: outs } = await host.update(urn, id, outs, news, inputs)),
      );
      await time(sink, "delete", () => host.delete(urn, id, outs, news));
    }
  } finally {
    await host.close();
  }
  const provider = await runtimeProvider(emu);
  for (let r = -1; r < rounds; r++) {
    const d = declared(emu, user("direct", r + 1));
    const sink: Record<string, number[]> = r < 0 ? {} : directMs;
    let id = "";
    let outs = {} as Outs;
    await time(sink, "create", async () => {
      const c = await provider.create(d);
      id = c.id;
      outs = c.outs as Outs;
    });
    await time(sink, "read", () => provider.read(id, outs));
    const news = { ...d, roles: ["ORG_BILLING_ADMIN"] };
    await time(
      sink,
      "update",
      async () => (outs = (await provider.update(id, outs, news)).outs as Outs),
    );
    await time(sink, "delete", () => provider.delete(id, outs));
  }
  return OPERATIONS.map((operation) => {
    const h = median(hostMs[operation] ?? []);
    const d = median(directMs[operation] ?? []);
    return { operation, hostMs: h, directMs: d, overheadMs: h - d };
  });
}

async function peakRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Section 7: 1,000 invitations created through one host process (all issued at once, as the
 * engine's parallel steps do), then all refreshed at once; the host's VmHWM afterwards.
 */
export async function measureMemory(
  consumer: Consumer,
  emu: Emulator,
  t: Registration,
  n: number,
): Promise<MemoryFigure> {
  await emu.control.reset();
  emu.control.setTokenBucket(null);
  const host = await start(consumer, emu);
  try {
    const made = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const urn = urnOf(t, `mem-${i}`);
        const inputs: Props = { ...t.inputs, username: user("mem", i) };
        const { id, properties } = await host.create(urn, inputs);
        return { urn, id, inputs, properties };
      }),
    );
    emu.log.clear();
    await Promise.all(made.map((m) => host.read(m.urn, m.id, m.properties, m.inputs)));
    const refreshCalls = countCalls(emu);
    return { invitations: n, peakRssMiB: (await peakRssKiB(host.pid)) / 1024, refreshCalls };
  } finally {
    await host.close();
  }
}

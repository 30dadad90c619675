/**
 * Sections 1 and 2: round trips per lifecycle operation against the minimum the API allows
 * (issue #6 targets), and digest challenges per 100 calls from one process.
 */
import type { Emulator, Outs } from "./setup";
import { countCalls, declared, runtimeProvider, startBenchEmulator, user } from "./setup";

export interface RoundTrip {
  operation: string;
  calls: number;
  minimum: number;
}

export async function measureRoundTrips(emu: Emulator): Promise<RoundTrip[]> {
  await emu.control.reset();
  const provider = runtimeProvider(emu);
  const rows: RoundTrip[] = [];
  const measure = async (operation: string, minimum: number, run: () => Promise<unknown>) => {
    emu.log.clear();
    await run();
    rows.push({ operation, calls: countCalls(emu), minimum });
  };
  let created: { id: string; outs: Outs } = { id: "", outs: {} as Outs };
  // The look-up before the POST is what makes adoption (and retrying an ambiguous POST) safe.
  await measure("create", 2, async () => {
    const r = await provider.create(declared(emu, user("rt", 1)));
    created = { id: r.id, outs: r.outs as Outs };
  });
  await measure("read", 1, () => provider.read(created.id, created.outs));
  await measure("update", 1, () =>
    provider.update(created.id, created.outs, {
      ...declared(emu, user("rt", 1)),
      roles: ["ORG_BILLING_ADMIN"],
    }),
  );
  await measure("delete pending", 1, () => provider.delete(created.id, created.outs));
  // Already gone: the DELETE's 404, then the member look-up that tells gone from accepted.
  await measure("delete already gone", 2, () => provider.delete(created.id, created.outs));
  const accepted = await provider.create(declared(emu, user("rt", 2)));
  emu.control.acceptInvitation(emu.orgId, accepted.id);
  await measure("delete accepted", 2, () => provider.delete(accepted.id, accepted.outs as Outs));
  return rows;
}

export interface DigestFigure {
  calls: number;
  challenges: number;
  perHundred: number;
}

/**
 * 100 sequential calls from a fresh process-wide client (reads of one invitation): how many 401
 * challenges they cost. MongoDB's tools answer a challenge on every call (100).
 */
export async function measureDigest(): Promise<DigestFigure> {
  // A fresh emulator: nonces survive reset(), and the process's digest session would reuse one.
  const emu = await startBenchEmulator();
  try {
    return await digestRun(emu);
  } finally {
    await emu.close();
  }
}

async function digestRun(emu: Emulator): Promise<DigestFigure> {
  const provider = runtimeProvider(emu);
  const { id, outs } = await provider.create(declared(emu, user("dg", 1)));
  for (let i = 0; i < 98; i++) await provider.read(id, outs as Outs);
  const calls = countCalls(emu);
  const challenges = emu.stats().digestChallenges;
  return { calls, challenges, perHundred: (challenges / calls) * 100 };
}

/**
 * Sections 1 and 2: round trips per lifecycle operation on each backend, against the fewest the
 * API allows with the safety rules kept, and digest challenges per 100 calls from one process.
 */
import type { Backend, Emulator, Outs } from "./setup";
import {
  arrangeApi,
  countCalls,
  declared,
  runtimeProvider,
  startBenchEmulator,
  user,
} from "./setup";

export interface RoundTrip {
  backend: Backend;
  operation: string;
  calls: number;
  minimum: number;
  /** Why the minimum is what it is. */
  why: string;
}

export async function measureRoundTrips(backend: Backend): Promise<RoundTrip[]> {
  const emu = await startBenchEmulator();
  try {
    return await roundTrips(emu, backend);
  } finally {
    await emu.close();
  }
}

async function roundTrips(emu: Emulator, backend: Backend): Promise<RoundTrip[]> {
  const provider = await runtimeProvider(emu, backend);
  const invites = backend === "invites";
  const rows: RoundTrip[] = [];
  const measure = async (
    operation: string,
    minimum: number,
    why: string,
    run: () => Promise<unknown>,
  ) => {
    emu.log.clear();
    await run();
    rows.push({ backend, operation, calls: countCalls(emu), minimum, why });
  };
  let created: { id: string; outs: Outs } = { id: "", outs: {} as Outs };
  await measure(
    "create",
    invites ? 3 : 2,
    invites
      ? "pending invitations and membership (at once), then the POST"
      : "one list of the org's users (pending and members), then the POST",
    async () => {
      const r = await provider.create(declared(emu, user("rt", 1)));
      created = { id: r.id, outs: r.outs as Outs };
    },
  );
  await measure("read", 1, "one GET by id", () => provider.read(created.id, created.outs));
  await measure(
    "update",
    invites ? 1 : 2,
    invites ? "one PATCH by id" : "the status read that guards the PATCH, then the PATCH",
    () =>
      provider.update(created.id, created.outs, {
        ...declared(emu, user("rt", 1)),
        roles: ["ORG_BILLING_ADMIN"],
      }),
  );
  await measure(
    "delete pending",
    invites ? 1 : 2,
    invites ? "one DELETE" : "the status read that guards the DELETE, then the DELETE",
    () => provider.delete(created.id, created.outs),
  );
  await measure(
    "delete already gone",
    2,
    "the attempt, then membership tells gone from accepted",
    () => provider.delete(created.id, created.outs),
  );
  await arrangeApi(emu).createOrgInvite(emu.orgId, {
    username: user("rt", 2),
    roles: ["ORG_MEMBER"],
  });
  const accepted = await provider.create(declared(emu, user("rt", 2)));
  emu.control.acceptInvitation(emu.orgId, user("rt", 2));
  // A later `pulumi destroy`: this process adopted the invitation, and would leave it alone as a
  // renamed resource's (claims.ts). Under onAccepted "retain" the member stays and the delete ends.
  const later = await runtimeProvider(emu, backend);
  await measure(
    "delete accepted",
    2,
    "the attempt, then membership proves the person a member",
    () => later.delete(accepted.id, accepted.outs as Outs),
  );
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
    const provider = await runtimeProvider(emu);
    const { id, outs } = await provider.create(declared(emu, user("dg", 1)));
    for (let i = 0; i < 97; i++) await provider.read(id, outs as Outs);
    const calls = countCalls(emu);
    const challenges = emu.stats().digestChallenges;
    return { calls, challenges, perHundred: (challenges / calls) * 100 };
  } finally {
    await emu.close();
  }
}

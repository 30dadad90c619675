/**
 * Sections 3 and 4: bulk create and destroy of N invitations issued at once (as Pulumi's parallel
 * steps issue them) under the emulator's invitation limit and token bucket, against the bound
 * those limits allow; and a refresh of N invitations in one org (read coalescing).
 */
import type { Emulator, Outs } from "./setup";
import {
  apiCalls,
  arrangeApi,
  countCalls,
  declared,
  runtimeProvider,
  startBenchEmulator,
  user,
} from "./setup";

export interface Limits {
  invitations: { count: number; windowMs: number };
  bucket: { capacity: number; refillPerSecond: number };
}

export const BULK_LIMITS: Limits = {
  invitations: { count: 10, windowMs: 2_000 },
  bucket: { capacity: 20, refillPerSecond: 20 },
};

export interface BulkFigure {
  phase: "bulk create" | "bulk destroy";
  n: number;
  wallMs: number;
  boundMs: number;
  ratio: number;
  failures: number;
  calls: number;
  callsPerInvitation: number;
  /** Calls without the limits' refusals (429, 400 on POST): the look-up sharing target is 1.1. */
  neededPerInvitation: number;
  status429: number;
  status400: number;
}

/** A phase that is still running after this is cut short: its unfinished operations count as failures. */
const PHASE_DEADLINE_MS = 45_000;

/**
 * The fastest the limits allow: the first `count` invitations go at once, then `count` per
 * window (a sliding window); the bucket allows `capacity` calls at once, then `refill` per second.
 */
function boundMs(limits: Limits, invitationWrites: number, calls: number): number {
  const { count, windowMs } = limits.invitations;
  const byLimit = Math.max(0, Math.ceil(invitationWrites / count) - 1) * windowMs;
  const { capacity, refillPerSecond } = limits.bucket;
  const byBucket = (Math.max(0, calls - capacity) / refillPerSecond) * 1000;
  return Math.max(byLimit, byBucket);
}

async function settleAll(tasks: Promise<unknown>[]): Promise<number> {
  let failures = 0;
  const deadline = new Promise<"late">((resolve) =>
    setTimeout(() => resolve("late"), PHASE_DEADLINE_MS).unref(),
  );
  const outcomes = await Promise.all(
    tasks.map((t) =>
      Promise.race([
        t.then(
          () => "ok" as const,
          () => "failed" as const,
        ),
        deadline,
      ]),
    ),
  );
  for (const o of outcomes) if (o !== "ok") failures++;
  return failures;
}

function figure(
  emu: Emulator,
  phase: BulkFigure["phase"],
  n: number,
  wallMs: number,
  failures: number,
  invitationWrites: number,
  limits: Limits,
): BulkFigure {
  const entries = apiCalls(emu.log.entries());
  // The bound for the calls actually needed: the same operations without the limits' refusals.
  const needed = entries.filter(
    (e) => e.status !== 429 && !(e.status === 400 && e.operationId === "createOrgInvite"),
  ).length;
  const bound = boundMs(limits, invitationWrites, needed);
  return {
    phase,
    n,
    wallMs,
    boundMs: bound,
    ratio: bound > 0 ? wallMs / bound : 0,
    failures,
    calls: entries.length,
    callsPerInvitation: entries.length / n,
    neededPerInvitation: needed / n,
    status429: entries.filter((e) => e.status === 429).length,
    status400: entries.filter((e) => e.status === 400).length,
  };
}

/**
 * On an emulator of its own: the client's pacer learns the limit per base URL (the limit is per
 * client IP), and that must not slow the sections that arrange state without limits.
 */
export async function measureBulk(n: number, limits: Limits = BULK_LIMITS): Promise<BulkFigure[]> {
  const emu = await startBenchEmulator();
  try {
    return await bulkRuns(emu, n, limits);
  } finally {
    await emu.close();
  }
}

async function bulkRuns(emu: Emulator, n: number, limits: Limits): Promise<BulkFigure[]> {
  emu.control.setInvitationLimit(limits.invitations);
  emu.control.setTokenBucket(limits.bucket);
  const provider = runtimeProvider(emu);
  const results: ({ id: string; outs: Outs } | undefined)[] = new Array(n);
  emu.log.clear();
  let started = performance.now();
  const creates = Array.from({ length: n }, async (_, i) => {
    const r = await provider.create(declared(emu, user("bulk", i)));
    results[i] = { id: r.id, outs: r.outs as Outs };
  });
  const createFailures = await settleAll(creates);
  const create = figure(
    emu,
    "bulk create",
    n,
    performance.now() - started,
    createFailures,
    n,
    limits,
  );

  // Destroy what was created; invitations the create phase did not make are failures of that phase.
  const made = results.filter((r): r is { id: string; outs: Outs } => r !== undefined);
  await sleepUntilBucketFull(limits);
  emu.log.clear();
  started = performance.now();
  const destroyFailures = await settleAll(made.map((r) => provider.delete(r.id, r.outs)));
  const destroy = figure(
    emu,
    "bulk destroy",
    made.length,
    performance.now() - started,
    destroyFailures,
    0,
    limits,
  );
  return [create, destroy];
}

/** Each phase starts with a full bucket, as a new `pulumi destroy` after a pause would. */
function sleepUntilBucketFull(limits: Limits): Promise<void> {
  const ms = (limits.bucket.capacity / limits.bucket.refillPerSecond) * 1000;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RefreshFigure {
  n: number;
  calls: number;
  uncoalesced: number;
  byOperation: Record<string, number>;
}

/** N pending invitations in one org, all refreshed at once by one provider (one process). */
export async function measureRefresh(emu: Emulator, n: number): Promise<RefreshFigure> {
  await emu.control.reset();
  const api = arrangeApi(emu);
  const stored: { id: string; outs: Outs }[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) =>
        api.createOrgInvite(emu.orgId, { username: user("refresh", i + k), roles: ["ORG_MEMBER"] }),
      ),
    );
    for (const inv of batch) {
      const outs = {
        ...declared(emu, inv.username as string),
        invitationId: inv.id,
        status: "PENDING",
      };
      stored.push({ id: inv.id as string, outs: outs as unknown as Outs });
    }
  }
  const provider = runtimeProvider(emu);
  emu.log.clear();
  await Promise.all(stored.map((s) => provider.read(s.id, s.outs)));
  const byOperation: Record<string, number> = {};
  for (const e of apiCalls(emu.log.entries()))
    byOperation[String(e.operationId)] = (byOperation[String(e.operationId)] ?? 0) + 1;
  return { n, calls: countCalls(emu), uncoalesced: n, byOperation };
}

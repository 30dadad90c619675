/**
 * Bulk runs and refresh: N invitations created at once, then deleted at once (as Pulumi's parallel
 * steps issue them), under the emulator's invitation limit and token bucket, against the bound
 * those limits allow; and a refresh of N invitations in one org. Every figure counts EVERY request
 * the emulator saw: refusals, 429s and digest challenges included.
 */
import type { LogEntry } from "../emulator";
import type { PhaseTimeline, TimelineEvent } from "./plot-data";
import type { Backend, Emulator, Outs } from "./setup";
import { declared, runtimeProvider, startBenchEmulator, user } from "./setup";

export interface Limits {
  /** The invitation limit, or null for none. */
  invitations: { count: number; windowMs: number } | null;
  bucket: { capacity: number; refillPerSecond: number };
}

/** The scenario of issue #10's targets: 10 invitations per 2 s, a bucket of 20 + 20 per second. */
export const BULK_LIMITS: Limits = {
  invitations: { count: 10, windowMs: 2_000 },
  bucket: { capacity: 20, refillPerSecond: 20 },
};

/**
 * Atlas's own bucket for invites and org users (500 + 250 per 60 s), sped up 20 times: fast enough
 * for a bench, slow enough that 1,000 operations' own CPU time on two cores stays small beside it.
 */
export const REAL_PROFILE_SPEEDUP = 20;
export const REAL_PROFILE: Limits = {
  invitations: null,
  bucket: { capacity: 500, refillPerSecond: (250 / 60) * REAL_PROFILE_SPEEDUP },
};

export interface BulkFigure {
  scenario: string;
  backend: Backend;
  phase: "bulk create" | "bulk destroy";
  n: number;
  wallMs: number;
  boundMs: number;
  ratio: number;
  failures: number;
  /** Every request the emulator saw, challenges and refusals included. */
  requests: number;
  requestsPerInvitation: number;
  refusals400: number;
  status429: number;
  challenges: number;
  /** Median ms from a status read (getOrgUser) to the DELETE it guards, users backend only. */
  guardGapMs: number | undefined;
  timeline: PhaseTimeline;
}

/** A phase still running after this is cut short: its unfinished operations count as failures. */
const PHASE_DEADLINE_MS = 120_000;

async function settleAll(
  tasks: Promise<unknown>[],
  start: number,
  events: TimelineEvent[],
): Promise<number> {
  let failures = 0;
  const deadline = new Promise<"late">((resolve) =>
    setTimeout(() => resolve("late"), PHASE_DEADLINE_MS).unref(),
  );
  const outcomes = await Promise.all(
    tasks.map((t) =>
      Promise.race([
        t.then(
          () => {
            events.push({ t: now() - start, kind: "completion" });
            return "ok" as const;
          },
          () => {
            events.push({ t: now() - start, kind: "failure" });
            return "failed" as const;
          },
        ),
        deadline,
      ]),
    ),
  );
  for (const o of outcomes) if (o !== "ok") failures++;
  return failures;
}

/** The emulator stamps its log with performance.timeOrigin + performance.now(): the same clock. */
const now = (): number => performance.timeOrigin + performance.now();

/** A Digest challenge: the 401 an unauthenticated first request gets. */
export const isChallenge = (e: LogEntry): boolean => e.status === 401 && e.auth === "none";
/** A 429, or the invitation limit's 400 (only invitation writes meet it). */
export const isRefusal = (e: LogEntry): boolean =>
  e.status === 429 ||
  (e.status === 400 &&
    (e.operationId === "createOrgInvite" ||
      e.operationId === "createOrgUser" ||
      e.operationId?.startsWith("update") === true));

/**
 * The fastest the limits allow for `needed` requests of which `invitations` send an invitation:
 * `count` invitations at once, then `count` per window (a sliding window); the bucket allows
 * `capacity` requests at once, then `refill` per second.
 */
export function boundMs(limits: Limits, invitations: number, needed: number): number {
  const byLimit = limits.invitations
    ? Math.max(0, Math.ceil(invitations / limits.invitations.count) - 1) *
      limits.invitations.windowMs
    : 0;
  const { capacity, refillPerSecond } = limits.bucket;
  const byBucket = (Math.max(0, needed - capacity) / refillPerSecond) * 1000;
  return Math.max(byLimit, byBucket);
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** From each guarded DELETE back to the status read right before it (same user id). */
function guardGaps(entries: readonly LogEntry[]): number[] {
  const lastRead = new Map<string, LogEntry>();
  const gaps: number[] = [];
  for (const e of [...entries].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (e.operationId === "getOrgUser") lastRead.set(e.path, e);
    if (e.operationId === "removeOrgUser" && e.method === "DELETE") {
      const read = lastRead.get(e.path);
      if (read) gaps.push(e.receivedAt - read.answeredAt);
    }
  }
  return gaps;
}

function figure(
  emu: Emulator,
  scenario: string,
  backend: Backend,
  phase: BulkFigure["phase"],
  n: number,
  start: number,
  wallMs: number,
  failures: number,
  completions: TimelineEvent[],
  limits: Limits,
): BulkFigure {
  const entries = emu.log.entries();
  const requests = entries.filter((e) => e.path.startsWith("/api/"));
  const needed = requests.filter(
    (e) => !isChallenge(e) && !isRefusal(e) && e.operationId !== undefined,
  );
  const invitationWrites = phase === "bulk create" ? n : 0;
  const bound = boundMs(limits, invitationWrites, needed.length);
  const invitationLimited = phase === "bulk create" && limits.invitations !== null;
  const limitPerSecond =
    invitationLimited && limits.invitations
      ? limits.invitations.count / (limits.invitations.windowMs / 1000)
      : limits.bucket.refillPerSecond;
  const limitLabel =
    invitationLimited && limits.invitations
      ? `invitation limit ${limits.invitations.count} per ${limits.invitations.windowMs / 1000} s`
      : `token bucket ${limits.bucket.capacity} + ${Number(limits.bucket.refillPerSecond.toFixed(1))}/s`;
  const events: TimelineEvent[] = [
    ...requests.map((e): TimelineEvent => ({
      t: Math.max(0, e.answeredAt - start),
      kind: isRefusal(e) ? "refusal" : "request",
    })),
    ...completions,
  ];
  return {
    scenario,
    backend,
    phase,
    n,
    wallMs,
    boundMs: bound,
    ratio: bound > 0 ? wallMs / bound : 0,
    failures,
    requests: requests.length,
    requestsPerInvitation: requests.length / n,
    refusals400: requests.filter((e) => e.status === 400).length,
    status429: requests.filter((e) => e.status === 429).length,
    challenges: requests.filter(isChallenge).length,
    guardGapMs:
      backend === "users" && phase === "bulk destroy" ? median(guardGaps(entries)) : undefined,
    timeline: {
      title: `${scenario}: ${phase} on the ${backend} API, N=${n}`,
      wallMs,
      boundMs: bound,
      limitPerSecond,
      limitLabel,
      events,
    },
  };
}

/**
 * On an emulator of its own, with a process that starts cold: no challenge, token or rate-limit
 * view carried over, as a fresh `pulumi up` starts.
 */
export async function measureBulk(
  scenario: string,
  backend: Backend,
  n: number,
  limits: Limits,
): Promise<BulkFigure[]> {
  const emu = await startBenchEmulator();
  try {
    emu.control.setInvitationLimit(limits.invitations);
    emu.control.setTokenBucket(limits.bucket);
    const provider = await runtimeProvider(emu, backend);
    const results: ({ id: string; outs: Outs } | undefined)[] = new Array(n);
    emu.log.clear();
    let events: TimelineEvent[] = [];
    let start = now();
    const creates = Array.from({ length: n }, async (_, i) => {
      const r = await provider.create(declared(emu, user("bulk", i)));
      results[i] = { id: r.id, outs: r.outs as Outs };
    });
    const createFailures = await settleAll(creates, start, events);
    const create = figure(
      emu,
      scenario,
      backend,
      "bulk create",
      n,
      start,
      now() - start,
      createFailures,
      events,
      limits,
    );

    // Destroy what was created, from a full bucket, as a later `pulumi destroy` would start.
    const made = results.filter((r): r is { id: string; outs: Outs } => r !== undefined);
    await new Promise((resolve) =>
      setTimeout(resolve, (limits.bucket.capacity / limits.bucket.refillPerSecond) * 1000 + 100),
    );
    emu.log.clear();
    events = [];
    start = now();
    const destroyFailures = await settleAll(
      made.map((r) => provider.delete(r.id, r.outs)),
      start,
      events,
    );
    const destroy = figure(
      emu,
      scenario,
      backend,
      "bulk destroy",
      made.length,
      start,
      now() - start,
      destroyFailures,
      events,
      limits,
    );
    return [create, destroy];
  } finally {
    await emu.close();
  }
}

export interface RefreshFigure {
  backend: Backend;
  n: number;
  listCalls: number;
  calls: number;
  byOperation: Record<string, number>;
}

/** N pending invitations in one org, all refreshed at once by one provider (one process). */
export async function measureRefresh(backend: Backend, n: number): Promise<RefreshFigure> {
  const emu = await startBenchEmulator();
  try {
    emu.control.setTokenBucket(null);
    const creator = await runtimeProvider(emu, backend);
    const stored: { id: string; outs: Outs }[] = [];
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, (_, k) =>
          creator.create(declared(emu, user("refresh", i + k))),
        ),
      );
      for (const r of batch) stored.push({ id: r.id, outs: r.outs as Outs });
    }
    const provider = await runtimeProvider(emu, backend);
    emu.log.clear();
    await Promise.all(stored.map((s) => provider.read(s.id, s.outs)));
    const byOperation: Record<string, number> = {};
    const entries = emu.log.entries().filter((e) => e.operationId !== undefined && !isChallenge(e));
    for (const e of entries)
      byOperation[String(e.operationId)] = (byOperation[String(e.operationId)] ?? 0) + 1;
    const listCalls = entries.filter((e) => e.operationId?.startsWith("list")).length;
    return { backend, n, listCalls, calls: entries.length, byOperation };
  } finally {
    await emu.close();
  }
}

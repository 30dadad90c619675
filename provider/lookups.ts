/**
 * Look-ups of one organization's pending invitations and org users, coalesced. Concurrent
 * refreshes and create look-ups in one org (the engine runs up to 4 x CPUs steps at once) share one
 * list instead of N requests: `listOrgInvites` returns every pending invitation in one bare array
 * (not paginated), and the org users list walks its pages once.
 *
 * - Freshness: a look-up only ever joins a request STARTED after it was queued, never one already
 *   in flight, so no caller gets data older than its own call. Nothing is cached between requests.
 * - Cost: a look-up alone in its batch keeps its single-resource path (a GET by id), one round
 *   trip as without coalescing. A batch of two or more sends one list.
 * - Identity: people are matched by email address without regard to letter case, always on the
 *   client side from an unfiltered list: Atlas's `username` filter may match case exactly (its
 *   behaviour is unrecorded), and a safety decision must not rest on it.
 */
import type { AtlasClient } from "./atlas/api";
import type { Budget } from "./atlas/budget";
import type { OrgInvitation, OrgUser } from "./atlas/types";
import { isNoSuchInvitation, isNoSuchOrgUser } from "./errors";
import { sameUsername } from "./identity";
import { processState } from "./process-state";

interface Lookup<S> {
  budget: Budget;
  /** Runs the single-resource path and settles the caller. */
  alone(): Promise<void>;
  /** Settles the caller from a shared snapshot. */
  from(snapshot: S): void;
  fail(error: unknown): void;
}

/** The budget with the most time left: a shared request serves every caller of its batch. */
function longest(batch: readonly Lookup<unknown>[]): Budget {
  return batch.reduce((a, b) => (b.budget.deadlineAt > a.budget.deadlineAt ? b : a)).budget;
}

class Coalescer<S> {
  private queue: Lookup<S>[] = [];
  private busy = false;
  private scheduled = false;

  constructor(private readonly snapshot: (budget: Budget) => Promise<S>) {}

  enqueue(lookup: Lookup<S>): void {
    this.queue.push(lookup);
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    // One macrotask turn lets look-ups started in the same turn (Promise.all, the engine's
    // parallel steps) share the first request.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    this.busy = true;
    try {
      const only = batch.length === 1 ? batch[0] : undefined;
      if (only) {
        await only.alone().catch((error: unknown) => only.fail(error));
      } else {
        let snapshot: S;
        try {
          snapshot = await this.snapshot(longest(batch as Lookup<unknown>[]));
        } catch (error) {
          for (const lookup of batch) lookup.fail(error);
          return;
        }
        for (const lookup of batch) lookup.from(snapshot);
      }
    } finally {
      this.busy = false;
      if (this.queue.length > 0) void this.flush();
    }
  }
}

type Kind = "invites" | "users";

function coalescer<S>(
  client: AtlasClient,
  kind: Kind,
  orgId: string,
  snapshot: (budget: Budget) => Promise<S>,
): Coalescer<S> {
  const { coalescers } = processState;
  let byKey = coalescers.get(client);
  if (!byKey) {
    byKey = new Map();
    coalescers.set(client, byKey);
  }
  const key = `${kind} ${orgId}`;
  let c = byKey.get(key) as Coalescer<S> | undefined;
  if (!c) {
    c = new Coalescer<S>(snapshot);
    byKey.set(key, c);
  }
  return c;
}

function invites(client: AtlasClient, orgId: string): Coalescer<OrgInvitation[]> {
  return coalescer(client, "invites", orgId, (budget) =>
    client.listOrgInvites(orgId, {}, { budget }),
  );
}

function users(client: AtlasClient, orgId: string): Coalescer<OrgUser[]> {
  return coalescer(client, "users", orgId, (budget) => client.listAllOrgUsers(orgId, { budget }));
}

function run<S, R>(
  target: Coalescer<S>,
  budget: Budget,
  alone: () => Promise<R>,
  from: (snapshot: S) => R,
): Promise<R> {
  return new Promise<R>((resolve, reject) =>
    target.enqueue({
      budget,
      alone: async () => resolve(await alone()),
      from: (snapshot) => resolve(from(snapshot)),
      fail: reject,
    }),
  );
}

/**
 * The pending invitation with that id, or undefined when Atlas has none (404 / 400
 * INVALID_INVITATION_ID alone, or absent from a list started after this call).
 */
export function pendingInvitationById(
  client: AtlasClient,
  orgId: string,
  invitationId: string,
  budget: Budget,
): Promise<OrgInvitation | undefined> {
  return run(
    invites(client, orgId),
    budget,
    async () => {
      try {
        return await client.getOrgInvite(orgId, invitationId, { budget });
      } catch (error) {
        if (isNoSuchInvitation(error)) return undefined;
        throw error;
      }
    },
    (list) => list.find((i) => i.id === invitationId),
  );
}

/** The pending invitations of that person (any letter case), from a list started after this call. */
export function pendingInvitationsOf(
  client: AtlasClient,
  orgId: string,
  username: string,
  budget: Budget,
): Promise<OrgInvitation[]> {
  const pick = (list: OrgInvitation[]): OrgInvitation[] =>
    list.filter((i) => sameUsername(i.username ?? "", username));
  return run(
    invites(client, orgId),
    budget,
    async () => pick(await client.listOrgInvites(orgId, {}, { budget })),
    pick,
  );
}

/** The ACTIVE or PENDING org user with that id, or undefined (404: gone, expired or rejected). */
export function orgUserById(
  client: AtlasClient,
  orgId: string,
  userId: string,
  budget: Budget,
): Promise<OrgUser | undefined> {
  return run(
    users(client, orgId),
    budget,
    async () => {
      try {
        return await client.getOrgUser(orgId, userId, { budget });
      } catch (error) {
        if (isNoSuchOrgUser(error)) return undefined;
        throw error;
      }
    },
    (list) => list.find((u) => u.id === userId),
  );
}

/**
 * The ACTIVE and PENDING org users with that email address (any letter case), from a walk of
 * every page started after this call.
 */
export function orgUsersNamed(
  client: AtlasClient,
  orgId: string,
  username: string,
  budget: Budget,
): Promise<OrgUser[]> {
  const pick = (list: OrgUser[]): OrgUser[] =>
    list.filter((u) => sameUsername(u.username, username));
  return run(
    users(client, orgId),
    budget,
    async () => pick(await client.listAllOrgUsers(orgId, { budget })),
    pick,
  );
}

/**
 * Whether the person is an ACTIVE member of the org. Decides on a full, case-insensitive walk of
 * the org's users: a filtered query that found nobody would prove nothing if Atlas matched
 * letter case exactly.
 */
export async function isActiveMember(
  client: AtlasClient,
  orgId: string,
  username: string,
  budget: Budget,
): Promise<boolean> {
  const found = await orgUsersNamed(client, orgId, username, budget);
  return found.some((u) => u.orgMembershipStatus === "ACTIVE");
}

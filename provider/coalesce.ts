/**
 * Read coalescing. `listOrgInvites` without a filter returns every pending invitation of an org
 * in one response (a bare array, not paginated: openapi/atlas-admin-v2-org-invites-users.json),
 * so N concurrent refreshes or create look-ups in one org can share one list instead of N GETs.
 *
 * Freshness: a look-up only ever joins a request that is STARTED after it was queued, never one
 * already in flight, so no caller gets data older than its own call (a refresh never serves a
 * snapshot taken before it began). Nothing is cached between requests.
 *
 * Cost: a look-up that is alone when its batch is sent keeps the single-operation path (GET by
 * id, or the list filtered by username): 1 round trip, as without coalescing. A batch of two or
 * more sends one unfiltered list. At most one request per (client, org) is in flight; look-ups
 * queued meanwhile go out together when it settles.
 */
import type { AtlasApi } from "./atlas/api";
import { isAtlasApiError } from "./atlas/errors";
import type { OrgInvitation } from "./atlas/types";
import { sameUsername } from "./normalize";

type Lookup =
  | { kind: "id"; id: string; settle: Settle<OrgInvitation | undefined> }
  | { kind: "username"; username: string; settle: Settle<OrgInvitation[]> };

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * No pending invitation with that id: 404 (not ORG_NOT_FOUND, which proves nothing about the
 * invitation), or 400 INVALID_INVITATION_ID (older Atlas docs; docs/atlas-admin-api.md).
 */
export function isNoSuchInvitation(error: unknown): boolean {
  return (
    isAtlasApiError(error) &&
    ((error.status === 404 && error.errorCode !== "ORG_NOT_FOUND") ||
      (error.status === 400 && error.errorCode === "INVALID_INVITATION_ID"))
  );
}

const pendingOf = (list: readonly OrgInvitation[], username: string): OrgInvitation[] =>
  list.filter(
    (i) =>
      typeof i.id === "string" && i.username !== undefined && sameUsername(i.username, username),
  );

class OrgBatcher {
  private queue: Lookup[] = [];
  private busy = false;
  private scheduled = false;

  constructor(
    private readonly api: AtlasApi,
    private readonly orgId: string,
  ) {}

  enqueue(lookup: Lookup): void {
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
      if (only) await this.single(only);
      else await this.shared(batch);
    } finally {
      this.busy = false;
      if (this.queue.length > 0) void this.flush();
    }
  }

  private async single(lookup: Lookup): Promise<void> {
    try {
      if (lookup.kind === "id") {
        try {
          lookup.settle.resolve(await this.api.getOrgInvite(this.orgId, lookup.id));
        } catch (error) {
          if (!isNoSuchInvitation(error)) throw error;
          lookup.settle.resolve(undefined);
        }
      } else {
        const list = await this.api.listOrgInvites(this.orgId, { username: lookup.username });
        lookup.settle.resolve(pendingOf(list, lookup.username));
      }
    } catch (error) {
      lookup.settle.reject(error);
    }
  }

  private async shared(batch: readonly Lookup[]): Promise<void> {
    let list: OrgInvitation[];
    try {
      list = await this.api.listOrgInvites(this.orgId);
    } catch (error) {
      for (const lookup of batch) lookup.settle.reject(error);
      return;
    }
    const byId = new Map(list.filter((i) => typeof i.id === "string").map((i) => [i.id, i]));
    for (const lookup of batch) {
      if (lookup.kind === "id") lookup.settle.resolve(byId.get(lookup.id));
      else lookup.settle.resolve(pendingOf(list, lookup.username));
    }
  }
}

/** Batchers per client object, then per org: clients are shared per settings (client.ts). */
const batchers = new WeakMap<AtlasApi, Map<string, OrgBatcher>>();

function batcherFor(api: AtlasApi, orgId: string): OrgBatcher {
  let byOrg = batchers.get(api);
  if (!byOrg) {
    byOrg = new Map();
    batchers.set(api, byOrg);
  }
  let batcher = byOrg.get(orgId);
  if (!batcher) {
    batcher = new OrgBatcher(api, orgId);
    byOrg.set(orgId, batcher);
  }
  return batcher;
}

/**
 * The pending invitation with that id, or undefined when Atlas has none (404 / 400
 * INVALID_INVITATION_ID alone, or absent from a list started after this call).
 */
export function pendingInvitationById(
  api: AtlasApi,
  orgId: string,
  id: string,
): Promise<OrgInvitation | undefined> {
  return new Promise((resolve, reject) =>
    batcherFor(api, orgId).enqueue({ kind: "id", id, settle: { resolve, reject } }),
  );
}

/** The pending invitations of that user (case-insensitive), from a request started after this call. */
export function pendingInvitationsOf(
  api: AtlasApi,
  orgId: string,
  username: string,
): Promise<OrgInvitation[]> {
  return new Promise((resolve, reject) =>
    batcherFor(api, orgId).enqueue({ kind: "username", username, settle: { resolve, reject } }),
  );
}

/**
 * Organization user operations, always with `application/vnd.atlas.2025-02-19+json`: the only
 * version whose listOrgUsers honours filters and returns pending users. A pending invitation is an
 * org user whose `orgMembershipStatus` is `PENDING`, with an id of its own (never the invitation
 * id: atlas-recorded/12-... and 02-...).
 */
import { isNoSuchOrgUser } from "./errors";
import type { GuardRead, Transport } from "./http";
import type { CallOptions, CreateCallOptions } from "./api";
import { callOperation, OPERATIONS, readOperation } from "./operations";
import type { OrgUser, OrgUserRequest, OrgUserUpdateRequest, OrgUsersPage } from "./types";

/** The spec's maximum page size. */
export const USERS_PAGE_SIZE = 500;
/** A guard against a server whose pages never end: 200,000 users at the maximum page size. */
const MAX_PAGES = 400;

/** listOrgUsers, one page. Without a status filter Atlas returns only ACTIVE and PENDING users. */
export async function listOrgUsers(
  http: Transport,
  orgId: string,
  page: { pageNum?: number; itemsPerPage?: number; username?: string } = {},
  call: CallOptions = {},
): Promise<OrgUsersPage> {
  return callOperation(http, OPERATIONS.listOrgUsers, {
    params: { orgId },
    query: {
      ...(page.username !== undefined && { username: page.username }),
      itemsPerPage: page.itemsPerPage ?? USERS_PAGE_SIZE,
      pageNum: page.pageNum ?? 1,
    },
    budget: call.budget,
  });
}

/** Whether a page says more follow: a `rel: "next"` link (`totalCount` is only an estimate). */
export function hasNextPage(page: OrgUsersPage): boolean {
  return (page.links ?? []).some((l) => l.rel === "next");
}

/**
 * Every ACTIVE and PENDING user of the org: pages of 500, walked while Atlas links a `next` page.
 * Page numbers are counted here rather than taken from the link's URL, so a request never leaves
 * the configured base URL (links carry Atlas's own origin).
 */
export async function listAllOrgUsers(
  http: Transport,
  orgId: string,
  call: CallOptions = {},
): Promise<OrgUser[]> {
  const users: OrgUser[] = [];
  for (let pageNum = 1; pageNum <= MAX_PAGES; pageNum++) {
    const page = await listOrgUsers(http, orgId, { pageNum }, call);
    users.push(...page.results);
    if (!hasNextPage(page) || page.results.length === 0) break;
  }
  return users;
}

export async function getOrgUser(
  http: Transport,
  orgId: string,
  userId: string,
  call: CallOptions = {},
): Promise<OrgUser> {
  return callOperation(http, OPERATIONS.getOrgUser, {
    params: { orgId, userId },
    budget: call.budget,
  });
}

/** createOrgUser: 201 with the PENDING user; 409 when a PENDING or ACTIVE user has that username. */
export async function createOrgUser(
  http: Transport,
  orgId: string,
  body: OrgUserRequest,
  call: CreateCallOptions<OrgUser> = {},
): Promise<OrgUser> {
  return callOperation(http, OPERATIONS.createOrgUser, {
    params: { orgId },
    body,
    budget: call.budget,
    landed: call.landed,
  });
}

/** updateOrgUser: `teamIds` replaces the set. Counted towards the invitation limit, to be safe. */
export async function updateOrgUser(
  http: Transport,
  orgId: string,
  userId: string,
  body: OrgUserUpdateRequest,
  call: CallOptions = {},
): Promise<OrgUser> {
  return callOperation(http, OPERATIONS.updateOrgUser, {
    params: { orgId, userId },
    body,
    budget: call.budget,
  });
}

/**
 * removeOrgUser: removes a PENDING user (cancels the invitation) or an ACTIVE one: Atlas checks
 * nothing. Callers must read the user's status first; the provider never calls it for an ACTIVE
 * member.
 */
export async function removeOrgUser(
  http: Transport,
  orgId: string,
  userId: string,
  call: CallOptions = {},
): Promise<void> {
  await callOperation(http, OPERATIONS.removeOrgUser, {
    params: { orgId, userId },
    budget: call.budget,
  });
}

/** What a guarded write found when the user was not (any more) a pending invitation. */
export type NotPending = "not-pending" | "active";

/**
 * The guard of every write to a pending user: reads the user by id right before each attempt.
 * ACTIVE: the person accepted, and a write would touch a member; gone (404, or expired or
 * rejected, which Atlas hides by default): nothing to write.
 */
function pendingGuard(orgId: string, userId: string) {
  return async (read: GuardRead): Promise<NotPending | undefined> => {
    let user: OrgUser;
    try {
      user = await readOperation(read, OPERATIONS.getOrgUser, { orgId, userId });
    } catch (error) {
      if (isNoSuchOrgUser(error)) return "not-pending";
      throw error;
    }
    if (user.orgMembershipStatus === "ACTIVE") return "active";
    return user.orgMembershipStatus === "PENDING" ? undefined : "not-pending";
  };
}

/**
 * removeOrgUser, only while the user is PENDING: every attempt, the first and each retry, is
 * preceded by a read of the user's status, admitted with the DELETE as one unit, and the DELETE
 * leaves as soon as that read is answered (request-loop.ts). The remaining race is a person who
 * accepts between Atlas answering the read and Atlas receiving the DELETE: one round trip, plus
 * the time the answer waits in a busy process (README, "Life after the sunset"; bench section
 * 10). The org users API has no conditional request (no ETag or If-Match) to close it.
 */
export async function removePendingOrgUser(
  http: Transport,
  orgId: string,
  userId: string,
  call: CallOptions = {},
): Promise<"removed" | NotPending> {
  try {
    return await callOperation(http, OPERATIONS.removeOrgUser, {
      params: { orgId, userId },
      budget: call.budget,
      guard: pendingGuard(orgId, userId),
      // Atlas answers 204 with no body.
      map: () => "removed" as const,
    });
  } catch (error) {
    if (isNoSuchOrgUser(error)) return "not-pending";
    throw error;
  }
}

/** updateOrgUser, only while the user is PENDING, guarded like `removePendingOrgUser`. */
export async function updatePendingOrgUser(
  http: Transport,
  orgId: string,
  userId: string,
  body: OrgUserUpdateRequest,
  call: CallOptions = {},
): Promise<OrgUser | NotPending> {
  try {
    return await callOperation(http, OPERATIONS.updateOrgUser, {
      params: { orgId, userId },
      body,
      budget: call.budget,
      guard: pendingGuard(orgId, userId),
    });
  } catch (error) {
    if (isNoSuchOrgUser(error)) return "not-pending";
    throw error;
  }
}

/**
 * The typed client of the Atlas Admin API v2 slice this package uses: the deprecated invitation
 * operations and the org user operations that replace them (openapi/), each described once in the
 * operations table (operations.ts). Every call goes through the one request path (http.ts,
 * request-loop.ts): authenticated, paced, retried, bounded by a budget.
 */
import type { Budget } from "./budget";
import type {
  OrgInvitation,
  OrgInvitationRequest,
  OrgInvitationUpdateRequest,
  OrgUser,
  OrgUserRequest,
  OrgUserUpdateRequest,
  OrgUsersPage,
} from "./types";

/** Per-call options. */
export interface CallOptions {
  /**
   * The budget of the operation this call belongs to, shared by all its calls.
   * @default a fresh budget of `deadlineMs` for this call alone
   */
  budget?: Budget | undefined;
}

/** Options of a creating POST. */
export interface CreateCallOptions<T> extends CallOptions {
  /**
   * After an ambiguous failure (no answer, a 5xx), finds what the POST created, if it landed; the
   * POST is sent again only when this finds nothing. Without it such a failure is thrown.
   */
  landed?: ((budget: Budget) => Promise<T | undefined>) | undefined;
}

/**
 * The operations. Ids are 24 lower-case hex characters; usernames are email addresses; timestamps
 * in answers are ISO 8601 UTC (`2026-08-10T03:03:37Z`).
 *
 * Every method throws, from this package's error family: `AtlasApiError` (Atlas answered an
 * error status), `AtlasNetworkError`, `AtlasTimeoutError`, `AtlasProtocolError` (an answer in the
 * wrong shape), `AtlasAuthenticationError`, `AtlasProxyError`, `AtlasTlsError` and
 * `AtlasDeadlineError` (the budget ran out).
 */
export interface AtlasClient {
  /** A budget of the configured `deadlineMs`, starting now: pass it to every call of one operation. */
  budget(): Budget;

  /** listOrgInvites: GET /orgs/{orgId}/invites[?username=]; pending invitations only, a bare array. */
  listOrgInvites(
    orgId: string,
    options?: { username?: string | undefined },
    call?: CallOptions,
  ): Promise<OrgInvitation[]>;
  /** createOrgInvite: POST /orgs/{orgId}/invites; Atlas answers 200. Paced by the invitation limit. */
  createOrgInvite(
    orgId: string,
    body: OrgInvitationRequest,
    call?: CreateCallOptions<OrgInvitation>,
  ): Promise<OrgInvitation>;
  /** getOrgInvite: GET /orgs/{orgId}/invites/{invitationId}. */
  getOrgInvite(orgId: string, invitationId: string, call?: CallOptions): Promise<OrgInvitation>;
  /** updateOrgInviteById: PATCH /orgs/{orgId}/invites/{invitationId}. Paced by the invitation limit. */
  updateOrgInviteById(
    orgId: string,
    invitationId: string,
    body: OrgInvitationUpdateRequest,
    call?: CallOptions,
  ): Promise<OrgInvitation>;
  /** deleteOrgInvite: DELETE /orgs/{orgId}/invites/{invitationId}; Atlas answers 204. */
  deleteOrgInvite(orgId: string, invitationId: string, call?: CallOptions): Promise<void>;

  /** listOrgUsers: GET /orgs/{orgId}/users, one page (default 500 users, page 1), 2025-02-19. */
  listOrgUsers(
    orgId: string,
    page?: { pageNum?: number; itemsPerPage?: number; username?: string },
    call?: CallOptions,
  ): Promise<OrgUsersPage>;
  /** Every ACTIVE and PENDING user of the org, following `rel: "next"` links. */
  listAllOrgUsers(orgId: string, call?: CallOptions): Promise<OrgUser[]>;
  /** getOrgUser: GET /orgs/{orgId}/users/{userId}, 2025-02-19. */
  getOrgUser(orgId: string, userId: string, call?: CallOptions): Promise<OrgUser>;
  /** createOrgUser: POST /orgs/{orgId}/users; 201 with the PENDING user. Paced by the invitation limit. */
  createOrgUser(
    orgId: string,
    body: OrgUserRequest,
    call?: CreateCallOptions<OrgUser>,
  ): Promise<OrgUser>;
  /** updateOrgUser: PATCH /orgs/{orgId}/users/{userId}. */
  updateOrgUser(
    orgId: string,
    userId: string,
    body: OrgUserUpdateRequest,
    call?: CallOptions,
  ): Promise<OrgUser>;
  /**
   * removeOrgUser: DELETE /orgs/{orgId}/users/{userId}. Removes PENDING and ACTIVE users alike:
   * read the user's status first, or use `removePendingOrgUser`.
   */
  removeOrgUser(orgId: string, userId: string, call?: CallOptions): Promise<void>;
  /**
   * removeOrgUser only while the user is PENDING: each attempt is preceded, one round trip
   * earlier, by a read of the user's status (getOrgUser). `"active"`: the person is a member, and
   * nothing was removed; `"not-pending"`: the user is gone, expired or rejected.
   */
  removePendingOrgUser(
    orgId: string,
    userId: string,
    call?: CallOptions,
  ): Promise<"removed" | "not-pending" | "active">;
  /** updateOrgUser only while the user is PENDING, guarded like `removePendingOrgUser`. */
  updatePendingOrgUser(
    orgId: string,
    userId: string,
    body: OrgUserUpdateRequest,
    call?: CallOptions,
  ): Promise<OrgUser | "not-pending" | "active">;
}

/**
 * The invitation lifecycle on the org users API (`2025-02-19`), which replaces the invites API:
 * a pending invitation is an org user whose `orgMembershipStatus` is `PENDING`, with an id of its
 * own. Its DELETE removes PENDING and ACTIVE users alike and its PATCH changes anyone's roles, so
 * every write is guarded: each attempt is preceded, one round trip earlier, by a read of the
 * user's status by id, and an ACTIVE member is never written to (atlas/users.ts,
 * removePendingOrgUser). What remains is that round trip: a person who accepts inside it would be
 * removed (README, "Life after the sunset"). This is why the invites API stays the default while
 * Atlas serves it.
 *
 * State written on the invites API (resource id = invitation id, no `userId`) works here too: the
 * pending user is found by email address and taken only when it is certainly the same invitation
 * (the same send time, expiry and inviter: same-invitation.ts); its id is then recorded as
 * `userId`. A pending user that cannot be proven to be it is never written to (issue 19, item 1).
 */
import type { AtlasClient } from "../atlas/api";
import type { Budget } from "../atlas/budget";
import type { OrgUser, OrgUserRequest } from "../atlas/types";
import { newestFirst } from "../identity";
import { orgUserById, orgUsersNamed } from "../lookups";
import type { DeclaredInvitation, PendingInvitation } from "../model";
import { isAlreadyExpired } from "../errors";
import { locateBy } from "./backend";
import type { CancelOutcome, InvitationBackend } from "./backend";

/** A PENDING org user, in the invitation vocabulary: `invitationCreatedAt` becomes `createdAt`... */
export function fromOrgUser(user: OrgUser, orgId: string): PendingInvitation {
  return {
    userId: user.id,
    orgId,
    username: user.username,
    roles: [...(user.roles?.orgRoles ?? [])],
    teamIds: [...(user.teamIds ?? [])],
    groupRoleAssignments: (user.roles?.groupRoleAssignments ?? []).map((g) => ({
      groupId: g.groupId,
      roles: [...g.groupRoles],
    })),
    createdAt: user.invitationCreatedAt,
    expiresAt: user.invitationExpiresAt ?? undefined,
    inviterUsername: user.inviterUsername,
  };
}

/** Invitation fields as the org users API names them (README, "Life after the sunset"). */
export function userBody(declared: DeclaredInvitation): Omit<OrgUserRequest, "username"> {
  return {
    roles: {
      orgRoles: [...declared.roles],
      groupRoleAssignments: declared.groupRoleAssignments.map((g) => ({
        groupId: g.groupId,
        groupRoles: [...g.roles],
      })),
    },
    teamIds: [...declared.teamIds],
  };
}

/** A write refused with 400 ALREADY_EXPIRED: the invitation lapsed, so it is gone (`value`). */
const lapsedAs =
  <T>(value: T) =>
  (error: unknown): T => {
    if (isAlreadyExpired(error)) return value;
    throw error;
  };

export function usersBackend(client: AtlasClient): InvitationBackend {
  const pendingUsers = async (
    orgId: string,
    username: string,
    budget: Budget,
  ): Promise<OrgUser[]> =>
    (await orgUsersNamed(client, orgId, username, budget)).filter(
      (u) => u.orgMembershipStatus === "PENDING",
    );

  const findPending = async (
    orgId: string,
    username: string,
    budget: Budget,
  ): Promise<PendingInvitation[]> =>
    newestFirst((await pendingUsers(orgId, username, budget)).map((u) => fromOrgUser(u, orgId)));

  return {
    api: "users",
    findPending,

    locate: (ref, budget) =>
      locateBy(ref, "userId", () => findPending(ref.orgId, ref.username, budget)),

    async invite(declared, budget) {
      // The create's own look-up found nobody pending, so a pending user found now is ours.
      const newest = async (probe: Budget): Promise<OrgUser | undefined> =>
        [...(await pendingUsers(declared.orgId, declared.username, probe))].sort((a, b) =>
          (b.invitationCreatedAt ?? "").localeCompare(a.invitationCreatedAt ?? ""),
        )[0];
      const user = await client.createOrgUser(
        declared.orgId,
        { username: declared.username, ...userBody(declared) },
        { budget, landed: newest },
      );
      return fromOrgUser(user, declared.orgId);
    },

    async read(ref, budget) {
      if (ref.userId === undefined) return undefined;
      const user = await orgUserById(client, ref.orgId, ref.userId, budget);
      return user?.orgMembershipStatus === "PENDING" ? fromOrgUser(user, ref.orgId) : undefined;
    },

    async update(ref, declared, budget) {
      const userId = ref.userId;
      if (userId === undefined) return undefined;
      const updated = await client
        .updatePendingOrgUser(ref.orgId, userId, userBody(declared), { budget })
        .catch(lapsedAs("not-pending" as const));
      return typeof updated === "string" ? undefined : fromOrgUser(updated, ref.orgId);
    },

    async cancel(ref, budget): Promise<CancelOutcome> {
      const userId = ref.userId;
      if (userId === undefined) return "not-pending";
      const outcome = await client
        .removePendingOrgUser(ref.orgId, userId, { budget })
        .catch(lapsedAs("not-pending" as const));
      return outcome === "removed" ? "cancelled" : outcome;
    },
  };
}

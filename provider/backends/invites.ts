/**
 * The invitation lifecycle on the deprecated invites API (`2023-01-01`): the default while Atlas
 * serves it, because its DELETE only ever cancels a pending invitation (an accepted one answers
 * 404, or 400 INVALID_INVITATION_ID), so no race can remove a member. A lapsed one may answer
 * 400 ALREADY_EXPIRED: gone too.
 */
import type { AtlasClient } from "../atlas/api";
import type { Budget } from "../atlas/budget";
import type { GroupRoleResponse, OrgInvitation, OrgInvitationUpdateRequest } from "../atlas/types";
import { isAlreadyExpired, isNoSuchInvitation } from "../errors";
import { newestFirst } from "../identity";
import { pendingInvitationById, pendingInvitationsOf } from "../lookups";
import type { DeclaredInvitation, GroupRoleAssignment, PendingInvitation } from "../model";
import { locateBy } from "./backend";
import type { CancelOutcome, InvitationBackend } from "./backend";

/**
 * Atlas answers project roles one per entry (`{groupId, groupRole}`) where requests say
 * `{groupId, roles[]}` (openapi slice); merges them back, keeping first-seen order.
 */
export function fromGroupRoleResponse(
  entries: readonly GroupRoleResponse[] | undefined,
): GroupRoleAssignment[] {
  const byGroup = new Map<string, string[]>();
  for (const e of entries ?? []) {
    if (!e.groupId || !e.groupRole) continue;
    const roles = byGroup.get(e.groupId) ?? [];
    if (!roles.includes(e.groupRole)) roles.push(e.groupRole);
    byGroup.set(e.groupId, roles);
  }
  return [...byGroup.entries()].map(([groupId, roles]) => ({ groupId, roles }));
}

/** An invitation as Atlas answered it, in the shared vocabulary. */
export function fromInvitation(invitation: OrgInvitation, orgId: string): PendingInvitation {
  return {
    invitationId: invitation.id,
    orgId: invitation.orgId ?? orgId,
    orgName: invitation.orgName,
    username: invitation.username ?? "",
    roles: [...(invitation.roles ?? [])],
    teamIds: [...(invitation.teamIds ?? [])],
    groupRoleAssignments: fromGroupRoleResponse(invitation.groupRoleAssignments),
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
    inviterUsername: invitation.inviterUsername,
  };
}

/** The by-id PATCH body: everything declared, empty lists included, so removals clear in Atlas. */
export function updateBody(declared: DeclaredInvitation): OrgInvitationUpdateRequest {
  return {
    roles: [...declared.roles],
    teamIds: [...declared.teamIds],
    groupRoleAssignments: declared.groupRoleAssignments.map((g) => ({
      groupId: g.groupId,
      roles: [...g.roles],
    })),
  };
}

export function invitesBackend(client: AtlasClient): InvitationBackend {
  const findPending = async (
    orgId: string,
    username: string,
    budget: Budget,
  ): Promise<PendingInvitation[]> =>
    newestFirst(
      (await pendingInvitationsOf(client, orgId, username, budget)).map((i) =>
        fromInvitation(i, orgId),
      ),
    );

  return {
    api: "invites",
    findPending,

    locate: (ref, budget) =>
      locateBy(ref, "invitationId", () => findPending(ref.orgId, ref.username, budget)),

    async invite(declared, budget) {
      // An ambiguous failure is looked up before the POST is sent again: the create's own
      // look-up found nobody pending, so a pending invitation found now is the one it sent.
      const newest = async (probe: Budget): Promise<OrgInvitation | undefined> =>
        [...(await pendingInvitationsOf(client, declared.orgId, declared.username, probe))].sort(
          (a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""),
        )[0];
      const invitation = await client.createOrgInvite(
        declared.orgId,
        { username: declared.username, ...updateBody(declared) },
        { budget, landed: newest },
      );
      return fromInvitation(invitation, declared.orgId);
    },

    async read(ref, budget) {
      const id = ref.invitationId;
      if (id === undefined) return undefined;
      const invitation = await pendingInvitationById(client, ref.orgId, id, budget);
      return invitation && fromInvitation(invitation, ref.orgId);
    },

    async update(ref, declared, budget) {
      const id = ref.invitationId;
      if (id === undefined) return undefined;
      try {
        const invitation = await client.updateOrgInviteById(ref.orgId, id, updateBody(declared), {
          budget,
        });
        return fromInvitation(invitation, ref.orgId);
      } catch (error) {
        if (isNoSuchInvitation(error) || isAlreadyExpired(error)) return undefined;
        throw error;
      }
    },

    async cancel(ref, budget): Promise<CancelOutcome> {
      const id = ref.invitationId;
      if (id === undefined) return "not-pending";
      try {
        await client.deleteOrgInvite(ref.orgId, id, { budget });
        return "cancelled";
      } catch (error) {
        if (isNoSuchInvitation(error) || isAlreadyExpired(error)) return "not-pending";
        throw error;
      }
    },
  };
}

/**
 * Response shapes, per the openapi slice: OrganizationInvitation, OrgUserResponse (pending or
 * active, discriminated by orgMembershipStatus) and the deprecated CloudAppUser.
 */
import type { OrgState } from "./state";
import type { GroupRoleAssignmentRecord, InvitationRecord, OrgUserRecord } from "./types";

export interface Link {
  href: string;
  rel: string;
}

/** Responses say `{groupId, groupRole}`, one entry per role: not the request's `{groupId, roles[]}`. */
function groupRolesView(
  assignments: GroupRoleAssignmentRecord[],
): { groupId: string; groupRole: string }[] {
  return assignments.flatMap((a) =>
    a.roles.map((role) => ({ groupId: a.groupId, groupRole: role })),
  );
}

/**
 * OrganizationInvitation exactly as recorded (files 01-09): these ten fields in alphabetical order,
 * no `links`. `inviterUsername` is the inviting credential's id, not an email.
 */
export function invitationView(org: OrgState, inv: InvitationRecord): Record<string, unknown> {
  return {
    createdAt: inv.createdAt,
    expiresAt: inv.expiresAt,
    groupRoleAssignments: groupRolesView(inv.groupRoleAssignments),
    id: inv.id,
    inviterUsername: inv.inviterUsername,
    orgId: org.id,
    orgName: org.name,
    roles: [...inv.roles],
    teamIds: [...inv.teamIds],
    username: inv.username,
  };
}

/** OrgUserRolesResponse: users say `{groupId, groupRoles[]}`; both keys always present (file 12). */
function userRoles(user: OrgUserRecord): Record<string, unknown> {
  return {
    groupRoleAssignments: user.groupRoleAssignments.map((a) => ({
      groupId: a.groupId,
      groupRoles: [...a.roles],
    })),
    orgRoles: [...user.roles],
  };
}

/**
 * 2025-02-19 OrgUserResponse, with the recorded fields in Atlas's (alphabetical) order (files 12,
 * 19, 20): OrgActiveUserResponse for ACTIVE users, with `country`, `lastAuth` and
 * `mobileNumber: null` (no phone number on file); OrgPendingUserResponse for PENDING, and by the
 * discriminator for INVITATION_EXPIRED / INVITATION_REJECTED.
 */
export function orgUserView(user: OrgUserRecord): Record<string, unknown> {
  if (user.orgMembershipStatus === "ACTIVE") {
    return {
      country: user.country ?? "US",
      createdAt: user.createdAt,
      firstName: user.firstName,
      id: user.id,
      lastAuth: user.lastAuth ?? user.createdAt,
      lastName: user.lastName,
      mobileNumber: null,
      orgMembershipStatus: user.orgMembershipStatus,
      roles: userRoles(user),
      teamIds: [...user.teamIds],
      username: user.username,
    };
  }
  return {
    id: user.id,
    invitationCreatedAt: user.invitationCreatedAt,
    invitationExpiresAt: user.invitationExpiresAt ?? null,
    inviterUsername: user.inviterUsername,
    orgMembershipStatus: user.orgMembershipStatus,
    roles: userRoles(user),
    teamIds: [...user.teamIds],
    username: user.username,
  };
}

/**
 * 2023-01-01 CloudAppUser (active users only), shaped like the one recorded on a neighbouring
 * deprecated endpoint (file 16, team users): no `mobileNumber` (the schema requires it) and no
 * `password` (required by the schema, write-only in fact).
 */
export function appUserView(
  baseUrl: string,
  org: OrgState,
  user: OrgUserRecord,
): Record<string, unknown> {
  return {
    country: user.country ?? "US",
    createdAt: user.createdAt,
    emailAddress: user.username,
    firstName: user.firstName,
    id: user.id,
    lastAuth: user.lastAuth ?? user.createdAt,
    lastName: user.lastName,
    links: [{ href: `${baseUrl}/api/atlas/v2/users/${user.id}`, rel: "self" }],
    roles: [
      ...user.roles.map((roleName) => ({ orgId: org.id, roleName })),
      ...user.groupRoleAssignments.flatMap((a) =>
        a.roles.map((roleName) => ({ groupId: a.groupId, roleName })),
      ),
    ],
    teamIds: [...user.teamIds],
    username: user.username,
  };
}

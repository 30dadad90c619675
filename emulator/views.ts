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
export function groupRolesView(
  assignments: GroupRoleAssignmentRecord[],
): { groupId: string; groupRole: string }[] {
  return assignments.flatMap((a) =>
    a.roles.map((role) => ({ groupId: a.groupId, groupRole: role })),
  );
}

export function invitationView(
  baseUrl: string,
  org: OrgState,
  inv: InvitationRecord,
): Record<string, unknown> {
  return {
    id: inv.id,
    orgId: org.id,
    orgName: org.name,
    username: inv.username,
    roles: [...inv.roles],
    teamIds: [...inv.teamIds],
    groupRoleAssignments: groupRolesView(inv.groupRoleAssignments),
    createdAt: inv.createdAt,
    expiresAt: inv.expiresAt,
    inviterUsername: inv.inviterUsername,
    links: [{ href: `${baseUrl}/api/atlas/v2/orgs/${org.id}/invites/${inv.id}`, rel: "self" }],
  };
}

/** OrgUserRolesResponse: users say `{groupId, groupRoles[]}`. */
function userRoles(user: OrgUserRecord): Record<string, unknown> {
  return {
    orgRoles: [...user.roles],
    groupRoleAssignments: user.groupRoleAssignments.map((a) => ({
      groupId: a.groupId,
      groupRoles: [...a.roles],
    })),
  };
}

/** 2025-02-19 OrgUserResponse: OrgPendingUserResponse for PENDING/EXPIRED/REJECTED, else OrgActiveUserResponse. */
export function orgUserView(user: OrgUserRecord): Record<string, unknown> {
  const common = {
    id: user.id,
    username: user.username,
    orgMembershipStatus: user.orgMembershipStatus,
    roles: userRoles(user),
    teamIds: [...user.teamIds],
  };
  if (user.orgMembershipStatus === "ACTIVE") {
    return {
      ...common,
      createdAt: user.createdAt,
      firstName: user.firstName,
      lastName: user.lastName,
    };
  }
  return {
    ...common,
    invitationCreatedAt: user.invitationCreatedAt,
    invitationExpiresAt: user.invitationExpiresAt ?? null,
    inviterUsername: user.inviterUsername,
  };
}

/**
 * 2023-01-01 CloudAppUser (active users only). `password` is required by the schema but
 * write-only: a server never sends it back. Country and phone are placeholders that satisfy the
 * schema's patterns.
 */
export function appUserView(
  baseUrl: string,
  org: OrgState,
  user: OrgUserRecord,
): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    emailAddress: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    country: "US",
    // The spec's pattern is double-escaped upstream; the contract tests read it as intended
    // (test/contract/lib/readings.ts), so send a real North American number.
    mobileNumber: "212-555-0123",
    createdAt: user.createdAt,
    roles: [
      ...user.roles.map((roleName) => ({ orgId: org.id, roleName })),
      ...user.groupRoleAssignments.flatMap((a) =>
        a.roles.map((roleName) => ({ groupId: a.groupId, roleName })),
      ),
    ],
    teamIds: [...user.teamIds],
    links: [{ href: `${baseUrl}/api/atlas/v2/users/${user.id}`, rel: "self" }],
  };
}

/**
 * Hand-written examples for the validator self-tests: each valid one is the smallest body the
 * spec accepts for its schema, so the invalid variants differ from it by exactly one thing.
 */
export const ORG_ID = "5f1a2b3c4d5e6f7a8b9c0d1e";
export const INVITATION_ID = "6a1b2c3d4e5f6a7b8c9d0e1f";
export const USER_ID = "7b2c3d4e5f6a7b8c9d0e1f2a";
export const TEAM_ID = "8c3d4e5f6a7b8c9d0e1f2a3b";

export const INVITES = `/api/atlas/v2/orgs/${ORG_ID}/invites`;
export const INVITE = `${INVITES}/${INVITATION_ID}`;
export const USERS = `/api/atlas/v2/orgs/${ORG_ID}/users`;
export const USER = `${USERS}/${USER_ID}`;

export const V2023 = "application/vnd.atlas.2023-01-01+json";
export const V2025 = "application/vnd.atlas.2025-02-19+json";

export const invitation = {
  id: INVITATION_ID,
  orgId: ORG_ID,
  orgName: "Zürich-Labs",
  username: "ada@example.com",
  roles: ["ORG_MEMBER"],
  teamIds: [TEAM_ID],
  groupRoleAssignments: [],
  createdAt: "2026-01-02T03:04:05Z",
  expiresAt: "2026-02-01T03:04:05Z",
  inviterUsername: "owner@example.com",
  links: [{ href: "https://cloud.mongodb.com/api/atlas", rel: "self" }],
};

export const pendingUser = {
  id: USER_ID,
  username: "ada@example.com",
  orgMembershipStatus: "PENDING",
  roles: { orgRoles: ["ORG_MEMBER"], groupRoleAssignments: [] },
  teamIds: [TEAM_ID],
  invitationCreatedAt: "2026-01-02T03:04:05Z",
  invitationExpiresAt: null,
  inviterUsername: "owner@example.com",
};

export const activeUser = {
  id: USER_ID,
  username: "ada@example.com",
  orgMembershipStatus: "ACTIVE",
  roles: { orgRoles: ["ORG_OWNER"] },
  createdAt: "2025-06-07T08:09:10Z",
  firstName: "Ada",
  lastName: "Lovelace",
  country: "GB",
};

/**
 * CloudAppUser, the element of the deprecated 2023-01-01 listOrgUsers page. No `password`: the
 * schema requires it but its description says Atlas does not return it (see slice-schemas.ts).
 */
export const appUser = {
  id: USER_ID,
  username: "ada@example.com",
  emailAddress: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  country: "GB",
  mobileNumber: "2125551234",
  roles: [{ orgId: ORG_ID, roleName: "ORG_MEMBER" }],
};

export const apiError = {
  error: 404,
  errorCode: "RESOURCE_NOT_FOUND",
  detail: "Cannot find resource.",
  reason: "Not Found",
  parameters: [],
};

export const invitationRequest = {
  username: "ada@example.com",
  roles: ["ORG_MEMBER"],
  teamIds: [TEAM_ID],
  groupRoleAssignments: [{ groupId: TEAM_ID, roles: ["GROUP_READ_ONLY"] }],
};

export const orgUserRequest = {
  username: "ada@example.com",
  roles: { orgRoles: ["ORG_MEMBER"] },
  teamIds: [TEAM_ID],
};

/** A copy of `value` without `key`: the "missing one field" variant of an example. */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

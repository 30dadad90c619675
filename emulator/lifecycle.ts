/**
 * Invitation and org-user lifecycle, shared by the API routes and the control API so both sides
 * move the same state: an invitation shows up as a PENDING org user (2025-02-19), accepting makes
 * the user ACTIVE and the invitation disappear, expiry/rejection leave an INVITATION_EXPIRED /
 * INVITATION_REJECTED user behind (openapi slice, OrgUserResponse discriminator).
 */
import { AtlasError } from "./errors";
import { isoSeconds, newId } from "./ids";
import type { AtlasState, OrgState } from "./state";
import { findUserByUsername, OWNER_USERNAME, pendingInvitationsFor } from "./state";
import type { GroupRoleAssignmentRecord, InvitationRecord, OrgUserRecord } from "./types";

/** "Invitations expire after 30 days" (Atlas docs; createOrgUser description). */
export const INVITATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface InviteInput {
  username: string;
  roles: string[];
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignmentRecord[];
}

export interface InvitePatch {
  roles?: string[];
  teamIds?: string[];
  groupRoleAssignments?: GroupRoleAssignmentRecord[];
}

/**
 * `via` tells the deprecated invites API (duplicate pending invitations follow the knob) from
 * createOrgUser ("a conflict if and only if there is an existing PENDING or ACTIVE user").
 */
export function createInvitation(
  state: AtlasState,
  org: OrgState,
  input: InviteInput,
  via: "invites" | "users",
): { invitation: InvitationRecord; user: OrgUserRecord } {
  const existing = findUserByUsername(org, input.username);
  if (
    existing?.orgMembershipStatus === "ACTIVE" ||
    (via === "users" && existing?.orgMembershipStatus === "PENDING")
  ) {
    throw new AtlasError(
      409,
      "USER_ALREADY_EXISTS",
      `User ${input.username} already exists in this organization.`,
    );
  }
  const pending = pendingInvitationsFor(org, input.username);
  if (via === "invites" && pending.length > 0) {
    const policy = state.knobs.duplicateInvitePolicy;
    if (policy === "reject") {
      throw new AtlasError(
        409,
        "INVITATION_ALREADY_EXISTS",
        `A pending invitation for ${input.username} already exists in this organization.`,
      );
    }
    if (policy === "replace") for (const old of pending) org.invitations.delete(old.id);
  }
  const now = state.now();
  const invitation: InvitationRecord = {
    id: newId(),
    orgId: org.id,
    username: input.username,
    roles: [...input.roles],
    teamIds: [...input.teamIds],
    groupRoleAssignments: structuredClone(input.groupRoleAssignments),
    createdAt: isoSeconds(now),
    expiresAt: isoSeconds(now + INVITATION_TTL_MS),
    inviterUsername: OWNER_USERNAME,
  };
  org.invitations.set(invitation.id, invitation);
  return { invitation, user: pointUserAt(state, org, existing, invitation) };
}

/** The one org user of an invited username reflects its newest pending invitation. */
function pointUserAt(
  state: AtlasState,
  org: OrgState,
  existing: OrgUserRecord | undefined,
  invitation: InvitationRecord,
): OrgUserRecord {
  const id = state.knobs.pendingUserIdEqualsInvitationId
    ? invitation.id
    : (existing?.id ?? newId());
  if (existing) org.users.delete(existing.id);
  const user: OrgUserRecord = {
    id,
    username: invitation.username,
    orgMembershipStatus: "PENDING",
    roles: [...invitation.roles],
    teamIds: [...invitation.teamIds],
    groupRoleAssignments: structuredClone(invitation.groupRoleAssignments),
    invitationId: invitation.id,
    invitationCreatedAt: invitation.createdAt,
    invitationExpiresAt: invitation.expiresAt,
    inviterUsername: invitation.inviterUsername,
  };
  org.users.set(id, user);
  return user;
}

export function updateInvitation(
  org: OrgState,
  invitation: InvitationRecord,
  patch: InvitePatch,
): void {
  if (patch.roles) invitation.roles = [...patch.roles];
  if (patch.teamIds) invitation.teamIds = [...patch.teamIds];
  if (patch.groupRoleAssignments) {
    invitation.groupRoleAssignments = structuredClone(patch.groupRoleAssignments);
  }
  const user = [...org.users.values()].find((u) => u.invitationId === invitation.id);
  if (user?.orgMembershipStatus === "PENDING") {
    user.roles = [...invitation.roles];
    user.teamIds = [...invitation.teamIds];
    user.groupRoleAssignments = structuredClone(invitation.groupRoleAssignments);
  }
}

/** Cancelling an invitation also removes its PENDING user, unless another invitation remains. */
export function deleteInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
): void {
  org.invitations.delete(invitation.id);
  const user = findUserByUsername(org, invitation.username);
  if (user?.orgMembershipStatus !== "PENDING") return;
  const remaining = pendingInvitationsFor(org, invitation.username).at(-1);
  if (remaining) pointUserAt(state, org, user, remaining);
  else org.users.delete(user.id);
}

export function acceptInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
): OrgUserRecord {
  for (const inv of pendingInvitationsFor(org, invitation.username)) org.invitations.delete(inv.id);
  const existing = findUserByUsername(org, invitation.username);
  if (existing) org.users.delete(existing.id);
  const [first, last] = namesOf(invitation.username);
  const user: OrgUserRecord = {
    id: existing?.id ?? newId(),
    username: invitation.username,
    orgMembershipStatus: "ACTIVE",
    roles: [...invitation.roles],
    teamIds: [...invitation.teamIds],
    groupRoleAssignments: structuredClone(invitation.groupRoleAssignments),
    firstName: first,
    lastName: last,
    createdAt: isoSeconds(state.now()),
  };
  org.users.set(user.id, user);
  return user;
}

/** Expiry keeps `invitationExpiresAt` (when it ran out); rejection sets it to null. */
export function endInvitation(
  org: OrgState,
  invitation: InvitationRecord,
  status: "INVITATION_EXPIRED" | "INVITATION_REJECTED",
  expiredAt: string,
): void {
  for (const inv of pendingInvitationsFor(org, invitation.username)) org.invitations.delete(inv.id);
  const user = findUserByUsername(org, invitation.username);
  if (!user) return;
  user.orgMembershipStatus = status;
  user.invitationExpiresAt = status === "INVITATION_EXPIRED" ? expiredAt : null;
}

/** Invitations whose 30 days ran out (per the injectable clock) expire on their own. */
export function sweepExpired(state: AtlasState): void {
  const now = state.now();
  for (const org of state.orgs.values()) {
    for (const inv of [...org.invitations.values()]) {
      if (Date.parse(inv.expiresAt) <= now && org.invitations.has(inv.id)) {
        endInvitation(org, inv, "INVITATION_EXPIRED", inv.expiresAt);
      }
    }
  }
}

export function removeUser(org: OrgState, user: OrgUserRecord): void {
  if (user.orgMembershipStatus === "PENDING") {
    for (const inv of pendingInvitationsFor(org, user.username)) org.invitations.delete(inv.id);
  }
  org.users.delete(user.id);
}

export function addMember(
  state: AtlasState,
  org: OrgState,
  input: { username: string; roles: string[]; teamIds: string[] },
): OrgUserRecord {
  const existing = findUserByUsername(org, input.username);
  if (existing) removeUser(org, existing);
  const [first, last] = namesOf(input.username);
  const user: OrgUserRecord = {
    id: existing?.id ?? newId(),
    username: input.username,
    orgMembershipStatus: "ACTIVE",
    roles: [...input.roles],
    teamIds: [...input.teamIds],
    groupRoleAssignments: [],
    firstName: first,
    lastName: last,
    createdAt: isoSeconds(state.now()),
  };
  org.users.set(user.id, user);
  return user;
}

/** "jane.doe@x.io" -> ["Jane", "Doe"]: ACTIVE users carry names (OrgActiveUserResponse). */
function namesOf(username: string): [string, string] {
  const parts = (username.split("@")[0] ?? "").split(/[._+-]+/).filter(Boolean);
  const cap = (s: string | undefined, fallback: string): string =>
    s ? s.charAt(0).toUpperCase() + s.slice(1) : fallback;
  return [cap(parts[0], "Emulated"), cap(parts[1], "User")];
}

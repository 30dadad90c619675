/**
 * Invitation and org-user lifecycle, shared by the API routes and the control API so both sides
 * move the same state: an invitation shows up as a PENDING org user (2025-02-19), accepting makes
 * the user ACTIVE and the invitation disappear, expiry/rejection leave an INVITATION_EXPIRED /
 * INVITATION_REJECTED user behind (openapi slice, OrgUserResponse discriminator).
 *
 * An invitation past its `expiresAt` follows the `lapsedInvitations` knob: "dropped", it expires
 * on its own (`sweepExpired`, before every request); "listed", it stays listed and served with its
 * user PENDING, every write to it answers 400 ALREADY_EXPIRED, and creates treat it as ended.
 */
import { AtlasError } from "./errors";
import type { AtlasState, OrgState } from "./state";
import {
  findUserByUsername,
  isoSeconds,
  newId,
  pendingInvitationsFor,
  stored,
  userOfInvitation,
  usersByUsername,
} from "./state";
import type { GroupRoleAssignmentRecord, InvitationRecord, OrgUserRecord } from "./types";

/** An invitation "must be accepted within 30 days" (openapi slice, createOrgUser description). */
const INVITATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

interface InviteInput {
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

/** Whether an ISO timestamp is at or before the emulator's now. */
function passed(state: AtlasState, at: string | null | undefined): boolean {
  return typeof at === "string" && Date.parse(at) <= state.now();
}

/**
 * A pending invitation past its `expiresAt` that Atlas still lists (`lapsedInvitations:
 * "listed"`). Under "dropped" none exists: the sweep removed it before any operation looked.
 */
export function isLapsed(state: AtlasState, invitation: InvitationRecord): boolean {
  return state.knobs.lapsedInvitations === "listed" && passed(state, invitation.expiresAt);
}

/** A PENDING org user whose invitation lapsed and is still listed (see isLapsed). */
export function isLapsedUser(state: AtlasState, user: OrgUserRecord): boolean {
  return (
    state.knobs.lapsedInvitations === "listed" &&
    user.orgMembershipStatus === "PENDING" &&
    passed(state, user.invitationExpiresAt)
  );
}

/**
 * A write to a lapsed invitation (or its PENDING user). The code is on Atlas's documented error
 * list, with this description (https://www.mongodb.com/docs/atlas/reference/api-errors/); the
 * status and whether these operations answer it are not recorded.
 */
export function alreadyExpired(): AtlasError {
  return new AtlasError(
    400,
    "ALREADY_EXPIRED",
    "Cannot update an entity that has already expired.",
  );
}

/**
 * A user id that is never `other`: a pending org user's id is never its invitation's id (528
 * recorded pairs, none equal; usually the invitation id + 1, which the emulator does not imitate
 * so that nobody relies on it).
 */
function idOtherThan(...others: (string | undefined)[]): string {
  let id = newId();
  while (others.includes(id)) id = newId();
  return id;
}

/**
 * `via` tells the deprecated invites API (duplicate pending invitations follow the knob) from
 * createOrgUser ("a conflict if and only if there is an existing PENDING or ACTIVE user").
 * `inviter` is the caller's credential id (API public key or service-account client id): Atlas
 * reports it as `inviterUsername` (recordings 01-09, 12).
 *
 * One person record behind both APIs: the invitation is listed by listOrgInvites and its PENDING
 * org user by listOrgUsers, with two different ids. An INVITATION_EXPIRED or INVITATION_REJECTED
 * record of the person is replaced by the new PENDING one ("Replaces INVITATION_EXPIRED and
 * INVITATION_REJECTED user with the same email", createOrgUser), under a new id unless the
 * `reinvitedUserId` knob says "same".
 *
 * A lapsed invitation (still listed, see isLapsed) is ended for a create, so a fresh invitation
 * can always be sent: it neither conflicts nor counts for the duplicate policy, it stays listed
 * beside the new one, and a PENDING user that shows it is replaced like an INVITATION_EXPIRED one.
 */
export function createInvitation(
  state: AtlasState,
  org: OrgState,
  input: InviteInput,
  via: "invites" | "users",
  inviter: string,
): { invitation: InvitationRecord; user: OrgUserRecord } {
  const records = usersByUsername(state, org, input.username);
  const conflict = records.find(
    (u) =>
      u.orgMembershipStatus === "ACTIVE" ||
      (via === "users" && u.orgMembershipStatus === "PENDING" && !isLapsedUser(state, u)),
  );
  if (conflict) {
    // Wording and parameters of the one recorded USER_ALREADY_EXISTS (file 23).
    throw new AtlasError(
      409,
      "USER_ALREADY_EXISTS",
      `A user with username ${input.username} already exists.`,
      { parameters: [input.username] },
    );
  }
  const pending = pendingInvitationsFor(state, org, input.username, "api").filter(
    (inv) => !isLapsed(state, inv),
  );
  if (via === "invites" && pending.length > 0) {
    const policy = state.knobs.duplicateInvitePolicy;
    if (policy === "reject") {
      throw new AtlasError(
        409,
        "INVITATION_ALREADY_EXISTS",
        `An invitation for ${input.username} already exists in this organization.`,
        { parameters: [input.username] },
      );
    }
    if (policy === "replace") for (const old of pending) org.invitations.delete(old.id);
  }
  const now = state.now();
  const invitation: InvitationRecord = {
    id: newId(),
    orgId: org.id,
    username: stored(state, input.username),
    roles: [...input.roles],
    teamIds: [...input.teamIds],
    groupRoleAssignments: structuredClone(input.groupRoleAssignments),
    createdAt: isoSeconds(now),
    expiresAt: isoSeconds(now + INVITATION_TTL_MS),
    inviterUsername: inviter,
  };
  org.invitations.set(invitation.id, invitation);
  // A PENDING record (invites API, duplicate or replace policy) follows the newest invitation.
  const stillPending = records.find(
    (u) => u.orgMembershipStatus === "PENDING" && !isLapsedUser(state, u),
  );
  if (stillPending) return { invitation, user: pointUserAt(org, stillPending, invitation) };
  // Expired, rejected or lapsed records of the person are replaced.
  const ended = records.filter((u) => u.orgMembershipStatus !== "ACTIVE");
  for (const old of ended) org.users.delete(old.id);
  const reused = state.knobs.reinvitedUserId === "same" ? ended[0] : undefined;
  const user = pointUserAt(
    org,
    reused,
    invitation,
    ended.map((u) => u.id),
  );
  return { invitation, user };
}

/**
 * The one org user of an invited person reflects their newest pending invitation. A new record's
 * id is never the invitation's, nor one of `avoid` (a replaced record's id, when it must change).
 */
function pointUserAt(
  org: OrgState,
  existing: OrgUserRecord | undefined,
  invitation: InvitationRecord,
  avoid: string[] = [],
): OrgUserRecord {
  const id =
    existing !== undefined && existing.id !== invitation.id
      ? existing.id
      : idOtherThan(invitation.id, ...avoid);
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

/**
 * An invitation leaves the pending set (cancelled or expired): its PENDING user follows the
 * person's newest remaining invitation, or, when none remains, `whenLast` decides (removed on a
 * cancel, INVITATION_EXPIRED on an expiry).
 */
function dropInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
  whenLast: (user: OrgUserRecord) => void,
): void {
  const user = userOfInvitation(state, org, invitation);
  org.invitations.delete(invitation.id);
  if (user?.orgMembershipStatus !== "PENDING") return;
  const remaining = pendingInvitationsFor(state, org, invitation.username, "api").at(-1);
  if (remaining) pointUserAt(org, user, remaining);
  else whenLast(user);
}

/** Cancelling an invitation also removes its PENDING user, unless another invitation remains. */
export function deleteInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
): void {
  dropInvitation(state, org, invitation, (user) => org.users.delete(user.id));
}

/**
 * The invited person accepts: every pending invitation of theirs disappears and their org user
 * becomes ACTIVE, carrying the address their account has. With `acceptedUserId: "new"` (the
 * default) the ACTIVE user gets another id than the PENDING one had.
 */
export function acceptInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
  accountUsername?: string,
): OrgUserRecord {
  const pendingUser = userOfInvitation(state, org, invitation);
  for (const inv of pendingInvitationsFor(state, org, invitation.username, "api")) {
    org.invitations.delete(inv.id);
  }
  if (pendingUser) org.users.delete(pendingUser.id);
  const username = stored(state, accountUsername ?? invitation.username);
  // An expired or rejected record of the account's own spelling is superseded too.
  const stale = findUserByUsername(state, org, username, "api");
  if (stale && stale.orgMembershipStatus !== "ACTIVE") org.users.delete(stale.id);
  const keep = state.knobs.acceptedUserId === "same" && pendingUser !== undefined;
  const now = isoSeconds(state.now());
  const id = keep ? pendingUser.id : idOtherThan(pendingUser?.id, invitation.id);
  const user = activeUser(id, username, invitation, now);
  org.users.set(user.id, user);
  return user;
}

function activeUser(
  id: string,
  username: string,
  grants: { roles: string[]; teamIds: string[]; groupRoleAssignments: GroupRoleAssignmentRecord[] },
  now: string,
): OrgUserRecord {
  const [first, last] = namesOf(username);
  return {
    id,
    username,
    orgMembershipStatus: "ACTIVE",
    roles: [...grants.roles],
    teamIds: [...grants.teamIds],
    groupRoleAssignments: structuredClone(grants.groupRoleAssignments),
    firstName: first,
    lastName: last,
    createdAt: now,
    lastAuth: now,
    country: "US",
  };
}

/**
 * Control API: the person's invitations end at once. Expiry keeps `invitationExpiresAt` (when it
 * ran out); rejection sets it to null.
 */
export function endInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
  status: "INVITATION_EXPIRED" | "INVITATION_REJECTED",
  expiredAt: string,
): void {
  const user = userOfInvitation(state, org, invitation);
  for (const inv of pendingInvitationsFor(state, org, invitation.username, "api")) {
    org.invitations.delete(inv.id);
  }
  if (!user) return;
  user.orgMembershipStatus = status;
  user.invitationExpiresAt = status === "INVITATION_EXPIRED" ? expiredAt : null;
}

/**
 * Invitations whose 30 days ran out (per the injectable clock) expire on their own, one by one,
 * under `lapsedInvitations: "dropped"`; under "listed" they stay (isLapsed).
 */
export function sweepExpired(state: AtlasState): void {
  if (state.knobs.lapsedInvitations === "listed") return;
  const now = state.now();
  for (const org of state.orgs.values()) {
    for (const inv of [...org.invitations.values()]) {
      if (Date.parse(inv.expiresAt) > now || !org.invitations.has(inv.id)) continue;
      dropInvitation(state, org, inv, (user) => {
        user.orgMembershipStatus = "INVITATION_EXPIRED";
        user.invitationExpiresAt = inv.expiresAt;
      });
    }
  }
}

/**
 * Control API: the invitation lapses now, without the clock moving: its `expiresAt` becomes a
 * second before now (whole seconds, as Atlas prints them). Its PENDING user, if it shows this
 * invitation, follows the person's newest invitation still running, as the sweep would have it;
 * with none left it keeps showing this one, now lapsed. Under "dropped" the next request sweeps it.
 */
export function lapseInvitation(
  state: AtlasState,
  org: OrgState,
  invitation: InvitationRecord,
): void {
  const at = isoSeconds(state.now() - 1000);
  invitation.expiresAt = at;
  const user = [...org.users.values()].find((u) => u.invitationId === invitation.id);
  if (user?.orgMembershipStatus !== "PENDING") return;
  const running = pendingInvitationsFor(state, org, invitation.username, "api")
    .filter((inv) => !passed(state, inv.expiresAt))
    .at(-1);
  if (running) pointUserAt(org, user, running);
  else user.invitationExpiresAt = at;
}

export function removeUser(state: AtlasState, org: OrgState, user: OrgUserRecord): void {
  if (user.orgMembershipStatus === "PENDING") {
    for (const inv of pendingInvitationsFor(state, org, user.username, "api")) {
      org.invitations.delete(inv.id);
    }
  }
  org.users.delete(user.id);
}

/** Control API: an ACTIVE member, found and replaced by username in any case. */
export function addMember(
  state: AtlasState,
  org: OrgState,
  input: { username: string; roles: string[]; teamIds: string[] },
): OrgUserRecord {
  const existing = findUserByUsername(state, org, input.username, "control");
  if (existing) removeUser(state, org, existing);
  const user = activeUser(
    existing?.id ?? newId(),
    stored(state, input.username),
    { roles: input.roles, teamIds: input.teamIds, groupRoleAssignments: [] },
    isoSeconds(state.now()),
  );
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

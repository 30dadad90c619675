/**
 * When an invitation that state (or an adoption) knows is certainly the one Atlas shows, across
 * the two kinds of id: an invitation id (invites API) and a pending org user's id (org users
 * API), which are never equal (emulator/lifecycle.ts, 528 recorded pairs).
 *
 * Certain means one of:
 * - the same id of the same kind;
 * - across the kinds, the same send time, the same expiry and (where both know it) the same
 *   inviter. A pending org user carries its invitation's `createdAt` as `invitationCreatedAt`,
 *   `expiresAt` as `invitationExpiresAt` and the same `inviterUsername`, to the second
 *   (../shared/atlas-recorded, files 18 and 19: one org, seconds apart, every pair equal). A
 *   re-sent invitation has a new send time, so it never passes for the one the stack sent.
 * Anything less (the person's newest pending invitation, say) is not proof, and the lifecycle
 * leaves such an invitation alone (issue 19, item 1).
 */

/** What is known of one invitation: its ids and when, by whom, it was sent. */
export interface InvitationFacts {
  invitationId?: string | undefined;
  userId?: string | undefined;
  /** ISO 8601 UTC, as Atlas printed it. */
  createdAt?: string | undefined;
  /** ISO 8601 UTC, as Atlas printed it. */
  expiresAt?: string | undefined;
  /** The API public key or service-account client id that sent it. */
  inviterUsername?: string | undefined;
}

/** Whether `a` and `b` are certainly the same invitation (see the module comment). */
export function sameInvitation(a: InvitationFacts, b: InvitationFacts): boolean {
  if (a.invitationId !== undefined && b.invitationId !== undefined) {
    return a.invitationId === b.invitationId;
  }
  if (a.userId !== undefined && b.userId !== undefined) return a.userId === b.userId;
  return (
    a.createdAt !== undefined &&
    a.createdAt === b.createdAt &&
    a.expiresAt !== undefined &&
    a.expiresAt === b.expiresAt &&
    (a.inviterUsername === undefined ||
      b.inviterUsername === undefined ||
      a.inviterUsername === b.inviterUsername)
  );
}

/**
 * The seam between the lifecycle rules (lifecycle.ts: adopt, refuse, retain, gone), which are one
 * set of decisions, and the two Atlas APIs that can carry them out: the deprecated invites API
 * (invites.ts) and the org users API that replaces it (users.ts).
 */
import type { AtlasClient } from "../atlas/api";
import type { Budget } from "../atlas/budget";
import type { DeclaredInvitation, PendingInvitation } from "../model";

/** What the provider knows about one invitation: the person, and whichever ids it holds. */
export interface InvitationRef {
  orgId: string;
  username: string;
  invitationId?: string | undefined;
  userId?: string | undefined;
}

/** What `cancel` found and did. */
export type CancelOutcome =
  /** A pending invitation was cancelled. */
  | "cancelled"
  /** There was no pending invitation: gone, or accepted (membership decides which). */
  | "not-pending"
  /** The person is an ACTIVE member (seen on the way): nothing was sent. */
  | "active";

export interface InvitationBackend {
  readonly api: "invites" | "users";
  /**
   * The person's pending invitations in the org (any letter case), newest first.
   * @throws the client's errors (provider/errors)
   */
  findPending(orgId: string, username: string, budget: Budget): Promise<PendingInvitation[]>;
  /**
   * Sends a new invitation. After an ambiguous failure the request path looks the invitation up
   * before sending again, so this never sends two.
   */
  invite(declared: DeclaredInvitation, budget: Budget): Promise<PendingInvitation>;
  /** The pending invitation `ref` points at, or undefined when there is none any more. */
  read(ref: InvitationRef, budget: Budget): Promise<PendingInvitation | undefined>;
  /**
   * Brings the pending invitation to the declared roles, teams and project roles; undefined when
   * there is no such pending invitation any more.
   */
  update(
    ref: InvitationRef,
    declared: DeclaredInvitation,
    budget: Budget,
  ): Promise<PendingInvitation | undefined>;
  /** Cancels the pending invitation. Never removes a member. */
  cancel(ref: InvitationRef, budget: Budget): Promise<CancelOutcome>;
}

export type BackendFactory = (client: AtlasClient) => InvitationBackend;

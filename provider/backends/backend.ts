/**
 * The seam between the lifecycle rules (lifecycle.ts: adopt, refuse, retain, gone), which are one
 * set of decisions, and the two Atlas APIs that can carry them out: the deprecated invites API
 * (invites.ts) and the org users API that replaces it (users.ts).
 */
import type { AtlasClient } from "../atlas/api";
import type { Budget } from "../atlas/budget";
import type { DeclaredInvitation, PendingInvitation } from "../model";
import { sameInvitation } from "../same-invitation";
import type { InvitationFacts } from "../same-invitation";

/**
 * What the provider knows about one invitation: the person, whichever ids it holds, and when and
 * by whom it was sent (what proves it is the same invitation across the two APIs:
 * same-invitation.ts).
 */
export interface InvitationRef extends InvitationFacts {
  orgId: string;
  username: string;
}

/**
 * What `locate` found for a ref:
 * - `this`: `ref` now carries this API's id; `pending` is the invitation when the search saw it;
 * - `none`: the person has no pending invitation on this API;
 * - `others`: the person has pending invitations, none of which is certainly this one (a re-sent
 *   invitation, say): the lifecycle leaves them alone.
 */
export type Located =
  | { found: "this"; ref: InvitationRef; pending?: PendingInvitation | undefined }
  | { found: "none" }
  | { found: "others"; others: PendingInvitation[] };

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
  /**
   * Puts `ref` in this API's ids. Free when `ref` already holds one; otherwise (state written on
   * the other API) one look-up of the person's pending invitations, matched by certainty only
   * (same-invitation.ts), never "the newest" (issue 19, item 1).
   * @throws the client's errors
   */
  locate(ref: InvitationRef, budget: Budget): Promise<Located>;
  /**
   * The pending invitation `ref` points at, or undefined when there is none any more (or when
   * `ref` holds no id of this API: `locate` first).
   */
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
  /**
   * Cancels the pending invitation `ref` points at (by this API's id; `locate` first). Never
   * removes a member.
   */
  cancel(ref: InvitationRef, budget: Budget): Promise<CancelOutcome>;
}

export type BackendFactory = (client: AtlasClient) => InvitationBackend;

/**
 * `locate` for either API: `own` names the id kind the API addresses invitations by, `findPending`
 * is its look-up of the person's pending invitations.
 */
export async function locateBy(
  ref: InvitationRef,
  own: "invitationId" | "userId",
  findPending: () => Promise<PendingInvitation[]>,
): Promise<Located> {
  if (ref[own] !== undefined) return { found: "this", ref };
  const pending = await findPending();
  const match = pending.find((p) => sameInvitation(ref, p));
  if (match) return { found: "this", ref: { ...ref, [own]: match[own] }, pending: match };
  return pending.length > 0 ? { found: "others", others: pending } : { found: "none" };
}

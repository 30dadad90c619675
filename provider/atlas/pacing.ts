/**
 * The process's views of Atlas's rate limits, one per scope: a token bucket per origin and
 * organization (BucketView), and the invitation limit per origin (InvitationView). One host
 * process serves a whole deployment, so every resource of it shares these views, whichever client
 * object it uses.
 */
import { BucketView } from "./bucket-view";
import { InvitationView } from "./invitation-view";
import { atlasProcessState } from "./process-state";

const { buckets, invitationViews: invitations } = atlasProcessState;

/**
 * Which of Atlas's token buckets a request draws on. The caller names it from the operation's
 * parameters (operations.ts), never by reading a path back: invites and org users draw on their
 * organization's bucket (Atlas docs, rate limits), keyed by the org id.
 */
export interface RateLimitScope {
  readonly organization: string;
}

/** The views a request in `scope` on `origin` must pass; invitation-sending calls pass both. */
export function viewsFor(
  origin: string,
  scope: RateLimitScope,
  sendsInvitation: boolean,
): { bucket: BucketView; invitation: InvitationView | undefined } {
  const key = `${origin} org:${scope.organization}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = new BucketView();
    buckets.set(key, bucket);
  }
  let invitation: InvitationView | undefined;
  if (sendsInvitation) {
    invitation = invitations.get(origin);
    if (!invitation) {
      invitation = new InvitationView();
      invitations.set(origin, invitation);
    }
  }
  return { bucket, invitation };
}

/** The invitation view of an origin, if any call to it sent an invitation (tests, bench). */
export function invitationViewOf(origin: string): InvitationView | undefined {
  return invitations.get(origin);
}

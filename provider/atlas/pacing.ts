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

const ORG_PATH = /^\/api\/atlas\/v2\/orgs\/([^/?]+)/;

/** The views a request to `path` on `origin` must pass; invitation-sending calls pass both. */
export function viewsFor(
  origin: string,
  path: string,
  sendsInvitation: boolean,
): { bucket: BucketView; invitation: InvitationView | undefined } {
  // Invites and org users share an organization-scoped bucket (Atlas docs, rate limits).
  const org = ORG_PATH.exec(path)?.[1];
  const key = `${origin} ${org ? `org:${org}` : "*"}`;
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

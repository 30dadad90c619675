// A minimal program: two invitations to one organization.
// Credentials come from `pulumi config set mongodbatlas:clientId ...` and
// `pulumi config set --secret mongodbatlas:clientSecret ...` (or MONGODB_ATLAS_* variables).
import * as pulumi from "@pulumi/pulumi";
import { OrgInvitation } from "pulumi-atlas-org-invitations";

const config = new pulumi.Config();
const orgId = config.require("orgId");

const alice = new OrgInvitation("alice", {
  orgId,
  username: "alice@example.com",
  roles: ["ORG_MEMBER"],
});

const bob = new OrgInvitation("bob", {
  orgId,
  username: "bob@example.com",
  roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
  // Keep Bob's membership if he accepted before the stack is destroyed.
  onAccepted: "retain",
});

// `id` is the resource id, always set: the invitation id for an invitation made on the invites
// API, the pending org user's id for one made on the org users API (after the invites API's
// sunset). The `invitationId` output is absent for the latter, so it is not exported here.
export const invitations = {
  alice: { id: alice.id, status: alice.status, expiresAt: alice.expiresAt },
  bob: { id: bob.id, status: bob.status, expiresAt: bob.expiresAt },
};

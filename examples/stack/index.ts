// The root project's program (see ../../Pulumi.yaml): the invitations of one organization,
// declared in stack config the way a platform team keeps them:
//
//   config:
//     atlas-org-invitations:orgId: 64b7f1e2a3c4d5e6f7a8b9c0
//     atlas-org-invitations:invitations:
//       - username: alice@example.com
//         roles: [ORG_MEMBER]
//         teamIds: [64b7f1e2a3c4d5e6f7a8b9d1]
//       - username: bob@example.com
//         roles: [ORG_MEMBER, ORG_BILLING_READ_ONLY]
//         groupRoleAssignments: [{ groupId: 64b7f1e2a3c4d5e6f7a8b9e1, roles: [GROUP_READ_ONLY] }]
//         onAccepted: retain
//
// Each person's resource name is made from the address (`invite-alice-example-com`), so it stays
// the same as long as the address does. Two addresses that make one name (`a.b@example.com`,
// `a-b@example.com`) are refused, as is a misspelt key (`teamID`: did you mean teamIds?); an
// entry's optional `name: ...` gives it a name of its own.
import * as pulumi from "@pulumi/pulumi";
import { OrgInvitation } from "pulumi-atlas-org-invitations";
import { parseDeclaration } from "./declarations";

const config = new pulumi.Config();
const declaration = parseDeclaration(
  config.require("orgId"),
  config.requireObject<unknown>("invitations"),
);

const resources = declaration.resources.map(
  ({ name, inputs }) =>
    new OrgInvitation(name, {
      orgId: declaration.orgId,
      username: inputs.username,
      roles: inputs.roles,
      ...(inputs.teamIds ? { teamIds: inputs.teamIds } : {}),
      ...(inputs.groupRoleAssignments ? { groupRoleAssignments: inputs.groupRoleAssignments } : {}),
      ...(inputs.onAccepted ? { onAccepted: inputs.onAccepted } : {}),
    }),
);

export const invitations = resources.map((r) => ({
  username: r.username,
  // The resource id, always set: the invitation id for an invitation made on the invites API, the
  // pending org user's id for one made on the org users API (after the invites API's sunset).
  // The `invitationId` output is absent for the latter, so it is not exported here.
  id: r.id,
  status: r.status,
  expiresAt: r.expiresAt,
}));

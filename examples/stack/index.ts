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
import * as pulumi from "@pulumi/pulumi";
import { OrgInvitation } from "pulumi-atlas-org-invitations";
import { parseDeclaration, resourceName } from "./declarations";

const config = new pulumi.Config();
const declaration = parseDeclaration(
  config.require("orgId"),
  config.requireObject<unknown>("invitations"),
);

const resources = declaration.invitations.map(
  (entry) =>
    new OrgInvitation(resourceName(entry.username), {
      orgId: declaration.orgId,
      username: entry.username,
      roles: entry.roles,
      ...(entry.teamIds ? { teamIds: entry.teamIds } : {}),
      ...(entry.groupRoleAssignments ? { groupRoleAssignments: entry.groupRoleAssignments } : {}),
      ...(entry.onAccepted ? { onAccepted: entry.onAccepted } : {}),
    }),
);

export const invitations = resources.map((r) => ({
  username: r.username,
  invitationId: r.invitationId,
  status: r.status,
  expiresAt: r.expiresAt,
}));

// Invitations beside the official MongoDB Atlas provider: the project and the team are
// `@pulumi/mongodbatlas` resources, and each `OrgInvitation` takes their ids from their outputs,
// so Pulumi creates the project and the team first and the invitation names them on acceptance.
//
//   npm install @pulumi/pulumi @pulumi/mongodbatlas pulumi-atlas-org-invitations
//   pulumi config set orgId 5f1e2d3c4b5a69788776655a
//   pulumi config set mongodbatlas:clientId mdb_sa_id_...
//   pulumi config set --secret mongodbatlas:clientSecret mdb_sa_sk_...
//
// Both providers read the same `mongodbatlas:*` config keys (or `MONGODB_ATLAS_*` variables), so
// one service account (or API key pair) serves both. Invitations need the Organization Owner role.
// test/host/with-teams.test.ts runs this program under mocks and drives the invitations it
// declares through the real dynamic-provider host against the local Atlas emulator.
import * as pulumi from "@pulumi/pulumi";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import { OrgInvitation } from "pulumi-atlas-org-invitations";

const config = new pulumi.Config();
const orgId = config.require("orgId");

const project = new mongodbatlas.Project("analytics", { orgId, name: "analytics" });
const team = new mongodbatlas.Team("data-engineers", { orgId, name: "data-engineers" });

/** Who joins the team, and the role each gets in the project. */
const people = [
  { name: "alice", username: "alice@example.com", projectRole: "GROUP_DATA_ACCESS_READ_WRITE" },
  { name: "bob", username: "bob@example.com", projectRole: "GROUP_READ_ONLY" },
];

const invitations = people.map(
  (person) =>
    new OrgInvitation(person.name, {
      orgId,
      username: person.username,
      roles: ["ORG_MEMBER"],
      // `teamId`, not `id`: the Team resource id is not the bare team id (it imports as ORGID-TEAMID).
      teamIds: [team.teamId],
      groupRoleAssignments: [{ groupId: project.id, roles: [person.projectRole] }],
      onAccepted: "retain",
    }),
);

export const projectId = project.id;
export const teamId = team.teamId;
export const invited = invitations.map((invitation) => ({
  username: invitation.username,
  // The resource id, always set: the invitation id for an invitation made on the invites API, the
  // pending org user's id for one made on the org users API (which has no `invitationId` output).
  id: invitation.id,
  status: invitation.status,
  teamIds: invitation.teamIds,
  groupRoleAssignments: invitation.groupRoleAssignments,
}));

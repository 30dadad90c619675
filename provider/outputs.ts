/** Maps an Atlas invitation and the declared inputs to plain-JSON state. */
import { AtlasProtocolError } from "./atlas/errors";
import type { OrgInvitation } from "./atlas/types";
import {
  DEFAULT_ON_ACCEPTED,
  type InvitationStatus,
  type OrgInvitationInputs,
  type OrgInvitationOutputs,
} from "./model";
import {
  fromGroupRoleResponse,
  preferDeclaredOrder,
  sameGroupRoles,
  sameUsername,
} from "./normalize";

export function toOutputs(
  invitation: OrgInvitation,
  declared: OrgInvitationInputs,
  status: InvitationStatus = "PENDING",
): OrgInvitationOutputs {
  if (typeof invitation.id !== "string") {
    throw new AtlasProtocolError({
      method: "GET",
      path: `/api/atlas/v2/orgs/${declared.orgId}/invites`,
      status: 200,
      problem: "an invitation without an id",
    });
  }
  const actualGroups = fromGroupRoleResponse(invitation.groupRoleAssignments);
  const out: OrgInvitationOutputs = {
    orgId: invitation.orgId ?? declared.orgId,
    username:
      invitation.username === undefined || sameUsername(invitation.username, declared.username)
        ? declared.username
        : invitation.username,
    roles: preferDeclaredOrder(declared.roles, invitation.roles ?? []),
    teamIds: preferDeclaredOrder(declared.teamIds ?? [], invitation.teamIds ?? []),
    groupRoleAssignments: sameGroupRoles(declared.groupRoleAssignments, actualGroups)
      ? (declared.groupRoleAssignments ?? []).map((g) => ({
          groupId: g.groupId,
          roles: [...g.roles],
        }))
      : actualGroups,
    onAccepted: declared.onAccepted ?? DEFAULT_ON_ACCEPTED,
    invitationId: invitation.id,
    status,
  };
  // Only strings Atlas actually sent: state must never hold `undefined`.
  if (typeof invitation.orgName === "string") out.orgName = invitation.orgName;
  if (typeof invitation.createdAt === "string") out.createdAt = invitation.createdAt;
  if (typeof invitation.expiresAt === "string") out.expiresAt = invitation.expiresAt;
  if (typeof invitation.inviterUsername === "string")
    out.inviterUsername = invitation.inviterUsername;
  return out;
}

/** Reads the declared part back out of stored state (outputs are a superset of inputs). */
export function declaredFrom(props: Record<string, unknown>): OrgInvitationInputs {
  const declared: OrgInvitationInputs = {
    orgId: String(props["orgId"]),
    username: String(props["username"]),
    roles: Array.isArray(props["roles"]) ? (props["roles"] as string[]) : [],
  };
  if (Array.isArray(props["teamIds"])) declared.teamIds = props["teamIds"] as string[];
  if (Array.isArray(props["groupRoleAssignments"])) {
    declared.groupRoleAssignments = props[
      "groupRoleAssignments"
    ] as OrgInvitationInputs["groupRoleAssignments"] & object;
  }
  if (props["onAccepted"] === "fail" || props["onAccepted"] === "retain")
    declared.onAccepted = props["onAccepted"];
  return declared;
}

/** Stored outputs without the engine's own keys, as a typed object. */
export function storedOutputs(props: Record<string, unknown>): OrgInvitationOutputs {
  const { __provider: _ignored, ...rest } = props;
  return rest as unknown as OrgInvitationOutputs;
}

/** The six deprecated invitation operations (application/vnd.atlas.2023-01-01+json only). */
import { AtlasError, notFound } from "../errors";
import { isId } from "../ids";
import type { InvitePatch } from "../lifecycle";
import { createInvitation, deleteInvitation, updateInvitation } from "../lifecycle";
import type { OrgState } from "../state";
import { pendingInvitationsFor } from "../state";
import type { InvitationRecord } from "../types";
import type { JsonObject } from "../validate";
import {
  checkDomain,
  parseGroupRoles,
  parseOrgRoles,
  parseTeamIds,
  parseUsername,
  rejectUnknown,
  requireId,
  requireObject,
} from "../validate";
import type { OpContext, Reply, RouteDef } from "./common";
import { ORG_INVITE, ORG_INVITES, param, resolveOrg } from "./common";
import { invitationView } from "../views";

const V = ["2023-01-01"] as const;
const REQUEST_FIELDS = ["username", "roles", "teamIds", "groupRoleAssignments"];
const UPDATE_FIELDS = ["roles", "teamIds", "groupRoleAssignments"];

/** Fields present in the body replace the stored ones; absent fields are kept. */
function parsePatch(org: OrgState, body: JsonObject): InvitePatch {
  const patch: InvitePatch = {};
  if (body["roles"] !== undefined) patch.roles = parseOrgRoles(body["roles"], "roles");
  if (body["teamIds"] !== undefined) patch.teamIds = parseTeamIds(org, body["teamIds"]);
  if (body["groupRoleAssignments"] !== undefined) {
    patch.groupRoleAssignments = parseGroupRoles(
      org,
      body["groupRoleAssignments"],
      "groupRoleAssignments",
      "roles",
    );
  }
  return patch;
}

function invitationId(ctx: OpContext): string {
  return requireId(param(ctx, 1), "INVALID_INVITATION_ID", "invitation ID");
}

function missingInvitation(id: string): AtlasError {
  return notFound(`Cannot find resource: no pending invitation with ID ${id}.`);
}

function ok(ctx: OpContext, org: OrgState, inv: InvitationRecord): Reply {
  return { status: 200, body: invitationView(ctx.baseUrl, org, inv) };
}

export const inviteRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: ORG_INVITES,
    operationId: "listOrgInvites",
    versions: V,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const username = ctx.query.get("username");
      const list = username ? pendingInvitationsFor(org, username) : [...org.invitations.values()];
      return { status: 200, body: list.map((inv) => invitationView(ctx.baseUrl, org, inv)) };
    },
  },
  {
    method: "POST",
    pattern: ORG_INVITES,
    operationId: "createOrgInvite",
    versions: V,
    hasBody: true,
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, REQUEST_FIELDS);
      const username = parseUsername(body["username"]);
      checkDomain(org, username);
      const roles = parseOrgRoles(body["roles"], "roles");
      const patch = parsePatch(org, body);
      const { invitation } = createInvitation(
        ctx.state,
        org,
        {
          username,
          roles,
          teamIds: patch.teamIds ?? [],
          groupRoleAssignments: patch.groupRoleAssignments ?? [],
        },
        "invites",
      );
      // Atlas answers 200, not 201 (openapi slice, createOrgInvite responses).
      return ok(ctx, org, invitation);
    },
  },
  {
    method: "PATCH",
    pattern: ORG_INVITES,
    operationId: "updateOrgInvites",
    versions: V,
    hasBody: true,
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, REQUEST_FIELDS);
      const username = parseUsername(body["username"]);
      const patch = parsePatch(org, body);
      const inv = pendingInvitationsFor(org, username).at(-1);
      if (!inv) throw notFound(`Cannot find resource: no pending invitation for ${username}.`);
      updateInvitation(org, inv, patch);
      return ok(ctx, org, inv);
    },
  },
  {
    method: "GET",
    pattern: ORG_INVITE,
    operationId: "getOrgInvite",
    versions: V,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const id = invitationId(ctx);
      const inv = org.invitations.get(id);
      if (!inv) throw missingInvitation(id);
      return ok(ctx, org, inv);
    },
  },
  {
    method: "PATCH",
    pattern: ORG_INVITE,
    operationId: "updateOrgInviteById",
    versions: V,
    hasBody: true,
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const id = invitationId(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, UPDATE_FIELDS);
      const patch = parsePatch(org, body);
      const inv = org.invitations.get(id);
      if (!inv) throw missingInvitation(id);
      updateInvitation(org, inv, patch);
      return ok(ctx, org, inv);
    },
  },
  {
    method: "DELETE",
    pattern: ORG_INVITE,
    operationId: "deleteOrgInvite",
    versions: V,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const id = param(ctx, 1);
      const inv = isId(id) ? org.invitations.get(id) : undefined;
      if (!inv) {
        // Atlas's answer for an accepted or unknown invitation is unconfirmed: 404 today, 400 in older docs.
        if (!isId(id) || ctx.state.knobs.deleteMissingAnswer === "400") {
          throw new AtlasError(
            400,
            "INVALID_INVITATION_ID",
            `Invitation ${id} does not exist or has already been accepted.`,
          );
        }
        throw missingInvitation(id);
      }
      deleteInvitation(ctx.state, org, inv);
      return { status: 204 };
    },
  },
];

/** The six deprecated invitation operations (application/vnd.atlas.2023-01-01+json only). */
import { AtlasError, notFound } from "../errors";
import type { InvitePatch } from "../lifecycle";
import {
  alreadyExpired,
  createInvitation,
  deleteInvitation,
  isLapsed,
  updateInvitation,
} from "../lifecycle";
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
import type { Reply } from "../http-io";
import { invitationView } from "../views";
import type { OpContext, RouteDef } from "./common";
import { ORG_INVITE, ORG_INVITES, param, resolveOrg } from "./common";

const V = ["2023-01-01"] as const;
/** All six carry x-sunset 2027-07-01 on their only media type (openapi slice). */
const SUNSET = V;
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

/**
 * An unknown or accepted invitation id on GET, PATCH or DELETE by id: unconfirmed which of the two
 * answers Atlas gives today (knob missingInvitationAnswer, default "400": older docs' wording).
 */
function missingInvitation(ctx: OpContext, id: string): AtlasError {
  if (ctx.state.knobs.missingInvitationAnswer === "404")
    return notFound(`Invitation with id ${id}`);
  return new AtlasError(
    400,
    "INVALID_INVITATION_ID",
    `Invitation ${id} does not exist or has already been accepted.`,
    { parameters: [id] },
  );
}

function pendingById(ctx: OpContext, org: OrgState, id: string): InvitationRecord {
  const inv = org.invitations.get(id);
  if (!inv) throw missingInvitation(ctx, id);
  return inv;
}

/** A pending invitation that may still change: a lapsed one is listed but refuses every write. */
function writableById(ctx: OpContext, org: OrgState, id: string): InvitationRecord {
  const inv = pendingById(ctx, org, id);
  if (isLapsed(ctx.state, inv)) throw alreadyExpired();
  return inv;
}

function ok(org: OrgState, inv: InvitationRecord): Reply {
  return { status: 200, body: invitationView(org, inv) };
}

export const inviteRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: ORG_INVITES,
    operationId: "listOrgInvites",
    versions: V,
    sunset: SUNSET,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const username = ctx.query.get("username");
      const list = username
        ? pendingInvitationsFor(ctx.state, org, username, "api")
        : [...org.invitations.values()];
      return { status: 200, body: list.map((inv) => invitationView(org, inv)) };
    },
  },
  {
    method: "POST",
    pattern: ORG_INVITES,
    operationId: "createOrgInvite",
    versions: V,
    sunset: SUNSET,
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
        ctx.caller,
      );
      // Atlas answers 200, not 201 (openapi slice, createOrgInvite responses; recording 01).
      return ok(org, invitation);
    },
  },
  {
    method: "PATCH",
    pattern: ORG_INVITES,
    operationId: "updateOrgInvites",
    versions: V,
    sunset: SUNSET,
    hasBody: true,
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, REQUEST_FIELDS);
      const username = parseUsername(body["username"]);
      const patch = parsePatch(org, body);
      // With several pending invitations ("duplicate" policy) the newest one still running
      // changes; when every one of them lapsed (still listed), the write is refused.
      const all = pendingInvitationsFor(ctx.state, org, username, "api");
      const inv = all.filter((i) => !isLapsed(ctx.state, i)).at(-1);
      if (!inv && all.length > 0) throw alreadyExpired();
      if (!inv) throw notFound(`Invitation for username ${username}`);
      updateInvitation(org, inv, patch);
      return ok(org, inv);
    },
  },
  {
    method: "GET",
    pattern: ORG_INVITE,
    operationId: "getOrgInvite",
    versions: V,
    sunset: SUNSET,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      return ok(org, pendingById(ctx, org, invitationId(ctx)));
    },
  },
  {
    method: "PATCH",
    pattern: ORG_INVITE,
    operationId: "updateOrgInviteById",
    versions: V,
    sunset: SUNSET,
    hasBody: true,
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const id = invitationId(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, UPDATE_FIELDS);
      const patch = parsePatch(org, body);
      const inv = writableById(ctx, org, id);
      updateInvitation(org, inv, patch);
      return ok(org, inv);
    },
  },
  {
    method: "DELETE",
    pattern: ORG_INVITE,
    operationId: "deleteOrgInvite",
    versions: V,
    sunset: SUNSET,
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const inv = writableById(ctx, org, invitationId(ctx));
      deleteInvitation(ctx.state, org, inv);
      return { status: 204 };
    },
  },
];

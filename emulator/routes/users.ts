/** The five org-user operations (2025-02-19; listOrgUsers and removeOrgUser also 2023-01-01). */
import { AtlasError, notFound } from "../errors";
import {
  alreadyExpired,
  createInvitation,
  isLapsedUser,
  removeUser,
  updateInvitation,
} from "../lifecycle";
import type { OrgState } from "../state";
import { samePerson } from "../state";
import type { MembershipStatus, OrgUserRecord } from "../types";
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
import { appUserView, orgUserView } from "../views";
import type { OpContext, RouteDef } from "./common";
import { ORG_USER, ORG_USERS, param, resolveOrg } from "./common";
import { paginate } from "./pagination";

const STATUSES: readonly MembershipStatus[] = [
  "PENDING",
  "ACTIVE",
  "INVITATION_EXPIRED",
  "INVITATION_REJECTED",
];
/** "If you exclude this parameter, this resource returns ACTIVE and PENDING users." (openapi slice) */
const DEFAULT_STATUSES: readonly MembershipStatus[] = ["ACTIVE", "PENDING"];

function statusFilter(query: URLSearchParams, allowDeprecated: boolean): ReadonlySet<string> {
  const many = query.getAll("orgMembershipStatuses").flatMap((v) => v.split(","));
  const one = allowDeprecated ? query.get("orgMembershipStatus") : null;
  if (many.length > 0 && one !== null) {
    throw new AtlasError(
      400,
      "INVALID_QUERY_PARAMETER",
      "orgMembershipStatuses cannot be combined with orgMembershipStatus.",
    );
  }
  const wanted = one !== null ? [one] : many;
  for (const status of wanted) {
    if (!STATUSES.some((s) => s === status)) {
      throw new AtlasError(400, "INVALID_ENUM_VALUE", `Invalid orgMembershipStatus ${status}.`, {
        parameters: [status],
      });
    }
  }
  return new Set(wanted.length > 0 ? wanted : DEFAULT_STATUSES);
}

function userId(ctx: OpContext): string {
  return requireId(param(ctx, 1), "INVALID_USER_ID", "user ID");
}

function findUser(org: OrgState, id: string, statuses: ReadonlySet<string>): OrgUserRecord {
  const user = org.users.get(id);
  if (!user || !statuses.has(user.orgMembershipStatus)) {
    throw notFound(`User with id ${id}`);
  }
  return user;
}

/** updateOrgUser's target is a PENDING user of a known org (false on any lookup failure). */
function targetIsPending(ctx: OpContext): boolean {
  try {
    const user = resolveOrg(ctx).users.get(param(ctx, 1));
    return user?.orgMembershipStatus === "PENDING";
  } catch {
    return false;
  }
}

/** OrgUserRolesRequest: orgRoles required with at least one item, groupRoleAssignments optional. */
function parseRoles(
  org: OrgState,
  value: unknown,
): { orgRoles: string[]; groups?: ReturnType<typeof parseGroupRoles> } {
  const roles: JsonObject = requireObject(value ?? null);
  rejectUnknown(roles, ["orgRoles", "groupRoleAssignments"]);
  const orgRoles = parseOrgRoles(roles["orgRoles"], "roles.orgRoles");
  if (roles["groupRoleAssignments"] === undefined) return { orgRoles };
  return {
    orgRoles,
    groups: parseGroupRoles(
      org,
      roles["groupRoleAssignments"],
      "roles.groupRoleAssignments",
      "groupRoles",
    ),
  };
}

export const userRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: ORG_USERS,
    operationId: "listOrgUsers",
    versions: ["2023-01-01", "2025-02-19"],
    sunset: ["2023-01-01"],
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const selfUrl = `${ctx.baseUrl}/api/atlas/v2/orgs/${org.id}/users`;
      const { state } = ctx;
      const users = [...org.users.values()];
      if (ctx.version === "2023-01-01") {
        // The deprecated version ignores username and status filters and lists active users only.
        const active = users.filter((u) => u.orgMembershipStatus === "ACTIVE");
        return {
          status: 200,
          body: paginate(active, ctx.query, selfUrl, (u) => appUserView(ctx.baseUrl, org, u)),
        };
      }
      const statuses = statusFilter(ctx.query, true);
      const username = ctx.query.get("username");
      const selected = users.filter(
        (u) =>
          statuses.has(u.orgMembershipStatus) &&
          (username === null || samePerson(state, u.username, username, "api")),
      );
      return { status: 200, body: paginate(selected, ctx.query, selfUrl, orgUserView) };
    },
  },
  {
    method: "POST",
    pattern: ORG_USERS,
    operationId: "createOrgUser",
    versions: ["2025-02-19"],
    hasBody: true,
    // Unrecorded whether Atlas counts createOrgUser in its invitation limit: counted (least
    // favourable), exactly like createOrgInvite.
    invitationLimited: true,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, ["username", "roles", "teamIds"]);
      const username = parseUsername(body["username"]);
      checkDomain(org, username);
      const roles = parseRoles(org, body["roles"]);
      const teamIds = body["teamIds"] === undefined ? [] : parseTeamIds(org, body["teamIds"]);
      const input = {
        username,
        roles: roles.orgRoles,
        teamIds,
        groupRoleAssignments: roles.groups ?? [],
      };
      const { user } = createInvitation(ctx.state, org, input, "users", ctx.caller);
      return { status: 201, body: orgUserView(user) };
    },
  },
  {
    method: "GET",
    pattern: ORG_USER,
    operationId: "getOrgUser",
    versions: ["2025-02-19"],
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      const user = findUser(org, userId(ctx), statusFilter(ctx.query, false));
      return { status: 200, body: orgUserView(user) };
    },
  },
  {
    method: "PATCH",
    pattern: ORG_USER,
    operationId: "updateOrgUser",
    versions: ["2025-02-19"],
    hasBody: true,
    // Changing a PENDING user changes (re-sends) its invitation: counted like updateOrgInviteById.
    invitationLimited: (ctx) => targetIsPending(ctx),
    handle(ctx) {
      const org = resolveOrg(ctx);
      const id = userId(ctx);
      const body = requireObject(ctx.body);
      rejectUnknown(body, ["roles", "teamIds"]);
      const roles = body["roles"] === undefined ? undefined : parseRoles(org, body["roles"]);
      const teamIds =
        body["teamIds"] === undefined ? undefined : parseTeamIds(org, body["teamIds"]);
      const user = findUser(org, id, new Set(DEFAULT_STATUSES));
      // A PENDING user whose invitation lapsed (still listed) is that invitation: no more writes.
      if (isLapsedUser(ctx.state, user)) throw alreadyExpired();
      const invitation = user.invitationId ? org.invitations.get(user.invitationId) : undefined;
      if (user.orgMembershipStatus === "PENDING" && invitation) {
        // A pending user is its invitation: change both.
        updateInvitation(org, invitation, {
          ...(roles ? { roles: roles.orgRoles } : {}),
          ...(roles?.groups ? { groupRoleAssignments: roles.groups } : {}),
          ...(teamIds ? { teamIds } : {}),
        });
      } else {
        if (roles) user.roles = roles.orgRoles;
        if (roles?.groups) user.groupRoleAssignments = roles.groups;
        if (teamIds) user.teamIds = teamIds;
      }
      return { status: 200, body: orgUserView(user) };
    },
  },
  {
    method: "DELETE",
    pattern: ORG_USER,
    operationId: "removeOrgUser",
    versions: ["2023-01-01", "2025-02-19"],
    sunset: ["2023-01-01"],
    hasBody: false,
    handle(ctx) {
      const org = resolveOrg(ctx);
      // "If using a deprecated version, only active users can be removed." (openapi slice)
      const statuses = ctx.version === "2023-01-01" ? new Set(["ACTIVE"]) : new Set(STATUSES);
      const user = findUser(org, userId(ctx), statuses);
      if (isLapsedUser(ctx.state, user)) throw alreadyExpired();
      const status = user.orgMembershipStatus;
      removeUser(ctx.state, org, user);
      if (status === "ACTIVE") ctx.removals.active += 1;
      if (status === "PENDING") ctx.removals.pending += 1;
      return { status: 204 };
    },
  },
];

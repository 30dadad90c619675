/** What every slice route shares: its declaration, its context, and org/id resolution. */
import { AtlasError } from "../errors";
import type { Reply } from "../http-io";
import type { AtlasState, OrgState } from "../state";
import { isId } from "../validate";
import type { ApiVersion } from "../versions";

export interface OpContext {
  state: AtlasState;
  baseUrl: string;
  /** Decoded path parameters, in path order (orgId first). */
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body, undefined when empty. */
  body: unknown;
  version: ApiVersion;
  /**
   * Who called: the digest public key or the service-account client id. Atlas reports it as an
   * invitation's `inviterUsername` (recordings 01-09, 12: an API public key, not an email).
   */
  caller: string;
  /** removeOrgUser counts what it removed here (stats: activeUserRemovals, pendingUserRemovals). */
  removals: UserRemovals;
}

export interface UserRemovals {
  active: number;
  pending: number;
}

export interface RouteDef {
  method: string;
  pattern: RegExp;
  operationId: string;
  /** Media-type versions the operation serves (openapi slice). */
  versions: readonly ApiVersion[];
  hasBody: boolean;
  /**
   * Counted by the invitation rate limit: createOrgInvite, both invitation updates, createOrgUser
   * (true), and updateOrgUser only when its target is a PENDING user (a predicate, evaluated
   * before the handler; it must not throw).
   */
  invitationLimited?: boolean | ((ctx: OpContext) => boolean);
  /**
   * Versions the slice marks deprecated (`x-sunset`): their answers carry Deprecation and Sunset
   * headers (recordings 01-11, 16) and, once the sunset passed, are 410 VERSION_GONE.
   */
  sunset?: readonly ApiVersion[];
  handle(ctx: OpContext): Reply;
}

export const ORG_INVITES = /^\/api\/atlas\/v2\/orgs\/([^/]+)\/invites$/;
export const ORG_INVITE = /^\/api\/atlas\/v2\/orgs\/([^/]+)\/invites\/([^/]+)$/;
export const ORG_USERS = /^\/api\/atlas\/v2\/orgs\/([^/]+)\/users$/;
export const ORG_USER = /^\/api\/atlas\/v2\/orgs\/([^/]+)\/users\/([^/]+)$/;

export function param(ctx: OpContext, index: number): string {
  return ctx.params[index] ?? "";
}

/** 400 INVALID_ORG_ID for a malformed id, 404 ORG_NOT_FOUND for an unknown one. */
export function resolveOrg(ctx: OpContext): OrgState {
  const orgId = param(ctx, 0);
  if (!isId(orgId)) {
    throw new AtlasError(
      400,
      "INVALID_ORG_ID",
      `The specified organization ID ${orgId} is invalid.`,
      { parameters: [orgId] },
    );
  }
  const org = ctx.state.orgs.get(orgId);
  if (!org) {
    throw new AtlasError(404, "ORG_NOT_FOUND", `No organization with ID ${orgId} exists.`, {
      parameters: [orgId],
    });
  }
  return org;
}

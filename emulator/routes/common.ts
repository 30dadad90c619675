/** What every slice route shares: its declaration, its context, and org/id resolution. */
import { AtlasError } from "../errors";
import { isId } from "../ids";
import type { ApiVersion } from "../negotiation";
import type { AtlasState, OrgState } from "../state";

export interface OpContext {
  state: AtlasState;
  baseUrl: string;
  /** Decoded path parameters, in path order (orgId first). */
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body, undefined when empty. */
  body: unknown;
  version: ApiVersion;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  /** JSON-serialisable; undefined for an empty body. */
  body?: unknown;
  /** Defaults to application/json. */
  contentType?: string;
  /** Send the body truncated, as invalid JSON (malformedBody fault). */
  malformed?: boolean;
}

export interface RouteDef {
  method: string;
  pattern: RegExp;
  operationId: string;
  /** Media-type versions the operation serves (openapi slice). */
  versions: readonly ApiVersion[];
  hasBody: boolean;
  /** Counted by the invitation rate limit (createOrgInvite and both invitation updates). */
  invitationLimited?: boolean;
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
    );
  }
  const org = ctx.state.orgs.get(orgId);
  if (!org) throw new AtlasError(404, "ORG_NOT_FOUND", `No organization with ID ${orgId} exists.`);
  return org;
}

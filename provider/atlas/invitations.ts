/**
 * Organization invitation operations (Atlas Admin API v2, `application/vnd.atlas.2023-01-01+json`;
 * deprecated, with the sunset date Atlas announces in its `Sunset` header). One typed function per
 * operation of the OpenAPI slice (openapi/), each through the one request path.
 */
import { encodeSegment } from "./http";
import type { Transport } from "./http";
import type { CallOptions, CreateCallOptions } from "./api";
import { API_VERSIONS } from "./types";
import type { OrgInvitation, OrgInvitationRequest, OrgInvitationUpdateRequest } from "./types";

const version = API_VERSIONS.invitations;

const invitesPath = (orgId: string): string => `/api/atlas/v2/orgs/${encodeSegment(orgId)}/invites`;
const invitePath = (orgId: string, invitationId: string): string =>
  `${invitesPath(orgId)}/${encodeSegment(invitationId)}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with an invitation body, if anything. The spec marks only `orgName` required,
 * but an invitation without an id or username is useless to us. Other fields are read leniently:
 * real answers break the spec in places (atlas-recorded/README.md).
 */
export function invitationProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an invitation object";
  if (typeof value["id"] !== "string") return "an invitation without an id";
  return typeof value["username"] === "string" ? undefined : "an invitation without a username";
}

function invitationListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "a body that is not an array of invitations";
  for (const item of value) {
    const problem = invitationProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/** listOrgInvites: every pending invitation of the org, a bare array (not paginated). */
export async function listOrgInvites(
  http: Transport,
  orgId: string,
  options: { username?: string | undefined } = {},
  call: CallOptions = {},
): Promise<OrgInvitation[]> {
  return http.request<OrgInvitation[]>({
    method: "GET",
    path: invitesPath(orgId),
    query: { username: options.username },
    version,
    expect: invitationListProblem,
    budget: call.budget,
  });
}

/** createOrgInvite: Atlas answers 200, not 201 (atlas-recorded/01-createOrgInvite-200.http). */
export async function createOrgInvite(
  http: Transport,
  orgId: string,
  body: OrgInvitationRequest,
  call: CreateCallOptions<OrgInvitation> = {},
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "POST",
    path: invitesPath(orgId),
    body,
    version,
    expect: invitationProblem,
    budget: call.budget,
    sendsInvitation: true,
    landed: call.landed,
  });
}

/** getOrgInvite: one pending invitation; 404 (or 400) once it is accepted, expired or cancelled. */
export async function getOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
  call: CallOptions = {},
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "GET",
    path: invitePath(orgId, invitationId),
    version,
    expect: invitationProblem,
    budget: call.budget,
  });
}

/** updateOrgInviteById: the body carries no username. Counts towards the invitation limit. */
export async function updateOrgInviteById(
  http: Transport,
  orgId: string,
  invitationId: string,
  body: OrgInvitationUpdateRequest,
  call: CallOptions = {},
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "PATCH",
    path: invitePath(orgId, invitationId),
    body,
    version,
    expect: invitationProblem,
    budget: call.budget,
    sendsInvitation: true,
  });
}

/** deleteOrgInvite: 204 with no body (atlas-recorded/10-deleteOrgInvite-204.http). */
export async function deleteOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
  call: CallOptions = {},
): Promise<void> {
  await http.request<unknown>({
    method: "DELETE",
    path: invitePath(orgId, invitationId),
    version,
    budget: call.budget,
  });
}

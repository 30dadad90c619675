/**
 * Organization invitation operations (Atlas Admin API v2, `2023-01-01`; deprecated with sunset
 * 2027-07-01, see openapi/README.md). One typed function per operation.
 */
import { encodeSegment } from "./http";
import type { Transport } from "./http";
import { API_VERSIONS } from "./types";
import type { OrgInvitation, OrgInvitationRequest, OrgInvitationUpdateRequest } from "./types";

const version = API_VERSIONS.invitations;

const invitesPath = (orgId: string): string => `/api/atlas/v2/orgs/${encodeSegment(orgId)}/invites`;
const invitePath = (orgId: string, invitationId: string): string =>
  `${invitesPath(orgId)}/${encodeSegment(invitationId)}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The spec marks only `orgName` required, but an invitation without an id is useless to us. */
export function invitationProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "a body that is not an invitation object";
  return typeof value["id"] === "string" ? undefined : "an invitation without an id";
}

function invitationListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "a body that is not an array of invitations";
  for (const item of value) {
    const problem = invitationProblem(item);
    if (problem) return problem;
  }
  return undefined;
}

/** listOrgInvites: pending invitations only, a bare array (not paginated). */
export async function listOrgInvites(
  http: Transport,
  orgId: string,
  options: { username?: string } = {},
): Promise<OrgInvitation[]> {
  return http.request<OrgInvitation[]>({
    method: "GET",
    path: invitesPath(orgId),
    query: { username: options.username },
    version,
    expect: invitationListProblem,
  });
}

/** createOrgInvite: Atlas answers 200, not 201. */
export async function createOrgInvite(
  http: Transport,
  orgId: string,
  body: OrgInvitationRequest,
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "POST",
    path: invitesPath(orgId),
    body,
    version,
    expect: invitationProblem,
  });
}

export async function getOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "GET",
    path: invitePath(orgId, invitationId),
    version,
    expect: invitationProblem,
  });
}

/** updateOrgInviteById: the body carries no username. */
export async function updateOrgInviteById(
  http: Transport,
  orgId: string,
  invitationId: string,
  body: OrgInvitationUpdateRequest,
): Promise<OrgInvitation> {
  return http.request<OrgInvitation>({
    method: "PATCH",
    path: invitePath(orgId, invitationId),
    body,
    version,
    expect: invitationProblem,
  });
}

/** deleteOrgInvite: 204 No Content. */
export async function deleteOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
): Promise<void> {
  await http.request<unknown>({ method: "DELETE", path: invitePath(orgId, invitationId), version });
}

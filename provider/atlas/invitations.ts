/**
 * Organization invitation operations (Atlas Admin API v2, `application/vnd.atlas.2023-01-01+json`;
 * deprecated, with the sunset date Atlas announces in its `Sunset` header). One typed function per
 * operation of the OpenAPI slice (openapi/), each a call of its entry in the operations table
 * (operations.ts).
 */
import type { Transport } from "./http";
import type { CallOptions, CreateCallOptions } from "./api";
import { callOperation, OPERATIONS } from "./operations";
import type { OrgInvitation, OrgInvitationRequest, OrgInvitationUpdateRequest } from "./types";

/** listOrgInvites: every pending invitation of the org, a bare array (not paginated). */
export async function listOrgInvites(
  http: Transport,
  orgId: string,
  options: { username?: string | undefined } = {},
  call: CallOptions = {},
): Promise<OrgInvitation[]> {
  return callOperation(http, OPERATIONS.listOrgInvites, {
    params: { orgId },
    query: { username: options.username },
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
  return callOperation(http, OPERATIONS.createOrgInvite, {
    params: { orgId },
    body,
    budget: call.budget,
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
  return callOperation(http, OPERATIONS.getOrgInvite, {
    params: { orgId, invitationId },
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
  return callOperation(http, OPERATIONS.updateOrgInviteById, {
    params: { orgId, invitationId },
    body,
    budget: call.budget,
  });
}

/** deleteOrgInvite: 204 with no body (atlas-recorded/10-deleteOrgInvite-204.http). */
export async function deleteOrgInvite(
  http: Transport,
  orgId: string,
  invitationId: string,
  call: CallOptions = {},
): Promise<void> {
  await callOperation(http, OPERATIONS.deleteOrgInvite, {
    params: { orgId, invitationId },
    budget: call.budget,
  });
}

/**
 * Domain types for the slice of the Atlas Admin API v2 this package uses, derived from the
 * generated OpenAPI types. Role and status enums are widened to open sets: Atlas has added values
 * before (ORG_STREAM_PROCESSING_ADMIN, INVITATION_EXPIRED, ...; see openapi/README.md), and a new
 * value must not break a refresh.
 */
import type { components } from "./generated/atlas-openapi";

type Schemas = components["schemas"];

/** A string enum that keeps autocompletion for known values but accepts any other string. */
export type OpenEnum<Known extends string> = Known | (string & Record<never, never>);

type ElementOf<T> = T extends readonly (infer E)[] ? E : never;

export type KnownOrgRole = ElementOf<
  NonNullable<Schemas["OrganizationInvitationRequest"]["roles"]>
>;
export type OrgRole = OpenEnum<KnownOrgRole>;

export type KnownMembershipStatus = Schemas["OrgUserResponse"]["orgMembershipStatus"];
export type OrgMembershipStatus = OpenEnum<KnownMembershipStatus>;

/** Project role assignment as sent in invitation requests. */
export interface GroupRoleAssignmentRequest {
  groupId: string;
  roles: string[];
}

/** Project role as Atlas returns it on an invitation (one role per entry, a different shape). */
export interface GroupRoleResponse {
  groupId?: string;
  groupRole?: string;
}

/** `OrganizationInvitationRequest`, with open role values. */
export interface OrgInvitationRequest {
  username: string;
  roles: OrgRole[];
  teamIds?: string[];
  groupRoleAssignments?: GroupRoleAssignmentRequest[];
}

/** `OrganizationInvitationUpdateRequest`: the by-id PATCH body carries no username. */
export type OrgInvitationUpdateRequest = Omit<OrgInvitationRequest, "username">;

/** `OrganizationInvitation` as returned by Atlas, with open role values. */
export type OrgInvitation = Omit<
  Schemas["OrganizationInvitation"],
  "roles" | "groupRoleAssignments"
> & {
  roles?: OrgRole[];
  groupRoleAssignments?: GroupRoleResponse[];
};

/** An org user as returned with `application/vnd.atlas.2025-02-19+json` (pending or active). */
export interface OrgUser {
  id: string;
  username: string;
  orgMembershipStatus: OrgMembershipStatus;
  roles: { orgRoles?: OrgRole[]; groupRoleAssignments?: unknown[] };
  teamIds?: string[];
  invitationCreatedAt?: string;
  invitationExpiresAt?: string | null;
  inviterUsername?: string;
}

export type ApiErrorBody = Schemas["ApiError"];

/** Versioned media types, per operation (see openapi/README.md). */
export const API_VERSIONS = {
  invitations: "2023-01-01",
  users: "2025-02-19",
} as const;

export type ApiVersion = (typeof API_VERSIONS)[keyof typeof API_VERSIONS];

export function mediaType(version: ApiVersion): string {
  return `application/vnd.atlas.${version}+json`;
}

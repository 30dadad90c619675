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
/** An organization role (`ORG_MEMBER`, `ORG_OWNER`...): the spec's values, open to new ones. */
export type OrgRole = OpenEnum<KnownOrgRole>;

export type KnownMembershipStatus = Schemas["OrgUserResponse"]["orgMembershipStatus"];
/** `PENDING`, `ACTIVE`, `INVITATION_EXPIRED`, `INVITATION_REJECTED`, or a value Atlas adds later. */
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

/** Project roles of an org user (2025-02-19): one entry per project, roles as a list. */
export interface OrgUserGroupRoles {
  groupId: string;
  groupRoles: string[];
}

/**
 * An org user as returned with `application/vnd.atlas.2025-02-19+json`: a PENDING user is an
 * invitation, an ACTIVE one a member. Real answers carry more fields (and `mobileNumber: null`,
 * which the spec does not allow); only these are read.
 */
export interface OrgUser {
  id: string;
  username: string;
  orgMembershipStatus: OrgMembershipStatus;
  roles?: { orgRoles?: OrgRole[]; groupRoleAssignments?: OrgUserGroupRoles[] };
  teamIds?: string[];
  /** ISO 8601 UTC, PENDING users. */
  invitationCreatedAt?: string;
  /** ISO 8601 UTC, PENDING users; null once rejected. */
  invitationExpiresAt?: string | null;
  /** The inviting API key's public key or service account's client id (not an email). */
  inviterUsername?: string;
}

/** `PaginatedOrgUserView`: one page of org users. */
export interface OrgUsersPage {
  links?: { href?: string; rel?: string }[];
  results: OrgUser[];
  /** An estimate (Atlas docs): walk `rel: "next"` links instead. */
  totalCount?: number;
}

/** `OrgUserRequest` (createOrgUser). */
export interface OrgUserRequest {
  username: string;
  roles: { orgRoles: OrgRole[]; groupRoleAssignments?: OrgUserGroupRoles[] };
  teamIds?: string[];
}

/** `OrgUserUpdateRequest` (updateOrgUser): `teamIds` replaces the set. */
export interface OrgUserUpdateRequest {
  roles?: { orgRoles: OrgRole[]; groupRoleAssignments?: OrgUserGroupRoles[] };
  teamIds?: string[];
}

/** Versioned media types, per operation (see openapi/README.md). */
export const API_VERSIONS = {
  invitations: "2023-01-01",
  users: "2025-02-19",
} as const;

export type ApiVersion = (typeof API_VERSIONS)[keyof typeof API_VERSIONS];

export function mediaType(version: ApiVersion): string {
  return `application/vnd.atlas.${version}+json`;
}

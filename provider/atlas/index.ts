/**
 * `pulumi-atlas-org-invitations/atlas`: the typed Atlas Admin API v2 client the provider uses,
 * for tools that need the same requests outside a Pulumi program (the package's `generate` CLI is
 * one). Every call is authenticated (HTTP Digest with an API key pair, or an OAuth 2.0 service
 * account), versioned, paced to Atlas's rate limits, retried within a budget, and fails with the
 * package's error family (re-exported here).
 */
export { createAtlasClient } from "./client";
export type { AtlasClientOptions } from "./client";
export type { AtlasClient, CallOptions, CreateCallOptions } from "./api";
export { Budget, systemClock } from "./budget";
export type { Clock } from "./budget";
export { DEFAULT_RETRY_POLICY } from "./retry";
export type { RetryOverrides, RetryPolicy } from "./retry";
export { DEFAULT_BASE_URL } from "./settings";
export type {
  AtlasCredentials,
  AtlasSettings,
  DigestCredentials,
  ProxySettings,
  ServiceAccountCredentials,
} from "./settings";
export { Secret } from "./secret";
export { API_VERSIONS } from "./types";
export type {
  GroupRoleAssignmentRequest,
  GroupRoleResponse,
  OrgInvitation,
  OrgInvitationRequest,
  OrgInvitationUpdateRequest,
  OrgMembershipStatus,
  OrgRole,
  OrgUser,
  OrgUserGroupRoles,
  OrgUserRequest,
  OrgUserUpdateRequest,
  OrgUsersPage,
} from "./types";
export * from "./errors";

export { OrgInvitation } from "./resource";
export type { OrgInvitationArgs, GroupRoleAssignmentArgs } from "./resource";
export { OrgInvitationProvider } from "./invitation-provider";
export type { OrgInvitationProviderOptions } from "./invitation-provider";
export type {
  GroupRoleAssignment,
  InvitationStatus,
  OnAcceptedPolicy,
  OrgInvitationInputs,
  OrgInvitationOutputs,
} from "./model";
export {
  InvitationAcceptedError,
  InvitationGoneError,
  UserAlreadyMemberError,
  isInvitationAcceptedError,
  isInvitationGoneError,
  isUserAlreadyMemberError,
} from "./errors";
export { InvitationInputRejectedError } from "./explain";
export {
  AtlasApiError,
  AtlasConfigurationError,
  AtlasError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasTimeoutError,
  isAtlasApiError,
  isAtlasConfigurationError,
  isAtlasError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasTimeoutError,
} from "./atlas/errors";
export { createAtlasClient, getSharedAtlasClient } from "./atlas/client";
export type { AtlasApi } from "./atlas/api";
export { DEFAULT_BASE_URL, SETTING_SOURCES, resolveSettings } from "./atlas/settings";
export type { AtlasCredentials, AtlasSettings } from "./atlas/settings";
export type {
  OrgInvitation as AtlasOrgInvitation,
  OrgRole,
  OrgUser,
  OrgMembershipStatus,
} from "./atlas/types";

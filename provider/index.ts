/**
 * pulumi-atlas-org-invitations: MongoDB Atlas organization invitations as a Pulumi resource.
 *
 * What a Pulumi program needs: the `OrgInvitation` resource, its types, its provider, and the
 * error family with its guards. The Atlas client lives at `pulumi-atlas-org-invitations/atlas`.
 */
export { OrgInvitation } from "./resource";
export type { GroupRoleAssignmentArgs, OrgInvitationArgs } from "./resource";
export { OrgInvitationProvider } from "./provider";
export type { ClientHooks, OrgInvitationProviderOptions } from "./provider";
export type {
  GroupRoleAssignment,
  InvitationStatus,
  OnAcceptedPolicy,
  OrgInvitationOutputs,
} from "./model";
export type { Logger } from "./log";
export {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasConfigurationError,
  AtlasDeadlineError,
  AtlasError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasProxyError,
  AtlasRequestError,
  AtlasTimeoutError,
  AtlasTlsError,
  InvitationAcceptedError,
  InvitationConflictError,
  InvitationDeclaredTwiceError,
  InvitationGoneError,
  InvitationInputRejectedError,
  InvitationStateError,
  UserAlreadyMemberError,
  isAtlasApiError,
  isAtlasAuthenticationError,
  isAtlasConfigurationError,
  isAtlasDeadlineError,
  isAtlasError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isAtlasTlsError,
  isInvitationAcceptedError,
  isInvitationDeclaredTwiceError,
  isInvitationGoneError,
  isInvitationInputRejectedError,
  isInvitationStateError,
  isUserAlreadyMemberError,
} from "./errors";
export type { AtlasErrorKind } from "./errors";

/**
 * The package's one error family: a branded base, one class per failure kind, guards that work
 * across two loaded copies of the package, and the rules that read Atlas's answers.
 */
export { AtlasError, isAtlasError } from "./base";
export type { AtlasErrorKind, RequestLine } from "./base";
export {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasConfigurationError,
  AtlasDeadlineError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasProxyError,
  AtlasRequestError,
  AtlasTimeoutError,
  AtlasTlsError,
  answered,
  formatMs,
  isAtlasApiError,
  isAtlasAuthenticationError,
  isAtlasConfigurationError,
  isAtlasDeadlineError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isAtlasTlsError,
  isTlsFailureCode,
} from "./transport";
export type { ApiErrorBody, AtlasApiErrorInit, CredentialKind } from "./transport";
export {
  InvitationAcceptedError,
  InvitationConflictError,
  InvitationDeclaredTwiceError,
  InvitationGoneError,
  InvitationInputRejectedError,
  InvitationStateError,
  UserAlreadyMemberError,
  isInvitationAcceptedError,
  isInvitationDeclaredTwiceError,
  isInvitationGoneError,
  isInvitationInputRejectedError,
  isInvitationStateError,
  isUserAlreadyMemberError,
} from "./invitation";
export {
  INVITATION_LIMIT_CODES,
  explainApiError,
  isAmbiguousFailure,
  isInvitationLimitRefusal,
  isAlreadyExpired,
  isNoSuchInvitation,
  isNoSuchOrgUser,
  isRateLimited,
} from "./rules";

/**
 * The Atlas client's errors: a branded base, one class per failure kind, guards that work across
 * two loaded copies of the package, and the rules that read Atlas's answers. They carry facts
 * (status, errorCode, the request line, the settings they concern by their neutral names, the
 * credential kind), never a Pulumi config key or a shell variable: how a user changes a setting is
 * worded by the caller (the provider for Pulumi users, the `generate` CLI for shell users).
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
  isAtlasApiError,
  isAtlasAuthenticationError,
  isAtlasConfigurationError,
  isAtlasDeadlineError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isAtlasTlsError,
} from "./request";
export type { ApiErrorBody, AtlasApiErrorInit, CredentialKind } from "./request";
export {
  INVITATION_LIMIT_CODES,
  isAlreadyExpired,
  isAmbiguousFailure,
  isInvitationLimitRefusal,
  isNoSuchInvitation,
  isNoSuchOrgUser,
  isRateLimited,
} from "./answers";

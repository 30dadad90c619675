/**
 * The package's one error family: the Atlas client's errors (atlas/errors, re-exported here), and
 * the provider's own: refusals about one person's invitation, inputs Atlas rejected, and state the
 * provider cannot read. Guards work across two loaded copies of the package.
 */
export * from "../atlas/errors";
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
export { explainApiError } from "./explain";

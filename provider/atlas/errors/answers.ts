/**
 * The rules that turn Atlas's answers into decisions, beside the errors they read. Every rule
 * decides on `status` and `errorCode`, never on message text; README.md ("What Atlas answers")
 * says which answers are recorded and which are assumed.
 */
import {
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasTimeoutError,
} from "./request";

/**
 * No pending invitation with that id: a 404 other than `ORG_NOT_FOUND` (which proves nothing
 * about the invitation), or a 400 `INVALID_INVITATION_ID` ("does not exist or has already been
 * accepted", in older Atlas docs). Which one Atlas sends today is unrecorded, so both count.
 */
export function isNoSuchInvitation(error: unknown): boolean {
  return (
    isAtlasApiError(error) &&
    ((error.status === 404 && error.errorCode !== "ORG_NOT_FOUND") ||
      (error.status === 400 && error.errorCode === "INVALID_INVITATION_ID"))
  );
}

/**
 * Atlas refused a write to an invitation whose `expiresAt` has passed: `400 ALREADY_EXPIRED`
 * (on Atlas's documented error codes). The invitation is over, so for the lifecycle it is gone
 * (issue 19, item 6); whether Atlas still lists lapsed invitations is unrecorded, and the emulator
 * plays both (`lapsedInvitations`).
 */
export function isAlreadyExpired(error: unknown): boolean {
  return isAtlasApiError(error) && error.status === 400 && error.errorCode === "ALREADY_EXPIRED";
}

/** No org user with that id (or hidden by Atlas's default status filter): a 404 other than `ORG_NOT_FOUND`. */
export function isNoSuchOrgUser(error: unknown): boolean {
  return isAtlasApiError(error) && error.status === 404 && error.errorCode !== "ORG_NOT_FOUND";
}

/**
 * Error codes seen for Atlas's invitation limit: `INVITATIONS_RATE_LIMITED_IP` as users report it
 * (mongodb/terraform-provider-mongodbatlas#1589), `RATE_LIMITED_IP` in older notes.
 */
export const INVITATION_LIMIT_CODES: readonly string[] = [
  "INVITATIONS_RATE_LIMITED_IP",
  "RATE_LIMITED_IP",
];

/**
 * Atlas refused to send an invitation because of its invitation limit ("Rate limit of N
 * invitations per M minutes exceeded."). Nothing was sent, so sending again later is safe, POST
 * included. Recognised by every code seen, by any 400 whose code names a rate limit, and by a 429
 * whose code names invitations (neither status nor code is recorded for the invites or org-users
 * endpoints).
 */
export function isInvitationLimitRefusal(error: unknown): boolean {
  if (!isAtlasApiError(error)) return false;
  const code = error.errorCode.toUpperCase();
  if (error.status === 400)
    return INVITATION_LIMIT_CODES.includes(code) || /RATE_?LIMIT/.test(code);
  return error.status === 429 && code.includes("INVITATION");
}

/** Atlas's token-bucket limit answered 429: nothing was done, and it says when to come back. */
export function isRateLimited(error: unknown): boolean {
  return isAtlasApiError(error) && error.status === 429 && !isInvitationLimitRefusal(error);
}

/**
 * A failure after which a non-idempotent request (a POST) may or may not have been applied: no
 * answer, an answer cut short, or a server error. Never repeat such a POST blindly.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  return (
    isAtlasNetworkError(error) ||
    isAtlasTimeoutError(error) ||
    isAtlasProtocolError(error) ||
    (isAtlasApiError(error) && error.status >= 500)
  );
}

/**
 * Atlas's 400s that name an input of `OrgInvitation`, turned into errors that name that input
 * (the Atlas-level rules, "gone", "rate limited", "ambiguous", live with the client:
 * atlas/errors/answers.ts). Decides on `errorCode`, never on message text.
 */
import { isAtlasApiError } from "../atlas/errors";
import { InvitationInputRejectedError } from "./invitation";

/** Atlas error codes that name the input at fault (atlas-admin-api facts; README "Errors"). */
const PROPERTY_BY_CODE: Readonly<Record<string, string>> = {
  INVALID_USERNAME: "username",
  INVALID_EMAIL_ADDRESS: "username",
  DOMAIN_NOT_IN_ALLOW_LIST: "username",
  INVALID_ROLE_FOR_ORG: "roles",
  INVALID_ENUM_VALUE: "roles",
  INVALID_TEAM_ID: "teamIds",
  TEAM_NOT_FOUND: "teamIds",
  INVALID_GROUP_ID: "groupRoleAssignments",
  GROUP_NOT_FOUND: "groupRoleAssignments",
  INVALID_ORG_ID: "orgId",
  ORG_NOT_FOUND: "orgId",
};

const HINT_BY_CODE: Readonly<Record<string, string>> = {
  DOMAIN_NOT_IN_ALLOW_LIST:
    "The organization only allows invitations to some email domains: invite an address in an allowed domain, or ask an Org Owner to extend the allow list.",
  ORG_NOT_FOUND:
    "Check orgId, and that the API key or service account belongs to that organization.",
  INVALID_ROLE_FOR_ORG:
    "Use organization roles (ORG_*) in roles and project roles (GROUP_*) in groupRoleAssignments.",
};

/**
 * Turns an Atlas 4xx that names an input into an `InvitationInputRejectedError` naming that input
 * and its declared value; any other error is returned unchanged.
 */
export function explainApiError(
  error: unknown,
  inputs: Readonly<Record<string, unknown>>,
): unknown {
  if (!isAtlasApiError(error) || error.status >= 500) return error;
  const property = PROPERTY_BY_CODE[error.errorCode];
  if (!property) return error;
  return new InvitationInputRejectedError(
    property,
    inputs[property],
    error,
    HINT_BY_CODE[error.errorCode],
  );
}

/**
 * Turns Atlas's 400s about the request into errors that name the user's input, instead of a raw
 * HTTP answer. Decided on `errorCode` (docs/atlas-admin-api.md), never on message text.
 */
import { AtlasError, isAtlasApiError, type AtlasApiError } from "./atlas/errors";
import type { OrgInvitationInputs } from "./model";

const PROPERTY_BY_CODE: Readonly<Record<string, keyof OrgInvitationInputs>> = {
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

/** Atlas refused the invitation because of one of its inputs. */
export class InvitationInputRejectedError extends AtlasError {
  override readonly name = "InvitationInputRejectedError";
  readonly kind = "validation" as const;
  readonly property: string;
  readonly status: number;
  readonly errorCode: string;

  constructor(property: keyof OrgInvitationInputs, value: unknown, api: AtlasApiError) {
    const why = api.detail ?? api.reason ?? "rejected";
    const hint = HINT_BY_CODE[api.errorCode];
    super(
      `Atlas rejected ${property} ${JSON.stringify(value)} (${api.status} ${api.errorCode}): ${why}` +
        (hint ? ` ${hint}` : ""),
    );
    this.property = property;
    this.status = api.status;
    this.errorCode = api.errorCode;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      property: this.property,
      status: this.status,
      errorCode: this.errorCode,
    };
  }
}

export function explainApiError(error: unknown, inputs: OrgInvitationInputs): unknown {
  if (!isAtlasApiError(error)) return error;
  const property = PROPERTY_BY_CODE[error.errorCode];
  if (!property || error.status >= 500) return error;
  return new InvitationInputRejectedError(property, inputs[property], error);
}

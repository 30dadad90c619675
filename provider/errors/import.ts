/**
 * Why `pulumi import` of an `OrgInvitation` (resource provider plugin, issue 21) was refused: an
 * id not of the documented forms, or an invitation that is not there to be managed (accepted,
 * expired, cancelled, or never existed). The engine then refuses the import; nothing is written
 * to Atlas on the way.
 */
import { AtlasError, isAtlasError } from "../atlas/errors/base";

/** The forms an import id takes, as messages and docs state them. */
export const IMPORT_ID_FORMS =
  "`<orgId>/<invitationId>` on the invites API, `<orgId>/<userId>` on the org users API " +
  "(each id 24 hexadecimal characters)";

/** Why an import was refused; the `errorCode` of `InvitationImportError`. */
export type ImportRefusal =
  /** The id is not `<orgId>/<24-hex id>`. */
  | "IMPORT_ID_MALFORMED"
  /** Atlas has no pending invitation with that id: cancelled, accepted long ago, or a wrong id. */
  | "IMPORT_NOT_FOUND"
  /** The person accepted: an active member is managed as membership, not as an invitation. */
  | "IMPORT_ACCEPTED"
  /** Atlas still lists the invitation, but its `expiresAt` has passed. */
  | "IMPORT_EXPIRED";

/**
 * A refused import. `kind` is `conflict` (a refusal about one invitation); decide on `errorCode`,
 * never on the message.
 */
export class InvitationImportError extends AtlasError {
  override readonly name = "InvitationImportError";
  readonly kind = "conflict" as const;
  readonly errorCode: ImportRefusal;
  /** The import id as given (ids are not secret). */
  readonly importId: string;

  constructor(errorCode: ImportRefusal, importId: string, message: string) {
    super(message);
    this.errorCode = errorCode;
    this.importId = importId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errorCode: this.errorCode, importId: this.importId };
  }
}

/** Whether `value` is an `InvitationImportError`, from any loaded copy of the package. */
export function isInvitationImportError(value: unknown): value is InvitationImportError {
  if (!isAtlasError(value) || value.kind !== "conflict") return false;
  const { errorCode } = value as { errorCode?: unknown };
  return typeof errorCode === "string" && errorCode.startsWith("IMPORT_");
}

/**
 * Why `pulumi import` of an `OrgInvitation` (resource provider plugin, issue 21) was refused: an
 * id not of the documented forms, or an invitation that is not there to be managed (accepted,
 * expired, cancelled, or never existed). The engine then refuses the import; nothing is written
 * to Atlas on the way.
 */
import { AtlasError, isAtlasError } from "../atlas/errors/base";
import { answered, isAtlasApiError } from "../atlas/errors/request";
import { configKeyOf, variableOf } from "../settings-table";

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
 * never on the message. The message starts with the `errorCode` and a colon
 * (`IMPORT_NOT_FOUND: Atlas has no ...`), because the engine shows a provider's error by its
 * message alone, and docs/import.md tabulates the refusals by code.
 */
export class InvitationImportError extends AtlasError {
  override readonly name = "InvitationImportError";
  readonly kind = "conflict" as const;
  readonly errorCode: ImportRefusal;
  /** The import id as given (ids are not secret). */
  readonly importId: string;

  /**
   * @param message the reason, without the code, which the constructor puts in front of it
   */
  constructor(
    errorCode: ImportRefusal,
    importId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${errorCode}: ${message}`, options);
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

/**
 * The 400 error codes that say an id names nothing Atlas can read: `INVALID_INVITATION_ID`, the
 * invites API's answer for an invitation it does not have (atlas/errors/answers.ts
 * `isNoSuchInvitation`); `INVALID_ORG_ID` and `INVALID_USER_ID`, the emulator's answers for a
 * malformed organization or org user id (emulator/README.md, unrecorded on real Atlas).
 */
const UNREADABLE_ID_CODES: ReadonlyMap<string, "org" | "invitation"> = new Map([
  ["INVALID_ORG_ID", "org"],
  ["INVALID_INVITATION_ID", "invitation"],
  ["INVALID_USER_ID", "invitation"],
]);

/**
 * What Atlas said is not there when it refused an import's read: `"org"` for `404
 * ORG_NOT_FOUND` and `400 INVALID_ORG_ID` (the first part of the id names no organization, as
 * when the two parts are swapped), `"invitation"` for any other 404 (`RESOURCE_NOT_FOUND`,
 * `INVITATION_NOT_FOUND`, or none) and a 400 `INVALID_INVITATION_ID` or `INVALID_USER_ID`;
 * undefined for anything else (a 410, a 5xx, a network error), which the caller lets through.
 * Decided on the status and `errorCode` alone, never on the message.
 */
export function importNotFound(error: unknown): "org" | "invitation" | undefined {
  if (!isAtlasApiError(error)) return undefined;
  if (error.status === 404) return error.errorCode === "ORG_NOT_FOUND" ? "org" : "invitation";
  return error.status === 400 ? UNREADABLE_ID_CODES.get(error.errorCode) : undefined;
}

/** What `importNotFound` needs to word its refusal: the id as read, and the API in force. */
export interface ImportTarget {
  /** The id as given. */
  raw: string;
  orgId: string;
  /** The second part: an invitation id or an org user id. */
  ownId: string;
  /** The backend in force reads org users (`api` "users", or "auto" after the sunset). */
  onUsers: boolean;
}

/**
 * The `IMPORT_NOT_FOUND` refusal: Atlas has no organization `orgId` (`missing` "org": the first
 * part names none, as when the two parts are swapped), or no pending invitation with that id on
 * the API in force. The message shows the id form of that API and says when the other API's ids
 * are read, since an id of the other API is the likeliest wrong id.
 * @param cause Atlas's refusal of the read, when there was one (its status and code are quoted)
 */
export function importNotFoundError(
  target: ImportTarget,
  missing: "org" | "invitation",
  cause?: unknown,
): InvitationImportError {
  const { raw, orgId, ownId, onUsers } = target;
  const apiName = onUsers ? "org users API" : "invites API";
  const form = onUsers ? "`<orgId>/<userId>`" : "`<orgId>/<invitationId>`";
  const setting = `the \`api\` setting (\`${configKeyOf("api", "plugin") ?? "api"}\` or ${variableOf("api")})`;
  const otherApi = onUsers
    ? ` An id from the invites API (\`<orgId>/<invitationId>\`) is read only when ${setting} is "invites", ` +
      'or "auto" while Atlas serves the invites API.'
    : ` An id from the org users API (\`<orgId>/<userId>\`) is read only when ${setting} is "users", ` +
      'or "auto" after Atlas retired the invites API.';
  const said = isAtlasApiError(cause) ? ` (${answered(cause.status, cause.errorCode)})` : "";
  const message =
    missing === "org"
      ? `The organization ${orgId} was not found${said}: the import id ${JSON.stringify(raw)} names no ` +
        `organization Atlas has. On the ${apiName} an OrgInvitation is imported by ${form}, the ` +
        "organization id first: check that the two parts are not swapped."
      : `Atlas has no pending invitation with ${onUsers ? "org user" : "invitation"} id ${ownId} in ` +
        `organization ${orgId} on the ${apiName}${said}: the invitation was not found. It was accepted, ` +
        `cancelled or expired, or the id is wrong: on the ${apiName} the import id is ${form}.${otherApi}`;
  return new InvitationImportError("IMPORT_NOT_FOUND", raw, message, { cause });
}

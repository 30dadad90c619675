/**
 * Provider-level failures, on the same branded base as the API errors so one set of guards
 * serves both. Each carries a stable `errorCode` that tests and users can decide on.
 */
import { AtlasError } from "./atlas/errors";

/** A refusal about one person's invitation in one organization. */
abstract class InvitationConflictError extends AtlasError {
  readonly kind = "conflict" as const;
  abstract readonly errorCode: string;
  readonly orgId: string;
  readonly username: string;

  constructor(message: string, init: { orgId: string; username: string }) {
    super(message);
    this.orgId = init.orgId;
    this.username = init.username;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      errorCode: this.errorCode,
      orgId: this.orgId,
      username: this.username,
    };
  }
}

const guard =
  <T extends InvitationConflictError>(errorCode: string) =>
  (value: unknown): value is T =>
    value instanceof Error &&
    (value as { kind?: unknown }).kind === "conflict" &&
    (value as { errorCode?: unknown }).errorCode === errorCode;

/** The invitation was accepted: the provider will not cancel it or remove the member. */
export class InvitationAcceptedError extends InvitationConflictError {
  override readonly name = "InvitationAcceptedError";
  readonly errorCode = "INVITATION_ACCEPTED";

  constructor(init: { orgId: string; username: string; action: "delete" | "update" }) {
    const { orgId, username } = init;
    super(
      init.action === "delete"
        ? `${username} accepted the invitation to organization ${orgId} and is now an active member. ` +
            `This provider never cancels an accepted invitation or removes a member, so the delete was refused. ` +
            `To finish, either set \`onAccepted: "retain"\` on this resource (then run \`pulumi up\` and destroy again; ` +
            `the member stays in the organization), or remove it from the stack state with ` +
            `\`pulumi state delete <urn>\`. Manage the membership itself elsewhere.`
        : `${username} accepted the invitation to organization ${orgId}: the invitation no longer exists, so its ` +
            `roles and teams cannot be changed here. Manage the member's roles in Atlas (or with an org-user resource), ` +
            `and revert this change or remove the resource from state with \`pulumi state delete <urn>\`.`,
      init,
    );
  }
}

/** The user is already an active member of the organization, so there is nothing to invite. */
export class UserAlreadyMemberError extends InvitationConflictError {
  override readonly name = "UserAlreadyMemberError";
  readonly errorCode = "USER_ALREADY_MEMBER";

  constructor(init: { orgId: string; username: string }) {
    super(
      `${init.username} is already an active member of organization ${init.orgId}, so there is no invitation to create. ` +
        `Remove this OrgInvitation from the program (membership is managed outside invitations), ` +
        `or invite a different username.`,
      init,
    );
  }
}

/** The pending invitation disappeared (expired or cancelled outside Pulumi) before an update. */
export class InvitationGoneError extends InvitationConflictError {
  override readonly name = "InvitationGoneError";
  readonly errorCode = "INVITATION_GONE";
  readonly invitationId: string;

  constructor(init: { orgId: string; username: string; invitationId: string }) {
    super(
      `The invitation ${init.invitationId} for ${init.username} in organization ${init.orgId} no longer exists ` +
        `(it expired or was cancelled outside Pulumi). Run \`pulumi refresh\`, then \`pulumi up\` to invite again.`,
      init,
    );
    this.invitationId = init.invitationId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), invitationId: this.invitationId };
  }
}

export const isInvitationAcceptedError = guard<InvitationAcceptedError>("INVITATION_ACCEPTED");
export const isUserAlreadyMemberError = guard<UserAlreadyMemberError>("USER_ALREADY_MEMBER");
export const isInvitationGoneError = guard<InvitationGoneError>("INVITATION_GONE");

/**
 * Refusals about one person's invitation, raised by the lifecycle rules (provider/lifecycle.ts),
 * and Atlas's 400s turned into errors that name the input at fault. Each carries a stable
 * `errorCode` of this package.
 */
import { AtlasError, isAtlasError, kindGuard } from "../atlas/errors/base";
import type { AtlasApiError } from "../atlas/errors";
import { ON_ACCEPTED_ENV } from "../model";
import type { Audience } from "../settings-table";

/**
 * Who reads a refusal, which decides how its fix is worded: `pulumi`, the dynamic provider's
 * TypeScript programs (`onAccepted: "retain"`, `aliases: [{ name, parent }]`); `plugin`, the
 * programs the resource provider plugin serves in any language (TypeScript, Python, Go, YAML), for
 * which the fix names the resource property and the resource option instead of code.
 */
export type RefusalAudience = Exclude<Audience, "cli">;

/**
 * The fix that keeps one resource when a declaration was renamed or moved, per audience; `whose`
 * is the determiner of "old name" in the sentence.
 */
function aliasesFix(audience: RefusalAudience, whose: "its" | "the"): string {
  return audience === "plugin"
    ? `the \`aliases\` resource option with ${whose} old name (and ${whose} old parent, when it had one)`
    : `\`aliases\` naming ${whose} old name and parent (e.g. \`aliases: [{ name: "old-name", parent: pulumi.rootStackResource }]\`)`;
}

/** The resource-level way to keep an accepted member on destroy, per audience. */
const RETAIN_PROPERTY: Readonly<Record<RefusalAudience, string>> = {
  pulumi: `set \`onAccepted: "retain"\` on this resource`,
  plugin:
    "set this resource's property `onAccepted` (`on_accepted` in Python, `OnAccepted` in Go) to `retain`",
};

/** A refusal about one person's invitation in one organization. */
export abstract class InvitationConflictError extends AtlasError {
  readonly kind = "conflict" as const;
  /** This package's code for the refusal, e.g. `INVITATION_ACCEPTED`. */
  abstract readonly errorCode: string;
  /** 24-hex organization id. */
  readonly orgId: string;
  /** The email address, as declared. */
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

  /**
   * Rewords the message for `audience`, keeping the class and every stable field (`errorCode`,
   * `orgId`, `username`) and any advice already appended; returns this error. Only refusals whose
   * fix is program code (accepted, already a member) have another wording; the others are left
   * as they are.
   */
  forAudience(audience: RefusalAudience): this {
    const message = this.wordedFor(audience);
    if (message !== undefined) {
      this.message = this.advice === undefined ? message : `${message} ${this.advice}`;
    }
    return this;
  }

  /** The message for `audience`, when this refusal words its fix per audience. */
  protected wordedFor(_audience: RefusalAudience): string | undefined {
    return undefined;
  }
}

/**
 * `error` worded for `audience` when it is one of this copy's refusals that word their fix per
 * audience (`InvitationAcceptedError`, `UserAlreadyMemberError`); any other value unchanged. The
 * edge that knows its audience calls it (provider.ts), as it calls settings-advice.ts `advise`.
 */
export function forAudience(error: unknown, audience: RefusalAudience): unknown {
  return error instanceof InvitationConflictError ? error.forAudience(audience) : error;
}

/** The init of a refusal about one person that words its fix per audience. */
interface PersonRefusalInit {
  orgId: string;
  username: string;
  /** @default "pulumi" (the dynamic provider's TypeScript wording) */
  audience?: RefusalAudience | undefined;
}

function acceptedMessage(init: PersonRefusalInit, audience: RefusalAudience): string {
  return (
    `${init.username} accepted the invitation to organization ${init.orgId} and is now an active member. ` +
    `This provider never cancels an accepted invitation or removes a member, so the delete was refused. ` +
    `If this resource was renamed or moved into a component and is still declared, give the new declaration ` +
    `${aliasesFix(audience, "its")} ` +
    `and run \`pulumi up\` again: the engine then keeps one resource and deletes nothing. ` +
    `Otherwise, to finish: ${RETAIN_PROPERTY[audience]} and run \`pulumi up\` (a state-only change), ` +
    `then destroy again; or, for a resource no longer in the program or the old half of a replacement, ` +
    `run the same command again with ${ON_ACCEPTED_ENV}=retain in its environment ` +
    `(every accepted invitation it deletes is then left in place). Either way the member stays in the organization. ` +
    `Manage the membership itself elsewhere.`
  );
}

function alreadyMemberMessage(init: PersonRefusalInit, audience: RefusalAudience): string {
  return (
    `${init.username} is already an active member of organization ${init.orgId}, so there is no invitation to create; ` +
    `nothing was sent. If this stack already manages their accepted invitation under another name (a resource renamed ` +
    `or moved into a component), either give this declaration ${aliasesFix(audience, "the")} and run \`pulumi up\`: the engine ` +
    `keeps the one resource and nothing is written; or remove this OrgInvitation from the program and run ` +
    `\`pulumi up\` with ${ON_ACCEPTED_ENV}=retain in its environment: the old resource leaves the stack and the ` +
    `member stays. Otherwise remove this OrgInvitation (membership is managed outside invitations), ` +
    `or invite a different username.`
  );
}

/** The invitation was accepted: the provider will not cancel it or remove the member. */
export class InvitationAcceptedError extends InvitationConflictError {
  override readonly name = "InvitationAcceptedError";
  readonly errorCode = "INVITATION_ACCEPTED";

  constructor(init: PersonRefusalInit) {
    super(acceptedMessage(init, init.audience ?? "pulumi"), init);
  }

  protected override wordedFor(audience: RefusalAudience): string {
    return acceptedMessage(this, audience);
  }
}

/** The user is already an active member of the organization, so there is nothing to invite. */
export class UserAlreadyMemberError extends InvitationConflictError {
  override readonly name = "UserAlreadyMemberError";
  readonly errorCode = "USER_ALREADY_MEMBER";

  constructor(init: PersonRefusalInit) {
    super(alreadyMemberMessage(init, init.audience ?? "pulumi"), init);
  }

  protected override wordedFor(audience: RefusalAudience): string {
    return alreadyMemberMessage(this, audience);
  }
}

/** The pending invitation disappeared (expired, rejected or cancelled outside Pulumi) before an update. */
export class InvitationGoneError extends InvitationConflictError {
  override readonly name = "InvitationGoneError";
  readonly errorCode = "INVITATION_GONE";
  /** The resource id: the invitation id (or, for invitations made on the org users API, the user id). */
  readonly invitationId: string;

  constructor(init: { orgId: string; username: string; invitationId: string }) {
    super(
      `The invitation ${init.invitationId} for ${init.username} in organization ${init.orgId} no longer exists ` +
        `(it expired, was rejected or was cancelled outside Pulumi). Run \`pulumi refresh\`, then \`pulumi up\` to invite again.`,
      init,
    );
    this.invitationId = init.invitationId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), invitationId: this.invitationId };
  }
}

/**
 * Two `OrgInvitation` resources declare the same person (email addresses compared without regard
 * to letter case and Unicode form) in the same organization. Sharing one invitation would let destroying either
 * cancel the other's, so one is refused before any API call. Raised by:
 * - `check` (preview included), when the program marked the resource: another resource of the same
 *   program run declares the person (`otherResource` names it);
 * - `create`, when another create of the deployment claimed the person, or when `check` saw a
 *   resource whose state already holds the person's invitation (`alreadyManaged`), which this
 *   create would otherwise adopt.
 */
export class InvitationDeclaredTwiceError extends InvitationConflictError {
  override readonly name = "InvitationDeclaredTwiceError";
  readonly errorCode = "INVITATION_DECLARED_TWICE";
  /** The spelling the other resource declared. */
  readonly otherUsername: string;
  /** The other resource's Pulumi name, when known (program-side detection). */
  readonly otherResource: string | undefined;
  /** Whether the other resource already manages the person's invitation (it has state). */
  readonly alreadyManaged: boolean;

  constructor(init: {
    orgId: string;
    username: string;
    otherUsername: string;
    otherResource?: string | undefined;
    alreadyManaged?: boolean | undefined;
  }) {
    const same = init.otherUsername === init.username ? "" : ` (as ${init.otherUsername})`;
    const other =
      init.otherResource !== undefined
        ? `; the other is "${init.otherResource}"${same}`
        : init.alreadyManaged === true
          ? `; the other${same} already manages the invitation, which this one would take over`
          : same;
    super(
      `${init.username} is declared by two OrgInvitation resources for organization ${init.orgId}${other}. ` +
        `Email addresses are compared without regard to letter case or Unicode form, and one person has one invitation per ` +
        `organization: remove the duplicate resource, or merge its roles and teams into the other.`,
      init,
    );
    this.otherUsername = init.otherUsername;
    this.otherResource = init.otherResource;
    this.alreadyManaged = init.alreadyManaged === true;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      otherUsername: this.otherUsername,
      otherResource: this.otherResource,
      alreadyManaged: this.alreadyManaged,
    };
  }
}

/** Atlas refused the invitation because of one of its inputs (a 400 with a known `errorCode`). */
export class InvitationInputRejectedError extends AtlasError {
  override readonly name = "InvitationInputRejectedError";
  readonly kind = "validation" as const;
  /** The `OrgInvitation` input at fault: `username`, `roles`, `teamIds`, `groupRoleAssignments` or `orgId`. */
  readonly property: string;
  /** Atlas's status, 400-499. */
  readonly status: number;
  /** Atlas's `errorCode`, e.g. `DOMAIN_NOT_IN_ALLOW_LIST`. */
  readonly errorCode: string;

  constructor(property: string, value: unknown, api: AtlasApiError, hint: string | undefined) {
    const why = api.detail ?? api.reason ?? "rejected";
    super(
      `Atlas rejected ${property} ${JSON.stringify(value)} (${api.status} ${api.errorCode}): ${why}` +
        (hint ? ` ${hint}` : ""),
      { cause: api },
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

const conflictGuard =
  <T extends InvitationConflictError>(errorCode: string) =>
  (value: unknown): value is T =>
    isAtlasError(value) &&
    value.kind === "conflict" &&
    (value as { errorCode?: unknown }).errorCode === errorCode;

/** Whether `value` is an `InvitationAcceptedError` (errorCode `INVITATION_ACCEPTED`), from any loaded copy of the package. */
export const isInvitationAcceptedError =
  conflictGuard<InvitationAcceptedError>("INVITATION_ACCEPTED");
/** Whether `value` is a `UserAlreadyMemberError` (errorCode `USER_ALREADY_MEMBER`). */
export const isUserAlreadyMemberError =
  conflictGuard<UserAlreadyMemberError>("USER_ALREADY_MEMBER");
/** Whether `value` is an `InvitationGoneError` (errorCode `INVITATION_GONE`). */
export const isInvitationGoneError = conflictGuard<InvitationGoneError>("INVITATION_GONE");
/** Whether `value` is an `InvitationDeclaredTwiceError` (errorCode `INVITATION_DECLARED_TWICE`). */
export const isInvitationDeclaredTwiceError = conflictGuard<InvitationDeclaredTwiceError>(
  "INVITATION_DECLARED_TWICE",
);
/** Whether `value` is an `InvitationInputRejectedError` (Atlas refused an input). */
export function isInvitationInputRejectedError(
  value: unknown,
): value is InvitationInputRejectedError {
  return isAtlasError(value) && value.kind === "validation";
}

/**
 * Stored state or inputs the provider cannot read (a hand-edited state file, or state from a
 * version this one does not know). Names the field; never guesses.
 */
export class InvitationStateError extends AtlasError {
  override readonly name = "InvitationStateError";
  readonly kind = "state" as const;
  /** The field that could not be read, e.g. `orgId` or `groupRoleAssignments[0].roles`. */
  readonly field: string;

  constructor(init: { id: string; field: string; problem: string }) {
    super(
      `The state of OrgInvitation ${init.id || "(new)"} has ${init.problem} in \`${init.field}\`. ` +
        "Run `pulumi refresh`; if it persists, fix the value with `pulumi stack export`/`import`.",
    );
    this.field = init.field;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

/** Whether `value` is an `InvitationStateError` (kind `state`), from any loaded copy of the package. */
export const isInvitationStateError = kindGuard<InvitationStateError>("state");

/**
 * The mission's semantics, one function per lifecycle step, over a backend (backends/): one set
 * of decisions whichever Atlas API carries them out. Everything that decides "gone", "accepted"
 * or "retry" looks at status codes and `errorCode`, never at message text; every decision about a
 * person compares email addresses without regard to letter case or Unicode form (identity.ts).
 *
 * - create: adopt a pending invitation for the person, else send one; an active member is an error.
 * - read: pending refreshes; accepted stays in state as ACCEPTED; otherwise gone.
 * - update: a pending invitation is brought to the declaration; an accepted one records the
 *   declaration in state only, with a warning, so it never blocks `pulumi up`.
 * - delete: cancel a pending invitation; never cancel an accepted one, never remove a member:
 *   refuse (`onAccepted: "fail"`) or leave them and warn (`"retain"`).
 * - import (the resource provider plugin's `pulumi import`): a pending invitation by id, read only.
 * State written on the other Atlas API is acted on only where Atlas shows certainly the same
 * invitation (same-invitation.ts); the person's other pending invitations are left alone, with a
 * warning (issue 19, item 1). An invitation past its `expiresAt` is over, whether Atlas still
 * lists it or answers `400 ALREADY_EXPIRED` (item 6).
 */
import type { AtlasClient } from "./atlas/api";
import type { Budget } from "./atlas/budget";
import type { InvitationBackend, InvitationRef } from "./backends/backend";
import type { Claims } from "./claims";
import {
  InvitationAcceptedError,
  InvitationGoneError,
  UserAlreadyMemberError,
  explainApiError,
  isAtlasApiError,
  isInvitationLimitRefusal,
} from "./errors";
import { matchesDeclared, sameGroupRoles, sameSet } from "./identity";
import type { Logger } from "./log";
import {
  IMPORT_ID_FORMS,
  InvitationImportError,
  importNotFound,
  importNotFoundError,
} from "./errors/import";
import { isActiveMember, orgUserById } from "./lookups";
import { DEFAULT_ON_ACCEPTED, ON_ACCEPTED_ENV } from "./model";
import type { DeclaredInvitation, InvitationState, PendingInvitation } from "./model";
import { stateFromPending } from "./property-codec";

export interface LifecycleContext {
  client: AtlasClient;
  backend: InvitationBackend;
  claims: Claims;
  logger: Logger;
  /** The operation's budget: every call of this step draws on it. */
  budget: Budget;
  /** `ATLAS_INVITATIONS_ON_ACCEPTED=retain` in the provider's environment (settings.ts). */
  retainAccepted?: boolean;
}

function refOf(state: InvitationState): InvitationRef {
  return {
    orgId: state.declared.orgId,
    username: state.declared.username,
    invitationId: state.invitationId,
    userId: state.userId,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
    inviterUsername: state.inviterUsername,
  };
}

/** Whether Atlas's `expiresAt` has passed: such an invitation is over, listed or not (item 6). */
function lapsed(pending: { expiresAt?: string | undefined }, ctx: LifecycleContext): boolean {
  const at = pending.expiresAt === undefined ? Number.NaN : Date.parse(pending.expiresAt);
  return !Number.isNaN(at) && at <= ctx.budget.clock.now();
}

const sentAt = (p: { createdAt?: string | undefined }): string =>
  p.createdAt === undefined ? "" : ` sent ${p.createdAt}`;

/**
 * The invitation `state` holds, in the ids of the API in use, when Atlas certainly shows it
 * (backend.locate). When the person has pending invitations of which none is certainly this one
 * (state from the other API whose invitation lapsed and was re-sent, say), warns and returns
 * undefined: those invitations are not the stack's to read, change or cancel (issue 19, item 1).
 */
async function locate(
  ctx: LifecycleContext,
  state: InvitationState,
  outcome: string,
): Promise<{ ref: InvitationRef; pending?: PendingInvitation | undefined } | undefined> {
  const located = await ctx.backend.locate(refOf(state), ctx.budget);
  if (located.found === "this") return located;
  if (located.found === "others") {
    const { orgId, username } = state.declared;
    ctx.logger.warn?.(
      `the invitation ${describeId(state)}${sentAt(state)} of this OrgInvitation is not among the pending invitations ` +
        `of ${username} in organization ${orgId} on the ${ctx.backend.api === "users" ? "org users" : "invites"} API. ` +
        `${located.others.map((p) => `${describeId(p)}${sentAt(p)}`).join(", ")} cannot be proven to be it (a re-sent ` +
        `invitation has a new send time), so ${outcome}.`,
    );
  }
  return undefined;
}

function pendingRef(pending: PendingInvitation, declared: DeclaredInvitation): InvitationRef {
  return {
    orgId: declared.orgId,
    username: pending.username,
    invitationId: pending.invitationId,
    userId: pending.userId,
  };
}

const describeId = (p: {
  invitationId?: string | undefined;
  userId?: string | undefined;
}): string => p.invitationId ?? `(org user ${p.userId ?? "?"})`;

/** Whether the declared roles, teams or project roles differ from what state holds. */
function changesInAtlas(state: InvitationState, declared: DeclaredInvitation): boolean {
  const d = state.declared;
  return !(
    sameSet(d.roles, declared.roles) &&
    sameSet(d.teamIds, declared.teamIds) &&
    sameGroupRoles(d.groupRoleAssignments, declared.groupRoleAssignments)
  );
}

async function adopt(
  ctx: LifecycleContext,
  pending: PendingInvitation,
  declared: DeclaredInvitation,
): Promise<InvitationState> {
  ctx.logger.info?.(
    `adopting the pending invitation ${describeId(pending)} for ${declared.username} in organization ${declared.orgId}`,
  );
  ctx.claims.adopted(declared.orgId, declared.username, pending);
  if (matchesDeclared(pending, declared)) return stateFromPending(pending, declared);
  const updated = await ctx.backend
    .update(pendingRef(pending, declared), declared, ctx.budget)
    .catch((error: unknown) => Promise.reject(explainApiError(error, { ...declared })));
  // Gone between the look-up and the update (accepted, cancelled): decide afresh.
  return updated ? stateFromPending(updated, declared) : send(ctx, declared);
}

async function send(ctx: LifecycleContext, declared: DeclaredInvitation): Promise<InvitationState> {
  const { orgId, username } = declared;
  try {
    return stateFromPending(await ctx.backend.invite(declared, ctx.budget), declared);
  } catch (error) {
    if (
      isAtlasApiError(error) &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 429 &&
      !isInvitationLimitRefusal(error)
    ) {
      if (await isActiveMember(ctx.client, orgId, username, ctx.budget)) {
        throw new UserAlreadyMemberError({ orgId, username });
      }
      if (error.status === 409) {
        // Someone else invited the person between our look-up and the POST.
        const raced = (await ctx.backend.findPending(orgId, username, ctx.budget)).find(
          (p) => !lapsed(p, ctx),
        );
        if (raced) return adopt(ctx, raced, declared);
      }
    }
    throw explainApiError(error, { ...declared });
  }
}

/**
 * create: one look-up of the person's pending invitations and membership, then one POST. A pending invitation is
 * adopted and brought to the declaration instead (Atlas's answer to a second POST is unconfirmed,
 * and adoption is how existing invitations come under management: `pulumi import` does not work
 * for dynamic resources, pulumi/pulumi#16175).
 * @throws InvitationDeclaredTwiceError, UserAlreadyMemberError, InvitationInputRejectedError, and
 * the client's errors
 */
export async function createInvitation(
  ctx: LifecycleContext,
  declared: DeclaredInvitation,
): Promise<InvitationState> {
  const { orgId, username } = declared;
  const release = ctx.claims.claim(orgId, username);
  try {
    // Membership is looked up before anything is sent, from a full case-insensitive list: if
    // Atlas matched letter case exactly, a POST would not notice a member spelled otherwise.
    const [pending, active] = await Promise.all([
      ctx.backend.findPending(orgId, username, ctx.budget),
      isActiveMember(ctx.client, orgId, username, ctx.budget),
    ]);
    if (active) throw new UserAlreadyMemberError({ orgId, username });
    // A lapsed invitation Atlas still lists is over: it is never adopted; a fresh one is sent.
    const [existing, ...others] = pending.filter((p) => !lapsed(p, ctx));
    // A resource that keeps this invitation may have been checked during the look-ups.
    if (existing) ctx.claims.assertSole(orgId, username);
    if (others.length > 0) {
      ctx.logger.warn?.(
        `${declared.username} has ${others.length + 1} pending invitations in organization ${declared.orgId}; ` +
          `adopting the newest, ${describeId(existing ?? {})}, and leaving ${others.map(describeId).join(", ")} as they are.`,
      );
    }
    return existing ? await adopt(ctx, existing, declared) : await send(ctx, declared);
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * refresh: undefined means gone (the engine drops the resource, and the next `up` invites again).
 * @throws the client's errors
 */
export async function readInvitation(
  ctx: LifecycleContext,
  state: InvitationState,
): Promise<InvitationState | undefined> {
  const { orgId, username } = state.declared;
  if (state.status !== "ACCEPTED") {
    const found = await locate(ctx, state, "this refresh treats the resource's invitation as gone");
    const pending = found && (found.pending ?? (await ctx.backend.read(found.ref, ctx.budget)));
    if (pending && !lapsed(pending, ctx)) return stateFromPending(pending, state.declared, state);
  }
  if (await isActiveMember(ctx.client, orgId, username, ctx.budget)) {
    return { ...state, status: "ACCEPTED" };
  }
  return undefined;
}

function recordAccepted(
  ctx: LifecycleContext,
  state: InvitationState,
  declared: DeclaredInvitation,
  changed: boolean,
): InvitationState {
  if (changed) {
    ctx.logger.warn?.(
      `${declared.username} accepted the invitation to organization ${declared.orgId}: the declared roles, teams ` +
        "and project roles were recorded in state only and do not apply, because the membership is managed outside " +
        "this resource. Change the member's roles in Atlas, or with an org user resource.",
    );
  }
  return { ...state, declared: { ...declared }, status: "ACCEPTED" };
}

/**
 * update: roles, teams and project roles of a pending invitation; `onAccepted` alone is state
 * only. Once accepted, every change is state only.
 * @throws InvitationGoneError when the invitation expired or was cancelled; the client's errors
 */
export async function updateInvitation(
  ctx: LifecycleContext,
  state: InvitationState,
  declared: DeclaredInvitation,
): Promise<InvitationState> {
  const changed = changesInAtlas(state, declared);
  if (state.status === "ACCEPTED") return recordAccepted(ctx, state, declared, changed);
  if (!changed)
    return { ...state, declared: { ...state.declared, onAccepted: declared.onAccepted } };
  const found = await locate(ctx, state, "nothing was changed in Atlas");
  const updated =
    found &&
    (await ctx.backend
      .update(found.ref, declared, ctx.budget)
      .catch((error: unknown) => Promise.reject(explainApiError(error, { ...declared }))));
  if (updated) return stateFromPending(updated, declared, state);
  const { orgId, username } = declared;
  if (await isActiveMember(ctx.client, orgId, username, ctx.budget)) {
    return recordAccepted(ctx, state, declared, changed);
  }
  throw new InvitationGoneError({ orgId, username, invitationId: state.id });
}

/**
 * destroy: cancel a pending invitation. When there is none, membership decides: not an active
 * member means already gone; an active member is never removed and the invitation never
 * cancelled. Any other failure fails the delete, so state is kept unless Atlas proved it gone.
 * @throws InvitationAcceptedError under `onAccepted: "fail"`; the client's errors
 */
export async function deleteInvitation(
  ctx: LifecycleContext,
  state: InvitationState,
  urn?: string,
): Promise<void> {
  const { orgId, username, onAccepted } = state.declared;
  if (ctx.claims.adoptedInThisDeployment(orgId, username, state)) {
    ctx.logger.warn?.(
      `the invitation ${describeId(state)} for ${username} was adopted by another OrgInvitation of this deployment ` +
        "(a renamed or replaced resource); it was left pending for that resource, and this one removed from the stack.",
    );
    return;
  }
  if (state.status !== "ACCEPTED" && ctx.claims.keptByAnother(orgId, username, urn)) {
    // Another resource of the program keeps the person's invitation: it is theirs (claims.ts),
    // whether they hold this very one (two imports of one id) or adopt it next (a replacement).
    ctx.logger.warn?.(
      `another OrgInvitation of this deployment declares ${username} in organization ${orgId}; ` +
        `the invitation ${describeId(state)} was left pending for that resource, and this one removed from the stack.`,
    );
    return;
  }
  let active: boolean | undefined;
  if (state.status !== "ACCEPTED") {
    const found = await locate(
      ctx,
      state,
      "they were left in place, and this resource removed from the stack",
    );
    const outcome = found && (await ctx.backend.cancel(found.ref, ctx.budget));
    if (outcome === "cancelled") return;
    if (outcome === "active") active = true;
  }
  active ??= await isActiveMember(ctx.client, orgId, username, ctx.budget);
  if (!active) return;
  const replacedWithRetain = ctx.claims.retainsReplaced(state.id);
  if (onAccepted === "retain" || ctx.retainAccepted || replacedWithRetain) {
    const why =
      onAccepted === "retain"
        ? `onAccepted is "retain"`
        : replacedWithRetain
          ? `the declaration that replaces this resource says onAccepted "retain"`
          : `${ON_ACCEPTED_ENV} is "retain"`;
    ctx.logger.warn?.(
      `${username} accepted the invitation to organization ${orgId} and is an active member; ` +
        `${why}, so the member was left in place and the resource removed from the stack.`,
    );
    return;
  }
  throw new InvitationAcceptedError({ orgId, username });
}

/** An import id, read: the organization and the id the backend in force addresses it by. */
export interface ImportId {
  /** The id as given. */
  raw: string;
  /** 24 lower-case hex characters. */
  orgId: string;
  /** The invitation id (invites API) or the org user id (org users API): 24 lower-case hex. */
  ownId: string;
}

const HEX_ID = /^[0-9a-f]{24}$/i;

/**
 * Reads an import id: `<orgId>/<invitationId>` on the invites API, `<orgId>/<userId>` on the org
 * users API (the same shape; the backend in force decides which the second part is).
 * @throws InvitationImportError (`IMPORT_ID_MALFORMED`) naming the expected forms
 */
export function parseImportId(raw: string): ImportId {
  const [orgId, ownId, ...rest] = raw.trim().split("/");
  if (orgId === undefined || ownId === undefined || rest.length > 0) {
    throw malformed(raw, "it does not have exactly one `/`");
  }
  if (!HEX_ID.test(orgId)) throw malformed(raw, "its organization id is not 24 hex characters");
  if (!HEX_ID.test(ownId)) throw malformed(raw, "its second part is not 24 hex characters");
  return { raw, orgId: orgId.toLowerCase(), ownId: ownId.toLowerCase() };
}

function malformed(raw: string, why: string): InvitationImportError {
  return new InvitationImportError(
    "IMPORT_ID_MALFORMED",
    raw,
    `The import id ${JSON.stringify(raw.slice(0, 100))} cannot be read: ${why}. An OrgInvitation is ` +
      `imported by ${IMPORT_ID_FORMS}; the \`api\` setting decides which API is in force ` +
      '("auto", the default, uses the invites API while Atlas serves it).',
  );
}

/**
 * import: the pending invitation an import id names, as state whose id is what a create on the
 * backend in force would have produced (the invitation id, or the org user id), declared as
 * Atlas holds it, with `onAccepted` at its default. One GET by id (a second, on the org users API
 * only, to tell an accepted invitation from a missing one); never a write.
 * @throws InvitationImportError when Atlas has no such pending invitation (`IMPORT_NOT_FOUND`),
 * the person accepted (`IMPORT_ACCEPTED`), or it expired (`IMPORT_EXPIRED`); the client's errors
 */
export async function importInvitation(
  ctx: LifecycleContext,
  id: ImportId,
): Promise<InvitationState> {
  const { orgId, ownId, raw } = id;
  const onUsers = ctx.backend.api === "users";
  const kind = onUsers ? "org user" : "invitation";
  const ref: InvitationRef = onUsers
    ? { orgId, username: "", userId: ownId }
    : { orgId, username: "", invitationId: ownId };
  const target = { raw, orgId, ownId, onUsers };
  // Atlas refusing the read for a missing org or id (the two parts swapped, say) is a refused
  // import, worded as one; anything else (a 410 the caller acts on, a 5xx) passes through.
  const refused = (error: unknown): never => {
    const missing = importNotFound(error);
    throw missing === undefined ? error : importNotFoundError(target, missing, error);
  };
  const pending = await ctx.backend.read(ref, ctx.budget).catch(refused);
  if (!pending) {
    const user = onUsers
      ? await orgUserById(ctx.client, orgId, ownId, ctx.budget).catch(refused)
      : undefined;
    if (user?.orgMembershipStatus === "ACTIVE") {
      throw new InvitationImportError(
        "IMPORT_ACCEPTED",
        raw,
        `${user.username} accepted the invitation to organization ${orgId} and is an active member: ` +
          "there is no pending invitation to import. Manage the membership with an org user resource.",
      );
    }
    throw importNotFoundError(target, "invitation");
  }
  if (lapsed(pending, ctx)) {
    throw new InvitationImportError(
      "IMPORT_EXPIRED",
      raw,
      `The invitation ${ownId} of ${pending.username} to organization ${orgId} expired at ` +
        `${pending.expiresAt ?? "?"}: there is nothing to import. Declare the OrgInvitation without ` +
        "`import` to send a new one.",
    );
  }
  if (pending.username === "") {
    throw new InvitationImportError(
      "IMPORT_NOT_FOUND",
      raw,
      `Atlas answered for ${kind} ${ownId} in organization ${orgId} without its email address, so it ` +
        "cannot be imported; run the import again.",
    );
  }
  const declared: DeclaredInvitation = {
    orgId,
    username: pending.username,
    roles: [...pending.roles],
    teamIds: [...pending.teamIds],
    groupRoleAssignments: pending.groupRoleAssignments.map((g) => ({
      groupId: g.groupId,
      roles: [...g.roles],
    })),
    onAccepted: DEFAULT_ON_ACCEPTED,
  };
  return stateFromPending(pending, declared);
}

/**
 * The mission's semantics, one function per lifecycle step, against the typed API only.
 * Everything that decides "gone", "accepted" or "retry" looks at status codes and `errorCode`,
 * never at message text.
 */
import type { AtlasApi } from "./atlas/api";
import {
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasTimeoutError,
} from "./atlas/errors";
import type { OrgInvitation, OrgInvitationRequest } from "./atlas/types";
import { isNoSuchInvitation, pendingInvitationById, pendingInvitationsOf } from "./coalesce";
import { changedProperties } from "./diff";
import { InvitationAcceptedError, InvitationGoneError, UserAlreadyMemberError } from "./errors";
import { explainApiError } from "./explain";
import type { ProviderLogger } from "./log";
import { DEFAULT_ON_ACCEPTED, type OrgInvitationInputs, type OrgInvitationOutputs } from "./model";
import { invitationMatches } from "./normalize";
import { declaredFrom, storedOutputs, toOutputs } from "./outputs";

export interface LifecycleContext {
  api: AtlasApi;
  logger: ProviderLogger;
}

/** How many times a create is attempted after proving the earlier attempt did not land. */
const CREATE_ATTEMPTS = 3;

/** A failure after which a POST may or may not have been applied by Atlas. */
function isAmbiguous(error: unknown): boolean {
  return (
    isAtlasNetworkError(error) ||
    isAtlasTimeoutError(error) ||
    isAtlasProtocolError(error) ||
    (isAtlasApiError(error) && error.status >= 500)
  );
}

function requestBody(inputs: OrgInvitationInputs): OrgInvitationRequest {
  return {
    username: inputs.username,
    roles: [...inputs.roles],
    // Always sent, empty included: an update that removes every team must clear them in Atlas.
    teamIds: [...(inputs.teamIds ?? [])],
    groupRoleAssignments: (inputs.groupRoleAssignments ?? []).map((g) => ({
      groupId: g.groupId,
      roles: [...g.roles],
    })),
  };
}

async function isActiveMember(api: AtlasApi, orgId: string, username: string): Promise<boolean> {
  const user = await api.findOrgUserByUsername(orgId, username);
  return user?.orgMembershipStatus === "ACTIVE";
}

async function findPending(
  api: AtlasApi,
  inputs: OrgInvitationInputs,
): Promise<OrgInvitation | undefined> {
  // Shared with concurrent look-ups in the org (coalesce.ts): one list serves a bulk create.
  const pending = await pendingInvitationsOf(api, inputs.orgId, inputs.username);
  // Atlas may keep more than one pending invitation per user (UNCONFIRMED): take the newest.
  pending.sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  return pending[0];
}

async function adopt(
  ctx: LifecycleContext,
  existing: OrgInvitation,
  inputs: OrgInvitationInputs,
): Promise<OrgInvitation> {
  const id = existing.id as string;
  ctx.logger.info(
    `adopting the pending invitation ${id} for ${inputs.username} in organization ${inputs.orgId}`,
  );
  if (invitationMatches(existing, inputs)) return existing;
  const { username: _username, ...update } = requestBody(inputs);
  try {
    return await ctx.api.updateOrgInviteById(inputs.orgId, id, update);
  } catch (error) {
    throw explainApiError(error, inputs);
  }
}

/**
 * One POST for a new invitation. A pending invitation for the same user is adopted instead
 * (brought to the declared roles and teams): Atlas's answer to a second POST is unconfirmed
 * (replace, refuse or duplicate), and adoption is the only way to bring existing invitations
 * under management, since `pulumi import` does not work for dynamic resources (pulumi#16175).
 */
export async function createInvitation(
  ctx: LifecycleContext,
  inputs: OrgInvitationInputs,
): Promise<{ id: string; outs: OrgInvitationOutputs }> {
  const done = (invitation: OrgInvitation) => {
    const outs = toOutputs(invitation, inputs);
    return { id: outs.invitationId, outs };
  };
  const existing = await findPending(ctx.api, inputs);
  if (existing) return done(await adopt(ctx, existing, inputs));

  for (let attempt = 1; ; attempt++) {
    try {
      return done(await ctx.api.createOrgInvite(inputs.orgId, requestBody(inputs)));
    } catch (error) {
      if (isAmbiguous(error) && attempt < CREATE_ATTEMPTS) {
        // Never repeat a POST blindly: it may have landed before the failure.
        const landed = await findPending(ctx.api, inputs);
        if (landed) return done(await adopt(ctx, landed, inputs));
        ctx.logger.warn(
          `creating the invitation for ${inputs.username} failed (${(error as Error).message}); it did not land, trying again (attempt ${attempt + 1} of ${CREATE_ATTEMPTS})`,
        );
        continue;
      }
      if (isAtlasApiError(error) && error.status >= 400 && error.status < 500) {
        if (await isActiveMember(ctx.api, inputs.orgId, inputs.username)) {
          throw new UserAlreadyMemberError({ orgId: inputs.orgId, username: inputs.username });
        }
        if (error.status === 409) {
          // Another pending invitation appeared between our look-up and the POST.
          const raced = await findPending(ctx.api, inputs);
          if (raced) return done(await adopt(ctx, raced, inputs));
        }
      }
      throw explainApiError(error, inputs);
    }
  }
}

/** `{}` tells the engine the resource is gone. */
export type ReadOutcome = { id: string; props: OrgInvitationOutputs } | Record<string, never>;

/**
 * Refresh. Pending: outputs from Atlas (drift shows). Accepted: stays, `status: ACCEPTED`, so the
 * next `up` does not invite a member again. Cancelled, rejected or expired: gone (`{}`), so the
 * next `up` invites again.
 */
export async function readInvitation(
  ctx: LifecycleContext,
  id: string,
  props: Record<string, unknown>,
): Promise<ReadOutcome> {
  const stored = storedOutputs(props);
  const declared = declaredFrom(props);
  if (stored.status !== "ACCEPTED") {
    // Alone: GET by id. Among concurrent refreshes in the org: one shared list (coalesce.ts).
    const invitation = await pendingInvitationById(ctx.api, declared.orgId, id);
    if (invitation) return { id, props: toOutputs(invitation, declared) };
  }
  if (await isActiveMember(ctx.api, declared.orgId, declared.username)) {
    return { id, props: { ...stored, status: "ACCEPTED" } };
  }
  return {};
}

/** PATCH by id; `onAccepted` alone changes state only. */
export async function updateInvitation(
  ctx: LifecycleContext,
  id: string,
  olds: Record<string, unknown>,
  news: OrgInvitationInputs,
): Promise<OrgInvitationOutputs> {
  const stored = storedOutputs(olds);
  const apiChanges = changedProperties(
    olds,
    news as unknown as Record<string, unknown>,
  ).updates.filter((p) => p !== "onAccepted");
  if (apiChanges.length === 0) {
    return { ...stored, onAccepted: news.onAccepted ?? DEFAULT_ON_ACCEPTED };
  }
  const refuse = () =>
    new InvitationAcceptedError({ orgId: news.orgId, username: news.username, action: "update" });
  if (stored.status === "ACCEPTED") throw refuse();
  const { username: _username, ...body } = requestBody(news);
  try {
    return toOutputs(await ctx.api.updateOrgInviteById(news.orgId, id, body), news);
  } catch (error) {
    if (!isNoSuchInvitation(error)) throw explainApiError(error, news);
    if (await isActiveMember(ctx.api, news.orgId, news.username)) throw refuse();
    throw new InvitationGoneError({ orgId: news.orgId, username: news.username, invitationId: id });
  }
}

/**
 * Destroy. Cancels a pending invitation with one DELETE. When there is none (404, or 400
 * INVALID_INVITATION_ID), org membership decides: not an active member means already gone; an
 * active member is never removed and the invitation never "cancelled": refuse (`fail`, the
 * default) or leave the member and succeed with a warning (`retain`). Any other failure fails the
 * delete, so state is kept unless Atlas proved the invitation gone.
 */
export async function deleteInvitation(
  ctx: LifecycleContext,
  id: string,
  props: Record<string, unknown>,
): Promise<void> {
  const stored = storedOutputs(props);
  const { orgId, username } = declaredFrom(props);
  if (stored.status !== "ACCEPTED") {
    try {
      await ctx.api.deleteOrgInvite(orgId, id);
      return;
    } catch (error) {
      if (!isNoSuchInvitation(error)) throw error;
    }
  }
  if (!(await isActiveMember(ctx.api, orgId, username))) return;
  if ((stored.onAccepted ?? DEFAULT_ON_ACCEPTED) === "retain") {
    ctx.logger.warn(
      `${username} accepted the invitation to organization ${orgId} and is an active member; ` +
        `onAccepted is "retain", so the member was left in place and the resource removed from the stack.`,
    );
    return;
  }
  throw new InvitationAcceptedError({ orgId, username, action: "delete" });
}

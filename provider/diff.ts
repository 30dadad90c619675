/**
 * `diff` rules. Compares stored state with the new inputs, field by field, so that a new
 * serialized provider (`__provider`) or a reordered list is never a change:
 *   - orgId, or username other than in letter case or Unicode form: replace (an invitation cannot move to another
 *     org or person);
 *   - roles, teamIds, groupRoleAssignments: update in place;
 *   - onAccepted: update in place, state only (no API call).
 * Values still unknown during preview count as changed.
 */
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { sameGroupRoles, sameSet, sameUsername } from "./identity";
import { DEFAULT_ON_ACCEPTED, UNKNOWN, isUnknown } from "./model";
import type { GroupRoleAssignment, InvitationState } from "./model";
import type { Props } from "./property-codec";

const hasUnknown = (value: unknown): boolean =>
  isUnknown(value) || JSON.stringify(value ?? null).includes(JSON.stringify(UNKNOWN));

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function groups(v: unknown): GroupRoleAssignment[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((e: unknown) => {
    const g = e as { groupId?: unknown; roles?: unknown } | null;
    return g && typeof g.groupId === "string"
      ? [{ groupId: g.groupId, roles: strings(g.roles) }]
      : [];
  });
}

/** The names of the changed inputs, split by how they must be applied. */
export function changedProperties(
  state: InvitationState,
  news: Props,
): { replaces: string[]; updates: string[] } {
  const olds = state.declared;
  const replaces: string[] = [];
  const updates: string[] = [];
  if (hasUnknown(news["orgId"]) || news["orgId"] !== olds.orgId) replaces.push("orgId");
  const username = news["username"];
  if (
    hasUnknown(username) ||
    typeof username !== "string" ||
    !sameUsername(olds.username, username)
  ) {
    replaces.push("username");
  }
  if (hasUnknown(news["roles"]) || !sameSet(olds.roles, strings(news["roles"])))
    updates.push("roles");
  if (hasUnknown(news["teamIds"]) || !sameSet(olds.teamIds, strings(news["teamIds"]))) {
    updates.push("teamIds");
  }
  const newGroups = news["groupRoleAssignments"];
  if (hasUnknown(newGroups) || !sameGroupRoles(olds.groupRoleAssignments, groups(newGroups))) {
    updates.push("groupRoleAssignments");
  }
  const policy = news["onAccepted"] ?? DEFAULT_ON_ACCEPTED;
  if (hasUnknown(policy) || policy !== olds.onAccepted) updates.push("onAccepted");
  return { replaces, updates };
}

export function diffInvitation(state: InvitationState, news: Props): DiffResult {
  const { replaces, updates } = changedProperties(state, news);
  const changes = replaces.length > 0 || updates.length > 0;
  // Replacement creates the new invitation before deleting the old one: for another org or
  // another person the two are independent, so nobody is left without an invitation in between.
  return replaces.length > 0 ? { changes, replaces } : { changes };
}

/**
 * `diff` rules. Compares the stored outputs with the new inputs, field by field, so that a new
 * serialized provider (`__provider`) or a reordered list is never a change.
 *   - orgId or username changed: replace (an invitation cannot move to another org or person);
 *   - roles, teamIds, groupRoleAssignments: update in place (PATCH);
 *   - onAccepted: update in place, state only (no API call).
 * Unknown values (preview) count as changed.
 */
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { DEFAULT_ON_ACCEPTED, UNKNOWN, isUnknown, type GroupRoleAssignment } from "./model";
import { sameGroupRoles, sameSet, sameUsername } from "./normalize";

type Props = Record<string, unknown>;

const asStrings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? (v as string[]) : undefined;

function listChanged(olds: unknown, news: unknown): boolean {
  if (isUnknown(news) || (Array.isArray(news) && news.some(isUnknown))) return true;
  return !sameSet(asStrings(olds), asStrings(news));
}

function groupRolesChanged(olds: unknown, news: unknown): boolean {
  if (isUnknown(news)) return true;
  if (Array.isArray(news) && JSON.stringify(news).includes(JSON.stringify(UNKNOWN))) return true;
  return !sameGroupRoles(
    olds as GroupRoleAssignment[] | undefined,
    news as GroupRoleAssignment[] | undefined,
  );
}

/** The names of the changed inputs, split by how they must be applied. */
export function changedProperties(
  olds: Props,
  news: Props,
): { replaces: string[]; updates: string[] } {
  const replaces: string[] = [];
  const updates: string[] = [];
  if (isUnknown(news["orgId"]) || olds["orgId"] !== news["orgId"]) replaces.push("orgId");
  const oldUser = olds["username"];
  const newUser = news["username"];
  if (
    isUnknown(newUser) ||
    typeof oldUser !== "string" ||
    typeof newUser !== "string" ||
    !sameUsername(oldUser, newUser)
  ) {
    replaces.push("username");
  }
  if (listChanged(olds["roles"], news["roles"])) updates.push("roles");
  if (listChanged(olds["teamIds"], news["teamIds"])) updates.push("teamIds");
  if (groupRolesChanged(olds["groupRoleAssignments"], news["groupRoleAssignments"])) {
    updates.push("groupRoleAssignments");
  }
  const oldPolicy = olds["onAccepted"] ?? DEFAULT_ON_ACCEPTED;
  const newPolicy = news["onAccepted"] ?? DEFAULT_ON_ACCEPTED;
  if (isUnknown(newPolicy) || oldPolicy !== newPolicy) updates.push("onAccepted");
  return { replaces, updates };
}

export function diffInvitation(olds: Props, news: Props): DiffResult {
  const { replaces, updates } = changedProperties(olds, news);
  const changes = replaces.length > 0 || updates.length > 0;
  // Replacement creates the new invitation before deleting the old one: the two are independent
  // (another person or another org), so nobody is ever left without an invitation in between.
  return replaces.length > 0 ? { changes, replaces } : { changes };
}

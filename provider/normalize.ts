/**
 * Order-insensitive views of the list-valued fields, shared by diff, adoption and outputs, so that
 * reordering a list in the program, or Atlas answering in another order, is never a change.
 */
import type { GroupRoleResponse, OrgInvitation } from "./atlas/types";
import type { GroupRoleAssignment } from "./model";

export function sameSet(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  if (left.size !== right.size) return false;
  for (const v of left) if (!right.has(v)) return false;
  return true;
}

/** Canonical text of project role assignments: groups sorted, roles sorted within each group. */
export function groupRolesKey(assignments: readonly GroupRoleAssignment[] | undefined): string {
  const merged = new Map<string, Set<string>>();
  for (const a of assignments ?? []) {
    const roles = merged.get(a.groupId) ?? new Set<string>();
    for (const r of a.roles) roles.add(r);
    merged.set(a.groupId, roles);
  }
  return JSON.stringify(
    [...merged.entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([g, r]) => [g, [...r].sort()]),
  );
}

export function sameGroupRoles(
  a: readonly GroupRoleAssignment[] | undefined,
  b: readonly GroupRoleAssignment[] | undefined,
): boolean {
  return groupRolesKey(a) === groupRolesKey(b);
}

/**
 * Atlas answers project roles one per entry (`{groupId, groupRole}`); requests use
 * `{groupId, roles[]}`. Converts the former to the latter, keeping first-seen order.
 */
export function fromGroupRoleResponse(
  entries: readonly GroupRoleResponse[] | undefined,
): GroupRoleAssignment[] {
  const byGroup = new Map<string, string[]>();
  for (const e of entries ?? []) {
    if (!e.groupId || !e.groupRole) continue;
    const roles = byGroup.get(e.groupId) ?? [];
    if (!roles.includes(e.groupRole)) roles.push(e.groupRole);
    byGroup.set(e.groupId, roles);
  }
  return [...byGroup.entries()].map(([groupId, roles]) => ({ groupId, roles }));
}

/** Usernames are email addresses; Atlas matches them without regard to case. */
export function sameUsername(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * When two lists hold the same values, keep the declared order so state matches the program
 * exactly; otherwise show what Atlas holds (drift stays visible).
 */
export function preferDeclaredOrder<T extends string>(
  declared: readonly T[] | undefined,
  actual: readonly T[],
): T[] {
  return declared && sameSet(declared, actual) ? [...declared] : [...actual];
}

/** Whether an Atlas invitation already carries exactly the declared roles, teams and project roles. */
export function invitationMatches(
  invitation: OrgInvitation,
  declared: {
    roles: readonly string[];
    teamIds?: readonly string[] | undefined;
    groupRoleAssignments?: readonly GroupRoleAssignment[] | undefined;
  },
): boolean {
  return (
    sameSet(invitation.roles, declared.roles) &&
    sameSet(invitation.teamIds, declared.teamIds) &&
    sameGroupRoles(
      fromGroupRoleResponse(invitation.groupRoleAssignments),
      declared.groupRoleAssignments,
    )
  );
}

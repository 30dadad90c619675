/**
 * When two things are the same: one person (an email address, compared without regard to letter
 * case or Unicode normalisation form everywhere, because people do and because Atlas's own
 * matching is unrecorded), and one set of roles or teams (order never matters: reordering a list
 * in the program, or Atlas answering in another order, is never a change).
 *
 * An address with non-ASCII letters can reach the provider in two forms that look alike and are
 * one address to a person: "ren\u00e9@x" (é as one code point, Normalization Form C) and
 * "rene\u0301@x" (e and a combining acute accent, Form D), depending on the keyboard, the editor
 * or the tool that wrote the file. Unicode Standard Annex #15 (https://unicode.org/reports/tr15/)
 * defines the two as canonically equivalent, so every comparison of people goes through
 * `comparableUsername`: NFC first, then letter case. Only comparisons do: the address that is
 * sent to Atlas, kept in state or written by `generate` stays exactly as declared or as Atlas
 * holds it.
 */
import type { DeclaredInvitation, GroupRoleAssignment, PendingInvitation } from "./model";

/**
 * The form in which two addresses are compared: Normalization Form C (UAX #15), then lower case.
 * The one place that decides it; never sent to Atlas or stored.
 */
export function comparableUsername(username: string): string {
  return username.normalize("NFC").toLowerCase();
}

/** Email addresses are one person whatever their letter case and Unicode normalisation form. */
export function sameUsername(a: string, b: string): boolean {
  return comparableUsername(a) === comparableUsername(b);
}

/** One person in one organization, as a map key. */
export function personKey(orgId: string, username: string): string {
  return `${orgId}\u0000${comparableUsername(username)}`;
}

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

/** The declared list when Atlas holds the same values; Atlas's otherwise (drift stays visible). */
export function preferDeclared<T extends string>(
  declared: readonly T[],
  actual: readonly T[],
): T[] {
  return sameSet(declared, actual) ? [...declared] : [...actual];
}

/** Whether a pending invitation already carries exactly the declared roles, teams and project roles. */
export function matchesDeclared(pending: PendingInvitation, declared: DeclaredInvitation): boolean {
  return (
    sameSet(pending.roles, declared.roles) &&
    sameSet(pending.teamIds, declared.teamIds) &&
    sameGroupRoles(pending.groupRoleAssignments, declared.groupRoleAssignments)
  );
}

/** Newest first, by the time the invitation was sent (ISO 8601 sorts as text). */
export function newestFirst(list: PendingInvitation[]): PendingInvitation[] {
  return [...list].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
}

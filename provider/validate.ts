/**
 * `check`: every input validated before any HTTP call, one failure per bad property, each reason
 * saying how to fix it. Values still unknown during preview pass through untouched.
 */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { ON_ACCEPTED_POLICIES, PROVIDER_KEY, isUnknown } from "./model";
import { INPUT_NAMES } from "./properties";

const HEX24 = /^[a-f0-9]{24}$/;
// Deliberately simple: Atlas has the final word (INVALID_USERNAME); this catches typos early.
const EMAIL = /^[^\s@"<>()[\],;:\\]+@[^\s@"<>()[\],;:\\]+\.[^\s@"<>()[\],;:\\]{2,}$/;
const ORG_ROLE = /^ORG_[A-Z_]+$/;
const PROJECT_ROLE = /^GROUP_[A-Z_]+$/;
const MAX_EMAIL = 254; // RFC 5321 path limit
const MAX_ROLE = 64;

/** Organization roles: the `roles` enum of OrganizationInvitationRequest (openapi slice). */
export const KNOWN_ORG_ROLES = [
  "ORG_OWNER",
  "ORG_MEMBER",
  "ORG_GROUP_CREATOR",
  "ORG_BILLING_ADMIN",
  "ORG_BILLING_READ_ONLY",
  "ORG_STREAM_PROCESSING_ADMIN",
  "ORG_READ_ONLY",
] as const;

/**
 * Project roles: the enum of the Atlas Admin API v2 operation addGroupApiKey and the "Atlas User
 * Roles" docs page (the invitation slice leaves project roles a free string).
 */
export const KNOWN_PROJECT_ROLES = [
  "GROUP_BACKUP_MANAGER",
  "GROUP_CLUSTER_MANAGER",
  "GROUP_DATA_ACCESS_ADMIN",
  "GROUP_DATA_ACCESS_READ_ONLY",
  "GROUP_DATA_ACCESS_READ_WRITE",
  "GROUP_DATABASE_ACCESS_ADMIN",
  "GROUP_OBSERVABILITY_VIEWER",
  "GROUP_OWNER",
  "GROUP_READ_ONLY",
  "GROUP_SEARCH_INDEX_EDITOR",
  "GROUP_STREAM_PROCESSING_OWNER",
] as const;

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/**
 * A known role one or two edits away from `role`, when `role` itself is not known: a typo. Roles
 * are an open set (Atlas adds them), so a name far from every known one passes.
 */
export function nearMiss(role: string, known: readonly string[]): string | undefined {
  if (known.includes(role)) return undefined;
  let best: { role: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(role, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { role: candidate, distance };
  }
  return best?.role;
}

/** The inputs, from the one definition of the resource's properties (properties.ts). */
const PROPERTIES = INPUT_NAMES;

/** Names people reach for, and the input Atlas and this resource call it. */
const SYNONYMS: Readonly<Record<string, (typeof PROPERTIES)[number]>> = {
  email: "username",
  emailaddress: "username",
  user: "username",
  organizationid: "orgId",
  org: "orgId",
  teams: "teamIds",
  orgroles: "roles",
  projectroles: "groupRoleAssignments",
  projects: "groupRoleAssignments",
};

type Failures = CheckFailure[];

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function hexId(property: string, what: string, value: unknown): string | undefined {
  if (typeof value !== "string") {
    return `${property} must be a string: the 24-character hex id of the ${what} (got ${show(value)}).`;
  }
  if (HEX24.test(value)) return undefined;
  if (HEX24.test(value.toLowerCase())) {
    return `${property} must be lower-case hex, as Atlas writes ids: use "${value.toLowerCase()}".`;
  }
  return (
    `${property} must be the 24-character hex id of the ${what} (like "5f1e2d3c4b5a69788776655a"); ` +
    `got ${show(value)}. Copy it from the Atlas UI or API.`
  );
}

function checkUsername(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `username must be the email address of the person to invite (got ${show(value)}).`;
  }
  if (value.trim() !== value)
    return `username has leading or trailing spaces: use ${show(value.trim())}.`;
  if (value.length > MAX_EMAIL)
    return `username is ${value.length} characters; an email address has at most ${MAX_EMAIL}.`;
  if (!EMAIL.test(value)) {
    return `username must be an email address such as "jane@example.com" (got ${show(value)}).`;
  }
  return undefined;
}

function checkStringList(
  property: string,
  value: unknown,
  item: (entry: string, index: number) => string | undefined,
  options: { required: boolean; noun: string },
): string | undefined {
  if (value === undefined || value === null) {
    return options.required
      ? `${property} is required: list at least one ${options.noun}.`
      : undefined;
  }
  if (!Array.isArray(value))
    return `${property} must be a list of ${options.noun}s (got ${show(value)}).`;
  if (options.required && value.length === 0)
    return `${property} must list at least one ${options.noun}.`;
  const seen = new Set<string>();
  for (const [index, entry] of value.entries()) {
    if (isUnknown(entry)) continue;
    if (typeof entry !== "string") {
      return `${property}[${index}] must be a string ${options.noun} (got ${show(entry)}).`;
    }
    const problem = item(entry, index);
    if (problem) return problem;
    if (seen.has(entry))
      return `${property} lists ${show(entry)} twice: list each ${options.noun} once.`;
    seen.add(entry);
  }
  return undefined;
}

function checkOrgRole(entry: string, index: number): string | undefined {
  const upper = entry.toUpperCase();
  if (upper !== entry && (ORG_ROLE.test(upper) || nearMiss(upper, KNOWN_ORG_ROLES))) {
    const role = nearMiss(upper, KNOWN_ORG_ROLES) ?? upper;
    return `roles[${index}] ${show(entry)} must be upper case, as Atlas writes roles: use ${role}.`;
  }
  const near = nearMiss(entry, KNOWN_ORG_ROLES);
  if (near)
    return `roles[${index}] ${show(entry)} is not an Atlas organization role; did you mean ${near}?`;
  if (entry.length > MAX_ROLE || !ORG_ROLE.test(entry)) {
    const hint = PROJECT_ROLE.test(entry)
      ? ` ${entry} is a project role: grant it with groupRoleAssignments.`
      : "";
    return `roles[${index}] must be an organization role such as ${KNOWN_ORG_ROLES.slice(0, 3).join(", ")} (got ${show(entry)}).${hint}`;
  }
  return undefined;
}

function checkProjectRole(at: string, role: string, index: number): string | undefined {
  const upper = role.toUpperCase();
  if (upper !== role && (PROJECT_ROLE.test(upper) || nearMiss(upper, KNOWN_PROJECT_ROLES))) {
    const known = nearMiss(upper, KNOWN_PROJECT_ROLES) ?? upper;
    return `${at}.roles[${index}] ${show(role)} must be upper case, as Atlas writes roles: use ${known}.`;
  }
  if (ORG_ROLE.test(role)) {
    return `${at}.roles[${index}] ${role} is an organization role: list it in roles, not in groupRoleAssignments.`;
  }
  const near = nearMiss(role, KNOWN_PROJECT_ROLES);
  if (near)
    return `${at}.roles[${index}] ${show(role)} is not an Atlas project role; did you mean ${near}?`;
  return role.length > MAX_ROLE || !PROJECT_ROLE.test(role)
    ? `${at}.roles[${index}] must be a project role such as GROUP_READ_ONLY (got ${show(role)}).`
    : undefined;
}

function checkGroupRoleAssignments(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    return `groupRoleAssignments must be a list of { groupId, roles } objects (got ${show(value)}).`;
  }
  const groups = new Set<string>();
  for (const [index, entry] of value.entries()) {
    if (isUnknown(entry)) continue;
    const at = `groupRoleAssignments[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return `${at} must be an object { groupId, roles } (got ${show(entry)}).`;
    }
    const { groupId, roles, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      return `${at} has unknown field ${show(extra[0])}: only groupId and roles are allowed.`;
    if (!isUnknown(groupId)) {
      const problem = hexId(`${at}.groupId`, "project", groupId);
      if (problem) return problem;
      if (groups.has(groupId as string)) {
        return `groupRoleAssignments lists project ${show(groupId)} twice: merge its roles into one entry.`;
      }
      groups.add(groupId as string);
    }
    if (!isUnknown(roles)) {
      const problem = checkStringList(
        `${at}.roles`,
        roles,
        (role, i) => checkProjectRole(at, role, i),
        { required: true, noun: "project role" },
      );
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkOnAccepted(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (ON_ACCEPTED_POLICIES as readonly string[]).includes(value))
    return undefined;
  return `onAccepted must be "fail" (refuse to delete an accepted invitation, the default) or "retain" (leave the member and drop the resource); got ${show(value)}.`;
}

const CHECKS: Record<(typeof PROPERTIES)[number], (value: unknown) => string | undefined> = {
  orgId: (v) =>
    v === undefined
      ? "orgId is required: the 24-character hex id of the Atlas organization."
      : hexId("orgId", "organization", v),
  username: (v) =>
    v === undefined
      ? "username is required: the email address of the person to invite."
      : checkUsername(v),
  roles: (v) =>
    checkStringList("roles", v, checkOrgRole, { required: true, noun: "organization role" }),
  teamIds: (v) =>
    checkStringList("teamIds", v, (id, i) => hexId(`teamIds[${i}]`, "team", id), {
      required: false,
      noun: "team id",
    }),
  groupRoleAssignments: checkGroupRoleAssignments,
  onAccepted: checkOnAccepted,
};

/** Returns the failures for a set of new inputs; an empty list means they are valid. */
export function validateInputs(news: Record<string, unknown>): Failures {
  const failures: Failures = [];
  for (const property of PROPERTIES) {
    const value = news[property];
    if (isUnknown(value)) continue;
    const reason = CHECKS[property](value);
    if (reason) failures.push({ property, reason });
  }
  for (const key of Object.keys(news)) {
    if (key === PROVIDER_KEY || (PROPERTIES as readonly string[]).includes(key)) continue;
    const near =
      SYNONYMS[key.toLowerCase()] ??
      PROPERTIES.find((p) => p.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
    failures.push({
      property: key,
      reason: `${key} is not an OrgInvitation input${near ? ` (did you mean ${near}?)` : ""}. Inputs are: ${PROPERTIES.join(", ")}.`,
    });
  }
  return failures;
}

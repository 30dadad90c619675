/**
 * Request validation with Atlas's error codes (emulator/README.md, "Errors"). Each function either
 * returns the clean value or throws an AtlasError naming the field (badRequestDetail.fields).
 */
import { AtlasError, badField } from "./errors";
import type { OrgState } from "./state";
import type { GroupRoleAssignmentRecord } from "./types";

/** Atlas ids are 24 lowercase hex digits (openapi slice: `^([a-f0-9]{24})$`). */
const ID_PATTERN = /^[a-f0-9]{24}$/;

export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/**
 * The `email` format of ajv-formats (fast mode), widened to internationalised addresses (RFC 6531,
 * JSON Schema's `idn-email`): letters, marks and digits of any script where it allows ASCII ones.
 * Whether Atlas accepts them is unrecorded (the slice says `format: email`, ASCII); accepting is
 * the least favourable answer, because it lets one address reach Atlas in two Unicode forms
 * (knob usernameNormalization). An ASCII address that passes here also passes the contract
 * tests' `format: email` check on the way back out; a non-ASCII one does not, and the tests that
 * send one say so.
 */
const EMAIL =
  /^[\p{L}\p{M}\p{N}.!#$%&'*+/=?^_`{|}~-]+@[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?)*$/iu;

function isEmail(value: unknown): value is string {
  return typeof value === "string" && value.length <= 254 && EMAIL.test(value);
}

/** OrganizationInvitationRequest.roles / OrgUserRolesRequest.orgRoles enum. */
const ORG_ROLES: ReadonlySet<string> = new Set([
  "ORG_OWNER",
  "ORG_MEMBER",
  "ORG_GROUP_CREATOR",
  "ORG_BILLING_ADMIN",
  "ORG_BILLING_READ_ONLY",
  "ORG_STREAM_PROCESSING_ADMIN",
  "ORG_READ_ONLY",
]);

/** The project-role enum was dropped from the spec (free string), so accept any GROUP_* name. */
const GROUP_ROLE = /^GROUP_[A-Z_]+$/;

export type JsonObject = Record<string, unknown>;

export function requireObject(body: unknown): JsonObject {
  if (body === undefined)
    throw new AtlasError(400, "MALFORMED_REQUEST", "The request body is missing.");
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AtlasError(400, "MALFORMED_REQUEST", "The request body must be a JSON object.");
  }
  return body as JsonObject;
}

/** Atlas refuses attributes a schema does not list: "Invalid attribute X specified." */
export function rejectUnknown(body: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw badField("INVALID_ATTRIBUTE", key, `Invalid attribute ${key} specified.`, [key]);
  }
}

export function requireId(value: string, errorCode: string, what: string): string {
  if (!isId(value)) {
    throw new AtlasError(400, errorCode, `The specified ${what} ${value} is invalid.`, {
      parameters: [value],
    });
  }
  return value;
}

export function parseUsername(value: unknown): string {
  if (!isEmail(value)) {
    const shown = typeof value === "string" ? value : String(value);
    throw badField(
      "INVALID_USERNAME",
      "username",
      `The username ${shown} is not a valid email address.`,
      [shown],
    );
  }
  return value;
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw badField(
      "INVALID_ATTRIBUTE",
      field,
      `Invalid attribute ${field} specified: expected an array of strings.`,
      [field],
    );
  }
  return [...new Set(value as string[])];
}

export function parseOrgRoles(value: unknown, field: string): string[] {
  if (value === undefined)
    throw badField(
      "INVALID_ATTRIBUTE",
      field,
      `The required attribute ${field} was not specified.`,
      [field],
    );
  const roles = stringArray(value, field);
  if (roles.length === 0)
    throw badField("INVALID_ATTRIBUTE", field, `At least one role is required in ${field}.`, [
      field,
    ]);
  for (const role of roles) {
    if (role.startsWith("GROUP_")) {
      throw badField(
        "INVALID_ROLE_FOR_ORG",
        field,
        `Role ${role} is a project role and cannot be assigned to an organization.`,
        [role],
      );
    }
    if (!ORG_ROLES.has(role))
      throw badField("INVALID_ENUM_VALUE", field, `Invalid enum value ${role} for ${field}.`, [
        role,
      ]);
  }
  return roles;
}

export function parseTeamIds(org: OrgState, value: unknown): string[] {
  const ids = stringArray(value, "teamIds");
  for (const id of ids) {
    if (!isId(id))
      throw badField("INVALID_TEAM_ID", "teamIds", `The team ID ${id} is invalid.`, [id]);
    if (!org.teams.has(id)) {
      throw badField(
        "INVALID_TEAM_ID",
        "teamIds",
        `No team with ID ${id} exists in organization ${org.id}.`,
        [id, org.id],
      );
    }
  }
  return ids;
}

/** `roleKey` is "roles" for invitations (OrganizationInvitationGroupRoleAssignmentsRequest), "groupRoles" for users. */
export function parseGroupRoles(
  org: OrgState,
  value: unknown,
  field: string,
  roleKey: "roles" | "groupRoles",
): GroupRoleAssignmentRecord[] {
  if (!Array.isArray(value))
    throw badField(
      "INVALID_ATTRIBUTE",
      field,
      `Invalid attribute ${field} specified: expected an array.`,
      [field],
    );
  const byGroup = new Map<string, Set<string>>();
  for (const entry of value as unknown[]) {
    const item = requireObject(entry);
    rejectUnknown(item, ["groupId", roleKey]);
    const groupId = item["groupId"];
    if (!isId(groupId))
      throw badField(
        "INVALID_GROUP_ID",
        `${field}.groupId`,
        `The project ID ${String(groupId)} is invalid.`,
        [String(groupId)],
      );
    if (!org.projects.has(groupId)) {
      throw badField(
        "INVALID_GROUP_ID",
        `${field}.groupId`,
        `No project with ID ${groupId} exists in organization ${org.id}.`,
        [groupId, org.id],
      );
    }
    const roles = stringArray(item[roleKey] ?? [], `${field}.${roleKey}`);
    for (const role of roles) {
      if (!GROUP_ROLE.test(role))
        throw badField(
          "INVALID_ENUM_VALUE",
          `${field}.${roleKey}`,
          `Invalid project role ${role}.`,
          [role],
        );
    }
    const set = byGroup.get(groupId) ?? new Set<string>();
    for (const role of roles) set.add(role);
    byGroup.set(groupId, set);
  }
  return [...byGroup].map(([groupId, roles]) => ({ groupId, roles: [...roles] }));
}

export function checkDomain(org: OrgState, username: string): void {
  if (!org.domainAllowList) return;
  const domain = username.slice(username.lastIndexOf("@") + 1).toLowerCase();
  if (!org.domainAllowList.some((d) => d.toLowerCase() === domain)) {
    throw badField(
      "DOMAIN_NOT_IN_ALLOW_LIST",
      "username",
      `The email domain ${domain} is not in this organization's allow list.`,
      [domain],
    );
  }
}

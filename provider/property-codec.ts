/**
 * The boundary between the engine's untyped property bags and the typed model: inputs and stored
 * state are parsed here once, and outputs are written here once. Nothing else in the provider
 * reads a property bag.
 */
import type { OrgRole } from "./atlas/types";
import { InvitationStateError } from "./errors";
import {
  DECLARED_TWICE_KEY,
  DEFAULT_ON_ACCEPTED,
  ON_ACCEPTED_POLICIES,
  PROVIDER_KEY,
  isUnknown,
} from "./model";
import type {
  DeclaredInvitation,
  GroupRoleAssignment,
  InvitationState,
  InvitationStatus,
  OnAcceptedPolicy,
  OrgInvitationOutputs,
  PendingInvitation,
} from "./model";
import { preferDeclared, sameGroupRoles, sameUsername } from "./identity";

/** The engine's property bags: inputs and outputs as plain JSON objects. */
export type Props = Record<string, unknown>;

class Reader {
  constructor(
    private readonly id: string,
    private readonly props: Props,
  ) {}

  fail(field: string, problem: string): never {
    throw new InvitationStateError({ id: this.id, field, problem });
  }

  string(field: string): string {
    const v = this.props[field];
    return typeof v === "string" && v !== "" ? v : this.fail(field, "no string value");
  }

  optionalString(field: string): string | undefined {
    const v = this.props[field];
    if (v === undefined || v === null) return undefined;
    return typeof v === "string" ? v : this.fail(field, "a value that is not a string");
  }

  strings(field: string): string[] {
    const v = this.props[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      return this.fail(field, "a value that is not a list of strings");
    }
    return [...(v as string[])];
  }

  groupRoles(field: string): GroupRoleAssignment[] {
    const v = this.props[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(field, "a value that is not a list");
    return v.map((entry: unknown, i) => {
      const e = entry as { groupId?: unknown; roles?: unknown } | null;
      if (typeof e !== "object" || e === null || typeof e.groupId !== "string") {
        return this.fail(`${field}[${i}].groupId`, "no string value");
      }
      if (!Array.isArray(e.roles) || !e.roles.every((r) => typeof r === "string")) {
        return this.fail(`${field}[${i}].roles`, "a value that is not a list of strings");
      }
      return { groupId: e.groupId, roles: [...(e.roles as string[])] };
    });
  }

  policy(field: string): OnAcceptedPolicy {
    const v = this.props[field];
    if (v === undefined || v === null) return DEFAULT_ON_ACCEPTED;
    const p = ON_ACCEPTED_POLICIES.find((x) => x === v);
    return p ?? this.fail(field, `a value other than "fail" or "retain"`);
  }
}

/**
 * Declared values from inputs that `check` accepted (or the declared part of stored state).
 * @throws InvitationStateError naming a field that cannot be read
 */
export function parseDeclared(props: Props, id = ""): DeclaredInvitation {
  const r = new Reader(id, props);
  return {
    orgId: r.string("orgId"),
    username: r.string("username"),
    roles: r.strings("roles") as OrgRole[],
    teamIds: r.strings("teamIds"),
    groupRoleAssignments: r.groupRoles("groupRoleAssignments"),
    onAccepted: r.policy("onAccepted"),
  };
}

/**
 * Stored state, as written by this version or an earlier one (state written by 0.1.0 has no
 * `userId`; resources made on the org users API have no `invitationId`).
 * @throws InvitationStateError naming a field that cannot be read
 */
export function parseState(id: string, props: Props): InvitationState {
  const r = new Reader(id, props);
  const state: InvitationState = {
    id,
    declared: parseDeclared(props, id),
    status: r.optionalString("status") ?? "PENDING",
  };
  const invitationId = r.optionalString("invitationId");
  const userId = r.optionalString("userId");
  if (invitationId !== undefined) state.invitationId = invitationId;
  if (userId !== undefined) state.userId = userId;
  if (state.invitationId === undefined && state.userId === undefined && id !== "") {
    // State from 0.1.0 always had invitationId; a bare id is the invitation id there too.
    state.invitationId = id;
  }
  for (const field of ["orgName", "createdAt", "expiresAt", "inviterUsername"] as const) {
    const v = r.optionalString(field);
    if (v !== undefined) state[field] = v;
  }
  return state;
}

/**
 * The inputs a refresh hands back to the engine: the declared properties as Atlas now holds them
 * (roles, teams and project roles after an admin's edit), the rest as declared.
 */
export function toInputs(state: InvitationState): Props {
  const { orgId, username, roles, teamIds, groupRoleAssignments, onAccepted } = toOutputs(state);
  return { orgId, username, roles, teamIds, groupRoleAssignments, onAccepted };
}

/** The plain-JSON outputs of a state: every field Atlas did not report is absent. */
export function toOutputs(state: InvitationState): OrgInvitationOutputs {
  const d = state.declared;
  const out: OrgInvitationOutputs = {
    orgId: d.orgId,
    username: d.username,
    roles: [...d.roles],
    teamIds: [...d.teamIds],
    groupRoleAssignments: d.groupRoleAssignments.map((g) => ({
      groupId: g.groupId,
      roles: [...g.roles],
    })),
    onAccepted: d.onAccepted,
    status: state.status,
  };
  for (const field of [
    "invitationId",
    "userId",
    "orgName",
    "createdAt",
    "expiresAt",
    "inviterUsername",
  ] as const) {
    const v = state[field];
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/**
 * The state after Atlas reported `pending` for what was `declared`. Lists keep the declared order
 * when they hold the same values, and show Atlas's values when they differ (drift the next `up`
 * reverts). What is already known is kept (`previous`): the resource id never changes, and the
 * org users API, which does not report the org's name, does not erase it.
 */
export function stateFromPending(
  pending: PendingInvitation,
  declared: DeclaredInvitation,
  previous?: InvitationState,
  status: InvitationStatus = "PENDING",
): InvitationState {
  const invitationId = pending.invitationId ?? previous?.invitationId;
  const userId = pending.userId ?? previous?.userId;
  const id = previous?.id ?? invitationId ?? userId ?? "";
  const state: InvitationState = {
    id,
    declared: {
      orgId: declared.orgId,
      // Atlas may hold another spelling of the same address; state keeps the program's. An answer
      // without `username` (optional in the spec's OrgInvitation) keeps the declared address too:
      // state must always be readable back, and "" is not (issue 19, item 7).
      username:
        pending.username === "" || sameUsername(pending.username, declared.username)
          ? declared.username
          : pending.username,
      roles: preferDeclared(declared.roles, pending.roles),
      teamIds: preferDeclared(declared.teamIds, pending.teamIds),
      groupRoleAssignments: sameGroupRoles(
        declared.groupRoleAssignments,
        pending.groupRoleAssignments,
      )
        ? declared.groupRoleAssignments.map((g) => ({ groupId: g.groupId, roles: [...g.roles] }))
        : pending.groupRoleAssignments,
      onAccepted: declared.onAccepted,
    },
    status,
  };
  if (invitationId !== undefined) state.invitationId = invitationId;
  if (userId !== undefined) state.userId = userId;
  for (const field of ["orgName", "createdAt", "expiresAt", "inviterUsername"] as const) {
    const value = pending[field] ?? previous?.[field];
    if (value !== undefined) state[field] = value;
  }
  return state;
}

/** Inputs as the engine should store them: nulls dropped, the default `onAccepted` made explicit. */
/** The person a property bag declares, when its organization and address are known strings. */
export function declaredPersonOf(props: Props): { orgId: string; username: string } | undefined {
  const { orgId, username } = props;
  if (typeof orgId !== "string" || typeof username !== "string") return undefined;
  if (isUnknown(orgId) || isUnknown(username) || orgId === "" || username === "") return undefined;
  return { orgId, username };
}

/**
 * Splits the program's duplicate mark (`DECLARED_TWICE_KEY`) from the inputs. A mark that is
 * unknown (preview) or unreadable counts as none: the provider's own guard (claims.ts) remains.
 */
export function takeDeclaredTwiceMark(news: Props): {
  inputs: Props;
  other: { resource: string; username: string } | undefined;
} {
  const { [DECLARED_TWICE_KEY]: mark, ...inputs } = news;
  let other: { resource: string; username: string } | undefined;
  if (typeof mark === "string" && !isUnknown(mark)) {
    try {
      const parsed: unknown = JSON.parse(mark);
      if (typeof parsed === "object" && parsed !== null) {
        const { resource, username } = parsed as Record<string, unknown>;
        if (typeof resource === "string" && typeof username === "string") {
          other = { resource, username };
        }
      }
    } catch {
      other = undefined;
    }
  }
  return { inputs, other };
}

export function normalizeInputs(news: Props): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(news)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (out["onAccepted"] === undefined) out["onAccepted"] = DEFAULT_ON_ACCEPTED;
  return out;
}

export { PROVIDER_KEY };

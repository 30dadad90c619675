/**
 * The resource's data model, parsed once at the provider boundary (provider.ts) into typed values
 * and turned back into plain JSON only on the way out. The engine rejects `undefined` anywhere in
 * outputs and turns Date or Map into `{}` (Pulumi dynamic-provider contract), so optional fields
 * are omitted, never undefined.
 */
import type { OrgRole } from "./atlas/types";
import { variableOf } from "./settings-table";

/** What `pulumi destroy` does once the invitation was accepted. */
export type OnAcceptedPolicy = "fail" | "retain";
export const ON_ACCEPTED_POLICIES: readonly OnAcceptedPolicy[] = ["fail", "retain"];
export const DEFAULT_ON_ACCEPTED: OnAcceptedPolicy = "fail";

/**
 * The environment variable that makes every delete of this run leave an accepted invitation's
 * member in place (`retain`), whatever the resource's own `onAccepted`. An environment variable,
 * not stack config: `pulumi destroy`, and an `up` whose program no longer declares an
 * `OrgInvitation`, configure the provider from the config stored in the state at the last
 * update, so a config value set since never reaches that delete; the provider process inherits
 * the CLI's environment at every command. It reaches what no program edit can: a resource removed
 * from the program, and the old half of a replacement waiting as a pending delete (README,
 * "Accepted invitations and stack teardown in pipelines").
 */
export const ON_ACCEPTED_ENV: string = variableOf("onAccepted");

/** `PENDING` or `ACCEPTED` today; an open set, so a later version's value does not break a refresh. */
export type InvitationStatus = "PENDING" | "ACCEPTED" | (string & Record<never, never>);

/** Project roles granted on acceptance (the request shape of Atlas's invitations). */
export interface GroupRoleAssignment {
  /** 24 lower-case hex characters: the project (group) id. */
  groupId: string;
  /** Project roles such as `GROUP_READ_ONLY`. */
  roles: string[];
}

/** One invitation as declared, after `check` validated and normalized it. */
export interface DeclaredInvitation {
  orgId: string;
  /** The email address, spelled as declared. */
  username: string;
  roles: OrgRole[];
  /** Empty when none are declared: an update then clears them in Atlas. */
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignment[];
  onAccepted: OnAcceptedPolicy;
}

/** A pending invitation as Atlas reports it, in the invitation vocabulary of either API. */
export interface PendingInvitation {
  /** The invitation id (invites API). */
  invitationId?: string | undefined;
  /** The pending org user's id (org users API); never equal to the invitation id. */
  userId?: string | undefined;
  orgId: string;
  orgName?: string | undefined;
  username: string;
  roles: OrgRole[];
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignment[];
  createdAt?: string | undefined;
  expiresAt?: string | undefined;
  inviterUsername?: string | undefined;
}

/** One invitation's state: what was declared, plus what Atlas last reported. */
export interface InvitationState {
  /** The resource id: the invitation id, or the user id for one made on the org users API. */
  id: string;
  declared: DeclaredInvitation;
  invitationId?: string | undefined;
  userId?: string | undefined;
  orgName?: string | undefined;
  createdAt?: string | undefined;
  expiresAt?: string | undefined;
  inviterUsername?: string | undefined;
  status: InvitationStatus;
}

/**
 * The plain-JSON outputs of one `OrgInvitation`, as stored in state. Timestamps are ISO 8601 UTC
 * (`2026-08-10T03:03:37Z`); ids are 24 lower-case hex characters.
 */
export interface OrgInvitationOutputs {
  /** The organization id. */
  orgId: string;
  /** The email address, as declared (another spelling only if Atlas holds another person). */
  username: string;
  /** Organization roles: as declared, or as Atlas holds them when they differ (drift). */
  roles: OrgRole[];
  /** Team ids: as declared, or as Atlas holds them when they differ (drift). */
  teamIds: string[];
  /** Project role grants: as declared, or as Atlas holds them when they differ (drift). */
  groupRoleAssignments: GroupRoleAssignment[];
  /** What destroy does once the invitation was accepted. */
  onAccepted: OnAcceptedPolicy;
  /** The invitation id (invites API); also the resource id of invitations made there. */
  invitationId?: string;
  /** The pending org user's id (org users API), once known. */
  userId?: string;
  /** The organization's name. */
  orgName?: string;
  /** When the invitation was sent, ISO 8601 UTC. */
  createdAt?: string;
  /** When it expires unless accepted (30 days after it was sent), ISO 8601 UTC. */
  expiresAt?: string;
  /** Who sent it: the API key's public key or the service account's client id. */
  inviterUsername?: string;
  /** `PENDING`, or `ACCEPTED` once a refresh saw the person become an active member. */
  status: InvitationStatus;
}

/** Pulumi puts this in every resource's inputs and outputs; the provider passes it through. */
export const PROVIDER_KEY = "__provider";

/**
 * The program's mark on an `OrgInvitation` whose person another `OrgInvitation` of the same
 * program run also declares (program-claims.ts): JSON `{"resource": name, "username": spelling}`
 * of that other resource. Absent otherwise; `check` refuses a marked resource and never passes
 * the mark on, so it reaches neither state nor a diff.
 */
export const DECLARED_TWICE_KEY = "__declaredTwice";

/** What the engine sends for a value not known yet during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

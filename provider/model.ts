/**
 * The resource's data model: what users declare (inputs) and what state holds (outputs). Both are
 * plain JSON: the engine rejects `undefined` anywhere in outputs (see
 * ../shared/docs/pulumi-dynamic-providers.md), so optional fields are omitted, never undefined.
 */
import type { OrgRole } from "./atlas/types";

/** What to do when `pulumi destroy` meets an invitation the user already accepted. */
export type OnAcceptedPolicy = "fail" | "retain";
export const ON_ACCEPTED_POLICIES: readonly OnAcceptedPolicy[] = ["fail", "retain"];
export const DEFAULT_ON_ACCEPTED: OnAcceptedPolicy = "fail";

/** Known values today; an open set, since later backends may report more. */
export type InvitationStatus = "PENDING" | "ACCEPTED" | (string & Record<never, never>);

/** Project roles granted when the invitation is accepted (the request shape of Atlas). */
export interface GroupRoleAssignment {
  /** 24-hex project (group) id. */
  groupId: string;
  /** Project roles such as `GROUP_READ_ONLY`. */
  roles: string[];
}

/** Resolved inputs of one invitation, as the provider receives them. */
export interface OrgInvitationInputs {
  orgId: string;
  username: string;
  roles: OrgRole[];
  teamIds?: string[];
  groupRoleAssignments?: GroupRoleAssignment[];
  onAccepted?: OnAcceptedPolicy;
}

/** State of one invitation: the inputs, normalized, plus what Atlas reported. */
export interface OrgInvitationOutputs {
  orgId: string;
  username: string;
  roles: OrgRole[];
  teamIds: string[];
  groupRoleAssignments: GroupRoleAssignment[];
  onAccepted: OnAcceptedPolicy;
  /** The invitation id; also the resource id. */
  invitationId: string;
  orgName?: string;
  createdAt?: string;
  expiresAt?: string;
  inviterUsername?: string;
  status: InvitationStatus;
}

/** Pulumi puts this in every resource's inputs and outputs; the provider passes it through. */
export const PROVIDER_KEY = "__provider";

/** What the engine sends for a value not known yet during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

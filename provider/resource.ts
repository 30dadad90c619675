/**
 * `OrgInvitation`, the resource users declare. Its provider is the `./runtime` module itself, which
 * the closure serializer writes as `require("<package>/runtime")` (see runtime.ts): no code, client
 * object or credential is ever captured into state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { OrgRole } from "./atlas/types";
import type {
  GroupRoleAssignment,
  InvitationStatus,
  OnAcceptedPolicy,
  OrgInvitationOutputs,
} from "./model";
import { DECLARED_TWICE_KEY } from "./model";
import { declaredTwiceMark } from "./program-claims";
import * as runtime from "./runtime";

/**
 * The runtime module satisfies the provider contract; checked here at compile time. Outputs admit
 * plain props because `read` hands back inputs, which the SDK types as outputs (ReadResult.inputs).
 */
const runtimeProvider: pulumi.dynamic.ResourceProvider<
  Record<string, unknown>,
  OrgInvitationOutputs | Record<string, unknown>
> = runtime;

/** Project roles granted when the invitation is accepted. */
export interface GroupRoleAssignmentArgs {
  /** The project (group) id: 24 lower-case hex characters. */
  groupId: pulumi.Input<string>;
  /**
   * Project roles, such as `GROUP_READ_ONLY` or `GROUP_DATA_ACCESS_READ_WRITE` (at least one, each
   * once). A name one or two letters from a known project role fails `check` with "did you mean".
   */
  roles: pulumi.Input<pulumi.Input<string>[]>;
}

/** The inputs of an `OrgInvitation`. Lists are sets: reordering them is never a change. */
export interface OrgInvitationArgs {
  /** The Atlas organization id: 24 lower-case hex characters. Changing it replaces the invitation. */
  orgId: pulumi.Input<string>;
  /**
   * The email address of the person to invite. Changing it replaces the invitation; a change of
   * letter case only is not a change (addresses are compared without regard to case).
   */
  username: pulumi.Input<string>;
  /**
   * Organization roles (at least one, each once), such as `ORG_MEMBER` or `ORG_READ_ONLY`. Updated
   * in place. Roles are an open set; a name one or two letters from a known role fails `check`
   * with "did you mean".
   */
  roles: pulumi.Input<pulumi.Input<OrgRole>[]>;
  /** Team ids (24 lower-case hex) the person joins on acceptance. Updated in place; an empty list clears them. */
  teamIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Projects and project roles granted on acceptance. Updated in place. */
  groupRoleAssignments?: pulumi.Input<pulumi.Input<GroupRoleAssignmentArgs>[]>;
  /**
   * What `pulumi destroy` does once the invitation was accepted. The member is never removed
   * either way:
   * - `"fail"`: refuse, naming the person and the two ways forward;
   * - `"retain"`: leave the member in place, drop the resource from the stack, and warn.
   * Changing it is a state-only update (no API call), even after acceptance.
   * @default "fail"
   */
  onAccepted?: pulumi.Input<OnAcceptedPolicy>;
}

/**
 * A MongoDB Atlas organization invitation: created on `pulumi up`, refreshed on `pulumi refresh`,
 * cancelled on `pulumi destroy`. An invitation the person accepted is never cancelled and the
 * member is never removed.
 *
 * - create: adopts the person's pending invitation if there is one (and brings it to the
 *   declaration), else sends one. Fails with `UserAlreadyMemberError` for an active member, with
 *   `InvitationDeclaredTwiceError` when another resource of the deployment declares the same
 *   person or already manages their invitation, with `InvitationInputRejectedError` when Atlas
 *   refuses an input. Two resources of one program run that declare the same person both fail
 *   `check` (at preview) on `username`.
 * - refresh: pending outputs from Atlas (drift shows); `status: ACCEPTED` once the person is a
 *   member; gone when the invitation expired, was rejected or was cancelled elsewhere.
 * - update: roles and teams in place; after acceptance, a state-only update with a warning.
 *   Fails with `InvitationGoneError` when the invitation expired or was cancelled meanwhile.
 * - destroy: cancels a pending invitation; an accepted one fails with `InvitationAcceptedError`
 *   under `onAccepted: "fail"`, or is dropped with a warning under `"retain"`.
 *
 * Every step can also fail with the client's errors: `AtlasApiError`, `AtlasNetworkError`,
 * `AtlasTimeoutError`, `AtlasProtocolError`, `AtlasAuthenticationError`, `AtlasProxyError`,
 * `AtlasTlsError`, `AtlasDeadlineError`; and `AtlasConfigurationError` at preview for missing or
 * bad settings. Credentials come from the `mongodbatlas:*` config keys or `MONGODB_ATLAS_*`
 * variables of the official Atlas provider (README, "Credentials").
 *
 * @example
 * ```ts
 * import { OrgInvitation } from "pulumi-atlas-org-invitations";
 *
 * const alice = new OrgInvitation("alice", {
 *   orgId: "5f1e2d3c4b5a69788776655a",
 *   username: "alice@example.com",
 *   roles: ["ORG_MEMBER"],
 *   teamIds: ["5f1e2d3c4b5a69788776655b"],
 *   groupRoleAssignments: [{ groupId: "5f1e2d3c4b5a69788776655c", roles: ["GROUP_READ_ONLY"] }],
 *   onAccepted: "retain",
 * });
 * export const aliceStatus = alice.status; // "PENDING", then "ACCEPTED" after a refresh
 * ```
 */
export class OrgInvitation extends pulumi.dynamic.Resource {
  // `declare`: fields with initializers would overwrite the outputs the base class sets.
  /** The organization id, 24 lower-case hex characters. */
  declare readonly orgId: pulumi.Output<string>;
  /** The email address, as declared. */
  declare readonly username: pulumi.Output<string>;
  /** Organization roles: as declared, or as Atlas holds them after a refresh showed drift. */
  declare readonly roles: pulumi.Output<OrgRole[]>;
  /** Team ids: as declared (empty when none), or as Atlas holds them after drift. */
  declare readonly teamIds: pulumi.Output<string[]>;
  /** Project role grants: as declared (empty when none), or as Atlas holds them after drift. */
  declare readonly groupRoleAssignments: pulumi.Output<GroupRoleAssignment[]>;
  /** What destroy does once the invitation was accepted: `"fail"` or `"retain"`. */
  declare readonly onAccepted: pulumi.Output<OnAcceptedPolicy>;
  /**
   * The invitation id (24 lower-case hex), and the resource id of an invitation made on the
   * invites API. Absent for an invitation made on the org users API, which has none.
   */
  declare readonly invitationId: pulumi.Output<string | undefined>;
  /**
   * The pending org user's id (24 lower-case hex; never the invitation id), once the org users
   * API was used: the resource id of invitations made there.
   */
  declare readonly userId: pulumi.Output<string | undefined>;
  /** The organization's name, as the invites API reports it. */
  declare readonly orgName: pulumi.Output<string | undefined>;
  /** When the invitation was sent: ISO 8601 UTC, e.g. `2026-08-10T03:03:37Z`. */
  declare readonly createdAt: pulumi.Output<string | undefined>;
  /** When it expires unless accepted (30 days after it was sent): ISO 8601 UTC. */
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  /** Who sent it: the API key's public key or the service account's client id. */
  declare readonly inviterUsername: pulumi.Output<string | undefined>;
  /** `PENDING`, or `ACCEPTED` once a refresh saw the person become an active member (an open set). */
  declare readonly status: pulumi.Output<InvitationStatus>;

  /**
   * @param name - the Pulumi resource name; unique in the stack
   * @param args - the invitation; see `OrgInvitationArgs`
   * @param opts - the usual resource options
   */
  constructor(name: string, args: OrgInvitationArgs, opts?: pulumi.CustomResourceOptions) {
    // A fresh object: the base class writes `__provider` into the props it is given.
    const props: Record<string, unknown> = {
      invitationId: undefined,
      userId: undefined,
      orgName: undefined,
      createdAt: undefined,
      expiresAt: undefined,
      inviterUsername: undefined,
      status: undefined,
      teamIds: undefined,
      groupRoleAssignments: undefined,
      onAccepted: undefined,
      ...args,
      [DECLARED_TWICE_KEY]: declaredTwiceMark(name, args.orgId, args.username),
    };
    super(runtimeProvider, name, props, opts, "atlas", "OrgInvitation");
  }
}

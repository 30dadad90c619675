/**
 * `OrgInvitation`, the resource users declare. Its provider is the `./runtime` module itself, which
 * the closure serializer writes as `require("<package>/runtime")` (see runtime.ts): no code, client
 * object or credential is ever captured into state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { OrgRole } from "./atlas/types";
import type { OnAcceptedPolicy, OrgInvitationOutputs } from "./model";
import * as runtime from "./runtime";

/** The runtime module satisfies the provider contract; checked here at compile time. */
const runtimeProvider: pulumi.dynamic.ResourceProvider<
  Record<string, unknown>,
  OrgInvitationOutputs
> = runtime;

/** Project roles granted when the invitation is accepted. */
export interface GroupRoleAssignmentArgs {
  /** The project (group) id: 24 lower-case hex characters. */
  groupId: pulumi.Input<string>;
  /** Project roles such as `GROUP_READ_ONLY`. */
  roles: pulumi.Input<pulumi.Input<string>[]>;
}

export interface OrgInvitationArgs {
  /** The Atlas organization id: 24 lower-case hex characters. Changing it replaces the invitation. */
  orgId: pulumi.Input<string>;
  /** Email address of the person to invite. Changing it replaces the invitation. */
  username: pulumi.Input<string>;
  /** Organization roles (at least one), such as `ORG_MEMBER`. Updated in place. */
  roles: pulumi.Input<pulumi.Input<OrgRole>[]>;
  /** Teams to add the user to on acceptance. Updated in place. */
  teamIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Projects and project roles to grant on acceptance. Updated in place. */
  groupRoleAssignments?: pulumi.Input<pulumi.Input<GroupRoleAssignmentArgs>[]>;
  /**
   * What `pulumi destroy` does once the invitation was accepted: `"fail"` refuses and names the
   * ways forward; `"retain"` leaves the member in place, drops the resource and warns. The member
   * is never removed either way.
   * @default "fail"
   */
  onAccepted?: pulumi.Input<OnAcceptedPolicy>;
}

export class OrgInvitation extends pulumi.dynamic.Resource {
  // `declare`: fields with initializers would overwrite the outputs the base class sets.
  declare readonly orgId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  declare readonly roles: pulumi.Output<OrgRole[]>;
  declare readonly teamIds: pulumi.Output<string[]>;
  declare readonly groupRoleAssignments: pulumi.Output<{ groupId: string; roles: string[] }[]>;
  declare readonly onAccepted: pulumi.Output<OnAcceptedPolicy>;
  /** The invitation id (also the resource id). */
  declare readonly invitationId: pulumi.Output<string>;
  declare readonly orgName: pulumi.Output<string | undefined>;
  declare readonly createdAt: pulumi.Output<string | undefined>;
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  declare readonly inviterUsername: pulumi.Output<string | undefined>;
  /** `PENDING` or `ACCEPTED` (an open set). */
  declare readonly status: pulumi.Output<string>;

  constructor(name: string, args: OrgInvitationArgs, opts?: pulumi.CustomResourceOptions) {
    // A fresh object: the base class writes `__provider` into the props it is given.
    const props: Record<string, unknown> = {
      invitationId: undefined,
      orgName: undefined,
      createdAt: undefined,
      expiresAt: undefined,
      inviterUsername: undefined,
      status: undefined,
      teamIds: undefined,
      groupRoleAssignments: undefined,
      onAccepted: undefined,
      ...args,
    };
    super(runtimeProvider, name, props, opts, "atlas", "OrgInvitation");
  }
}

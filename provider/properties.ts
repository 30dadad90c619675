/**
 * The `OrgInvitation` resource's properties and the plugin package's names, defined once (issue
 * 21, item 2): `check` (validate.ts) takes its input list from here, and the package schema
 * (schema.ts, written to schema/schema.json by `npm run gen-sdk`) takes every name, shape, flag
 * and description from here and from the settings table (settings-table.ts). The wording is the
 * README's ("The `OrgInvitation` resource"). What the code does with each property (the codec in
 * property-codec.ts, the replacements in diff.ts) is checked against this table by
 * test/unit/schema.test.ts, so a property added in one place and not the other fails there.
 */
import { DEFAULT_ON_ACCEPTED } from "./model";
import type { OnAcceptedPolicy } from "./model";
import { PLUGIN_CONFIG_NAMESPACE } from "./settings-table";
import type { SettingName } from "./settings-table";

/**
 * The provider plugin's Pulumi package name: the prefix of its type tokens, the namespace of its
 * stack config (settings-table.ts `PLUGIN_CONFIG_NAMESPACE`: one package, one namespace), and its
 * executable's suffix (`pulumi-resource-atlasorginvitations`). Not `atlas-org-invitations`, which
 * is this repository's own Pulumi project (Pulumi.yaml) and its config namespace.
 */
export const PLUGIN_PACKAGE: "atlasorginvitations" = PLUGIN_CONFIG_NAMESPACE;

/** The type token of the resource under the plugin: `atlasorginvitations:index:OrgInvitation`. */
export const ORG_INVITATION_TYPE = `${PLUGIN_PACKAGE}:index:OrgInvitation`;

/** What a property holds, in the schema's terms (schema.ts maps each to a type). */
export type PropertyShape = "string" | "strings" | "groupRoleAssignments" | "onAcceptedPolicy";

/** One input of `OrgInvitation`; every input is also an output of the same name. */
export interface InputDefinition {
  shape: PropertyShape;
  /** Whether `check` refuses inputs without it. */
  required: boolean;
  /** Whether a change replaces the invitation (diff.ts decides; this documents it). */
  replaces: boolean;
  /** The default the provider fills in when the input is absent, as the schema writes it. */
  default?: OnAcceptedPolicy;
  /** As an input: what to declare. */
  input: string;
  /** As an output: what the state holds. */
  output: string;
}

/** The inputs, in the order `check` validates them and its messages list them. */
export const INPUT_NAMES = [
  "orgId",
  "username",
  "roles",
  "teamIds",
  "groupRoleAssignments",
  "onAccepted",
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export const INPUTS: Readonly<Record<InputName, InputDefinition>> = {
  orgId: {
    shape: "string",
    required: true,
    replaces: true,
    input:
      "The Atlas organization id: 24 lower-case hex characters. Changing it replaces the invitation.",
    output: "The organization id, 24 lower-case hex characters.",
  },
  username: {
    shape: "string",
    required: true,
    replaces: true,
    input:
      "The person's email address; a change of letter case or Unicode form only is not a change. " +
      "Changing it otherwise replaces the invitation.",
    output: "The email address, as declared (another spelling only if Atlas holds another person).",
  },
  roles: {
    shape: "strings",
    required: true,
    replaces: false,
    input:
      "At least one organization role (`ORG_MEMBER`, `ORG_READ_ONLY`, ...), each once. Updated in place.",
    output: "Organization roles: as declared, or as Atlas holds them when they differ (drift).",
  },
  teamIds: {
    shape: "strings",
    required: false,
    replaces: false,
    input:
      "Teams to join on acceptance (24 lower-case hex ids); removing them all clears them in Atlas. " +
      "Updated in place.",
    output:
      "Team ids: as declared (empty when none), or as Atlas holds them when they differ (drift).",
  },
  groupRoleAssignments: {
    shape: "groupRoleAssignments",
    required: false,
    replaces: false,
    input: "Projects and project roles (`GROUP_*`) granted on acceptance. Updated in place.",
    output:
      "Project role grants: as declared (empty when none), or as Atlas holds them when they differ (drift).",
  },
  onAccepted: {
    shape: "onAcceptedPolicy",
    required: false,
    replaces: false,
    default: DEFAULT_ON_ACCEPTED,
    input:
      "What destroy does once the invitation was accepted: `fail` (the default) refuses, naming " +
      "the person and the two ways forward; `retain` leaves the member in place, drops the " +
      "resource from the stack, and warns. A state-only change: changing it never calls Atlas.",
    output: "What destroy does once the invitation was accepted: `fail` or `retain`.",
  },
};

/** An output that is not an input: what Atlas reported. */
export interface OutputDefinition {
  /** Whether every state has it (the others are absent where Atlas did not report them). */
  always: boolean;
  description: string;
}

/** The outputs besides the inputs, in the order the schema lists them. */
export const REPORTED_OUTPUT_NAMES = [
  "invitationId",
  "userId",
  "orgName",
  "createdAt",
  "expiresAt",
  "inviterUsername",
  "status",
] as const;

export type ReportedOutputName = (typeof REPORTED_OUTPUT_NAMES)[number];

export const REPORTED_OUTPUTS: Readonly<Record<ReportedOutputName, OutputDefinition>> = {
  invitationId: {
    always: false,
    description:
      "The invitation id, and the resource id of invitations made on the invites API. Absent for " +
      "an invitation made on the org users API, which has none.",
  },
  userId: {
    always: false,
    description:
      "The pending org user's id, once the org users API was used (never the invitation id; the " +
      "resource id of invitations made there).",
  },
  orgName: {
    always: false,
    description: "The organization's name, as the invites API reports it.",
  },
  createdAt: {
    always: false,
    description: "When the invitation was sent: ISO 8601 UTC, e.g. `2026-08-10T03:03:37Z`.",
  },
  expiresAt: {
    always: false,
    description:
      "When it expires unless accepted (invitations expire 30 days after they are sent): ISO 8601 UTC.",
  },
  inviterUsername: {
    always: false,
    description:
      "Who sent it: the API key's public key or the service account's client id, as Atlas reports it.",
  },
  status: {
    always: true,
    description:
      "`PENDING`, or `ACCEPTED` once a refresh saw the person become an active member. Treat it " +
      "as an open set.",
  },
};

/** The resource as a whole: the schema's resource description. */
export const ORG_INVITATION_DESCRIPTION =
  "A MongoDB Atlas organization invitation: created on `pulumi up`, refreshed on `pulumi refresh`, " +
  "cancelled on `pulumi destroy`. An invitation the person accepted is never cancelled and the " +
  "member is never removed.\n\n" +
  "A create adopts the person's pending invitation if there is one (and brings it to the " +
  "declaration), else sends one; it fails for a person who is already an active member, and for " +
  "a person another resource of the stack declares. A refresh shows drift made in the Atlas UI, " +
  "and `status: ACCEPTED` once the person is a member. Lists are sets: reordering any list is not " +
  "a change. Changing `orgId` or `username` replaces the invitation; everything else is updated " +
  "in place.";

/** The object type of `groupRoleAssignments` (model.ts `GroupRoleAssignment`). */
export const GROUP_ROLE_ASSIGNMENT = {
  description: "Projects and project roles granted when the invitation is accepted.",
  fields: {
    groupId: {
      shape: "string",
      description: "The project (group) id: 24 lower-case hex characters.",
    },
    roles: {
      shape: "strings",
      description:
        "Project roles (`GROUP_*`), such as `GROUP_READ_ONLY` or `GROUP_DATA_ACCESS_READ_WRITE` " +
        "(at least one, each once).",
    },
  },
} as const;

/** The enum type of `onAccepted`: one entry per policy of model.ts `ON_ACCEPTED_POLICIES`. */
export const ON_ACCEPTED_POLICY = {
  description:
    "What `pulumi destroy` does once the invitation was accepted. The member is never removed either way.",
  values: {
    fail: {
      name: "Fail",
      description: "Refuse, naming the person and the two ways forward (the default).",
    },
    retain: {
      name: "Retain",
      description: "Leave the member in place, drop the resource from the stack, and warn.",
    },
  },
} as const satisfies {
  description: string;
  values: Record<OnAcceptedPolicy, { name: string; description: string }>;
};

/** The settings a plugin's configuration carries: every setting but the environment-only one. */
export type PluginSettingName = Exclude<SettingName, "onAccepted">;

/**
 * What each setting is, in words; the settings table (settings-table.ts) has the rest (variables,
 * secrecy, default, range, values), and schema.ts writes both into one description.
 */
export interface SettingText {
  /** One clause, without a final period: the range or values are appended to it. */
  summary: string;
  /** Further sentences, when there is more to say. */
  details?: string;
}

export const SETTING_TEXT: Readonly<Record<PluginSettingName, SettingText>> = {
  baseUrl: {
    summary: "The Atlas base URL",
    details:
      "Must be `https://`; plain `http://` is accepted only for a loopback host (an emulator), so " +
      "credentials never cross a network in clear text.",
  },
  publicKey: {
    summary: "API public key, with `privateKey` (HTTP Digest)",
    details:
      "Credentials come whole from one source: a complete pair in the provider's configuration " +
      "wins over anything in the environment; within one source, a service account (`clientId`, " +
      "`clientSecret`) wins over an API key pair.",
  },
  privateKey: { summary: "API private key, with `publicKey`" },
  clientId: {
    summary:
      "Service account id, with `clientSecret` (OAuth; MongoDB's recommendation, and preferred " +
      "over an API key pair from the same source)",
  },
  clientSecret: { summary: "Service account secret, with `clientId`" },
  maxRetries: { summary: "Retries of one call after its first attempt" },
  requestTimeoutMs: {
    summary: "Timeout of each attempt in milliseconds, at most what is left of the budget",
  },
  deadlineMs: {
    summary: "Budget of one provider operation in milliseconds, every call and wait included",
  },
  api: {
    summary: "Which Atlas API invitations use",
    details:
      "`auto` uses the invites API while Atlas serves it and moves to the org users API at its " +
      "first 410 Gone; it also decides whether an import id names an invitation or an org user.",
  },
};

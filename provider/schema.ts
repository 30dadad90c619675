/**
 * The Pulumi package schema of the provider plugin (issue 21, item 2), derived from the one
 * definition of the resource (properties.ts) and of the settings (settings-table.ts), never
 * written by hand: `npm run gen-sdk` (scripts/gen-sdk.ts) writes it to schema/schema.json and
 * generates the SDKs from that file, and test/unit/schema.test.ts fails when the file is not what
 * `packageSchema()` returns. The format is Pulumi's package schema
 * (https://www.pulumi.com/docs/iac/extending-pulumi/schema/; metaschema in
 * github.com/pulumi/pulumi pkg/codegen/schema/pulumi.json), of which this writes the parts it uses.
 */
import { ON_ACCEPTED_POLICIES } from "./model";
import {
  GROUP_ROLE_ASSIGNMENT,
  INPUTS,
  INPUT_NAMES,
  ON_ACCEPTED_POLICY,
  ORG_INVITATION_DESCRIPTION,
  ORG_INVITATION_TYPE,
  PLUGIN_PACKAGE,
  REPORTED_OUTPUTS,
  REPORTED_OUTPUT_NAMES,
  SETTING_TEXT,
} from "./properties";
import type { PluginSettingName, PropertyShape } from "./properties";
import { SETTINGS, configKeyOf } from "./settings-table";
import type { SettingName } from "./settings-table";
import { PACKAGE_VERSION } from "./version";

/** One property of the schema (a subset of the metaschema's `propertySpec`). */
export interface SchemaProperty {
  type?: "string" | "integer" | "array";
  $ref?: string;
  items?: SchemaProperty;
  description?: string;
  default?: string | number;
  defaultInfo?: { environment: string[] };
  secret?: boolean;
  willReplaceOnChanges?: boolean;
}

/** An object or enum type of the schema. */
export interface SchemaType {
  type: "object" | "string";
  description: string;
  properties?: Record<string, SchemaProperty>;
  required?: string[];
  enum?: { name: string; value: string; description: string }[];
}

/** A resource of the schema. */
export interface SchemaResource {
  description: string;
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs: string[];
  properties: Record<string, SchemaProperty>;
  required: string[];
}

/** The package schema, with the sections this package uses. */
export interface PackageSchema {
  name: string;
  displayName: string;
  version: string;
  description: string;
  keywords: string[];
  license: string;
  homepage: string;
  repository: string;
  publisher: string;
  meta: { moduleFormat: string; supportPack: boolean };
  config: { variables: Record<string, SchemaProperty> };
  provider: { description: string; inputProperties: Record<string, SchemaProperty> };
  types: Record<string, SchemaType>;
  resources: Record<string, SchemaResource>;
  language: {
    nodejs: { packageName: string; packageDescription: string; respectSchemaVersion: boolean };
    python: { packageName: string; respectSchemaVersion: boolean; pyproject: { enabled: boolean } };
    go: {
      importBasePath: string;
      respectSchemaVersion: boolean;
      generateResourceContainerTypes: boolean;
    };
    csharp: {
      rootNamespace: string;
      namespaces: Record<string, string>;
      respectSchemaVersion: boolean;
    };
  };
}

/** Where the package lives; package.json has no `repository` yet (the schema test compares). */
export const REPOSITORY =
  "https://github.com/pulumi-atlas-org-invitations/pulumi-atlas-org-invitations";

/**
 * The SDK package names (schema/README.md, "Names"). The npm name is a scoped package of its own,
 * so it never collides with the dynamic provider's `pulumi-atlas-org-invitations`; the Python name
 * is Pulumi's convention `pulumi_<package>`; the Go path follows this repository's Go modules.
 */
export const SDK_NAMES = {
  nodejs: "@pulumi-atlas-org-invitations/sdk",
  python: `pulumi_${PLUGIN_PACKAGE}`,
  go: `github.com/pulumi-atlas-org-invitations/sdk/go/${PLUGIN_PACKAGE}`,
  csharp: "PulumiAtlas",
} as const;

const GROUP_TYPE = `${PLUGIN_PACKAGE}:index:GroupRoleAssignment`;
const POLICY_TYPE = `${PLUGIN_PACKAGE}:index:OnAcceptedPolicy`;

/** The plugin's config key of a setting: `atlasorginvitations:<name>` (settings-table.ts). */
export function pluginConfigKey(name: PluginSettingName): string {
  return configKeyOf(name, "plugin") ?? `${PLUGIN_PACKAGE}:${name}`;
}

/** The settings the plugin's configuration carries, in the settings table's order. */
export const PLUGIN_SETTINGS: readonly PluginSettingName[] = (
  Object.keys(SETTINGS) as SettingName[]
).filter((name): name is PluginSettingName => name !== "onAccepted");

function shapeOf(shape: PropertyShape): SchemaProperty {
  switch (shape) {
    case "string":
      return { type: "string" };
    case "strings":
      return { type: "array", items: { type: "string" } };
    case "groupRoleAssignments":
      return { type: "array", items: { $ref: `#/types/${GROUP_TYPE}` } };
    case "onAcceptedPolicy":
      return { $ref: `#/types/${POLICY_TYPE}` };
  }
}

const code = (value: string): string => `\`${value}\``;

/** `a`, `b` or `c`. */
function orList(values: readonly string[]): string {
  const quoted = values.map(code);
  return quoted.length <= 1
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** `A` (or `B`): the first variable set wins. */
function variables(name: PluginSettingName): string {
  const [first, ...others] = SETTINGS[name].env;
  return others.length === 0
    ? code(first ?? "")
    : `${code(first ?? "")} (or ${others.map(code).join(", ")})`;
}

/** What a setting is, its range or values, and its details: the start of both descriptions. */
function settingWords(name: PluginSettingName): string {
  const spec = SETTINGS[name];
  const text = SETTING_TEXT[name];
  const range = spec.range ? ` (${spec.range.min}-${spec.range.max})` : "";
  const values = spec.values ? `: ${orList(spec.values)}` : "";
  return [`${text.summary}${range}${values}.`, text.details].filter(Boolean).join(" ");
}

function defaultWords(name: PluginSettingName): string | undefined {
  const value = SETTINGS[name].default;
  if (value === undefined) return undefined;
  return `Default ${/^\d+$/.test(value) ? value : code(value)}.`;
}

function settingType(name: PluginSettingName): SchemaProperty {
  return { type: SETTINGS[name].range ? "integer" : "string" };
}

function configVariable(name: PluginSettingName): SchemaProperty {
  const spec = SETTINGS[name];
  const description = [
    settingWords(name),
    spec.secret
      ? "A secret: set it with `pulumi config set --secret` (Pulumi stores it encrypted); never " +
        "written to logs or error messages."
      : undefined,
    defaultWords(name) ?? "No default.",
    `Config ${code(pluginConfigKey(name))} (the dynamic provider's ${code(spec.config ?? "")}), ` +
      `or env ${variables(name)}.`,
  ]
    .filter(Boolean)
    .join(" ");
  const variable: SchemaProperty = { ...settingType(name), description };
  if (spec.secret) variable.secret = true;
  if (spec.default !== undefined) {
    variable.default = spec.range ? Number(spec.default) : spec.default;
  }
  variable.defaultInfo = { environment: [...spec.env] };
  return variable;
}

/**
 * An explicit provider's input: no `default` and no `defaultInfo`, on purpose. Either would make
 * the generated `Provider` constructors read the variables in the program and send them as inputs
 * (into the state), and a default sent as an input would beat a variable; the plugin reads the
 * variables itself, as the dynamic provider does (schema/README.md).
 */
function providerInput(name: PluginSettingName): SchemaProperty {
  const spec = SETTINGS[name];
  const description = [
    settingWords(name),
    spec.secret ? "A secret." : undefined,
    defaultWords(name),
    `Where unset, env ${variables(name)}.`,
  ]
    .filter(Boolean)
    .join(" ");
  return { ...settingType(name), description, ...(spec.secret && { secret: true }) };
}

function resource(): SchemaResource {
  const inputProperties: Record<string, SchemaProperty> = {};
  const properties: Record<string, SchemaProperty> = {};
  for (const name of INPUT_NAMES) {
    const def = INPUTS[name];
    const replace = def.replaces ? { willReplaceOnChanges: true } : {};
    inputProperties[name] = {
      ...shapeOf(def.shape),
      description: def.input,
      ...(def.default !== undefined && { default: def.default }),
      ...replace,
    };
    properties[name] = { ...shapeOf(def.shape), description: def.output, ...replace };
  }
  for (const name of REPORTED_OUTPUT_NAMES) {
    properties[name] = { type: "string", description: REPORTED_OUTPUTS[name].description };
  }
  return {
    description: ORG_INVITATION_DESCRIPTION,
    inputProperties,
    requiredInputs: INPUT_NAMES.filter((name) => INPUTS[name].required),
    properties,
    // Every input is always in the outputs (the codec writes the declared values back, lists
    // empty when none); of the reported outputs, those every state has.
    required: [
      ...INPUT_NAMES,
      ...REPORTED_OUTPUT_NAMES.filter((name) => REPORTED_OUTPUTS[name].always),
    ],
  };
}

function types(): Record<string, SchemaType> {
  const { fields } = GROUP_ROLE_ASSIGNMENT;
  return {
    [GROUP_TYPE]: {
      type: "object",
      description: GROUP_ROLE_ASSIGNMENT.description,
      properties: {
        groupId: { ...shapeOf(fields.groupId.shape), description: fields.groupId.description },
        roles: { ...shapeOf(fields.roles.shape), description: fields.roles.description },
      },
      required: ["groupId", "roles"],
    },
    [POLICY_TYPE]: {
      type: "string",
      description: ON_ACCEPTED_POLICY.description,
      enum: ON_ACCEPTED_POLICIES.map((value) => ({
        name: ON_ACCEPTED_POLICY.values[value].name,
        value,
        description: ON_ACCEPTED_POLICY.values[value].description,
      })),
    },
  };
}

/**
 * The package schema of `atlasorginvitations`, as schema/schema.json holds it. A pure function of
 * this package's definitions and version: the same build always gives the same schema.
 */
export function packageSchema(): PackageSchema {
  return {
    name: PLUGIN_PACKAGE,
    displayName: "MongoDB Atlas Organization Invitations",
    version: PACKAGE_VERSION,
    description:
      "MongoDB Atlas organization invitations: create, refresh and cancel invitations, never " +
      "removing a member who accepted.",
    keywords: ["pulumi", "mongodb", "atlas", "invitation", "category/database", "kind/native"],
    license: "Apache-2.0",
    homepage: REPOSITORY,
    repository: REPOSITORY,
    publisher: "pulumi-atlas-org-invitations",
    meta: { moduleFormat: "(.*)", supportPack: true },
    config: {
      variables: Object.fromEntries(PLUGIN_SETTINGS.map((n) => [n, configVariable(n)])),
    },
    provider: {
      description:
        "The provider of `OrgInvitation`. Each setting is read from this resource's inputs (the " +
        `default provider's come from \`${PLUGIN_PACKAGE}:*\` stack config), else from its ` +
        "environment variables, read by the provider process at every command; so an explicit " +
        "provider leaves the variables to the provider instead of copying them into its inputs, " +
        "and credentials in the environment never reach the state.",
      inputProperties: Object.fromEntries(PLUGIN_SETTINGS.map((n) => [n, providerInput(n)])),
    },
    types: types(),
    resources: { [ORG_INVITATION_TYPE]: resource() },
    language: {
      nodejs: {
        packageName: SDK_NAMES.nodejs,
        packageDescription:
          "A Pulumi package for MongoDB Atlas organization invitations (the provider plugin's SDK).",
        respectSchemaVersion: true,
      },
      python: {
        packageName: SDK_NAMES.python,
        respectSchemaVersion: true,
        pyproject: { enabled: true },
      },
      go: {
        importBasePath: SDK_NAMES.go,
        respectSchemaVersion: true,
        generateResourceContainerTypes: true,
      },
      csharp: {
        rootNamespace: SDK_NAMES.csharp,
        namespaces: { [PLUGIN_PACKAGE]: "AtlasOrgInvitations" },
        respectSchemaVersion: true,
      },
    },
  };
}

/**
 * Every setting the package reads, once: its Pulumi config key, its environment variables, its
 * range or values, whether it is secret, and its default. Both audiences' wording comes from this
 * table (issue 20): a Pulumi user reads "config `mongodbatlas:privateKey` or env
 * MONGODB_ATLAS_PRIVATE_KEY" and "`pulumi config set --secret ...`"; a user of the `generate` CLI,
 * which reads no Pulumi config, reads "MONGODB_ATLAS_PRIVATE_KEY". The Atlas client underneath
 * (provider/atlas/) names settings by their neutral names only (`deadlineMs`, `privateKey`), and
 * its errors carry those names as facts; the edges turn them into advice (settings-advice.ts).
 *
 * Config keys and variables are those of the official Atlas providers (Terraform and
 * `@pulumi/mongodbatlas`) for Atlas settings, and this package's own (`atlasInvitations:*`,
 * `ATLAS_INVITATIONS_*`) for the rest.
 */
import type { AtlasSettingName } from "./atlas/settings";

/** Every setting, by its neutral name. */
export type SettingName = AtlasSettingName | "api" | "onAccepted";

/**
 * Who reads a message: a user of the dynamic provider (`pulumi`: its config keys and the
 * environment), a user of the resource provider plugin (`plugin`: the plugin's config keys,
 * `atlasorginvitations:<name>`, and the environment), or a CLI user (environment only).
 */
export type Audience = "pulumi" | "plugin" | "cli";

/**
 * The config namespace of the resource provider plugin (`pulumi-resource-atlasorginvitations`,
 * issue 21): its keys are the settings' neutral names in this namespace
 * (`atlasorginvitations:deadlineMs`), one package, one namespace, as Pulumi packages have.
 */
export const PLUGIN_CONFIG_NAMESPACE = "atlasorginvitations";

export interface SettingSpec {
  /** The Pulumi config key, where Pulumi config can set it. */
  config?: string;
  /** Environment variables, the first one set wins; the first is the one messages name. */
  env: readonly string[];
  /** Whether the value is a secret: set with `pulumi config set --secret`, never printed. */
  secret: boolean;
  /** Whole numbers within this range, for the tuning settings. */
  range?: { min: number; max: number };
  /** The accepted values, for a choice. */
  values?: readonly string[];
  /** The default, as a user would write it; absent when there is none (credentials). */
  default?: string;
  /** What a value looks like, in advice: `<milliseconds>`. */
  placeholder: string;
}

export const SETTINGS: Readonly<Record<SettingName, SettingSpec>> = {
  baseUrl: {
    config: "mongodbatlas:baseUrl",
    env: ["MONGODB_ATLAS_BASE_URL"],
    secret: false,
    default: "https://cloud.mongodb.com",
    placeholder: "<url>",
  },
  publicKey: {
    config: "mongodbatlas:publicKey",
    env: ["MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PUBLIC_API_KEY"],
    secret: false,
    placeholder: "<public key>",
  },
  privateKey: {
    config: "mongodbatlas:privateKey",
    env: ["MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"],
    secret: true,
    placeholder: "<private key>",
  },
  clientId: {
    config: "mongodbatlas:clientId",
    env: ["MONGODB_ATLAS_CLIENT_ID"],
    secret: false,
    placeholder: "<client id>",
  },
  clientSecret: {
    config: "mongodbatlas:clientSecret",
    env: ["MONGODB_ATLAS_CLIENT_SECRET"],
    secret: true,
    placeholder: "<client secret>",
  },
  maxRetries: {
    config: "atlasInvitations:maxRetries",
    env: ["ATLAS_INVITATIONS_MAX_RETRIES"],
    secret: false,
    range: { min: 0, max: 100 },
    default: "5",
    placeholder: "<number>",
  },
  requestTimeoutMs: {
    config: "atlasInvitations:requestTimeoutMs",
    env: ["ATLAS_INVITATIONS_REQUEST_TIMEOUT_MS"],
    secret: false,
    range: { min: 1, max: 3_600_000 },
    default: "30000",
    placeholder: "<milliseconds>",
  },
  deadlineMs: {
    config: "atlasInvitations:deadlineMs",
    env: ["ATLAS_INVITATIONS_DEADLINE_MS"],
    secret: false,
    range: { min: 1, max: 86_400_000 },
    default: "180000",
    placeholder: "<milliseconds>",
  },
  api: {
    config: "atlasInvitations:api",
    env: ["ATLAS_INVITATIONS_API"],
    secret: false,
    values: ["auto", "invites", "users"],
    default: "auto",
    placeholder: "<auto|invites|users>",
  },
  // An environment variable only: stack config never reaches a destroy (model.ts ON_ACCEPTED_ENV).
  onAccepted: {
    env: ["ATLAS_INVITATIONS_ON_ACCEPTED"],
    secret: false,
    values: ["retain"],
    placeholder: "retain",
  },
};

/**
 * The config key that sets `name` for `audience`: the dynamic provider's (`mongodbatlas:publicKey`,
 * `atlasInvitations:deadlineMs`), or the plugin's (`atlasorginvitations:publicKey`); undefined for
 * a setting Pulumi config cannot set (`onAccepted`).
 */
export function configKeyOf(name: SettingName, audience: Audience): string | undefined {
  const { config } = SETTINGS[name];
  if (config === undefined) return undefined;
  return audience === "plugin" ? `${PLUGIN_CONFIG_NAMESPACE}:${name}` : config;
}

/** The variable messages name for a setting: the first of its list. */
export function variableOf(name: SettingName): string {
  return SETTINGS[name].env[0] ?? name;
}

/**
 * How `audience` names where a setting comes from: "config `mongodbatlas:publicKey` or env
 * MONGODB_ATLAS_PUBLIC_KEY" for Pulumi users, "MONGODB_ATLAS_PUBLIC_KEY" for the CLI.
 */
export function sourceOf(name: SettingName, audience: Audience): string {
  const config = configKeyOf(name, audience);
  if (audience === "cli") return variableOf(name);
  return config !== undefined
    ? `config \`${config}\` or env ${variableOf(name)}`
    : `env ${variableOf(name)}`;
}

/**
 * How `audience` sets a setting: "`pulumi config set --secret mongodbatlas:privateKey <private
 * key>`" (or env ...) for Pulumi users, "MONGODB_ATLAS_PRIVATE_KEY=<private key> in the environment"
 * for the CLI.
 */
export function howToSet(name: SettingName, audience: Audience, value?: string): string {
  const spec = SETTINGS[name];
  const v = value ?? spec.placeholder;
  const env = `${variableOf(name)}=${v} in the environment`;
  const config = configKeyOf(name, audience);
  if (audience === "cli" || config === undefined) return env;
  return `\`pulumi config set${spec.secret ? " --secret" : ""} ${config} ${v}\` (or ${env})`;
}

/** Every Pulumi config key `audience` sets (the dynamic provider's by default). */
export function configKeys(audience: Audience = "pulumi"): string[] {
  return (Object.keys(SETTINGS) as SettingName[]).flatMap((n) => {
    const key = configKeyOf(n, audience);
    return key !== undefined ? [key] : [];
  });
}

/** Every Pulumi config key the dynamic provider reads. */
export const CONFIG_KEYS: readonly string[] = configKeys("pulumi");

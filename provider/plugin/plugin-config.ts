/**
 * The plugin's configuration as a flat map of strings keyed `atlasorginvitations:<setting>`, the
 * form the one settings table reads for the `plugin` audience (settings-table.ts, settings.ts).
 * Two sources reach a plugin (github.com/pulumi/pulumi v3.276.0):
 * - `PULUMI_CONFIG`, an environment variable the engine sets on every plugin it starts: a JSON
 *   object of the stack config of the package's namespace, keys without the namespace
 *   (`{"deadlineMs":"5000"}`; pkg/v3 host/host.go `Provider()`, resource/plugin/provider_plugin.go);
 * - the Configure RPC: the default provider's inputs (the same stack config) or an explicit
 *   provider resource's arguments, in `args` (a Struct, numbers as numbers from the Python and Go
 *   SDKs, secrets wrapped) and in the deprecated `variables` (`atlasorginvitations:config:<key>`,
 *   strings, secrets unwrapped).
 * Values arrive as strings, numbers or booleans, possibly wrapped as secrets: all become strings,
 * which settings.ts validates (a number that is not whole fails there, naming the key). Keys of no
 * setting are ignored, not refused: a newer SDK or a `version` input may send them.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { AtlasConfigurationError } from "../atlas/errors";
import type { StringMap } from "../settings";
import { PLUGIN_CONFIG_NAMESPACE, SETTINGS, configKeyOf } from "../settings-table";
import type { SettingName } from "../settings-table";

/** What the Configure RPC carries, as plain JavaScript. */
export interface ConfigureArgs {
  /** `ConfigureRequest.args` as JavaScript, when the engine sent it. */
  args?: Record<string, unknown> | undefined;
  /** `ConfigureRequest.variables` (deprecated): `atlasorginvitations:config:<key>` to string. */
  variables?: Readonly<Record<string, string>> | undefined;
}

/** `key` without the plugin's namespace (`atlasorginvitations:` or `atlasorginvitations:config:`). */
export function bareName(key: string): string {
  for (const prefix of [`${PLUGIN_CONFIG_NAMESPACE}:config:`, `${PLUGIN_CONFIG_NAMESPACE}:`]) {
    if (key.startsWith(prefix)) return key.slice(prefix.length);
  }
  return key;
}

/**
 * The setting a key names: `deadlineMs`, `atlasorginvitations:deadlineMs` or
 * `...:config:deadlineMs`; undefined for a key of no setting Pulumi config can set.
 */
export function settingOf(key: string): SettingName | undefined {
  const name = bareName(key);
  if (!Object.prototype.hasOwnProperty.call(SETTINGS, name)) return undefined;
  const setting = name as SettingName;
  // Only settings Pulumi config can set (not `onAccepted`, which is environment-only).
  return configKeyOf(setting, "plugin") !== undefined ? setting : undefined;
}

/** Whether `value` is a Pulumi secret as it travels over RPC (`{<sig>: <secret sig>, value}`). */
export function isWrappedSecret(value: unknown): value is { value?: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** One value as the settings read it; undefined for null, unset or a shape no setting takes. */
function asString(value: unknown): string | undefined {
  const plain = isWrappedSecret(value) ? value.value : value;
  if (typeof plain === "string") return plain;
  if (typeof plain === "number" || typeof plain === "boolean" || typeof plain === "bigint") {
    return String(plain);
  }
  return undefined;
}

/** A map of raw values, namespaced or not, read into the plugin's config map. */
export function pluginConfigOf(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const setting = settingOf(key);
    const text = setting === undefined ? undefined : asString(value);
    const configKey = setting === undefined ? undefined : configKeyOf(setting, "plugin");
    if (configKey !== undefined && text !== undefined) config[configKey] = text;
  }
  return config;
}

/**
 * The config of the Configure RPC: `args` when the engine sent them (the current protocol),
 * else `variables`.
 */
export function configFromConfigure(request: ConfigureArgs): Record<string, string> {
  if (request.args !== undefined && Object.keys(request.args).length > 0) {
    return pluginConfigOf(request.args);
  }
  return pluginConfigOf(request.variables ?? {});
}

/**
 * The stack config the engine put in `PULUMI_CONFIG` for this plugin's namespace; `{}` when unset.
 * @throws AtlasConfigurationError when it is set but not a JSON object
 */
export function configFromEnvironment(env: StringMap): Record<string, string> {
  const raw = env["PULUMI_CONFIG"];
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    // The value can hold secrets: it is never quoted.
    throw new AtlasConfigurationError(
      "The environment variable PULUMI_CONFIG, which the Pulumi engine sets to the stack config of " +
        `the ${PLUGIN_CONFIG_NAMESPACE} namespace, is not a JSON object; unset it, or let the engine start the plugin.`,
      ["PULUMI_CONFIG"],
    );
  }
  return pluginConfigOf(parsed as Record<string, unknown>);
}

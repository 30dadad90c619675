/**
 * The plugin's CheckConfig: what the engine keeps as a provider's inputs, and the refusal of a
 * bad setting, or of a key that is no setting (a misspelt `baseURL` would otherwise leave the
 * plugin on the default base URL without a word), before any resource is touched (issue 21).
 *
 * The engine keeps the inputs CheckConfig returns, secrets included (pkg/v3 v3.276.0
 * resource/plugin/provider_plugin.go `CheckConfig`: `KeepSecrets: true`, then `annotateSecrets`
 * with the program's own marks). Returning every secret setting wrapped as a secret makes the
 * engine encrypt it in the state even when the program passed it in plain text: a YAML program, or
 * a hand-written `new pulumi.ProviderResource("atlasorginvitations", "p", { privateKey })`. (Without
 * a CheckConfig the SDK's server answers UNIMPLEMENTED and the engine keeps the program's values
 * as they came.)
 *
 * Validation is the settings' own (settings.ts), on the config values alone: config wins over the
 * environment for every tuning setting and the API, and credentials come whole from config when
 * config holds any, so a value refused here is refused whatever the environment holds. What config
 * leaves unset (credentials from `MONGODB_ATLAS_*`, say) is the plugin's business at Configure and
 * at its first call, as before.
 */
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { isAtlasConfigurationError } from "../atlas/errors";
import { ON_ACCEPTED_ENV } from "../model";
import { resolveApi, resolveAtlasSettings, resolveRetryOverrides } from "../settings";
import type { SettingsSources } from "../settings";
import { PLUGIN_CONFIG_NAMESPACE, SETTINGS, configKeyOf, howToSet } from "../settings-table";
import type { SettingName } from "../settings-table";
import { nearMiss } from "../validate";
import { bareName, isWrappedSecret, pluginConfigOf, settingOf } from "./plugin-config";

/** One refused setting, as the ResourceProvider service's `CheckFailure`. */
export interface ConfigCheckFailure {
  /**
   * The input key the reason is about, or `""` when the engine must not print the input's value
   * (see {@link checkProviderConfig}); the reason names the plugin's config key either way.
   */
  property: string;
  reason: string;
}

/** CheckConfig's answer: the inputs the engine keeps, and the failures it shows. */
export interface ConfigCheckResult {
  inputs: Record<string, unknown>;
  failures: ConfigCheckFailure[];
}

/** Which provider a CheckConfig is about: its name, the last part of the request's URN. */
export interface ConfigCheckTarget {
  name: string;
}

const CREDENTIALS: readonly SettingName[] = ["publicKey", "privateKey", "clientId", "clientSecret"];
const TUNING: readonly SettingName[] = ["maxRetries", "requestTimeoutMs", "deadlineMs"];

/**
 * Stands for a credential that is set but not at hand: one the engine does not know yet (a
 * preview, a value computed from another resource), which counts as set when checking that a pair
 * is whole; and the key pair that lets the base URL be checked alone.
 */
const STAND_IN_CREDENTIAL = "stand-in";

/**
 * Keys the engine itself puts among a provider's inputs, none of them a setting: `version` (pkg/v3
 * v3.276.0 resource/deploy/providers/registry.go `SetProviderVersion`; the engine puts it back if
 * CheckConfig drops it, and refuses a change of it), and `__internal`, the object that holds
 * `pluginDownloadURL`, `pluginChecksums`, `name`, `parameterization` and `envVarMappings`
 * (`addOrGetInternal`). v3.276.0 removes `__internal` before CheckConfig (`FilterProviderConfig`);
 * it and the two keys it nests that once sat beside `version` pass all the same, so that no
 * engine's own bookkeeping is refused as a misspelt setting.
 */
const ENGINE_KEYS: ReadonlySet<string> = new Set([
  "version",
  "__internal",
  "pluginDownloadURL",
  "pluginChecksums",
]);

/** Every setting's name, `onAccepted` included (a near miss of it gets its own advice). */
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
/** The settings Pulumi config (or a provider resource's arguments) can set. */
const CONFIG_SETTINGS = SETTING_NAMES.filter((name) => configKeyOf(name, "plugin") !== undefined);

/** A default provider's name: `default`, or `default_<version>[_<url>]` (pkg/v3 v3.276.0 resource/deploy/providers/provider.go `DefaultName`). */
const DEFAULT_PROVIDER = /^default(_|$)/;

/**
 * The setting `name` was probably meant to be: the same name in other letter case (`baseURL`),
 * else one at most two edits away (`deadlinems`, `privatKey`; validate.ts `nearMiss`).
 */
function nearestSetting(name: string): SettingName | undefined {
  const lower = name.toLowerCase();
  const sameLetters = SETTING_NAMES.find((s) => s.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const near = nearMiss(name, SETTING_NAMES);
  return SETTING_NAMES.find((s) => s === near);
}

/**
 * Why a key of no setting is refused, and the fix: for a default provider (whose inputs are the
 * stack config of the namespace) the `pulumi config` commands, for an explicit provider resource
 * the argument to rename or remove. Never holds the key's value, which may be a secret (a
 * misspelt `privatekey` holds a private key).
 */
function unknownKeyReason(key: string, target: ConfigCheckTarget | undefined): string {
  const name = bareName(key);
  const near = nearestSetting(name);
  const fromConfig = target === undefined || DEFAULT_PROVIDER.test(target.name);
  const configKey = `${PLUGIN_CONFIG_NAMESPACE}:${name}`;
  const subject = fromConfig
    ? `config \`${configKey}\``
    : `the argument \`${name}\` of provider "${target.name}"`;
  const remove = fromConfig ? `run \`pulumi config rm ${configKey}\`` : "remove that argument";
  if (near === "onAccepted") {
    return (
      `${subject}: onAccepted is not a provider setting: it is a property of each OrgInvitation ` +
      `resource, or an environment variable for a whole command. To fix, ${remove}; then set the ` +
      `resource property \`onAccepted\` (\`on_accepted\` in Python) to \`retain\` on the resources ` +
      `whose accepted invitation a destroy may leave in place, or run the command with ` +
      `${ON_ACCEPTED_ENV}=retain in its environment.`
    );
  }
  const settings = `The settings are: ${CONFIG_SETTINGS.join(", ")}.`;
  if (near === undefined) {
    return `${subject} is not a setting of the ${PLUGIN_CONFIG_NAMESPACE} provider; ${remove}. ${settings}`;
  }
  const replace = fromConfig
    ? `run \`pulumi config rm ${configKey}\`, then ${howToSet(near, "plugin")}`
    : `rename the argument \`${name}\` to \`${near}\``;
  return (
    `${subject} is not a setting of the ${PLUGIN_CONFIG_NAMESPACE} provider; did you mean ` +
    `\`${near}\`? To fix, ${replace}. ${settings}`
  );
}

/** Whether `value` is not known yet: the engine's unknown sentinel, possibly wrapped as a secret. */
function isUnknown(value: unknown): boolean {
  return value === unknownValue || (isWrappedSecret(value) && value.value === unknownValue);
}

/** A secret setting's value as a secret (already wrapped values, null and undefined as they are). */
function asSecret(value: unknown): unknown {
  if (value === null || value === undefined || isWrappedSecret(value)) return value;
  return { [specialSigKey]: specialSecretSig, value };
}

/** The plugin-audience sources that hold `config` alone: no environment variable can interfere. */
function configOnly(config: Record<string, string>): SettingsSources {
  return { config, env: {}, audience: "plugin" };
}

/** The entries of the plugin's config map (`atlasorginvitations:<name>`) for `names`. */
function subset(
  config: Record<string, string>,
  names: readonly SettingName[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const key = configKeyOf(name, "plugin");
    const value = key === undefined ? undefined : config[key];
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Checks a provider's configuration as the engine sends it to CheckConfig (the program's provider
 * args, or a default provider's stack config; keys without namespace; secrets unwrapped; unknowns
 * as the engine's sentinel during a preview).
 *
 * - `inputs`: `news` unchanged, except that every setting the settings table marks secret
 *   (`privateKey`, `clientSecret`) is wrapped as a secret, and so is every refused key's value;
 *   the engine's own keys (`version`) pass through, as the engine requires of `version`.
 * - `failures`: one per key that is neither a setting nor the engine's (a misspelt `baseURL` or
 *   `deadlinems`, the environment-only `onAccepted`), naming the key and the nearest setting in
 *   its reason and never its value, with the fix: the `pulumi config` commands for a default
 *   provider (`target` named `default...`, or no `target`), the argument to rename for an explicit
 *   one; and one per setting whose value settings.ts refuses (a tuning value out of range or not
 *   a whole number, an `api` that is not auto/invites/users, a base URL it refuses, credentials
 *   half set), worded as the plugin words them (`config \`atlasorginvitations:deadlineMs\``).
 *   Numbers may be numbers or strings. Unknown values are not checked. A failure about the base
 *   URL or a secret setting has no `property`: the engine prints the value of the property a
 *   failure names (pkg/v3 resource/deploy/step_generator.go `issueCheckFailures`) from the
 *   program's inputs, where a private key may be plain text and a refused base URL may embed
 *   credentials; nor has a failure about a key of no setting (it may be a misspelt secret).
 * @param target the provider the check is about (its URN's name), which decides how the fix for a
 * key of no setting is worded
 * @throws Error only for a fault of this code (settings.ts throws AtlasConfigurationError, which
 * becomes a failure)
 */
export function checkProviderConfig(
  news: Readonly<Record<string, unknown>>,
  target?: ConfigCheckTarget,
): ConfigCheckResult {
  const inputs: Record<string, unknown> = {};
  const known: Record<string, unknown> = {};
  const pending = new Set<SettingName>();
  const failures: ConfigCheckFailure[] = [];
  /** The input key that set each setting, as the engine sent it. */
  const keyOf = new Map<SettingName, string>();
  for (const [key, value] of Object.entries(news)) {
    const setting = settingOf(key);
    if (setting === undefined && !ENGINE_KEYS.has(key)) {
      // A misspelt setting (or `onAccepted`) would otherwise be ignored without a word. No
      // `property`: the engine would print the value, and a misspelt `privatekey` holds a private
      // key; for the same reason the value is returned as a secret.
      inputs[key] = asSecret(value);
      failures.push({ property: "", reason: unknownKeyReason(key, target) });
      continue;
    }
    inputs[key] = setting !== undefined && SETTINGS[setting].secret ? asSecret(value) : value;
    if (setting !== undefined) keyOf.set(setting, key);
    if (setting !== undefined && isUnknown(value)) pending.add(setting);
    else known[key] = value;
  }
  const config = pluginConfigOf(known);

  /** Runs one validation; its refusal becomes a failure about `about` (or the setting it names). */
  const attempt = (run: () => unknown, about?: SettingName): void => {
    try {
      run();
    } catch (error) {
      if (!isAtlasConfigurationError(error)) throw error;
      const setting = about ?? error.keys.map(settingOf).find((s) => s !== undefined);
      const printable = setting !== undefined && setting !== "baseUrl" && !SETTINGS[setting].secret;
      failures.push({
        property: printable ? (keyOf.get(setting) ?? setting) : "",
        reason: error.message,
      });
    }
  };

  // One setting at a time, so that each bad one gets its own failure.
  for (const name of TUNING) {
    attempt(() => resolveRetryOverrides(configOnly(subset(config, [name]))), name);
  }
  attempt(() => resolveApi(configOnly(subset(config, ["api"]))), "api");

  const baseUrl = subset(config, ["baseUrl"]);
  if (Object.keys(baseUrl).length > 0) {
    // Alone, with a stand-in key pair: the one refusal left to `resolveAtlasSettings` is the base
    // URL's (it is read first), in the words the plugin uses at its first call.
    attempt(
      () =>
        resolveAtlasSettings(
          configOnly({
            ...baseUrl,
            [configKeyOf("publicKey", "plugin") ?? ""]: STAND_IN_CREDENTIAL,
            [configKeyOf("privateKey", "plugin") ?? ""]: STAND_IN_CREDENTIAL,
          }),
        ),
      "baseUrl",
    );
  }

  const credentials = subset(config, CREDENTIALS);
  for (const name of CREDENTIALS) {
    const key = configKeyOf(name, "plugin");
    if (pending.has(name) && key !== undefined) credentials[key] = STAND_IN_CREDENTIAL;
  }
  if (Object.values(credentials).some((v) => v.trim() !== "")) {
    // Config holds credentials, so they must be whole there (settings.ts `credentialsFrom`): the
    // one refusal left is a half-set pair, naming the missing key (the error's `keys`). No config
    // credentials at all is not a failure: the environment may hold them.
    attempt(() => resolveAtlasSettings(configOnly(credentials)));
  }
  return { inputs, failures };
}

/**
 * The plugin's CheckConfig: what the engine keeps as a provider's inputs, and the refusal of a
 * bad setting before any resource is touched (issue 21).
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
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { isAtlasConfigurationError } from "../atlas/errors";
import { resolveApi, resolveAtlasSettings, resolveRetryOverrides } from "../settings";
import type { SettingsSources } from "../settings";
import { SETTINGS, configKeyOf } from "../settings-table";
import type { SettingName } from "../settings-table";
import {
  SECRET_SIG,
  SECRET_VALUE,
  isWrappedSecret,
  pluginConfigOf,
  settingOf,
} from "./plugin-config";

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

const CREDENTIALS: readonly SettingName[] = ["publicKey", "privateKey", "clientId", "clientSecret"];
const TUNING: readonly SettingName[] = ["maxRetries", "requestTimeoutMs", "deadlineMs"];

/**
 * Stands for a credential that is set but not at hand: one the engine does not know yet (a
 * preview, a value computed from another resource), which counts as set when checking that a pair
 * is whole; and the key pair that lets the base URL be checked alone.
 */
const STAND_IN_CREDENTIAL = "stand-in";

/** Whether `value` is not known yet: the engine's unknown sentinel, possibly wrapped as a secret. */
function isUnknown(value: unknown): boolean {
  return value === unknownValue || (isWrappedSecret(value) && value.value === unknownValue);
}

/** A secret setting's value as a secret (already wrapped values, null and undefined as they are). */
function asSecret(value: unknown): unknown {
  if (value === null || value === undefined || isWrappedSecret(value)) return value;
  return { [SECRET_SIG]: SECRET_VALUE, value };
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
 *   (`privateKey`, `clientSecret`) is wrapped as a secret; keys of no setting (`version`, a newer
 *   SDK's) pass through, as the engine requires of `version`.
 * - `failures`: one per setting whose value settings.ts refuses (a tuning value out of range or not
 *   a whole number, an `api` that is not auto/invites/users, a base URL it refuses, credentials
 *   half set), worded as the plugin words them (`config \`atlasorginvitations:deadlineMs\``).
 *   Numbers may be numbers or strings. Unknown values are not checked. A failure about the base
 *   URL or a secret setting has no `property`: the engine prints the value of the property a
 *   failure names (pkg/v3 resource/deploy/step_generator.go `issueCheckFailures`) from the
 *   program's inputs, where a private key may be plain text and a refused base URL may embed
 *   credentials.
 * @throws Error only for a fault of this code (settings.ts throws AtlasConfigurationError, which
 * becomes a failure)
 */
export function checkProviderConfig(news: Readonly<Record<string, unknown>>): ConfigCheckResult {
  const inputs: Record<string, unknown> = {};
  const known: Record<string, unknown> = {};
  const pending = new Set<SettingName>();
  /** The input key that set each setting, as the engine sent it. */
  const keyOf = new Map<SettingName, string>();
  for (const [key, value] of Object.entries(news)) {
    const setting = settingOf(key);
    inputs[key] = setting !== undefined && SETTINGS[setting].secret ? asSecret(value) : value;
    if (setting !== undefined) keyOf.set(setting, key);
    if (setting !== undefined && isUnknown(value)) pending.add(setting);
    else known[key] = value;
  }
  const config = pluginConfigOf(known);

  const failures: ConfigCheckFailure[] = [];
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

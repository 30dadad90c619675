/**
 * The settings of `generate`: the provider's own resolution (settings.ts), from environment
 * variables only, as the command has no Pulumi config to read. settings.ts words its messages for
 * the provider, which reads Pulumi config first ("set config `mongodbatlas:clientId` or env
 * MONGODB_ATLAS_CLIENT_ID", "Mark secrets with `pulumi config set --secret`"); a CLI user who
 * follows that advice would set config the command never reads. So its configuration errors are
 * reworded here to name the environment variables alone.
 */
import type { AtlasSettings } from "../atlas/settings";
import { AtlasConfigurationError, isAtlasConfigurationError } from "../errors";
import { SETTING_SOURCES, resolveAtlasSettings } from "../settings";
import type { StringMap } from "../settings";

/** The environment variables that hold credentials (every alias), and their config keys. */
const CREDENTIAL_KEYS = new Set(
  (["clientId", "clientSecret", "publicKey", "privateKey"] as const).flatMap((name) => [
    SETTING_SOURCES[name].config,
    ...SETTING_SOURCES[name].env,
  ]),
);

/** Said after a credentials problem: the command never reads the Pulumi config a user may have set. */
export const ENVIRONMENT_ONLY =
  "`generate` reads its credentials from the environment only, not from Pulumi config: " +
  "export them in the shell that runs it.";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `message` with every setting named by its environment variable alone: "config `K` or env V" and
 * "env V" become "V", and the sentences about Pulumi config (how to mark a config secret, which
 * source wins) are left out.
 */
export function environmentOnly(message: string): string {
  let text = message;
  for (const { config, env } of Object.values(SETTING_SOURCES)) {
    const variable = env[0];
    if (variable === undefined) continue;
    text = text
      .replace(
        new RegExp(`config \`${escape(config)}\` or env ${escape(variable)}\\b`, "g"),
        variable,
      )
      .replace(new RegExp(`\\benv ${escape(variable)}\\b`, "g"), variable);
  }
  // Sentences end with ". " (settings.ts writes one space); a URL or id never holds one.
  return text
    .split(/(?<=\.) +/)
    .filter((sentence) => !/pulumi config|config `/i.test(sentence))
    .join(" ");
}

/**
 * The Atlas settings from `env`, as the provider resolves them.
 * @throws AtlasConfigurationError whose message names environment variables only (and whose `keys`
 *   are the variables), followed by `ENVIRONMENT_ONLY` when credentials are missing or half set
 */
export function resolveFromEnvironment(env: StringMap): AtlasSettings {
  try {
    return resolveAtlasSettings({ env });
  } catch (error) {
    if (!isAtlasConfigurationError(error)) throw error;
    const keys = error.keys;
    const aboutCredentials = keys.some((key) => CREDENTIAL_KEYS.has(key));
    const message = environmentOnly(error.message);
    throw new AtlasConfigurationError(
      aboutCredentials ? `${message} ${ENVIRONMENT_ONLY}` : message,
      keys.filter((key) => !key.includes(":")),
    );
  }
}

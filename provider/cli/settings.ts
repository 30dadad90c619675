/**
 * The settings of `generate`: the provider's own resolution (settings.ts), from environment
 * variables only, as the command has no Pulumi config to read, with every message worded for a
 * shell user from the settings table (settings-table.ts, audience "cli"): "set
 * MONGODB_ATLAS_CLIENT_ID", never "`pulumi config set ...`" (issue 20).
 */
import type { AtlasSettings } from "../atlas/settings";
import type { RetryPolicy } from "../atlas/retry";
import { resolveAtlasSettings, resolveTuning } from "../settings";
import type { StringMap } from "../settings";

/**
 * The Atlas settings and retry policy from `env`, as the provider resolves them.
 * @throws AtlasConfigurationError whose message and `keys` name environment variables alone
 */
export function resolveFromEnvironment(env: StringMap): {
  atlas: AtlasSettings;
  retry: RetryPolicy;
} {
  const sources = { env, audience: "cli" } as const;
  return { atlas: resolveAtlasSettings(sources), retry: resolveTuning(sources).retry };
}

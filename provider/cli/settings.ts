/**
 * The settings of `generate`: the provider's own resolution (settings.ts), from environment
 * variables only, as the command has no Pulumi config to read, with every message worded for a
 * shell user from the settings table (settings-table.ts, audience "cli"): "set
 * MONGODB_ATLAS_CLIENT_ID", never "`pulumi config set ...`" (issue 20).
 */
import type { AtlasSettings } from "../atlas/settings";
import type { RetryPolicy } from "../atlas/retry";
import { resolveAtlasSettings, resolveTuning } from "../settings";
import type { InvitationApi, StringMap } from "../settings";

/**
 * The Atlas settings, retry policy and invitations API (ATLAS_INVITATIONS_API: `auto`, `invites`
 * or `users`) from `env`, as the provider resolves them.
 * @throws AtlasConfigurationError whose message and `keys` name environment variables alone
 */
export function resolveFromEnvironment(env: StringMap): {
  atlas: AtlasSettings;
  retry: RetryPolicy;
  api: InvitationApi;
} {
  const sources = { env, audience: "cli" } as const;
  const { retry, api } = resolveTuning(sources);
  return { atlas: resolveAtlasSettings(sources), retry, api };
}

/**
 * Advice at the two edges: an error of the Atlas client names the settings that bear on it by
 * their neutral names (`AtlasRequestError.settings`); the provider and the `generate` CLI each add
 * how their user changes those settings, from the one settings table (settings-table.ts), in the
 * user's own terms (issue 20).
 */
import { isAtlasError } from "./atlas/errors";
import type { AtlasError } from "./atlas/errors";
import { SETTINGS, howToSet, sourceOf } from "./settings-table";
import type { Audience, SettingName } from "./settings-table";

/** The settings an error of the package names as facts, if any. */
function settingsOf(error: AtlasError): readonly SettingName[] {
  const { settings } = error as { settings?: unknown };
  return Array.isArray(settings)
    ? settings.filter((s): s is SettingName => typeof s === "string" && s in SETTINGS)
    : [];
}

/**
 * How `audience` changes `settings`: one setting gets its command ("To change deadlineMs:
 * `pulumi config set atlasInvitations:deadlineMs <milliseconds>` (or ...)."); several get where
 * each comes from ("publicKey and privateKey come from config `mongodbatlas:publicKey` or env
 * MONGODB_ATLAS_PUBLIC_KEY and ...").
 */
export function settingsAdvice(settings: readonly SettingName[], audience: Audience): string {
  const [only, ...more] = settings;
  if (only === undefined) return "";
  if (more.length === 0) return `To change ${only}: ${howToSet(only, audience)}.`;
  const names = settings.join(", ");
  return `${names} come from ${settings.map((s) => sourceOf(s, audience)).join("; ")}.`;
}

/**
 * `error` with advice for `audience` appended to its message when it is one of the package's
 * errors and names settings; any other value unchanged.
 */
export function advise(error: unknown, audience: Audience): unknown {
  if (!isAtlasError(error)) return error;
  return error.withAdvice(settingsAdvice(settingsOf(error), audience));
}

/**
 * Which Atlas API carries the invitations (`atlasInvitations:api`):
 * - `invites` or `users`: that one;
 * - `auto` (the default): the invites API while Atlas serves it. The first 410 Gone from an
 *   invites call moves the whole process to the org users API for that Atlas origin, with one
 *   warning. The decision is on the status alone: the error code Atlas will send after the sunset
 *   is unrecorded.
 * The `Sunset` header that announces the move is read apart, in sunset.ts.
 */
import type { AtlasClient } from "../atlas/api";
import { AtlasConfigurationError, isAtlasApiError } from "../errors";
import type { Logger } from "../log";
import type { InvitationApi } from "../settings";
import { configKeyOf, howToSet } from "../settings-table";
import type { Audience } from "../settings-table";
import type { InvitationBackend } from "./backend";
import { invitesBackend } from "./invites";
import { processState } from "../process-state";
import { usersBackend } from "./users";

/** The provider speaks to Pulumi users: the setting by its config key, in their provider's terms. */
const apiKey = (audience: Audience): string => configKeyOf("api", audience) ?? "api";

/** Whether `error` is Atlas saying an API version is gone (410). */
export function isGone(error: unknown): boolean {
  return isAtlasApiError(error) && error.status === 410;
}

/** The backend for `api` on `origin`, as things stand in this process. */
export function backendFor(
  api: InvitationApi,
  origin: string,
  client: AtlasClient,
): InvitationBackend {
  const useUsers = api === "users" || (api === "auto" && processState.sunsetReached.has(origin));
  return useUsers ? usersBackend(client) : invitesBackend(client);
}

/**
 * After a 410 from an invites call under `auto`: every later call of the process to `origin` uses
 * the org users API. Returns whether this call moved it (the caller then repeats its step).
 */
export function moveToUsers(
  origin: string,
  logger: Logger,
  audience: Audience = "pulumi",
): boolean {
  if (processState.sunsetReached.has(origin)) return false;
  processState.sunsetReached.add(origin);
  logger.warn?.(
    `Atlas answered 410 Gone for the invitations API at ${origin}: it has been retired. This process now ` +
      `manages invitations through the org users API (${apiKey(audience)} is "auto"); existing state keeps working, ` +
      `and each invitation records its org user id as \`userId\`. Set ${howToSet("api", audience, "users")} ` +
      `to make the move explicit.`,
  );
  return true;
}

/**
 * A 410 from the invites API under `atlasInvitations:api` "invites": the fix is the setting.
 * @returns the configuration error to throw, with Atlas's answer as its cause
 */
export function goneUnderInvites(
  error: unknown,
  audience: Audience = "pulumi",
): AtlasConfigurationError {
  return new AtlasConfigurationError(
    `Atlas answered 410 Gone for the invitations API: it has been retired, and ${apiKey(audience)} is "invites". ` +
      `Run ${howToSet("api", audience, "auto")} (or \`users\`) and run the command again: state written ` +
      `on the invites API keeps working on the org users API, with no replacement.`,
    [apiKey(audience)],
    { cause: error },
  );
}

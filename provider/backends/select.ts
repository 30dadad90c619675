/**
 * Which Atlas API carries the invitations (`atlasInvitations:api`):
 * - `invites` or `users`: that one;
 * - `auto` (the default): the invites API while Atlas serves it. The first 410 Gone from an
 *   invites call moves the whole process to the org users API for that Atlas origin, with one
 *   warning. The decision is on the status alone: the error code Atlas will send after the sunset
 *   is unrecorded.
 * A `Sunset` header (RFC 8594) on an invites answer yields one warning per process naming the date
 * and the setting.
 */
import type { AtlasClient } from "../atlas/api";
import { systemClock } from "../atlas/budget";
import type { Clock } from "../atlas/budget";
import { AtlasConfigurationError, isAtlasApiError } from "../errors";
import type { Logger } from "../log";
import type { InvitationApi } from "../settings";
import { API_KEY } from "../settings";
import type { InvitationBackend } from "./backend";
import { invitesBackend } from "./invites";
import { usersBackend } from "./users";

const sunsetReached = new Set<string>();
let sunsetAnnounced = false;

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
  const useUsers = api === "users" || (api === "auto" && sunsetReached.has(origin));
  return useUsers ? usersBackend(client) : invitesBackend(client);
}

/**
 * After a 410 from an invites call under `auto`: every later call of the process to `origin` uses
 * the org users API. Returns whether this call moved it (the caller then repeats its step).
 */
export function moveToUsers(origin: string, logger: Logger): boolean {
  if (sunsetReached.has(origin)) return false;
  sunsetReached.add(origin);
  logger.warn?.(
    `Atlas answered 410 Gone for the invitations API at ${origin}: it has been retired. This process now ` +
      `manages invitations through the org users API (${API_KEY} is "auto"); existing state keeps working, ` +
      `and each invitation records its org user id as \`userId\`. Set \`pulumi config set ${API_KEY} users\` ` +
      `to make the move explicit.`,
  );
  return true;
}

/**
 * A 410 from the invites API under `atlasInvitations:api` "invites": the fix is the setting.
 * @returns the configuration error to throw, with Atlas's answer as its cause
 */
export function goneUnderInvites(error: unknown): AtlasConfigurationError {
  return new AtlasConfigurationError(
    `Atlas answered 410 Gone for the invitations API: it has been retired, and ${API_KEY} is "invites". ` +
      `Run \`pulumi config set ${API_KEY} auto\` (or \`users\`) and run the command again: state written ` +
      `on the invites API keeps working on the org users API, with no replacement.`,
    [API_KEY],
    { cause: error },
  );
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * The date of a `Sunset` header (RFC 8594: an HTTP-date), read leniently: Atlas sends
 * `Thu, 1 Jul 2027 00:00:00 GMT`, with a one-digit day the strict IMF-fixdate does not allow.
 */
export function parseSunset(value: string | undefined): Date | undefined {
  const m =
    /(\d{1,2})[\s-]+([A-Za-z]{3})[a-z]*[\s-]+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(
      value ?? "",
    );
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[2] ?? "").toLowerCase());
  if (month < 0) return undefined;
  const date = new Date(
    Date.UTC(
      Number(m[3]),
      month,
      Number(m[1]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
    ),
  );
  return Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(m[1]) ? undefined : date;
}

/**
 * Looks at one answer; warns once per process when Atlas announces a sunset. A 410 answer is
 * not announced here: the API is already gone, and `moveToUsers` says so.
 */
export function noticeSunset(
  answer: { status: number; headers: Readonly<Record<string, string | undefined>> },
  api: InvitationApi,
  logger: Logger,
  clock: Pick<Clock, "now"> = systemClock,
): void {
  if (sunsetAnnounced || api === "users" || answer.status === 410) return;
  const date = parseSunset(answer.headers["sunset"]);
  if (!date) return;
  sunsetAnnounced = true;
  const day = date.toISOString().slice(0, 10);
  const when =
    date.getTime() > clock.now()
      ? `Atlas will retire the invitations API on ${day}`
      : `Atlas announced the retirement of the invitations API for ${day}, and still serves it`;
  logger.warn?.(
    `${when} (its Sunset header; the date has moved before). ` +
      (api === "auto"
        ? `With ${API_KEY} "auto" (the default) this provider moves to the org users API by itself when that ` +
          `happens; to move earlier, \`pulumi config set ${API_KEY} users\`.`
        : `${API_KEY} is "invites": set it to "auto" or "users" before then.`),
  );
}

/** Forgets the sunset state of the process (tests). */
export function clearBackendChoice(): void {
  sunsetReached.clear();
  sunsetAnnounced = false;
}

/**
 * The invites API's `Sunset` header (RFC 8594): read leniently, and announced once per process
 * with the date and the setting that moves to the org users API (select.ts makes the move).
 */
import { systemClock } from "../atlas/budget";
import type { Clock } from "../atlas/budget";
import type { Logger } from "../log";
import { processState } from "../process-state";
import type { InvitationApi } from "../settings";
import { configKeyOf, howToSet } from "../settings-table";
import type { Audience } from "../settings-table";

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
  audience: Audience = "pulumi",
): void {
  // The provider speaks to Pulumi users: the setting by its config key, in their provider's terms.
  const apiKey = configKeyOf("api", audience) ?? "api";
  if (processState.sunsetAnnounced || api === "users" || answer.status === 410) return;
  const date = parseSunset(answer.headers["sunset"]);
  if (!date) return;
  processState.sunsetAnnounced = true;
  const day = date.toISOString().slice(0, 10);
  const when =
    date.getTime() > clock.now()
      ? `Atlas will retire the invitations API on ${day}`
      : `Atlas announced the retirement of the invitations API for ${day}, and still serves it`;
  logger.warn?.(
    `${when} (its Sunset header; the date has moved before). ` +
      (api === "auto"
        ? `With ${apiKey} "auto" (the default) this provider moves to the org users API by itself when that ` +
          `happens; to move earlier, ${howToSet("api", audience, "users")}.`
        : `${apiKey} is "invites": set it to "auto" or "users" before then.`),
  );
}

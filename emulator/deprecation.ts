/**
 * The deprecated 2023-01-01 media type of the invitation operations (and of listOrgUsers and
 * removeOrgUser) is announced in headers on every answer, as recorded (files 01-11, 16, 18-23):
 * `Deprecation: Wed, 19 Feb 2025 00:00:00 GMT` and `Sunset: Thu, 1 Jul 2027 00:00:00 GMT`, the
 * day without a leading zero. The sunset moved twice (2026-07-31, 2026-09-15, 2027-07-01), so it
 * is an emulator option; once it has passed those operations answer 410 (see dispatch.ts).
 */
import { AtlasError } from "./errors";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/** Atlas's HTTP date: RFC 7231 IMF-fixdate except that the day has no leading zero. */
export function atlasHttpDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, "0");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()] ?? ""}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()} ${time} GMT`;
}

/** When the invites API was deprecated (the date of its replacement, 2025-02-19). */
export const DEPRECATION_DATE = Date.UTC(2025, 1, 19);

export function deprecationHeaders(sunsetMs: number): Record<string, string> {
  return { Deprecation: atlasHttpDate(DEPRECATION_DATE), Sunset: atlasHttpDate(sunsetMs) };
}

/**
 * After the sunset: 410 Gone. The errorCode is unrecorded; VERSION_GONE is the slice's own example
 * for components.responses.gone ("a resource is marked for sunset and the sunset date is in the
 * past").
 */
export function versionGone(version: string, sunsetMs: number): AtlasError {
  const when = new Date(sunsetMs).toISOString().slice(0, 10);
  return new AtlasError(
    410,
    "VERSION_GONE",
    `The API version ${version} of this resource was sunset on ${when}.`,
    { parameters: [version, when] },
  );
}

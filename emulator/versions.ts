/**
 * Media-type versions: which one a request gets, and the life of a deprecated one.
 *
 * Atlas Admin API v2 resources are selected with `Accept: application/vnd.atlas.YYYY-MM-DD+json`;
 * each operation lists the versions it serves in the openapi slice. The emulator matches versions
 * exactly (no "latest before date" resolution).
 *
 * The deprecated 2023-01-01 media type of the invitation operations (and of listOrgUsers and
 * removeOrgUser) is announced in headers on every answer, as recorded (files 01-11, 16, 18-23):
 * `Deprecation: Wed, 19 Feb 2025 00:00:00 GMT` and `Sunset: Thu, 1 Jul 2027 00:00:00 GMT`, the
 * day without a leading zero. The sunset moved twice (2026-07-31, 2026-09-15, 2027-07-01), so it
 * is an emulator option; once it has passed those operations answer 410 (see dispatch.ts).
 */
import { AtlasError } from "./errors";

export type ApiVersion = "2023-01-01" | "2025-02-19";

const VERSIONED = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/i;

function mediaTypeOf(version: string): string {
  return `application/vnd.atlas.${version}+json`;
}

/** The Content-Type of a success, as recorded (files 01-14): the media type plus a charset. */
export function successMediaType(version: string): string {
  return `${mediaTypeOf(version)};charset=utf-8`;
}

interface Range {
  type: string;
  q: number;
}

function parseAccept(header: string): Range[] {
  return header
    .split(",")
    .map((part) => {
      const [type = "", ...params] = part.split(";").map((s) => s.trim());
      const qParam = params.find((p) => p.toLowerCase().startsWith("q="));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      return { type, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type !== "" && r.q > 0);
}

/** Picks the acceptable version with the highest q (the newest on a tie), or answers 406. */
export function negotiate(
  accept: string | undefined,
  supported: readonly ApiVersion[],
): ApiVersion {
  let best: { version: ApiVersion; q: number } | undefined;
  for (const range of parseAccept(accept ?? "")) {
    const version = VERSIONED.exec(range.type)?.[1];
    const match = supported.find((v) => v === version);
    if (!match) continue;
    if (!best || range.q > best.q || (range.q === best.q && match > best.version)) {
      best = { version: match, q: range.q };
    }
  }
  if (best) return best.version;
  const wanted = supported.map(mediaTypeOf).join(", ");
  throw new AtlasError(
    406,
    "UNSUPPORTED_API_VERSION",
    `Accept header ${JSON.stringify(accept ?? "")} names no version this resource supports; use one of: ${wanted}.`,
    { parameters: [accept ?? ""] },
  );
}

/** Bodies must be JSON in the negotiated media type; plain application/json is tolerated. */
export function checkContentType(contentType: string | undefined, version: ApiVersion): void {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json" || type === mediaTypeOf(version)) return;
  throw new AtlasError(
    415,
    "UNSUPPORTED_MEDIA_TYPE",
    `Content-Type ${JSON.stringify(contentType ?? "")} is not supported; send ${mediaTypeOf(version)}.`,
    { parameters: [contentType ?? ""] },
  );
}

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
function atlasHttpDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, "0");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()] ?? ""}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()} ${time} GMT`;
}

/** When the invites API was deprecated (the date of its replacement, 2025-02-19). */
const DEPRECATION_DATE = Date.UTC(2025, 1, 19);

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

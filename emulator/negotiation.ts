/**
 * Versioned content negotiation: Atlas Admin API v2 resources are selected with
 * `Accept: application/vnd.atlas.YYYY-MM-DD+json`; each operation lists the versions it serves in
 * the openapi slice. The emulator matches versions exactly (no "latest before date" resolution).
 */
import { AtlasError } from "./errors";

export type ApiVersion = "2023-01-01" | "2025-02-19";

const VERSIONED = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/i;

export function mediaTypeOf(version: string): string {
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

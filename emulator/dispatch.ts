/**
 * The /api/atlas/v2 pipeline: which of the 11 slice operations a request names, then
 * authenticate, token bucket, faults, and the operation itself (sunset of a wholly deprecated
 * resource, version negotiation, sunset of the negotiated version, body, invitation limit,
 * handler); finally the headers Atlas puts on every answer: the bucket's Ratelimit-*,
 * Deprecation/Sunset for a deprecated version, and X-Error-Code on errors (recording X2).
 */
import type { AuthHost } from "./auth/gate";
import { authenticate } from "./auth/gate";
import { AtlasError } from "./errors";
import type { FaultHost } from "./faults";
import { withFaults } from "./faults";
import type { ApiMeta, ApiRequest, Outcome, Reply } from "./http-io";
import { header, unknownRoute } from "./http-io";
import { sweepExpired } from "./lifecycle";
import type { InvitationLimiter, TokenBucket } from "./limits";
import type { OpContext, RouteDef, UserRemovals } from "./routes/common";
import { inviteRoutes } from "./routes/invites";
import { userRoutes } from "./routes/users";
import type { AtlasState } from "./state";
import type { SunsetClock } from "./sunset";
import type { ApiVersion } from "./versions";
import {
  checkContentType,
  deprecationHeaders,
  negotiate,
  successMediaType,
  versionGone,
} from "./versions";

/**
 * What the pipeline needs from the emulator: authentication and faults, the state the operations
 * change, the two rate limits, the sunset, the clock, and what the operations see (the base URL of
 * links, the removal counters).
 */
export interface AtlasHost extends AuthHost, FaultHost {
  readonly state: AtlasState;
  readonly baseUrl: string;
  readonly removals: UserRemovals;
  readonly bucket: Pick<TokenBucket, "take">;
  readonly invitationLimiter: Pick<InvitationLimiter, "check" | "record">;
  readonly sunset: Readonly<Pick<SunsetClock, "ms" | "passed">>;
  now(): number;
}

const SLICE_ROUTES: readonly RouteDef[] = [...inviteRoutes, ...userRoutes];

function matchRoute(
  method: string,
  path: string,
): { route: RouteDef; params: string[] } | undefined {
  for (const route of SLICE_ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    try {
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      return { route, params: m.slice(1) };
    }
  }
  return undefined;
}

/** Errors are always `application/json` (recordings X1, X2, 23), whatever was negotiated. */
function errorReply(error: AtlasError): Reply {
  return {
    status: error.status,
    headers: { ...error.headers },
    body: error.body(),
    contentType: "application/json",
  };
}

function parseJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AtlasError(400, "MALFORMED_REQUEST", "The request body is not valid JSON.");
  }
}

interface Negotiated {
  version: ApiVersion | undefined;
}

function runOperation(
  host: AtlasHost,
  req: ApiRequest,
  route: RouteDef,
  params: string[],
  caller: string,
  negotiated: Negotiated,
): Reply {
  try {
    // A resource that serves only sunset versions (the invites API) is gone as a whole: 410 on
    // every call, whatever the Accept header asks for.
    const sunset = route.sunset ?? [];
    if (route.versions.every((v) => sunset.includes(v)) && host.sunset.passed()) {
      throw versionGone(route.versions[0] ?? "2023-01-01", host.sunset.ms);
    }
    const version = negotiate(header(req, "accept"), route.versions);
    negotiated.version = version;
    if (sunset.includes(version) && host.sunset.passed()) {
      throw versionGone(version, host.sunset.ms);
    }
    let body: unknown;
    if (route.hasBody && req.raw.trim() !== "") {
      checkContentType(header(req, "content-type"), version);
      body = parseJson(req.raw);
    }
    const ctx: OpContext = {
      state: host.state,
      baseUrl: host.baseUrl,
      params,
      query: req.url.searchParams,
      body,
      version,
      caller,
      removals: host.removals,
    };
    const limited =
      typeof route.invitationLimited === "function"
        ? route.invitationLimited(ctx)
        : route.invitationLimited === true;
    if (limited) host.invitationLimiter.check(host.now(), host.state.knobs.invitationLimitCode);
    const reply = route.handle(ctx);
    if (limited && reply.status < 300) host.invitationLimiter.record(host.now());
    return { ...reply, contentType: successMediaType(version) };
  } catch (error) {
    if (error instanceof AtlasError) return errorReply(error);
    throw error;
  }
}

/**
 * Deprecation/Sunset go on every answer of a deprecated version; before negotiation (a 429, a
 * fault, a 406) only when the operation serves nothing but deprecated versions (the invites API).
 */
function isDeprecated(route: RouteDef | undefined, version: ApiVersion | undefined): boolean {
  if (route?.sunset === undefined) return false;
  const sunset = route.sunset;
  return version !== undefined
    ? sunset.includes(version)
    : route.versions.every((v) => sunset.includes(v));
}

function errorCodeOf(reply: Reply): string | undefined {
  const body = reply.body as { errorCode?: unknown } | undefined;
  return reply.status >= 400 && typeof body?.errorCode === "string" ? body.errorCode : undefined;
}

export async function dispatchAtlas(
  host: AtlasHost,
  req: ApiRequest,
  meta: ApiMeta,
): Promise<Outcome> {
  sweepExpired(host.state);
  const path = req.url.pathname;
  const match = matchRoute(req.method, path);
  // Known before auth, so the log attributes challenges to the operation they guard.
  meta.operationId = match?.route.operationId;
  const gate = authenticate(host, req.method, req.target, header(req, "authorization"));
  meta.auth = gate.kind;
  if (!gate.ok) {
    meta.challenged = gate.challenged;
    return gate.reply;
  }
  const negotiated: Negotiated = { version: undefined };
  let rateHeaders: Record<string, string> = {};
  let outcome: Outcome;
  try {
    rateHeaders = host.bucket.take(host.now());
    outcome = await withFaults(
      host,
      { method: req.method, path, operationId: meta.operationId },
      meta,
      req.socket,
      () =>
        match
          ? runOperation(host, req, match.route, match.params, gate.caller, negotiated)
          : unknownRoute(req.method, path),
    );
  } catch (error) {
    if (!(error instanceof AtlasError)) throw error;
    outcome = errorReply(error);
  }
  if (outcome === "reset") return outcome;
  const errorCode = errorCodeOf(outcome);
  return {
    ...outcome,
    headers: {
      ...rateHeaders,
      ...(isDeprecated(match?.route, negotiated.version) ? deprecationHeaders(host.sunset.ms) : {}),
      ...(errorCode !== undefined ? { "X-Error-Code": errorCode } : {}),
      ...outcome.headers,
    },
  };
}

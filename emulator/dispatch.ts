/**
 * The /api/atlas/v2 pipeline: authenticate, token bucket, faults, then the operation itself
 * (version negotiation, body, invitation limit, handler).
 */
import { authenticate } from "./auth/gate";
import type { Core } from "./core";
import { AtlasError } from "./errors";
import type { Outcome } from "./fault-apply";
import { withFaults } from "./fault-apply";
import type { ApiVersion } from "./negotiation";
import { checkContentType, mediaTypeOf, negotiate } from "./negotiation";
import type { ApiMeta, ApiRequest } from "./request";
import { header, unknownRoute } from "./request";
import type { Reply, RouteDef } from "./routes/common";
import { matchRoute } from "./routes/table";
import { sweepExpired } from "./lifecycle";

function errorReply(error: AtlasError, contentType: string): Reply {
  return { status: error.status, headers: { ...error.headers }, body: error.body(), contentType };
}

function parseJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AtlasError(400, "MALFORMED_REQUEST", "The request body is not valid JSON.");
  }
}

function runOperation(core: Core, req: ApiRequest, route: RouteDef, params: string[]): Reply {
  let version: ApiVersion | undefined;
  try {
    version = negotiate(header(req, "accept"), route.versions);
    let body: unknown;
    if (route.hasBody && req.raw.trim() !== "") {
      checkContentType(header(req, "content-type"), version);
      body = parseJson(req.raw);
    }
    if (route.invitationLimited) core.invitationLimiter.check(core.now());
    const reply = route.handle({
      state: core.state,
      baseUrl: core.baseUrl,
      params,
      query: req.url.searchParams,
      body,
      version,
    });
    if (route.invitationLimited && reply.status < 300) core.invitationLimiter.record(core.now());
    return { ...reply, contentType: mediaTypeOf(version) };
  } catch (error) {
    if (error instanceof AtlasError) return errorReply(error, "application/json");
    throw error;
  }
}

export async function dispatchAtlas(core: Core, req: ApiRequest, meta: ApiMeta): Promise<Outcome> {
  sweepExpired(core.state);
  const path = req.url.pathname;
  const match = matchRoute(req.method, path);
  // Known before auth, so the log attributes challenges to the operation they guard.
  meta.operationId = match?.route.operationId;
  const gate = authenticate(core, req.method, req.target, header(req, "authorization"));
  meta.auth = gate.kind;
  if (!gate.ok) {
    meta.challenged = gate.challenged;
    return gate.reply;
  }
  let rateHeaders: Record<string, string>;
  try {
    rateHeaders = core.bucket.take(core.now());
  } catch (error) {
    if (error instanceof AtlasError) return errorReply(error, "application/json");
    throw error;
  }
  const outcome = await withFaults(
    core,
    { method: req.method, path, operationId: meta.operationId },
    meta,
    req.socket,
    () =>
      match ? runOperation(core, req, match.route, match.params) : unknownRoute(req.method, path),
  );
  if (outcome === "reset") return outcome;
  return { ...outcome, headers: { ...rateHeaders, ...outcome.headers } };
}

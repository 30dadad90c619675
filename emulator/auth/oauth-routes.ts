/** POST /api/oauth/token and POST /api/oauth/revoke (Atlas service accounts). */
import type { Core } from "../core";
import type { Outcome } from "../fault-apply";
import { withFaults } from "../fault-apply";
import type { ApiMeta, ApiRequest } from "../request";
import { header, unknownRoute } from "../request";
import type { Reply } from "../routes/common";
import { REALM } from "./digest";

/** RFC 6749 §5.2 error bodies (not ApiError: this is the OAuth endpoint). */
function oauthError(
  status: number,
  error: string,
  description: string,
  extra: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { "Cache-Control": "no-store", ...extra },
    body: { error, error_description: description },
  };
}

function form(req: ApiRequest): URLSearchParams | undefined {
  const type = (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" ? new URLSearchParams(req.raw) : undefined;
}

function token(core: Core, req: ApiRequest): Reply {
  const params = form(req);
  if (!params)
    return oauthError(400, "invalid_request", "Send an application/x-www-form-urlencoded body.");
  const grant = params.get("grant_type");
  if (grant === null) return oauthError(400, "invalid_request", "grant_type is required.");
  if (grant !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", "Only client_credentials is supported.");
  }
  return {
    status: 200,
    headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    body: core.tokens.issue(),
  };
}

function revoke(core: Core, req: ApiRequest): Reply {
  const params = form(req);
  const value = params?.get("token");
  if (!value) return oauthError(400, "invalid_request", "token is required.");
  core.tokens.revoke(value);
  return { status: 200 };
}

export async function dispatchOAuth(core: Core, req: ApiRequest, meta: ApiMeta): Promise<Outcome> {
  const path = req.url.pathname;
  const handler =
    path === "/api/oauth/token" ? token : path === "/api/oauth/revoke" ? revoke : undefined;
  if (!handler || req.method !== "POST") return unknownRoute(req.method, path);
  const authorization = header(req, "authorization");
  if (!core.tokens.checkBasic(authorization)) {
    meta.auth = authorization ? "invalid" : "none";
    return oauthError(401, "invalid_client", "Client authentication failed.", {
      "WWW-Authenticate": `Basic realm="${REALM}"`,
    });
  }
  meta.auth = "basic";
  return withFaults(
    core,
    { method: req.method, path, operationId: undefined },
    meta,
    req.socket,
    () => handler(core, req),
  );
}

/**
 * Authentication of /api/atlas/v2 requests: HTTP Digest with the API keys or a Bearer token from
 * the service-account token endpoint (openapi slice: security DigestAuth | ServiceAccounts).
 */
import type { Core } from "../core";
import { apiErrorBody } from "../errors";
import type { Reply } from "../routes/common";
import type { AuthKind } from "../types";
import { REALM } from "./digest";

export type GateResult =
  { ok: true; kind: AuthKind } | { ok: false; kind: AuthKind; challenged: boolean; reply: Reply };

function unauthorized(core: Core, stale: boolean, kind: AuthKind): GateResult {
  return {
    ok: false,
    kind,
    challenged: true,
    reply: {
      status: 401,
      headers: { "WWW-Authenticate": core.digest.challenge(stale) },
      body: apiErrorBody(
        401,
        "USER_UNAUTHORIZED",
        "Current user is not authorized to perform this action.",
      ),
    },
  };
}

export function authenticate(
  core: Core,
  method: string,
  requestTarget: string,
  header: string | undefined,
): GateResult {
  if (!header) return unauthorized(core, false, "none");
  if (/^digest /i.test(header)) {
    const result = core.digest.verify(method, requestTarget, header);
    if (result.ok) return { ok: true, kind: "digest" };
    return unauthorized(core, result.stale, "invalid");
  }
  if (/^bearer /i.test(header)) {
    const verdict = core.tokens.verify(header.slice(7).trim());
    if (verdict === "ok") return { ok: true, kind: "bearer" };
    const detail =
      verdict === "expired" ? "The access token has expired." : "The access token is not valid.";
    return {
      ok: false,
      kind: "invalid",
      challenged: false,
      reply: {
        status: 401,
        // RFC 6750 §3: the Bearer challenge says why, so the client knows to fetch a new token.
        headers: {
          "WWW-Authenticate": `Bearer realm="${REALM}", error="invalid_token", error_description="${detail}"`,
        },
        body: apiErrorBody(401, "INVALID_BEARER_TOKEN", detail),
      },
    };
  }
  return unauthorized(core, false, "invalid");
}

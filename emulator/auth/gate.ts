/**
 * Authentication of /api/atlas/v2 requests: HTTP Digest with the API keys or a Bearer token from
 * the service-account token endpoint (openapi slice: security DigestAuth | ServiceAccounts).
 */
import type { Core } from "../core";
import { apiErrorBody } from "../errors";
import type { Reply } from "../http-io";
import type { AuthKind } from "../types";
import { REALM } from "./digest";

type GateResult =
  | { ok: true; kind: AuthKind; caller: string }
  | { ok: false; kind: AuthKind; challenged: boolean; reply: Reply };

/**
 * The digest 401 exactly as recorded (X1): Jackson-style pretty JSON, no errorCode, served as
 * application/json, 106 bytes.
 */
const DIGEST_401_BODY =
  '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource."\n}';

function unauthorized(core: Core, stale: boolean, kind: AuthKind): GateResult {
  return {
    ok: false,
    kind,
    challenged: true,
    reply: {
      status: 401,
      headers: { "WWW-Authenticate": core.digest.challenge(stale) },
      text: DIGEST_401_BODY,
      contentType: "application/json",
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
    // The caller is the public key: Atlas names it as an invitation's inviterUsername.
    if (result.ok) return { ok: true, kind: "digest", caller: core.options.publicKey };
    return unauthorized(core, result.stale, "invalid");
  }
  if (/^bearer /i.test(header)) {
    const verdict = core.tokens.verify(header.slice(7).trim());
    // UNCONFIRMED: what Atlas reports as the inviter of a service account; its client id here.
    if (verdict === "ok") return { ok: true, kind: "bearer", caller: core.options.clientId };
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

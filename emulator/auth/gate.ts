/**
 * Authentication of /api/atlas/v2 requests: HTTP Digest with the API keys or a Bearer token from
 * the service-account token endpoint (openapi slice: security DigestAuth | ServiceAccounts).
 */
import { apiErrorBody } from "../errors";
import type { Reply } from "../http-io";
import type { AuthKind } from "../types";
import type { DigestAuth } from "./digest";
import { REALM } from "./digest";
import type { TokenStore } from "./oauth";

/**
 * What authenticating a call needs: the digest verifier and its challenges, the issued tokens, and
 * the credential names Atlas reports as the caller.
 */
export interface AuthHost {
  readonly digest: Pick<DigestAuth, "challenge" | "verify">;
  readonly tokens: Pick<TokenStore, "verify">;
  readonly options: { readonly publicKey: string; readonly clientId: string };
}

type GateResult =
  | { ok: true; kind: AuthKind; caller: string }
  | { ok: false; kind: AuthKind; challenged: boolean; reply: Reply };

/**
 * The digest 401 exactly as recorded (X1): Jackson-style pretty JSON, no errorCode, served as
 * application/json, 106 bytes.
 */
const DIGEST_401_BODY =
  '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource."\n}';

function unauthorized(host: AuthHost, stale: boolean, kind: AuthKind): GateResult {
  return {
    ok: false,
    kind,
    challenged: true,
    reply: {
      status: 401,
      headers: { "WWW-Authenticate": host.digest.challenge(stale) },
      text: DIGEST_401_BODY,
      contentType: "application/json",
    },
  };
}

export function authenticate(
  host: AuthHost,
  method: string,
  requestTarget: string,
  header: string | undefined,
): GateResult {
  if (!header) return unauthorized(host, false, "none");
  if (/^digest /i.test(header)) {
    const result = host.digest.verify(method, requestTarget, header);
    // The caller is the public key: Atlas names it as an invitation's inviterUsername.
    if (result.ok) return { ok: true, kind: "digest", caller: host.options.publicKey };
    return unauthorized(host, result.stale, "invalid");
  }
  if (/^bearer /i.test(header)) {
    const verdict = host.tokens.verify(header.slice(7).trim());
    // UNCONFIRMED: what Atlas reports as the inviter of a service account; its client id here.
    if (verdict === "ok") return { ok: true, kind: "bearer", caller: host.options.clientId };
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
  return unauthorized(host, false, "invalid");
}

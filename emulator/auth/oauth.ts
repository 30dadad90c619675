/**
 * OAuth 2.0 client-credentials tokens for Atlas service accounts (RFC 6749 §4.4): Basic client
 * authentication at POST /api/oauth/token, Bearer use (RFC 6750), revocation at
 * POST /api/oauth/revoke (RFC 7009).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FaultHost } from "../faults";
import { withFaults } from "../faults";
import type { ApiMeta, ApiRequest, Outcome, Reply } from "../http-io";
import { header, unknownRoute } from "../http-io";
import { REALM } from "./digest";

interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  now: () => number;
}

type BearerResult = "ok" | "expired" | "unknown";

/** Compare digests so neither length nor content leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash("sha256").update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

export class TokenStore {
  private readonly tokens = new Map<string, { expiresAt: number }>();
  issued = 0;

  constructor(private readonly options: OAuthOptions) {}

  /** RFC 6749 §2.3.1: Basic base64(client_id:client_secret), each form-urlencoded first. */
  checkBasic(header: string | undefined): boolean {
    if (!header || !/^basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const unform = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    const id = unform(decoded.slice(0, colon));
    const secret = unform(decoded.slice(colon + 1));
    return sameSecret(id, this.options.clientId) && sameSecret(secret, this.options.clientSecret);
  }

  issue(): { access_token: string; token_type: "Bearer"; expires_in: number } {
    const token = `emu_${randomBytes(32).toString("base64url")}`;
    this.tokens.set(token, { expiresAt: this.options.now() + this.options.tokenTtlSeconds * 1000 });
    this.issued += 1;
    return { access_token: token, token_type: "Bearer", expires_in: this.options.tokenTtlSeconds };
  }

  verify(token: string): BearerResult {
    const entry = this.tokens.get(token);
    if (!entry) return "unknown";
    if (this.options.now() >= entry.expiresAt) return "expired";
    return "ok";
  }

  /** RFC 7009 §2.2: unknown tokens are not an error. */
  revoke(token: string): void {
    this.tokens.delete(token);
  }
}

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

/** What the token endpoints need: the issued tokens, and faults to play around them. */
export interface OAuthHost extends FaultHost {
  readonly tokens: Pick<TokenStore, "checkBasic" | "issue" | "revoke">;
}

function token(host: OAuthHost, req: ApiRequest): Reply {
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
    body: host.tokens.issue(),
  };
}

function revoke(host: OAuthHost, req: ApiRequest): Reply {
  const params = form(req);
  const value = params?.get("token");
  if (!value) return oauthError(400, "invalid_request", "token is required.");
  host.tokens.revoke(value);
  return { status: 200 };
}

export async function dispatchOAuth(
  host: OAuthHost,
  req: ApiRequest,
  meta: ApiMeta,
): Promise<Outcome> {
  const path = req.url.pathname;
  const handler =
    path === "/api/oauth/token" ? token : path === "/api/oauth/revoke" ? revoke : undefined;
  if (!handler || req.method !== "POST") return unknownRoute(req.method, path);
  const authorization = header(req, "authorization");
  if (!host.tokens.checkBasic(authorization)) {
    meta.auth = authorization ? "invalid" : "none";
    return oauthError(401, "invalid_client", "Client authentication failed.", {
      "WWW-Authenticate": `Basic realm="${REALM}"`,
    });
  }
  meta.auth = "basic";
  return withFaults(
    host,
    { method: req.method, path, operationId: undefined },
    meta,
    req.socket,
    () => handler(host, req),
  );
}

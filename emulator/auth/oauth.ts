/**
 * OAuth 2.0 client-credentials tokens for Atlas service accounts (RFC 6749 §4.4): Basic client
 * authentication at POST /api/oauth/token, Bearer use (RFC 6750), revocation (RFC 7009).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createHash } from "node:crypto";

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  now: () => number;
}

export type BearerResult = "ok" | "expired" | "unknown";

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

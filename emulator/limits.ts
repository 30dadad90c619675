/**
 * The two rate limits Atlas applies to this slice: the per-process invitation limit, answered as
 * HTTP 400 RATE_LIMITED_IP (Terraform provider issue #1589: "Rate limit of 10 invitations per 1
 * minutes exceeded."), and the token-bucket limit, answered 429 with Retry-After and RateLimit-*
 * headers (openapi slice, components.responses.tooManyRequests).
 */
import { AtlasError } from "./errors";
import type { InvitationLimit, TokenBucketSpec } from "./types";

/** 1 -> "1", 0.5 -> "0.5", 2000/60000 -> "0.0333". */
function minutes(windowMs: number): string {
  return String(Number((windowMs / 60_000).toFixed(4)));
}

export class InvitationLimiter {
  private limit: InvitationLimit | null = null;
  private stamps: number[] = [];

  set(limit: InvitationLimit | null): void {
    this.limit = limit;
    this.stamps = [];
  }

  get current(): InvitationLimit | null {
    return this.limit;
  }

  /** Sliding window: throws once `count` invitations were sent in the last `windowMs`. */
  check(now: number): void {
    if (!this.limit) return;
    const { count, windowMs } = this.limit;
    this.stamps = this.stamps.filter((t) => now - t < windowMs);
    if (this.stamps.length >= count) {
      throw new AtlasError(
        400,
        "RATE_LIMITED_IP",
        `Rate limit of ${count} invitations per ${minutes(windowMs)} minutes exceeded.`,
      );
    }
  }

  /** Only invitations actually sent (2xx) count. */
  record(now: number): void {
    if (this.limit) this.stamps.push(now);
  }
}

export class TokenBucket {
  private spec: TokenBucketSpec | null = null;
  private tokens = 0;
  private last = 0;

  set(spec: TokenBucketSpec | null, now: number): void {
    this.spec = spec;
    this.tokens = spec?.capacity ?? 0;
    this.last = now;
  }

  get current(): TokenBucketSpec | null {
    return this.spec;
  }

  /** Takes one token; throws 429 RATE_LIMITED when empty. Returns the headers every answer carries. */
  take(now: number): Record<string, string> {
    if (!this.spec) return {};
    const { capacity, refillPerSecond } = this.spec;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * refillPerSecond);
    this.last = now;
    if (this.tokens < 1) {
      const wait =
        refillPerSecond > 0 ? Math.max(1, Math.ceil((1 - this.tokens) / refillPerSecond)) : 3600;
      throw new AtlasError(
        429,
        "RATE_LIMITED",
        "Too many requests: the token bucket for this endpoint set is empty.",
        {
          headers: {
            "Retry-After": String(wait),
            "RateLimit-Limit": String(capacity),
            "RateLimit-Remaining": "0",
          },
        },
      );
    }
    this.tokens -= 1;
    return {
      "RateLimit-Limit": String(capacity),
      "RateLimit-Remaining": String(Math.floor(this.tokens)),
    };
  }
}

/**
 * The two rate limits Atlas applies to this slice: the per-process invitation limit, answered as
 * HTTP 400 with errorCode INVITATIONS_RATE_LIMITED_IP as users report it
 * (https://github.com/mongodb/terraform-provider-mongodbatlas/issues/1589: "Rate limit of 10
 * invitations per 1 minutes exceeded."; RATE_LIMITED_IP by knob), and the token-bucket limit, answered 429 with Retry-After and the rate-limit headers (openapi slice,
 * components.responses.tooManyRequests). The bucket's headers are spelt as recorded
 * (`Ratelimit-Limit`, `Ratelimit-Remaining`, files 01-14 and X2) and sent on every answer behind
 * it, errors included.
 */
import { AtlasError } from "./errors";
import type { InvitationLimit, InvitationLimitCode, TokenBucketSpec } from "./types";

/**
 * Atlas's documented profile for the invitation and org-user endpoints (organization scope):
 * capacity 500, refilled by 250 every 60 s (token bucket: "Atlas Administration API Rate Limits",
 * https://www.mongodb.com/docs/atlas/api/api-rate-limit/). A fresh emulator answers
 * `Ratelimit-Limit: 500`, `Ratelimit-Remaining: 499`, as recording 01 shows.
 */
export const DEFAULT_TOKEN_BUCKET: Readonly<TokenBucketSpec> = Object.freeze({
  capacity: 500,
  refillPerSecond: 250 / 60,
});

const RATELIMIT_LIMIT = "Ratelimit-Limit";
const RATELIMIT_REMAINING = "Ratelimit-Remaining";

/** 1 -> "1", 0.5 -> "0.5", 2000/60000 -> "0.033333": precise to well under a millisecond. */
function minutes(windowMs: number): string {
  return String(Number((windowMs / 60_000).toFixed(6)));
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
  check(now: number, errorCode: InvitationLimitCode): void {
    if (!this.limit) return;
    const { count, windowMs } = this.limit;
    this.stamps = this.stamps.filter((t) => now - t < windowMs);
    if (this.stamps.length >= count) {
      throw new AtlasError(
        400,
        errorCode,
        `Rate limit of ${count} invitations per ${minutes(windowMs)} minutes exceeded.`,
        { parameters: [String(count), minutes(windowMs)] },
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
    this.spec = spec ? { ...spec } : null;
    this.tokens = spec?.capacity ?? 0;
    this.last = now;
  }

  get current(): TokenBucketSpec | null {
    return this.spec ? { ...this.spec } : null;
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
            [RATELIMIT_LIMIT]: String(capacity),
            [RATELIMIT_REMAINING]: "0",
          },
        },
      );
    }
    this.tokens -= 1;
    return {
      [RATELIMIT_LIMIT]: String(capacity),
      [RATELIMIT_REMAINING]: String(Math.floor(this.tokens)),
    };
  }
}

/**
 * Retry policy as data (after ky's `source/types/retry.ts`): which failures are transient, how
 * long to wait, and when to give up; and the pure judgement of one failed attempt. The loop that
 * acts on it is request-loop.ts, the only one in the package.
 */
import {
  AtlasConfigurationError,
  isAmbiguousFailure,
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isInvitationLimitRefusal,
} from "./errors";

/** When and how a failed request is tried again, and the budgets that bound it. */
export interface RetryPolicy {
  /** Retries after the first attempt, per request (the setting `maxRetries`). */
  limit: number;
  /** Upper-case methods that may be sent again after an ambiguous failure (never POST). */
  methods: readonly string[];
  /** Statuses worth another attempt. */
  statusCodes: readonly number[];
  /** Statuses whose `Retry-After` is honoured instead of backing off. */
  afterStatusCodes: readonly number[];
  /** Cap on one backoff wait, in ms. */
  backoffLimitMs: number;
  /** Backoff cap of the first retry, in ms; doubles per retry. */
  baseDelayMs: number;
  /**
   * `"equal"`: half the cap plus a uniform share of the other half, so retries spread out yet
   * a short outage is always waited out; `"full"`: uniform in [0, cap); `"none"`: the cap
   * ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
   */
  jitter: "equal" | "full" | "none";
  /** Cap on a wait Atlas asks for, in ms. */
  maxRetryAfterMs: number;
  /** Timeout of one attempt, in ms (the setting `requestTimeoutMs`). */
  attemptTimeoutMs: number;
  /** Budget of one whole provider operation, in ms (the setting `deadlineMs`). */
  deadlineMs: number;
}

/**
 * The defaults: 5 retries of GET, PATCH, DELETE on network errors, timeouts, 429 and 5xx;
 * backoff from 500 ms doubling to 30 s with equal jitter; `Retry-After` honoured up to 60 s;
 * 30 s per attempt; 180 s per provider operation.
 */
export const DEFAULT_RETRY_POLICY = {
  limit: 5,
  methods: ["GET", "PATCH", "DELETE", "PUT", "HEAD"],
  statusCodes: [429, 500, 502, 503, 504],
  afterStatusCodes: [429, 503],
  backoffLimitMs: 30_000,
  baseDelayMs: 500,
  jitter: "equal",
  maxRetryAfterMs: 60_000,
  attemptTimeoutMs: 30_000,
  deadlineMs: 180_000,
} as const satisfies RetryPolicy;

/** Overrides of the defaults; `undefined` means "keep the default" (exactOptionalPropertyTypes). */
export type RetryOverrides = { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

function invalid(name: keyof RetryPolicy, expected: string, value: unknown): never {
  throw new AtlasConfigurationError(
    `Invalid retry option \`${name}\`: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}.`,
    [`retry.${name}`],
  );
}

const MS_FIELDS = [
  "backoffLimitMs",
  "baseDelayMs",
  "maxRetryAfterMs",
  "attemptTimeoutMs",
  "deadlineMs",
] as const;

/**
 * The defaults with the defined overrides applied, validated.
 * @throws AtlasConfigurationError naming the option and what it expects
 */
export function resolveRetryPolicy(overrides: RetryOverrides = {}): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_RETRY_POLICY)) {
      throw new AtlasConfigurationError(`Unknown retry option \`${name}\`.`, [`retry.${name}`]);
    }
    // Values are checked one by one below, whatever type they arrived with.
    Object.assign(p, { [name]: value });
  }
  if (!Number.isInteger(p.limit) || p.limit < 0) invalid("limit", "a whole number >= 0", p.limit);
  for (const name of MS_FIELDS) {
    const v: unknown = p[name];
    const positive = name === "attemptTimeoutMs" || name === "deadlineMs";
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
      invalid(name, positive ? "milliseconds > 0" : "milliseconds >= 0", v);
    }
  }
  if (!["equal", "full", "none"].includes(p.jitter)) {
    invalid("jitter", '"equal", "full" or "none"', p.jitter);
  }
  if (
    !Array.isArray(p.methods) ||
    !p.methods.every((m) => typeof m === "string" && /^[a-z]+$/i.test(m))
  ) {
    invalid("methods", "a list of HTTP methods", p.methods);
  }
  const methods = p.methods.map((m) => m.toUpperCase());
  if (methods.includes("POST")) {
    invalid(
      "methods",
      "methods that are safe to send twice (POST may already have created the invitation)",
      p.methods,
    );
  }
  for (const name of ["statusCodes", "afterStatusCodes"] as const) {
    const v: unknown = p[name];
    if (!Array.isArray(v) || !v.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
      invalid(name, "a list of HTTP status codes", v);
    }
  }
  return { ...p, methods };
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into milliseconds from
 * `nowMs`; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** How the one loop treats a failed attempt. */
export type Verdict =
  /** Atlas refused before acting (invitation limit, 429, a proxy's refusal): safe to send again, POST included. */
  | "refused"
  /** A transient failure of a request that is safe to repeat. */
  | "transient"
  /** A POST that may have landed: look it up before anything else. */
  | "ambiguous"
  /** Not worth another attempt. */
  | "final";

/**
 * Judges one failed attempt. `sent` is false when the request never left this process (the auth
 * step failed, or a proxy refused the tunnel before it carried anything); `sendsInvitation` tells
 * whether the request is subject to the invitation limit (only such calls are repeated for it).
 */
export function judge(
  policy: RetryPolicy,
  method: string,
  error: unknown,
  sent: boolean,
  sendsInvitation = false,
): Verdict {
  if (isInvitationLimitRefusal(error)) return sendsInvitation ? "refused" : "final";
  if (isAtlasApiError(error) && error.status === 429) return "refused";
  if (isAtlasProxyError(error)) return "refused";
  const transient =
    isAtlasNetworkError(error) ||
    isAtlasTimeoutError(error) ||
    (isAtlasApiError(error) && policy.statusCodes.includes(error.status));
  if (!transient && !isAmbiguousFailure(error)) return "final";
  if (!sent) return "refused";
  if (policy.methods.includes(method)) return transient ? "transient" : "final";
  return isAmbiguousFailure(error) ? "ambiguous" : "final";
}

/**
 * Milliseconds to wait before retry number `retry` (1 = the first retry): the wait Atlas asked
 * for on `afterStatusCodes` (capped), otherwise exponential backoff with jitter. Pure.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  error: unknown,
  random: () => number,
): number {
  if (
    isAtlasApiError(error) &&
    policy.afterStatusCodes.includes(error.status) &&
    error.retryAfterMs !== undefined
  ) {
    return Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
  }
  const cap = Math.min(policy.backoffLimitMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  if (policy.jitter === "none") return cap;
  if (policy.jitter === "full") return Math.floor(random() * cap);
  return Math.floor(cap / 2 + random() * (cap / 2));
}

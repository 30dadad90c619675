/**
 * Retry policy as data (after ky's `source/types/retry.ts`): which failures are transient, how
 * long to wait, and when to give up. Only known-transient failures are retried, and only on
 * methods where sending twice is harmless: POST never (a create that reached Atlas before the
 * connection dropped must not be repeated blindly), unless the request never left (a failed
 * token request). Time is injected so tests never really wait.
 */
import {
  AtlasConfigurationError,
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasTimeoutError,
} from "./errors";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  /** Upper-case methods that may be retried once sent. */
  methods: readonly string[];
  statusCodes: readonly number[];
  /** Statuses whose `Retry-After` / `RateLimit-Reset` we honour instead of backing off. */
  afterStatusCodes: readonly number[];
  /** Cap on one exponential backoff wait. */
  backoffLimitMs: number;
  /** First backoff cap; doubles per attempt. */
  baseDelayMs: number;
  /** Full jitter (a uniform wait in [0, cap)); false waits the cap itself. */
  jitter: boolean;
  /** Cap on a wait Atlas asks for. */
  maxRetryAfterMs: number;
  attemptTimeoutMs: number;
  /** Overall budget for one call, attempts and waits included. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY = {
  limit: 5,
  methods: ["GET", "PATCH", "DELETE", "PUT", "HEAD"],
  statusCodes: [429, 500, 502, 503, 504],
  afterStatusCodes: [429, 503],
  backoffLimitMs: 30_000,
  baseDelayMs: 500,
  jitter: true,
  maxRetryAfterMs: 60_000,
  attemptTimeoutMs: 30_000,
  deadlineMs: 180_000,
} as const satisfies RetryPolicy;

/** Overrides of the defaults; `undefined` means "keep the default" (exactOptionalPropertyTypes). */
export type RetryOverrides = { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined };

export interface AtlasLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
}

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

/** Defaults with the defined overrides applied; `undefined` values are ignored. */
export function resolveRetryPolicy(overrides: RetryOverrides = {}): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [name, value] of Object.entries(overrides) as [keyof RetryPolicy, unknown][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_RETRY_POLICY)) {
      throw new AtlasConfigurationError(`Unknown retry option \`${String(name)}\`.`, [
        `retry.${String(name)}`,
      ]);
    }
    (policy as unknown as Record<string, unknown>)[name] = value;
  }
  if (!Number.isInteger(policy.limit) || policy.limit < 0)
    invalid("limit", "a whole number >= 0", policy.limit);
  for (const name of MS_FIELDS) {
    const v: unknown = policy[name];
    const positive = name === "attemptTimeoutMs" || name === "deadlineMs";
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
      invalid(name, positive ? "milliseconds > 0" : "milliseconds >= 0", v);
    }
  }
  if (typeof policy.jitter !== "boolean") invalid("jitter", "true or false", policy.jitter);
  if (
    !Array.isArray(policy.methods) ||
    !policy.methods.every((m) => typeof m === "string" && /^[a-z]+$/i.test(m))
  ) {
    invalid("methods", "a list of HTTP methods", policy.methods);
  }
  policy.methods = policy.methods.map((m) => m.toUpperCase());
  if (policy.methods.includes("POST")) {
    invalid(
      "methods",
      "methods that are safe to send twice (POST may already have created the invitation)",
      policy.methods,
    );
  }
  for (const name of ["statusCodes", "afterStatusCodes"] as const) {
    const v: unknown = policy[name];
    if (!Array.isArray(v) || !v.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
      invalid(name, "a list of HTTP status codes", v);
    }
  }
  return policy;
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) or `RateLimit-Reset`
 * (delta seconds, draft-ietf-httpapi-ratelimit-headers) into milliseconds from `nowMs`.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Whether a failed attempt may be retried; `sent` is false when the request never left. */
export function isRetryable(
  policy: RetryPolicy,
  method: string,
  error: unknown,
  sent: boolean,
): boolean {
  const methodOk = !sent || policy.methods.includes(method.toUpperCase());
  if (isAtlasNetworkError(error) || isAtlasTimeoutError(error)) return methodOk;
  if (isAtlasApiError(error)) return methodOk && policy.statusCodes.includes(error.status);
  return false;
}

/**
 * Milliseconds to wait before retry number `attempt` (1 = the first retry). Honours the wait Atlas
 * asked for on `afterStatusCodes` (capped); otherwise exponential backoff with full jitter
 * ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015). Pure.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
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
  const cap = Math.min(policy.backoffLimitMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return policy.jitter ? Math.floor(random() * cap) : cap;
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function describeFailure(error: unknown): string {
  if (isAtlasApiError(error)) {
    if (error.status === 429) return "rate limited by Atlas";
    return `Atlas answered ${error.status} ${error.errorCode}`;
  }
  if (isAtlasNetworkError(error)) return `network error ${error.code}`;
  if (isAtlasTimeoutError(error))
    return `no answer from Atlas within ${formatWait(error.timeoutMs)}`;
  return "failure";
}

export interface RetryContext {
  policy: RetryPolicy;
  method: string;
  /** Path and query, for log lines. */
  path: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: AtlasLogger;
}

export interface Attempt {
  /** This attempt's timeout: the per-attempt timeout, or what is left of the deadline. */
  timeoutMs: number;
  /** Call right before the request goes on the wire. */
  markSent(): void;
}

export async function runWithRetry<T>(
  ctx: RetryContext,
  attempt: (a: Attempt) => Promise<T>,
): Promise<T> {
  const { policy } = ctx;
  const start = ctx.now();
  for (let n = 1; ; n++) {
    const left = policy.deadlineMs - (ctx.now() - start);
    let sent = false;
    try {
      return await attempt({
        timeoutMs: Math.max(1, Math.min(policy.attemptTimeoutMs, left)),
        markSent: () => void (sent = true),
      });
    } catch (error: unknown) {
      if (n > policy.limit || !isRetryable(policy, ctx.method, error, sent)) throw error;
      const wait = retryDelayMs(policy, n, error, ctx.random);
      if (ctx.now() - start + wait >= policy.deadlineMs) throw error;
      ctx.logger.info?.(
        `${describeFailure(error)} on ${ctx.method} ${ctx.path}, waiting ${formatWait(wait)} ` +
          `(attempt ${n + 1} of ${policy.limit + 1})`,
      );
      await ctx.sleep(wait);
    }
  }
}

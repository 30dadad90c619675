import {
  AtlasApiError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasTimeoutError,
  isAtlasConfigurationError,
} from "../../provider/atlas/errors";
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  resolveRetryPolicy,
  retryDelayMs,
  runWithRetry,
} from "../../provider/atlas/retry";
import type { RetryOverrides, RetryPolicy } from "../../provider/atlas/retry";

const line = { method: "GET", path: "/api/atlas/v2/orgs/x/invites" };
const apiError = (status: number, retryAfterMs?: number) =>
  new AtlasApiError({ ...line, status, body: { errorCode: "X" }, retryAfterMs });
const policy = (o: Partial<RetryPolicy> = {}) => resolveRetryPolicy({ jitter: false, ...o });

function configError(overrides: Record<string, unknown>): string {
  try {
    resolveRetryPolicy(overrides as RetryOverrides);
  } catch (err) {
    expect(isAtlasConfigurationError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("resolveRetryPolicy", () => {
  it("returns the defaults when given nothing and ignores undefined overrides", () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({ limit: undefined, baseDelayMs: 7 })).toEqual({
      ...DEFAULT_RETRY_POLICY,
      baseDelayMs: 7,
    });
  });

  it("upper-cases methods", () => {
    expect(resolveRetryPolicy({ methods: ["get", "Delete"] }).methods).toEqual(["GET", "DELETE"]);
  });

  it.each([
    [{ limit: -1 }, /`limit`: expected a whole number >= 0, got -1/],
    [{ limit: 1.5 }, /`limit`/],
    [{ baseDelayMs: Number.NaN }, /`baseDelayMs`: expected milliseconds >= 0/],
    [{ deadlineMs: 0 }, /`deadlineMs`: expected milliseconds > 0, got 0/],
    [{ attemptTimeoutMs: "5s" }, /`attemptTimeoutMs`: expected milliseconds > 0, got "5s"/],
    [{ jitter: "yes" }, /`jitter`: expected true or false/],
    [{ methods: "GET" }, /`methods`: expected a list of HTTP methods/],
    [{ methods: ["GET", "POST"] }, /POST may already have created the invitation/],
    [{ statusCodes: [503, 1000] }, /`statusCodes`: expected a list of HTTP status codes/],
    [{ retries: 3 }, /Unknown retry option `retries`/],
  ])("rejects %j with a plain message", (overrides, message) => {
    expect(configError(overrides)).toMatch(message);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay-seconds and HTTP dates (RFC 9110 §10.2.3)", () => {
    expect(parseRetryAfter("6", now)).toBe(6000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:09 GMT", now)).toBe(9000);
  });

  it("treats a date in the past as no wait and garbage as absent", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(" ", now)).toBeUndefined();
  });
});

describe("isRetryable", () => {
  const p = resolveRetryPolicy();

  it("retries listed statuses, network errors and timeouts on idempotent methods", () => {
    for (const status of [429, 500, 502, 503, 504])
      expect(isRetryable(p, "GET", apiError(status), true)).toBe(true);
    expect(
      isRetryable(p, "DELETE", new AtlasNetworkError({ ...line, code: "ECONNRESET" }), true),
    ).toBe(true);
    expect(isRetryable(p, "PATCH", new AtlasTimeoutError({ ...line, timeoutMs: 5 }), true)).toBe(
      true,
    );
  });

  it("never retries a POST that was sent", () => {
    expect(isRetryable(p, "POST", apiError(503), true)).toBe(false);
    expect(
      isRetryable(p, "POST", new AtlasNetworkError({ ...line, code: "ECONNRESET" }), true),
    ).toBe(false);
  });

  it("retries a POST whose request never left (a failed token request)", () => {
    expect(isRetryable(p, "POST", apiError(503), false)).toBe(true);
  });

  it("does not retry client errors, protocol errors or foreign errors", () => {
    for (const status of [400, 401, 403, 404, 409])
      expect(isRetryable(p, "GET", apiError(status), true)).toBe(false);
    expect(
      isRetryable(p, "GET", new AtlasProtocolError({ ...line, status: 200, problem: "x" }), true),
    ).toBe(false);
    expect(isRetryable(p, "GET", new TypeError("bug"), true)).toBe(false);
  });
});

describe("retryDelayMs", () => {
  it("doubles the backoff per attempt up to backoffLimitMs", () => {
    const p = policy({ baseDelayMs: 100, backoffLimitMs: 500 });
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n, apiError(500), () => 0.5))).toEqual([
      100, 200, 400, 500, 500,
    ]);
  });

  it("draws a full-jitter wait in [0, cap)", () => {
    const p = resolveRetryPolicy({ baseDelayMs: 1000, backoffLimitMs: 10_000 });
    expect(retryDelayMs(p, 3, apiError(500), () => 0)).toBe(0);
    expect(retryDelayMs(p, 3, apiError(500), () => 0.999)).toBe(3996);
  });

  it("waits what Retry-After asked for on 429 and 503, capped by maxRetryAfterMs", () => {
    const p = policy({ maxRetryAfterMs: 10_000 });
    expect(retryDelayMs(p, 1, apiError(429, 6000), () => 0)).toBe(6000);
    expect(retryDelayMs(p, 1, apiError(503, 60_000), () => 0)).toBe(10_000);
  });

  it("backs off instead when the status does not honour Retry-After or none was sent", () => {
    const p = policy({ baseDelayMs: 100 });
    expect(retryDelayMs(p, 1, apiError(500, 6000), () => 0)).toBe(100);
    expect(retryDelayMs(p, 1, apiError(429), () => 0)).toBe(100);
  });
});

describe("runWithRetry", () => {
  function harness(o: Partial<RetryPolicy> = {}, method = "GET") {
    let clock = 0;
    const waits: number[] = [];
    const logs: string[] = [];
    const ctx = {
      policy: policy({ baseDelayMs: 100, ...o }),
      method,
      path: line.path,
      now: () => clock,
      sleep: async (ms: number) => {
        waits.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      logger: { info: (m: string) => void logs.push(m) },
    };
    return { ctx, waits, logs, advance: (ms: number) => (clock += ms) };
  }

  it("retries until success and tells the logger about each wait", async () => {
    const { ctx, waits, logs } = harness();
    let calls = 0;
    const result = await runWithRetry(ctx, async (a) => {
      a.markSent();
      calls += 1;
      if (calls === 1) throw apiError(429, 6000);
      if (calls === 2) throw new AtlasNetworkError({ ...line, code: "ECONNRESET" });
      return "ok";
    });
    expect(result).toBe("ok");
    expect(waits).toEqual([6000, 200]);
    expect(logs).toEqual([
      `rate limited by Atlas on GET ${line.path}, waiting 6 s (attempt 2 of 6)`,
      `network error ECONNRESET on GET ${line.path}, waiting 200 ms (attempt 3 of 6)`,
    ]);
  });

  it("gives up after `limit` retries with the last error", async () => {
    const { ctx, waits } = harness({ limit: 2 });
    let calls = 0;
    await expect(
      runWithRetry(ctx, async (a) => {
        a.markSent();
        calls += 1;
        throw apiError(503);
      }),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it("stops when the next wait would pass the deadline", async () => {
    const { ctx, waits } = harness({ deadlineMs: 5000 });
    let calls = 0;
    await expect(
      runWithRetry(ctx, async (a) => {
        a.markSent();
        calls += 1;
        throw apiError(429, 3000);
      }),
    ).rejects.toMatchObject({ status: 429 });
    expect(calls).toBe(2);
    expect(waits).toEqual([3000]);
  });

  it("shortens the attempt timeout to what is left of the deadline", async () => {
    const { ctx, advance } = harness({ deadlineMs: 1000, attemptTimeoutMs: 800 });
    const timeouts: number[] = [];
    await runWithRetry(ctx, async (a) => {
      timeouts.push(a.timeoutMs);
      a.markSent();
      if (timeouts.length === 1) {
        advance(750);
        throw new AtlasTimeoutError({ ...line, timeoutMs: 800 });
      }
      return undefined;
    });
    expect(timeouts).toEqual([800, 150]);
  });

  it("does not retry a sent POST", async () => {
    const { ctx } = harness({}, "POST");
    let calls = 0;
    await expect(
      runWithRetry(ctx, async (a) => {
        a.markSent();
        calls += 1;
        throw apiError(503);
      }),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(1);
  });
});

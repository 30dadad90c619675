import fc from "fast-check";
import { BucketView } from "../../provider/atlas/bucket-view";
import { Budget } from "../../provider/atlas/budget";
import type { Clock } from "../../provider/atlas/budget";
import { InvitationView } from "../../provider/atlas/invitation-view";
import { runRequest } from "../../provider/atlas/request-loop";
import type { RawResponse } from "../../provider/atlas/request-loop";
import {
  DEFAULT_RETRY_POLICY,
  judge,
  parseRetryAfter,
  resolveRetryPolicy,
  retryDelayMs,
} from "../../provider/atlas/retry";
import type { RetryOverrides, RetryPolicy } from "../../provider/atlas/retry";
import {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasProxyError,
  AtlasTimeoutError,
  AtlasTlsError,
  isAtlasConfigurationError,
  isAtlasDeadlineError,
} from "../../provider/errors";

const line = { method: "GET", path: "/api/atlas/v2/orgs/x/invites" };
const apiError = (status: number, retryAfterMs?: number, errorCode = "X") =>
  new AtlasApiError({ ...line, status, body: { errorCode }, retryAfterMs });
const network = (code = "ECONNRESET") => new AtlasNetworkError({ ...line, code });
const timeout = () => new AtlasTimeoutError({ ...line, timeoutMs: 5 });
const protocol = () => new AtlasProtocolError({ ...line, status: 200, problem: "malformed JSON" });
const policy = (o: Partial<RetryPolicy> = {}) => resolveRetryPolicy({ jitter: "none", ...o });

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
  it("returns the defaults, equal jitter among them, when given nothing and ignores undefined overrides", () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY.jitter).toBe("equal");
    expect(resolveRetryPolicy({ limit: undefined, baseDelayMs: 7 })).toEqual({
      ...DEFAULT_RETRY_POLICY,
      baseDelayMs: 7,
    });
  });

  it("upper-cases methods", () => {
    expect(resolveRetryPolicy({ methods: ["get", "Delete"] }).methods).toEqual(["GET", "DELETE"]);
  });

  it("accepts each jitter mode", () => {
    for (const jitter of ["equal", "full", "none"] as const)
      expect(resolveRetryPolicy({ jitter }).jitter).toBe(jitter);
  });

  it.each([
    [{ limit: -1 }, /`limit`: expected a whole number >= 0, got -1/],
    [{ limit: 1.5 }, /`limit`/],
    [{ baseDelayMs: Number.NaN }, /`baseDelayMs`: expected milliseconds >= 0/],
    [{ deadlineMs: 0 }, /`deadlineMs`: expected milliseconds > 0, got 0/],
    [{ attemptTimeoutMs: "5s" }, /`attemptTimeoutMs`: expected milliseconds > 0, got "5s"/],
    [{ jitter: "yes" }, /`jitter`: expected "equal", "full" or "none", got "yes"/],
    [{ jitter: false }, /`jitter`: expected "equal", "full" or "none", got false/],
    [{ methods: "GET" }, /`methods`: expected a list of HTTP methods/],
    [{ methods: ["GET", "POST"] }, /POST may already have created the invitation/],
    [{ methods: ["GET", "post"] }, /POST may already have created the invitation/],
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

describe("judge", () => {
  const p = resolveRetryPolicy();
  const limitRefusal = (status: number, code: string) =>
    apiError(status, undefined, code) as unknown;

  it('calls transient failures of idempotent methods "transient"', () => {
    for (const status of [500, 502, 503, 504])
      expect(judge(p, "GET", apiError(status), true)).toBe("transient");
    expect(judge(p, "DELETE", network(), true)).toBe("transient");
    expect(judge(p, "PATCH", timeout(), true)).toBe("transient");
  });

  it('calls a 429 "refused" for every method, POST included, since Atlas did nothing', () => {
    for (const method of ["GET", "PATCH", "DELETE", "POST"])
      expect(judge(p, method, apiError(429, 1000), true)).toBe("refused");
  });

  const LIMIT_REFUSALS = [
    [400, "INVITATIONS_RATE_LIMITED_IP"],
    [400, "RATE_LIMITED_IP"],
    [400, "SOME_RATE_LIMIT"],
    [429, "INVITATIONS_RATE_LIMITED"],
  ] as const;

  it('calls the invitation limit "refused" for an invitation-sending POST or PATCH, under every code it comes with', () => {
    for (const [status, code] of LIMIT_REFUSALS) {
      expect(judge(p, "POST", limitRefusal(status, code), true, true)).toBe("refused");
      expect(judge(p, "PATCH", limitRefusal(status, code), true, true)).toBe("refused");
    }
  });

  it('calls the invitation limit "final" for a call that sends no invitation: waiting would not help it', () => {
    for (const [status, code] of LIMIT_REFUSALS) {
      expect(judge(p, "GET", limitRefusal(status, code), true)).toBe("final");
      expect(judge(p, "DELETE", limitRefusal(status, code), true, false)).toBe("final");
    }
    // A plain 429 is still a refusal for every call.
    expect(judge(p, "GET", apiError(429), true, false)).toBe("refused");
  });

  it('calls a proxy that refused the tunnel "refused": the request never reached Atlas', () => {
    const proxy = new AtlasProxyError({
      ...line,
      proxy: "http://p:1",
      variable: "HTTPS_PROXY",
      status: 502,
    });
    expect(judge(p, "POST", proxy, false)).toBe("refused");
    expect(judge(p, "GET", proxy, false)).toBe("refused");
  });

  it('calls a POST that may have landed "ambiguous": a 5xx, no answer, a timeout or a cut-short answer after it was sent', () => {
    for (const error of [
      apiError(500),
      apiError(503),
      apiError(504),
      network(),
      timeout(),
      protocol(),
    ])
      expect(judge(p, "POST", error, true)).toBe("ambiguous");
  });

  it('calls a POST that never left this process "refused", whatever went wrong', () => {
    for (const error of [apiError(503), network("ECONNREFUSED"), timeout()])
      expect(judge(p, "POST", error, false)).toBe("refused");
  });

  it('calls client errors, a protocol error on GET and foreign errors "final"', () => {
    for (const status of [400, 401, 403, 404, 409]) {
      expect(judge(p, "GET", apiError(status), true)).toBe("final");
      expect(judge(p, "POST", apiError(status), true)).toBe("final");
    }
    expect(judge(p, "GET", protocol(), true)).toBe("final");
    expect(judge(p, "GET", apiError(501), true)).toBe("final");
    expect(judge(p, "GET", new TypeError("bug"), true)).toBe("final");
    expect(judge(p, "GET", new AtlasAuthenticationError({ ...line, offered: "" }), true)).toBe(
      "final",
    );
    expect(
      judge(p, "GET", new AtlasTlsError({ ...line, host: "h", code: "CERT_HAS_EXPIRED" }), true),
    ).toBe("final");
  });

  it('treats a method the policy leaves out like a POST: "ambiguous" once sent', () => {
    const getOnly = resolveRetryPolicy({ methods: ["GET"] });
    expect(judge(getOnly, "PATCH", apiError(503), true)).toBe("ambiguous");
    expect(judge(getOnly, "GET", apiError(503), true)).toBe("transient");
  });
});

describe("retryDelayMs", () => {
  it("doubles the backoff per retry up to backoffLimitMs, the cap itself without jitter", () => {
    const p = policy({ baseDelayMs: 100, backoffLimitMs: 500 });
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n, apiError(500), () => 0.5))).toEqual([
      100, 200, 400, 500, 500,
    ]);
  });

  it("draws a full-jitter wait in [0, cap)", () => {
    const p = resolveRetryPolicy({ jitter: "full", baseDelayMs: 1000, backoffLimitMs: 10_000 });
    expect(retryDelayMs(p, 3, apiError(500), () => 0)).toBe(0);
    expect(retryDelayMs(p, 3, apiError(500), () => 0.999)).toBe(3996);
  });

  it("draws an equal-jitter wait of half the cap plus a uniform share of the other half", () => {
    const p = resolveRetryPolicy({ baseDelayMs: 1000, backoffLimitMs: 10_000 });
    expect(retryDelayMs(p, 3, apiError(500), () => 0)).toBe(2000);
    expect(retryDelayMs(p, 3, apiError(500), () => 0.5)).toBe(3000);
    expect(retryDelayMs(p, 3, apiError(500), () => 0.999)).toBe(3998);
  });

  it("keeps every equal-jitter wait between half the cap and the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom<unknown>(apiError(500), apiError(503), network(), timeout()),
        (retry, baseDelayMs, backoffLimitMs, random, error) => {
          const p = resolveRetryPolicy({ baseDelayMs, backoffLimitMs });
          const cap = Math.min(backoffLimitMs, baseDelayMs * 2 ** (retry - 1));
          const wait = retryDelayMs(p, retry, error, () => random);
          return wait >= Math.floor(cap / 2) && wait <= cap;
        },
      ),
    );
  });

  it("waits what Retry-After asked for on 429 and 503, capped by maxRetryAfterMs", () => {
    const p = policy({ maxRetryAfterMs: 10_000 });
    expect(retryDelayMs(p, 1, apiError(429, 6000), () => 0)).toBe(6000);
    expect(retryDelayMs(p, 1, apiError(503, 60_000), () => 0)).toBe(10_000);
    const equal = resolveRetryPolicy({ maxRetryAfterMs: 10_000 });
    expect(retryDelayMs(equal, 4, apiError(503, 2000), () => 0.9)).toBe(2000);
  });

  it("backs off instead when the status does not honour Retry-After or none was sent", () => {
    const p = policy({ baseDelayMs: 100 });
    expect(retryDelayMs(p, 1, apiError(500, 6000), () => 0)).toBe(100);
    expect(retryDelayMs(p, 1, apiError(429), () => 0)).toBe(100);
  });
});

describe("runRequest", () => {
  type Outcome = RawResponse | { throws: unknown; sent: boolean };
  const ok = (body: unknown = "ok"): RawResponse => ({
    status: 200,
    headers: {},
    body: JSON.stringify(body),
  });
  const answer = (
    status: number,
    errorCode: string,
    headers: Record<string, string> = {},
    detail?: string,
  ): RawResponse => ({ status, headers, body: JSON.stringify({ errorCode, detail }) });

  function harness(o: Partial<RetryPolicy> = {}, method = "GET", sendsInvitation = false) {
    let time = 0;
    const waits: number[] = [];
    const logs: string[] = [];
    const clock: Clock = {
      now: () => time,
      sleep: async (ms) => {
        waits.push(ms);
        time += ms;
      },
      random: () => 0.5,
    };
    const p = policy({ baseDelayMs: 100, ...o });
    const views = {
      bucket: new BucketView(),
      invitation: sendsInvitation ? new InvitationView() : undefined,
    };
    const timeouts: number[] = [];
    const run = <T = string>(
      outcomes: Outcome[],
      extra: {
        landed?: (budget: Budget) => Promise<T | undefined>;
        during?: (attempt: number) => void;
        budget?: Budget;
        guard?: (attempt: {
          timeoutMs: number;
          observe(response: RawResponse): void;
        }) => Promise<T | undefined>;
      } = {},
    ) => {
      let calls = 0;
      const promise = runRequest<T>(
        { policy: p, logger: { info: (m) => void logs.push(m) } },
        {
          method,
          path: line.path,
          budget: extra.budget ?? new Budget(p.deadlineMs, clock),
          views,
          landed: extra.landed,
          guard: extra.guard,
          send: async (attempt) => {
            calls += 1;
            timeouts.push(attempt.timeoutMs);
            extra.during?.(calls);
            const outcome = outcomes[Math.min(calls, outcomes.length) - 1] as Outcome;
            if ("throws" in outcome) {
              if (outcome.sent) attempt.markSent();
              throw outcome.throws;
            }
            attempt.markSent();
            return outcome;
          },
          parse: (response) => {
            if (response.status >= 400) {
              throw new AtlasApiError({
                method,
                path: line.path,
                status: response.status,
                body: JSON.parse(response.body) as { errorCode?: string },
                retryAfterMs: parseRetryAfter(response.headers["retry-after"], time),
              });
            }
            return JSON.parse(response.body) as T;
          },
        },
      );
      return { promise, calls: () => calls };
    };
    return {
      run,
      waits,
      logs,
      timeouts,
      views,
      clock,
      advance: (ms: number) => void (time += ms),
    };
  }

  it("retries until success, waiting out Retry-After in the rate-limit view and backing off otherwise", async () => {
    const h = harness({ jitter: "equal" });
    const { promise, calls } = h.run([
      answer(429, "RATE_LIMITED", { "retry-after": "6" }),
      { throws: network(), sent: true },
      ok(),
    ]);
    await expect(promise).resolves.toBe("ok");
    expect(calls()).toBe(3);
    // 6 s asked by Atlas, then three quarters of a 200 ms cap.
    expect(h.waits).toEqual([6000, 150]);
    expect(h.logs).toEqual([
      `rate limited by Atlas on GET ${line.path}; attempt 2 of 6`,
      `waiting 6 s before GET ${line.path}: Atlas's rate limit asked to wait (Retry-After)`,
      `network error ECONNRESET on GET ${line.path}; waiting 150 ms, then attempt 3 of 6`,
    ]);
  });

  it("gives up after `limit` retries with the last error", async () => {
    const h = harness({ limit: 2 });
    const { promise, calls } = h.run([answer(503, "SERVICE_UNAVAILABLE")]);
    await expect(promise).rejects.toMatchObject({ status: 503, errorCode: "SERVICE_UNAVAILABLE" });
    expect(calls()).toBe(3);
    expect(h.waits).toEqual([100, 200]);
  });

  it("ends with AtlasDeadlineError when the next wait Atlas asks for would pass the budget", async () => {
    const h = harness({ deadlineMs: 5000 });
    const { promise, calls } = h.run([answer(429, "RATE_LIMITED", { "retry-after": "3" })]);
    const err: unknown = await promise.catch((e: unknown) => e);
    expect(isAtlasDeadlineError(err)).toBe(true);
    expect(err).toMatchObject({ deadlineMs: 5000, settings: ["deadlineMs"] });
    expect((err as Error).message).toMatch(/Retry-After.*3 s away/);
    expect(calls()).toBe(2);
    expect(h.waits).toEqual([3000]);
  });

  it("ends with AtlasDeadlineError carrying the last failure when a backoff would use up the budget", async () => {
    const h = harness({ deadlineMs: 250 });
    const { promise, calls } = h.run([answer(503, "SERVICE_UNAVAILABLE")]);
    const err: unknown = await promise.catch((e: unknown) => e);
    expect(isAtlasDeadlineError(err)).toBe(true);
    expect((err as Error).message).toContain("gave up after 2 attempts");
    expect((err as Error).cause).toMatchObject({ status: 503 });
    expect(calls()).toBe(2);
    expect(h.waits).toEqual([100]);
  });

  it("shortens the attempt timeout to what is left of the budget", async () => {
    const h = harness({ deadlineMs: 1000, attemptTimeoutMs: 800 });
    const { promise } = h.run([{ throws: timeout(), sent: true }, ok()], {
      during: (attempt) => attempt === 1 && h.advance(750),
    });
    await expect(promise).resolves.toBe("ok");
    expect(h.timeouts).toEqual([800, 150]);
    expect(h.waits).toEqual([100]);
  });

  it("does not repeat a sent POST after a 503 when no landed look-up is given", async () => {
    const h = harness({}, "POST");
    const { promise, calls } = h.run([answer(503, "SERVICE_UNAVAILABLE")]);
    await expect(promise).rejects.toMatchObject({ status: 503 });
    expect(calls()).toBe(1);
    expect(h.waits).toEqual([]);
  });

  it("returns what an ambiguous POST created when the look-up finds it, without sending it again", async () => {
    const h = harness({}, "POST");
    const budgets: Budget[] = [];
    const { promise, calls } = h.run<string>([{ throws: network(), sent: true }], {
      landed: async (budget) => {
        budgets.push(budget);
        return "found";
      },
    });
    await expect(promise).resolves.toBe("found");
    expect(calls()).toBe(1);
    expect(budgets).toHaveLength(1);
    expect(h.waits).toEqual([]);
  });

  it("sends an ambiguous POST again after a backoff once the look-up proved it did not land", async () => {
    const h = harness({}, "POST");
    let lookups = 0;
    const { promise, calls } = h.run<string>([answer(502, "BAD_GATEWAY"), ok("created")], {
      landed: async () => {
        lookups += 1;
        return undefined;
      },
    });
    await expect(promise).resolves.toBe("created");
    expect(calls()).toBe(2);
    expect(lookups).toBe(1);
    expect(h.waits).toEqual([100]);
  });

  it("sends a POST that never left again without a look-up (a failed token request)", async () => {
    const h = harness({}, "POST");
    let lookups = 0;
    const { promise, calls } = h.run<string>(
      [{ throws: apiError(503), sent: false }, ok("created")],
      {
        landed: async () => {
          lookups += 1;
          return undefined;
        },
      },
    );
    await expect(promise).resolves.toBe("created");
    expect(calls()).toBe(2);
    expect(lookups).toBe(0);
  });

  it("learns the invitation limit from a refusal and holds the next attempt for its window", async () => {
    const h = harness({}, "POST", true);
    const { promise, calls } = h.run<string>([
      answer(
        400,
        "INVITATIONS_RATE_LIMITED_IP",
        {},
        "Rate limit of 2 invitations per 0.5 minutes exceeded.",
      ),
      ok("sent"),
    ]);
    await expect(promise).resolves.toBe("sent");
    expect(calls()).toBe(2);
    expect(h.views.invitation?.learned).toEqual({ count: 2, windowMs: 30_000 });
    expect(h.waits).toEqual([30_000]);
    expect(h.logs).toEqual([
      `Atlas's invitation limit refused it on POST ${line.path}; attempt 2 of 6`,
      `waiting 30 s before POST ${line.path}: Atlas's invitation limit (2 per 30 s)`,
    ]);
  });

  it("caps the wait a 503's Retry-After asks for at maxRetryAfterMs", async () => {
    const h = harness({ maxRetryAfterMs: 1000 });
    const { promise, calls } = h.run([
      answer(503, "SERVICE_UNAVAILABLE", { "retry-after": "6" }),
      ok(),
    ]);
    await expect(promise).resolves.toBe("ok");
    expect(calls()).toBe(2);
    expect(h.waits).toEqual([1000]);
  });

  // PRODUCT BUG (reported): a 429's Retry-After is handed to the bucket view uncapped
  // (request-loop.ts passes parseRetryAfter's value to views.bucket.settle), so the admission queue waits the
  // full 6 s although the policy caps waits Atlas asks for at maxRetryAfterMs (retry.ts: "Cap on a
  // wait Atlas asks for"); a 503 is capped (test above). test/provider/helpers.ts relies on the cap
  // (FAST_RETRY.maxRetryAfterMs = 5). Flip to `it` once the bucket is held for at most the cap.
  it("caps the wait a 429's Retry-After asks for at maxRetryAfterMs", async () => {
    const h = harness({ maxRetryAfterMs: 1000 });
    const { promise, calls } = h.run([answer(429, "RATE_LIMITED", { "retry-after": "6" }), ok()]);
    await expect(promise).resolves.toBe("ok");
    expect(calls()).toBe(2);
    expect(h.waits).toEqual([1000]);
  });

  it("runs the guard before every attempt, and ends without sending once the guard settles it", async () => {
    const h = harness();
    const guarded: number[] = [];
    let sent = 0;
    const { promise, calls } = h.run<string>(
      [answer(503, "SERVICE_UNAVAILABLE"), answer(503, "SERVICE_UNAVAILABLE"), ok("sent")],
      {
        during: (attempt) => void (sent = attempt),
        guard: async () => {
          guarded.push(sent);
          return guarded.length === 3 ? "settled" : undefined;
        },
      },
    );
    await expect(promise).resolves.toBe("settled");
    // Before the first attempt (0 sent), before the second (1 sent), before the third (2 sent).
    expect(guarded).toEqual([0, 1, 2]);
    expect(calls()).toBe(2);
    expect(h.waits).toEqual([100, 200]);
  });

  it("passes a final failure straight through, without a wait", async () => {
    const h = harness();
    const { promise, calls } = h.run([answer(404, "RESOURCE_NOT_FOUND")]);
    await expect(promise).rejects.toMatchObject({ status: 404, errorCode: "RESOURCE_NOT_FOUND" });
    expect(calls()).toBe(1);
    expect(h.waits).toEqual([]);
    expect(h.logs).toEqual([]);
  });
});

/**
 * The one loop every call to Atlas goes through: pace, send, judge, wait, send again, all inside
 * one budget for the whole provider operation.
 *
 * - Pacing: each attempt first passes the rate-limit views of its scopes (pacing.ts), which wait
 *   as long as Atlas's limits require and learn from every answer.
 * - Retries follow the policy (retry.ts): transient failures of idempotent calls are repeated
 *   after an exponential backoff with jitter; `Retry-After` is honoured.
 * - A POST is never repeated blindly. A refusal that proves Atlas did nothing (the invitation
 *   limit, a 429, a proxy that refused the tunnel) repeats it like any other retry. After an
 *   ambiguous failure (no answer, a 5xx) the request's `landed` look-up runs first: what it finds
 *   is the result; only when it finds nothing is the POST sent again, after the same backoff.
 * - A guarded write (removing an org user) checks its precondition right before every attempt,
 *   so no retry sends it on the strength of a read taken before a backoff. The read and the write
 *   are admitted together, and the write goes out in the turn of the event loop that read the
 *   answer, ahead of any caller that answer lets in (bench section 10 measures the window).
 * - The budget bounds everything: no wait outlasts it, and an attempt's timeout never reaches
 *   past it. One last look-up of an ambiguous POST may take one more attempt timeout.
 */
import {
  AtlasDeadlineError,
  isAtlasApiError,
  isAtlasNetworkError,
  isAtlasProtocolError,
  isAtlasProxyError,
  isAtlasTimeoutError,
  isInvitationLimitRefusal,
} from "./errors";
import { answered, formatMs } from "./errors/request";
import type { Logger } from "./log";
import type { Budget } from "./budget";
import type { BucketView } from "./bucket-view";
import type { InvitationView } from "./invitation-view";
import { judge, retryDelayMs } from "./retry";
import type { RetryPolicy } from "./retry";

/** One HTTP answer as the transport returns it: lower-case header names, body as text. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface LoopRequest<T> {
  method: string;
  /** Path and query, for log lines and errors. */
  path: string;
  budget: Budget;
  views: { bucket: BucketView; invitation: InvitationView | undefined };
  /** Sends one attempt; throws network, timeout, proxy, TLS or authentication errors. */
  send(attempt: { timeoutMs: number; markSent(): void }): Promise<RawResponse>;
  /** Turns an answer into the result, or throws AtlasApiError / AtlasProtocolError. */
  parse(response: RawResponse): T;
  /**
   * For a POST: did an attempt that failed ambiguously land after all? Returns what it created,
   * or undefined when it proves it did not.
   */
  landed?: ((budget: Budget) => Promise<T | undefined>) | undefined;
  /**
   * Part of every attempt, first and repeated alike, right before the request is sent: a read that
   * may end the request unsent (the org user to remove is no longer pending). It is admitted with
   * the request as one unit of two, so no pacing wait ever falls between the read and the write.
   * It reports its answer through `observe`, so the rate-limit view learns from it at once; the
   * caller that answer lets in is woken only once the write is on its way (AdmissionQueue.hold), so neither
   * a pacing wait nor another request's work falls between the read's answer and the write.
   */
  guard?:
    | ((attempt: {
        timeoutMs: number;
        observe(response: RawResponse): void;
      }) => Promise<T | undefined>)
    | undefined;
}

export interface LoopContext {
  policy: RetryPolicy;
  logger: Logger;
}

/** What went wrong, without the request line the log line adds itself. */
function describe(error: unknown): string {
  if (isInvitationLimitRefusal(error)) return "Atlas's invitation limit refused it";
  if (isAtlasApiError(error)) {
    return error.status === 429 ? "rate limited by Atlas" : answered(error.status, error.errorCode);
  }
  if (isAtlasNetworkError(error)) return `network error ${error.code}`;
  if (isAtlasTimeoutError(error)) return `no answer within ${formatMs(error.timeoutMs)}`;
  if (isAtlasProxyError(error)) {
    return `the proxy ${error.proxy} (${error.variable}) ${error.status === undefined ? `failed (${error.code ?? "error"})` : `answered ${error.status}`}`;
  }
  if (isAtlasProtocolError(error)) return `Atlas answered ${error.status} in an unexpected shape`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one request to completion.
 * @throws the last failure when it is final or retries are spent; `AtlasDeadlineError` (naming
 * the setting `deadlineMs`) when the budget runs out first
 */
export async function runRequest<T>(ctx: LoopContext, req: LoopRequest<T>): Promise<T> {
  const { policy, logger } = ctx;
  const { budget, views } = req;
  const clock = budget.clock;
  const caller = { method: req.method, path: req.path, budget, logger };
  const attempts = policy.limit + 1;
  for (let attempt = 1; ; attempt++) {
    await views.invitation?.enter(caller);
    let seq: number;
    try {
      // A guarded write is admitted with its status read: the read is seq - 1.
      seq = await views.bucket.enter(caller, req.guard ? 2 : 1);
    } catch (error) {
      views.invitation?.settle(clock.now(), { counted: false });
      throw error;
    }

    let sent = false;
    let failure: unknown;
    let response: RawResponse | undefined;
    const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, budget.remainingMs()));
    let guardAnswered = !req.guard;
    // Set from the guard's answer until its write is on its way (AdmissionQueue.hold).
    let heldWake: (() => void) | undefined;
    const wake = (): void => {
      const release = heldWake;
      heldWake = undefined;
      release?.();
    };
    try {
      if (req.guard) {
        const early = await req.guard({
          timeoutMs,
          observe: (answer) => {
            guardAnswered = true;
            wake();
            heldWake = views.bucket.hold();
            views.bucket.settle(clock.now(), answer.status, answer.headers, 0, seq - 1);
          },
        });
        if (early !== undefined) {
          wake();
          views.bucket.settle(clock.now(), undefined, {}, undefined, seq);
          views.invitation?.settle(clock.now(), { counted: false });
          return early;
        }
      }
      const sending = req.send({ timeoutMs, markSent: () => void (sent = true) });
      // Building and writing the request takes promise and nextTick steps only, all done before
      // the next turn of the event loop: waking queued callers in that turn keeps their work
      // from running ahead of the write.
      if (heldWake) setImmediate(wake);
      response = await sending;
    } catch (error) {
      failure = error;
    }
    wake();
    // A guard read that got no answer still held its share of the bucket.
    if (!guardAnswered) views.bucket.settle(clock.now(), undefined, {}, undefined, seq - 1);
    const at = clock.now();
    let result: { value: T } | undefined;
    if (response) {
      try {
        result = { value: req.parse(response) };
      } catch (error) {
        failure = error;
      }
    }
    // For a 429 this is Atlas's Retry-After (or RateLimit-Reset), capped by the policy.
    const wait = result ? 0 : retryDelayMs(policy, attempt, failure, clock.random);
    views.bucket.settle(at, response?.status, response?.headers ?? {}, wait, seq);
    views.invitation?.settle(
      at,
      isInvitationLimitRefusal(failure) && isAtlasApiError(failure)
        ? { refusedDetail: failure.detail }
        : { counted: !sent ? false : !isAtlasApiError(failure) || failure.status >= 500 },
    );
    if (result) return result.value;

    let verdict = judge(policy, req.method, failure, sent, views.invitation !== undefined);
    if (verdict === "ambiguous") {
      if (!req.landed) throw failure;
      const probe = budget.expired() ? budget.grace(policy.attemptTimeoutMs) : budget;
      const found = await req.landed(probe);
      if (found !== undefined) return found;
      // Proven not to have landed: as safe to send again as a refusal.
      verdict = "refused";
    }
    if (verdict === "final" || attempt >= attempts) throw failure;
    // The rate-limit views hold the next attempt for the invitation limit and Retry-After; other
    // retries back off here.
    const backoff = isInvitationLimitRefusal(failure) || response?.status === 429 ? 0 : wait;
    if (budget.remainingMs() <= backoff) {
      throw new AtlasDeadlineError({
        method: req.method,
        path: req.path,
        deadlineMs: budget.deadlineMs,
        why: `gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}; the last failure: ${describe(failure)}`,
        cause: failure,
      });
    }
    logger.info?.(
      `${describe(failure)} on ${req.method} ${req.path}; ` +
        `${backoff > 0 ? `waiting ${formatMs(backoff)}, then ` : ""}attempt ${attempt + 1} of ${attempts}`,
    );
    if (backoff > 0) await clock.sleep(backoff);
  }
}

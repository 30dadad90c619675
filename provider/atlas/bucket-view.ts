/**
 * One view of an Atlas token bucket (a rate-limit scope: for invites and org users, one per
 * organization; capacity 500, refill 250 per 60 s per MongoDB's docs), learnt from what Atlas
 * says: `Ratelimit-Limit`/`Ratelimit-Remaining` on its answers (as recorded on every invites and
 * org-users answer, atlas-recorded/01-...) and `Retry-After` on a 429.
 *
 * - Remaining is the truth whenever an answer brings it: callers are admitted while it says
 *   there are tokens not yet claimed by requests in flight.
 * - When it says none are left, the refill rate, estimated from how Remaining moved between
 *   answers, says when the next token comes; one token is kept in reserve against a wrong
 *   estimate, and no prediction waits longer than the longest probe delay. Until there is an estimate,
 *   one caller at a time probes after a short delay that doubles while probes find nothing. Every
 *   answer corrects the view, so an estimate that is off only shifts a wait, never piles up.
 * - A 429 empties the view and holds everyone until its `Retry-After` has passed.
 * - Where Atlas sends no such headers, concurrency adapts to the 429s instead: additive increase,
 *   multiplicative decrease (Chiu and Jain, 1989; TCP congestion avoidance, RFC 5681 §3.1).
 */
import { Gate } from "./gate";
import type { Room } from "./gate";

/** Requests let through before the first answer says how large the bucket is. */
const INITIAL_WINDOW = 4;
/** Tokens kept back when admitting on a predicted refill rather than an observed one. */
const RESERVE = 1;
/** Shortest span between two answers for a refill-rate estimate (Remaining is a whole number). */
const MIN_SPAN_MS = 250;
/** Longest span an estimate is taken over, so it follows a rate that changes. */
const MAX_SPAN_MS = 10_000;
const FIRST_PROBE_MS = 100;
const MAX_PROBE_MS = 5_000;

interface Point {
  at: number;
  remaining: number;
  /** Answers counted against the bucket so far, when this point was taken. */
  answered: number;
}

/** `Ratelimit-Limit` and `Ratelimit-Remaining`, when both are whole numbers. */
export function rateLimitHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): { limit: number; remaining: number } | undefined {
  const limit = Number(headers["ratelimit-limit"]);
  const remaining = Number(headers["ratelimit-remaining"]);
  if (!Number.isInteger(limit) || !Number.isInteger(remaining) || limit < 1 || remaining < 0) {
    return undefined;
  }
  return { limit, remaining };
}

export class BucketView extends Gate {
  private limit: number | undefined;
  private last: Point | undefined;
  private anchor: Point | undefined;
  private answered = 0;
  /** Estimated refill, tokens per millisecond. */
  private rate: number | undefined;
  private blockedUntil = 0;
  private probeMs = FIRST_PROBE_MS;
  /** Set once an answer in this scope came without rate-limit headers. */
  private headerless = false;
  /** Concurrency allowed while headerless (AIMD). */
  private window = INITIAL_WINDOW;

  protected room(now: number, weight: number): Room {
    if (now < this.blockedUntil) {
      return {
        go: false,
        wait: this.blockedUntil - now,
        why: "Atlas's rate limit asked to wait (Retry-After)",
      };
    }
    if (this.headerless || this.limit === undefined || this.last === undefined) {
      const cap = this.headerless ? Math.floor(this.window) : INITIAL_WINDOW;
      return this.inFlight + weight <= Math.max(cap, weight)
        ? { go: true }
        : { go: false, wait: "until-change", why: "waiting for requests in flight to Atlas" };
    }
    const known = this.last.remaining - this.inFlight;
    if (known >= weight) return { go: true };
    const why = `Atlas's rate limit (${this.limit} requests) has no tokens left`;
    if (this.rate !== undefined && this.rate > 0) {
      const predicted = this.rate * (now - this.last.at);
      const missing = weight + RESERVE - known - predicted;
      if (missing <= 0) return { go: true };
      const wait = Math.min(Math.ceil(missing / this.rate), this.last.at + MAX_PROBE_MS - now);
      return wait <= 0 ? { go: true } : { go: false, wait, why };
    }
    if (this.inFlight > 0) return { go: false, wait: "until-change", why };
    // No estimate yet: probe once the probe delay has passed since the last answer.
    const wait = this.last.at + this.probeMs - now;
    return wait <= 0 ? { go: true } : { go: false, wait, why };
  }

  /**
   * One request of this scope ended. `status` is undefined when no answer came;
   * `retryAfterMs` is the wait to hold everyone for after a 429.
   */
  settle(
    at: number,
    status: number | undefined,
    headers: Readonly<Record<string, string | undefined>>,
    retryAfterMs: number | undefined,
  ): void {
    if (status === 429) this.refused(at, retryAfterMs ?? 0);
    else if (status !== undefined) this.observe(at, headers);
    this.leave();
  }

  private observe(at: number, headers: Readonly<Record<string, string | undefined>>): void {
    const seen = rateLimitHeaders(headers);
    if (!seen) {
      // An answer from outside the bucket (an injected gateway error) says nothing; only a scope
      // that never sent the headers switches to AIMD.
      if (this.limit === undefined) {
        this.headerless = true;
        this.window += 1 / this.window;
      }
      return;
    }
    this.headerless = false;
    this.limit = seen.limit;
    this.answered += 1;
    const point: Point = { at, remaining: seen.remaining, answered: this.answered };
    if (this.last && point.remaining > this.last.remaining) this.probeMs = FIRST_PROBE_MS;
    else if (this.last && this.inFlight <= 1 && point.remaining === 0) {
      this.probeMs = Math.min(MAX_PROBE_MS, this.probeMs * 2);
    }
    this.last = point;
    this.estimate(point);
  }

  /** Refill per ms from how Remaining moved since the anchor, counting the tokens answers took. */
  private estimate(point: Point): void {
    const limit = this.limit ?? Infinity;
    if (point.remaining >= limit - 1) {
      // A full bucket hides how fast it refills: start again from the next answer below full.
      this.anchor = undefined;
      return;
    }
    if (!this.anchor) {
      this.anchor = point;
      return;
    }
    const span = point.at - this.anchor.at;
    if (span < MIN_SPAN_MS) return;
    const refilled =
      point.remaining - this.anchor.remaining + (point.answered - this.anchor.answered);
    this.rate = Math.max(0, refilled) / span;
    if (span > MAX_SPAN_MS) this.anchor = point;
  }

  private refused(at: number, retryAfterMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, at + retryAfterMs);
    if (this.headerless || this.limit === undefined) {
      this.window = Math.max(1, this.window / 2);
      return;
    }
    // The prediction was too hopeful, or someone else shares the bucket: the bucket is known to
    // be empty now, which is where the view and the estimate start again.
    this.last = { at, remaining: 0, answered: this.answered };
    this.anchor = this.last;
  }
}

/**
 * One view of an Atlas token bucket (a rate-limit scope: for invites and org users, one per
 * organization; capacity 500, refill 250 per 60 s per MongoDB's docs), learnt from what Atlas
 * says: `Ratelimit-Limit`/`Ratelimit-Remaining` on its answers (as recorded on every invites and
 * org-users answer, atlas-recorded/01-...) and `Retry-After` on a 429.
 *
 * - Atlas takes a token when a request arrives, and its answer says what was left then. Requests
 *   on parallel connections can arrive, and be answered, in another order than they were sent,
 *   so no single answer is the truth. Each answer gives a floor instead: what it says was left,
 *   less every request that may take a token after it, which is every request not yet ended when
 *   it came and every request admitted since. Callers are admitted while the highest floor of the
 *   latest answers leaves room.
 * - When none are left, the refill rate says when the next token comes. It is estimated between
 *   two answers as the change in Remaining plus the tokens taken between them, counted from the
 *   requests' places in the order of admission, and only from answers whose older requests have
 *   all ended, counting as taken before the earlier answer every request admitted by then: a
 *   lower bound, never high because of the order of arrival. The level it predicts never exceeds
 *   the bucket's size; one token is kept in reserve, and a prediction longer than the longest
 *   probe delay is checked by one request instead. Until there is an estimate, one caller at a
 *   time probes after a short delay that doubles while probes find nothing.
 * - A 429 empties the view and holds everyone until its `Retry-After` has passed.
 * - Where Atlas sends no such headers, concurrency adapts to the 429s instead: additive increase,
 *   multiplicative decrease (Chiu and Jain, 1989; TCP congestion avoidance, RFC 5681 §3.1).
 */
import { AdmissionQueue } from "./admission-queue";
import type { Room } from "./admission-queue";

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
  /** When the answer came. */
  at: number;
  remaining: number;
  /** The ordinal of the request it answered (AdmissionQueue.enter). */
  seq: number;
  /** Requests admitted when the answer came: the most that can have arrived before it. */
  admitted: number;
  /** Requests ended when the answer came, this one included: the rest may take tokens after it. */
  ended: number;
}

/** Answers whose floors are compared: the latest few. */
const FLOORS = 16;

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

export class BucketView extends AdmissionQueue {
  private limit: number | undefined;
  /** The latest answers with rate-limit headers (and 429s), oldest first. */
  private readonly samples: Point[] = [];
  private anchor: Point | undefined;
  /** Every request up to this ordinal has ended. */
  private endedUpTo = 0;
  /** Requests past `endedUpTo` that have ended. */
  private readonly endedAfter = new Set<number>();
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
    const last = this.samples[this.samples.length - 1];
    if (this.headerless || this.limit === undefined || last === undefined) {
      const cap = this.headerless ? Math.floor(this.window) : INITIAL_WINDOW;
      return this.inFlight + weight <= Math.max(cap, weight)
        ? { go: true }
        : { go: false, wait: "until-change", why: "waiting for requests in flight to Atlas" };
    }
    const limit = this.limit;
    const known = this.floor((p) => p.remaining);
    if (known >= weight) return { go: true };
    const why = `Atlas's rate limit (${limit} requests) has no tokens left`;
    const rate = this.rate;
    if (rate !== undefined && rate > 0) {
      const level = this.floor((p) => Math.min(limit, p.remaining + rate * (now - p.at)));
      const missing = weight + RESERVE - level;
      if (missing <= 0) return { go: true };
      const predicted = Math.ceil(missing / rate);
      const probeIn = last.at + MAX_PROBE_MS - now;
      if (predicted <= probeIn) return { go: false, wait: predicted, why };
      // The estimate says longer than the longest probe delay: one request checks it instead.
      if (this.inFlight > 0) return { go: false, wait: "until-change", why };
      return probeIn <= 0 ? { go: true } : { go: false, wait: probeIn, why };
    }
    if (this.inFlight > 0) return { go: false, wait: "until-change", why };
    // No estimate yet: probe once the probe delay has passed since the last answer.
    const wait = last.at + this.probeMs - now;
    return wait <= 0 ? { go: true } : { go: false, wait, why };
  }

  /** The highest floor: `level` of an answer, less the requests that may take tokens after it. */
  private floor(level: (p: Point) => number): number {
    let best = -Infinity;
    for (const p of this.samples) best = Math.max(best, level(p) - (this.admitted - p.ended));
    return best;
  }

  private remember(point: Point): void {
    this.samples.push(point);
    if (this.samples.length > FLOORS) this.samples.shift();
  }

  /**
   * One request of this scope ended. `status` is undefined when no answer came;
   * `retryAfterMs` is the wait to hold everyone for after a 429; `seq` is the request's ordinal
   * from `enter` (by default the newest admitted).
   */
  settle(
    at: number,
    status: number | undefined,
    headers: Readonly<Record<string, string | undefined>>,
    retryAfterMs: number | undefined,
    seq: number = this.admitted,
  ): void {
    const olderEnded = this.endedUpTo >= seq - 1;
    this.ended(seq);
    if (status === 429) this.refused(at, retryAfterMs ?? 0, seq);
    else if (status !== undefined) this.observe(at, headers, seq, olderEnded);
    this.leave();
  }

  private ended(seq: number): void {
    this.endedAfter.add(seq);
    while (this.endedAfter.delete(this.endedUpTo + 1)) this.endedUpTo += 1;
  }

  /** A sample taken now, with the counts that bound what it can show. */
  private point(at: number, remaining: number, seq: number): Point {
    const ended = this.endedUpTo + this.endedAfter.size;
    return { at, remaining, seq, admitted: this.admitted, ended };
  }

  private observe(
    at: number,
    headers: Readonly<Record<string, string | undefined>>,
    seq: number,
    olderEnded: boolean,
  ): void {
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
    const point = this.point(at, seen.remaining, seq);
    const last = this.samples[this.samples.length - 1];
    if (last && point.remaining > last.remaining) this.probeMs = FIRST_PROBE_MS;
    else if (last && this.inFlight <= 1 && point.remaining === 0) {
      this.probeMs = Math.min(MAX_PROBE_MS, this.probeMs * 2);
    }
    this.remember(point);
    if (olderEnded) this.estimate(point);
  }

  /**
   * Refill per ms from how Remaining moved since the anchor, counting as taken in between only the
   * requests admitted after every request that may have arrived before the anchor (a lower bound).
   * Of two anchors, the one fewer requests could have overtaken serves.
   */
  private estimate(point: Point): void {
    const limit = this.limit ?? Infinity;
    if (point.remaining >= limit - 1) {
      // A full bucket hides how fast it refills: start again from the next answer below full.
      this.anchor = undefined;
      return;
    }
    const slack = (p: Point): number => p.admitted - p.seq;
    if (!this.anchor || slack(point) < slack(this.anchor)) {
      this.anchor = point;
      return;
    }
    const span = point.at - this.anchor.at;
    if (span < MIN_SPAN_MS) return;
    const refilled = point.remaining - this.anchor.remaining + (point.seq - this.anchor.admitted);
    this.rate = Math.max(0, refilled) / span;
    if (span > MAX_SPAN_MS) this.anchor = point;
  }

  private refused(at: number, retryAfterMs: number, seq: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, at + retryAfterMs);
    if (this.headerless || this.limit === undefined) {
      this.window = Math.max(1, this.window / 2);
      return;
    }
    // The prediction was too hopeful, or someone else shares the bucket: the bucket is known to
    // be empty now, which is where the view and the estimate start again.
    const empty = this.point(at, 0, seq);
    this.remember(empty);
    this.anchor = empty;
  }
}

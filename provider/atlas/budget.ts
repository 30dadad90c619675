/**
 * Time as the request path sees it: an injectable clock, and the one budget that bounds a whole
 * provider operation (a create is its look-up, its POST, any adoption, and every retry and wait
 * in between), the setting `deadlineMs`.
 */

/** Injectable time, so retry and pacing tests never really wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

/** Real time: `Date.now`, `setTimeout` and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
  random: () => Math.random(),
};

/**
 * The time one operation may spend, from its start. Shared by every request the operation makes,
 * so nested steps (a create's look-up, POST and adoption) draw on one budget instead of each
 * starting its own.
 */
export class Budget {
  /** Clock time at which the budget is spent. */
  readonly deadlineAt: number;

  /**
   * @param deadlineMs - the whole budget, in milliseconds (at least 1)
   * @param clock - the clock that measures it
   * @param startedAt - when it started, by `clock`
   */
  constructor(
    readonly deadlineMs: number,
    readonly clock: Clock,
    startedAt: number = clock.now(),
  ) {
    this.deadlineAt = startedAt + deadlineMs;
  }

  /** Milliseconds left, never below 0. */
  remainingMs(): number {
    return Math.max(0, this.deadlineAt - this.clock.now());
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /**
   * A budget for one last look-up after this one ran out (did a POST land before the failure?):
   * `ms` from now, and never less than what this budget still has.
   */
  grace(ms: number): Budget {
    const now = this.clock.now();
    const until = Math.max(this.deadlineAt, now + ms);
    return new Budget(this.deadlineMs, this.clock, until - this.deadlineMs);
  }
}

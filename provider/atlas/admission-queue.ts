/**
 * The admission queue both rate-limit views share: callers are admitted one at a time in arrival
 * order (FIFO), each when its view says there is room. A view answers "now", "in N ms" or "when
 * something changes" (an answer arrives, a request ends); the queue sleeps accordingly, and gives
 * up with an `AtlasDeadlineError` when the wait would outlast the caller's budget.
 */
import { AtlasDeadlineError } from "./errors";
import { formatMs } from "./errors/request";
import type { Budget } from "./budget";
import type { Logger } from "./log";

/** What a view says about admitting the next caller at `now`. */
export type Room =
  | { go: true }
  | { go: false; wait: number; why: string }
  | { go: false; wait: "until-change"; why: string };

/** Who is waiting, for log lines and errors. */
export interface Caller {
  method: string;
  path: string;
  budget: Budget;
  logger: Logger;
}

/** Waits shorter than this are not logged: bulk runs would drown in them. */
const LOG_WAITS_FROM_MS = 1_000;

export abstract class AdmissionQueue {
  private tail: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  /** Holds on waking the waiting caller (see `hold`), and whether a wake-up waits for them. */
  private holds = 0;
  private wakeHeld = false;
  protected inFlight = 0;
  /** Requests admitted so far: each admitted request's ordinal is its place in this count. */
  protected admitted = 0;

  /**
   * Whether the next caller may go now with `weight` requests (a guarded write is a status read
   * and the write, admitted together), and if not, for how long or until what.
   */
  protected abstract room(now: number, weight: number): Room;

  /** Called whenever the view learns something, so a waiting caller looks again. */
  protected changed(): void {
    if (this.holds > 0) {
      this.wakeHeld = true;
      return;
    }
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Postpones waking the waiting caller until the returned function is called (it may be called
   * more than once). What the view learns meanwhile counts at once; only the moment a caller that
   * waits for a change looks again moves. A guarded write holds from its status read's answer
   * until the write is on its way: a caller woken by that answer would otherwise run its own
   * admission and request in the same turn of the event loop, ahead of the write (request-loop.ts).
   */
  hold(): () => void {
    this.holds += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holds -= 1;
      if (this.holds === 0 && this.wakeHeld) {
        this.wakeHeld = false;
        this.changed();
      }
    };
  }

  /**
   * Waits for this caller's turn and for room for `weight` requests, then counts them in flight.
   * Returns the ordinal of the last of them (1 for the first request this queue ever admitted).
   */
  async enter(caller: Caller, weight = 1): Promise<number> {
    const previous = this.tail;
    let release = (): void => undefined;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      const { clock } = caller.budget;
      for (;;) {
        const room = this.room(clock.now(), weight);
        if (room.go) break;
        if (room.wait === "until-change") {
          // Only a request in flight holds the room, and its attempt timeout never reaches past
          // its own budget: it ends, and wakes this caller, in bounded time.
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        const left = caller.budget.remainingMs();
        if (room.wait >= left)
          throw this.deadline(caller, `${room.why}; the next slot is ${formatMs(room.wait)} away`);
        if (room.wait >= LOG_WAITS_FROM_MS) {
          caller.logger.info?.(
            `waiting ${formatMs(room.wait)} before ${caller.method} ${caller.path}: ${room.why}`,
          );
        }
        await clock.sleep(room.wait);
      }
      this.inFlight += weight;
      this.admitted += weight;
      return this.admitted;
    } finally {
      release();
    }
  }

  /** The caller's request ended (answered or not): it no longer holds room. */
  protected leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.changed();
  }

  private deadline(caller: Caller, why: string): AtlasDeadlineError {
    return new AtlasDeadlineError({
      method: caller.method,
      path: caller.path,
      deadlineMs: caller.budget.deadlineMs,
      why,
    });
  }
}

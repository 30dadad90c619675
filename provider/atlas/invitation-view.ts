/**
 * One view of Atlas's invitation limit, per Atlas origin (the limit is per client IP, so every
 * client of the process that talks to one origin shares it). Every invitation-sending call counts:
 * createOrgInvite, the two invitation updates, and createOrgUser / updateOrgUser of a pending user
 * (unrecorded for the org-users API, so counted to be safe). Over the limit, Atlas answers a 400
 * "Rate limit of N invitations per M minutes exceeded." (mongodb/terraform-provider-mongodbatlas#1589;
 * codes in errors/rules.ts), and sends no header that would say so earlier.
 *
 * - Until the first refusal the limit is unknown: concurrency starts at one call and grows by one
 *   per round of successes (additive increase, RFC 5681 §3.1), so the refusal that teaches the
 *   limit costs a few refused calls, not a whole burst.
 * - From the first refusal on, N and M are known: calls are admitted into a sliding window of N
 *   per M, each stamped when Atlas answered it (Atlas counted it somewhere between sending and
 *   answering, so a window measured from the send would free a slot a little early and earn a
 *   refusal and a whole extra window).
 */
import { AdmissionQueue } from "./admission-queue";
import type { Room } from "./admission-queue";

export interface InvitationLimit {
  /** Invitations allowed per window. */
  count: number;
  /** The window, in milliseconds. */
  windowMs: number;
}

/** Used when a refusal's detail cannot be read: the limit users report in #1589. */
export const DEFAULT_INVITATION_LIMIT: InvitationLimit = { count: 10, windowMs: 60_000 };

const LIMIT_DETAIL =
  /rate limit of\s+(\d+)\s+invitations?\s+per\s+(\d+(?:\.\d+)?|\.\d+)\s+minutes?/i;

/**
 * N and M from the refusal's detail (M may be fractional: "per 0.5 minutes"); the default when it
 * says something else. Reading numbers from the text is safe here: the decision that this is the
 * limit was already taken on status and code. A fractional window is rounded up to the next
 * millisecond: one read short frees a slot before Atlas does.
 */
export function parseInvitationLimit(detail: string | undefined): InvitationLimit {
  const match = LIMIT_DETAIL.exec(detail ?? "");
  const count = Number(match?.[1]);
  const windowMs = Math.ceil(Number(match?.[2]) * 60_000 - 1e-9);
  if (!match || !(count >= 1) || !(windowMs >= 1)) return { ...DEFAULT_INVITATION_LIMIT };
  return { count, windowMs };
}

export function describeLimit(limit: InvitationLimit): string {
  const seconds = limit.windowMs / 1000;
  return seconds >= 60 && seconds % 60 === 0
    ? `${limit.count} per ${seconds / 60} min`
    : `${limit.count} per ${Number(seconds.toFixed(2))} s`;
}

export class InvitationView extends AdmissionQueue {
  private limit: InvitationLimit | undefined;
  /** Answer times of invitations Atlas accepted inside the current window, ascending. */
  private stamps: number[] = [];
  private blockedUntil = 0;
  /** Concurrency while the limit is unknown. */
  private window = 1;
  /** Calls in flight that were let through before the limit was known. */
  private admittedBlind = 0;

  /** The limit learnt from Atlas, if any. */
  get learned(): InvitationLimit | undefined {
    return this.limit && { ...this.limit };
  }

  protected room(now: number): Room {
    // Only the write itself sends an invitation: the weight of a guarded write does not matter here.
    const why = this.limit
      ? `Atlas's invitation limit (${describeLimit(this.limit)})`
      : "Atlas's invitation limit (not known yet)";
    if (now < this.blockedUntil) return { go: false, wait: this.blockedUntil - now, why };
    if (!this.limit) {
      return this.inFlight < Math.floor(this.window)
        ? { go: true }
        : { go: false, wait: "until-change", why };
    }
    this.prune(now);
    const { count, windowMs } = this.limit;
    const used = this.stamps.length + this.inFlight;
    if (used < count) return { go: true };
    // The slot that frees first belongs to the oldest stamp that still counts.
    const oldest = this.stamps[used - count];
    return oldest === undefined
      ? { go: false, wait: "until-change", why }
      : { go: false, wait: Math.max(1, oldest + windowMs - now), why };
  }

  /**
   * One invitation-sending call ended. `refusedDetail` is set when Atlas refused it for the
   * invitation limit; `counted` tells whether Atlas may have sent the invitation (2xx, 5xx or no
   * answer: counted to be safe; another 4xx: not).
   */
  settle(at: number, outcome: { refusedDetail: string | undefined } | { counted: boolean }): void {
    const blind = this.admittedBlind > 0;
    if (blind) this.admittedBlind -= 1;
    if ("refusedDetail" in outcome) {
      const said = parseInvitationLimit(outcome.refusedDetail);
      if (!this.limit) {
        // The calls still in flight were let through before the limit was known.
        this.admittedBlind = Math.max(0, this.inFlight - 1);
        this.limit = said;
      } else if (!blind && this.limit.count === said.count) {
        // Refused although the view had room: its window was short of Atlas's (a rounded M, or
        // clocks that drift). Each such refusal lengthens it a little, so it settles at or above.
        this.limit = {
          count: said.count,
          windowMs: Math.ceil(Math.max(said.windowMs, this.limit.windowMs) * 1.02),
        };
      } else {
        this.limit = said;
      }
      this.prune(at);
      // Invitations sent by other processes behind the same IP are invisible to us, but none of
      // them can be older than our oldest: no slot frees before it leaves the window.
      const oldest = this.stamps[0] ?? at;
      this.blockedUntil = Math.max(this.blockedUntil, oldest + this.limit.windowMs);
    } else if (outcome.counted) {
      this.stamps.push(at);
      if (!this.limit) this.window += 1 / this.window;
    }
    this.leave();
  }

  private prune(now: number): void {
    // Before Atlas tells us its window, keep an hour of history: enough for any window seen.
    const windowMs = this.limit?.windowMs ?? 3_600_000;
    this.stamps = this.stamps.filter((t) => now - t < windowMs);
  }
}

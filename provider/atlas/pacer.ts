/**
 * Atlas's invitation limit: every invitation-sending call (createOrgInvite, updateOrgInviteById)
 * counts, and once over the limit Atlas answers `400 RATE_LIMITED_IP` "Rate limit of N invitations
 * per M minutes exceeded." (Terraform provider issue #1589; M may be fractional). The limit is per
 * client IP, so one pacer serves every client of the process that talks to the same Atlas origin.
 * Nothing is paced until Atlas first refuses; from then on every invitation waits for a free slot
 * of a sliding window of the learned size, in arrival order.
 */
import { isAtlasApiError } from "./errors";
import type { AtlasApiError } from "./errors";
import type { AtlasLogger } from "./retry";

export interface InvitationLimit {
  count: number;
  windowMs: number;
}

/** Used when Atlas's detail cannot be parsed: the limit documented in Terraform issue #1589. */
export const DEFAULT_INVITATION_LIMIT: InvitationLimit = { count: 10, windowMs: 60_000 };

const LIMIT_DETAIL =
  /rate limit of\s+(\d+)\s+invitations?\s+per\s+(\d+(?:\.\d+)?|\.\d+)\s+minutes?/i;

/** N and M from Atlas's detail text; the default when it says something else. */
export function parseInvitationLimit(detail: string | undefined): InvitationLimit {
  const match = LIMIT_DETAIL.exec(detail ?? "");
  const count = Number(match?.[1]);
  const windowMs = Math.round(Number(match?.[2]) * 60_000);
  if (!match || !(count >= 1) || !(windowMs >= 1)) return { ...DEFAULT_INVITATION_LIMIT };
  return { count, windowMs };
}

/** Atlas refused to send the invitation: nothing happened, so sending it again is safe. */
export function isInvitationRateLimited(error: unknown): error is AtlasApiError {
  return isAtlasApiError(error) && error.status === 400 && error.errorCode === "RATE_LIMITED_IP";
}

export function describeLimit(limit: InvitationLimit): string {
  const minutes = Number((limit.windowMs / 60_000).toFixed(4));
  return `${limit.count} per ${minutes} min`;
}

export function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

export interface PacingTime {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  logger: AtlasLogger;
  /** A single wait longer than this gives up: the retry policy's overall deadline. */
  maxWaitMs: number;
}

/** Raised when the next free slot is further away than the deadline allows. */
export class InvitationPacingError extends Error {
  override readonly name = "InvitationPacingError";
}

export class InvitationPacer {
  private limit: InvitationLimit | undefined;
  /** Send times of invitations this process sent inside the current window, ascending. */
  private stamps: number[] = [];
  private blockedUntil = 0;
  /** FIFO turnstile: each caller waits for the one before it to take its slot. */
  private tail: Promise<void> = Promise.resolve();

  get learned(): InvitationLimit | undefined {
    return this.limit === undefined ? undefined : { ...this.limit };
  }

  /**
   * Waits for this caller's turn and a free slot, then takes the slot. Returns the slot's stamp,
   * to hand back to `refused` when Atlas did not count the call after all.
   */
  async acquire(label: string, time: PacingTime): Promise<number> {
    const previous = this.tail;
    let release = (): void => undefined;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      for (;;) {
        const wait = this.waitMs(time.now());
        if (wait <= 0) break;
        const limit = this.limit ?? DEFAULT_INVITATION_LIMIT;
        if (wait > time.maxWaitMs) {
          throw new InvitationPacingError(
            `Atlas invitation limit (${describeLimit(limit)}): the next free slot is ${formatWait(wait)} away, ` +
              `longer than the retry deadline of ${formatWait(time.maxWaitMs)}; ${label} was not sent. ` +
              "Run again later, or raise the deadline.",
          );
        }
        time.logger.info?.(
          `Atlas invitation limit (${describeLimit(limit)}): waiting ${formatWait(wait)} before ${label}`,
        );
        await time.sleep(wait);
      }
      const stamp = time.now();
      this.prune(stamp);
      this.stamps.push(stamp);
      return stamp;
    } finally {
      release();
    }
  }

  /**
   * Atlas answered RATE_LIMITED_IP: learn its limit, give back the slot it did not count, and
   * block until the oldest invitation we know of leaves the window. Invitations sent by other
   * processes behind the same IP are invisible to us, but none of them can be older than that.
   */
  refused(error: AtlasApiError, stamp: number, now: number): void {
    this.limit = parseInvitationLimit(error.detail);
    const at = this.stamps.indexOf(stamp);
    if (at >= 0) this.stamps.splice(at, 1);
    this.prune(now);
    const oldest = this.stamps[0] ?? now;
    this.blockedUntil = Math.max(this.blockedUntil, oldest + this.limit.windowMs);
  }

  /**
   * Atlas accepted the call. It counted it at some moment between sending and answering, so
   * the slot is re-stamped with the answer's time: a window measured from the send time would
   * free the slot a little before Atlas does, and earn a refusal and a whole extra window.
   */
  settled(stamp: number, now: number): void {
    const at = this.stamps.indexOf(stamp);
    if (at < 0) return;
    this.stamps.splice(at, 1);
    this.stamps.push(now);
    this.stamps.sort((a, b) => a - b);
  }

  /** A call Atlas answered with another 4xx never counted towards the limit. */
  notCounted(stamp: number): void {
    const at = this.stamps.indexOf(stamp);
    if (at >= 0) this.stamps.splice(at, 1);
  }

  private prune(now: number): void {
    // Before Atlas tells us its window, keep an hour of history: enough for any window seen.
    const windowMs = this.limit?.windowMs ?? 3_600_000;
    this.stamps = this.stamps.filter((t) => now - t < windowMs);
  }

  private waitMs(now: number): number {
    if (this.limit === undefined) return 0;
    this.prune(now);
    const { count, windowMs } = this.limit;
    const full = this.stamps.length >= count;
    const slotAt = full ? (this.stamps[this.stamps.length - count] as number) + windowMs : 0;
    return Math.max(this.blockedUntil - now, slotAt - now, 0);
  }
}

const pacers = new Map<string, InvitationPacer>();

/** The pacer of the process for one Atlas origin (the limit is per client IP, not per key). */
export function getInvitationPacer(baseUrl: string): InvitationPacer {
  let pacer = pacers.get(baseUrl);
  if (!pacer) {
    pacer = new InvitationPacer();
    pacers.set(baseUrl, pacer);
  }
  return pacer;
}

/** Forgets every learned limit (tests). */
export function clearInvitationPacers(): void {
  pacers.clear();
}

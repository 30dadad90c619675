/**
 * The sunset of the deprecated 2023-01-01 media type as one emulator plays it: the date read from
 * an option or the control API, the start-up value that reset() and setSunsetDate(null) restore,
 * and whether it has passed by the emulator's clock. versions.ts words its headers and its 410.
 */

/** ms since the epoch of a Date or an ISO-8601 string; a TypeError for anything else. */
export function parseSunsetDate(value: Date | string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new TypeError(`sunsetDate must be a Date or an ISO-8601 date, got ${String(value)}`);
  }
  return ms;
}

export class SunsetClock {
  /** The sunset played now (ms since epoch): the start-up value until changed. */
  ms: number;

  /** @param startup ms since epoch: what restore() goes back to. */
  constructor(
    readonly startup: number,
    private readonly now: () => number,
  ) {
    this.ms = startup;
  }

  /** By the emulator's clock: the deprecated 2023-01-01 operations answer 410 from now on. */
  passed(): boolean {
    return this.now() >= this.ms;
  }

  restore(): void {
    this.ms = this.startup;
  }
}

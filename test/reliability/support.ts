/**
 * Shared set-up for the reliability suites: a provider on the test emulator with a fake clock
 * (waits advance it instead of sleeping), every log line captured, and sentinel secrets to look
 * for in everything the provider says. Rate-limit views are process-wide: `freshProcessState()`
 * (test/provider/helpers.ts) clears them between tests.
 */
import { inspect } from "node:util";
import type { AtlasClient } from "../../provider/atlas/api";
import type { Clock } from "../../provider/atlas/budget";
import { createAtlasClient } from "../../provider/atlas/client";
import type { RetryOverrides } from "../../provider/atlas/retry";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { OrgInvitationProvider } from "../../provider/provider";
import type { TestEmulator, TestEmulatorOptions } from "../support/emulator";
import { configRequest, envFor } from "../provider/helpers";
import type { Backend } from "../support/variants";

/** Secrets no error or log line may ever contain. */
export const SENTINELS = {
  privateKey: "SENTINEL-private-key-7f3a9c",
  clientSecret: "mdb_sa_sk_SENTINEL-client-secret-4b2e",
} as const;

export const SENTINEL_EMULATOR: TestEmulatorOptions = {
  privateKey: SENTINELS.privateKey,
  clientSecret: SENTINELS.clientSecret,
};

/** Millisecond waits: these suites assert outcomes and calls, not real time. */
export const FAST: RetryOverrides = {
  baseDelayMs: 1,
  backoffLimitMs: 4,
  maxRetryAfterMs: 4,
  attemptTimeoutMs: 150,
};

/**
 * Virtual time: it moves only when a wait ends. Waits end one at a time, earliest first, each
 * moving the clock to its own end, so concurrent waits overlap as real ones do instead of adding
 * up. Shared with the emulator (its `now` option), so its rate limits see the time the client
 * waits on.
 */
export class FakeClock implements Clock {
  value = Date.now();
  /** Every wait asked for, in ms. */
  readonly waits: number[] = [];
  private sleepers: { at: number; wake: () => void }[] = [];
  private ticking = false;
  readonly now = (): number => this.value;
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.waits.push(ms);
      this.sleepers.push({ at: this.value + Math.max(0, ms), wake });
      this.tick();
    });
  readonly random = (): number => 0.5;

  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    // Let everything that is ready run first, as it would while a real wait is pending.
    setImmediate(() => {
      this.ticking = false;
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers.shift();
      if (!next) return;
      this.value = Math.max(this.value, next.at);
      next.wake();
      if (this.sleepers.length > 0) this.tick();
    });
  }
}

export interface Harness {
  provider: OrgInvitationProvider;
  /** Every info and warn line of the provider and the client. */
  lines: string[];
  clock: FakeClock;
}

export async function harness(
  emu: TestEmulator,
  options: {
    kind?: "digest" | "serviceAccount";
    retry?: RetryOverrides;
    /** Share a clock with the emulator (its `now` option) so waits move both. */
    clock?: FakeClock;
    api?: Backend;
  } = {},
): Promise<Harness> {
  const lines: string[] = [];
  const clock = options.clock ?? new FakeClock();
  const logger = {
    info: (m: string) => void lines.push(m),
    warn: (m: string) => void lines.push(m),
  };
  let client: AtlasClient | undefined;
  const provider = new OrgInvitationProvider({
    env: envFor(emu, options.kind ?? "digest"),
    logger,
    createClient: (settings: AtlasSettings, retry: RetryOverrides): AtlasClient =>
      (client ??= createAtlasClient(settings, {
        retry: { ...retry, ...FAST, ...options.retry },
        logger,
        clock,
      })),
  });
  await provider.configure(
    configRequest(options.api ? { "atlasInvitations:api": options.api } : {}),
  );
  return { provider, lines, clock };
}

/** Every way an error can be shown: message, stack, JSON, inspect, its cause. */
export function renderings(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  const out = [error.message, String(error.stack), inspect(error, { depth: 5 })];
  try {
    out.push(JSON.stringify(error));
  } catch {
    out.push("<not serializable>");
  }
  if (error.cause !== undefined) out.push(...renderings(error.cause));
  return out;
}

/**
 * Authorization header values: a bearer token (the emulator redacts issued tokens from its
 * exchanges, so they are caught by shape) or a digest response.
 */
const CREDENTIAL_SHAPES = [/Bearer\s+[\w.~+/-]{8,}/, /Digest\s+username=/i, /access_token/];

/** The texts holding a private key, client secret, access token or Authorization value. */
export function leakedSentinels(texts: readonly string[]): string[] {
  return texts.filter(
    (t) =>
      Object.values(SENTINELS).some((s) => t.includes(s)) ||
      CREDENTIAL_SHAPES.some((shape) => shape.test(t)),
  );
}

export async function outcome<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error: unknown) {
    return { ok: false, error };
  }
}

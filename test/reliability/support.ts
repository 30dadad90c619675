/**
 * Shared set-up for the reliability suites: a provider on the test emulator with a fake clock
 * (waits advance it instead of sleeping), its own invitation pacer, every log line captured, and
 * sentinel secrets to look for in everything the provider says.
 */
import { inspect } from "node:util";
import type { AtlasApi } from "../../provider/atlas/api";
import { createAtlasClient } from "../../provider/atlas/client";
import { InvitationPacer } from "../../provider/atlas/pacer";
import type { RetryOverrides } from "../../provider/atlas/retry";
import type { AtlasSettings } from "../../provider/atlas/settings";
import { OrgInvitationProvider } from "../../provider/invitation-provider";
import type { TestEmulator, TestEmulatorOptions } from "../support/emulator";
import { envFor } from "../provider/helpers";

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

export interface Harness {
  provider: OrgInvitationProvider;
  /** Every info and warn line of the provider, the transport and the pacer. */
  lines: string[];
  /** Each wait asked for, in ms (retry backoff and pacing). */
  waits: number[];
  clock: FakeClock;
}

/** Time that moves only when a wait is asked for. */
export class FakeClock {
  value = Date.now();
  readonly now = (): number => this.value;
}

export function harness(
  emu: TestEmulator,
  options: {
    kind?: "digest" | "serviceAccount";
    retry?: RetryOverrides;
    /** Share a clock with the emulator (its `now` option) so waits move both. */
    clock?: FakeClock;
    pacer?: InvitationPacer;
  } = {},
): Harness {
  const lines: string[] = [];
  const waits: number[] = [];
  const clock = options.clock ?? new FakeClock();
  const logger = {
    info: (m: string) => void lines.push(m),
    warn: (m: string) => void lines.push(m),
  };
  const pacer = options.pacer ?? new InvitationPacer();
  const provider = new OrgInvitationProvider({
    env: envFor(emu, options.kind ?? "digest"),
    logger,
    createApi: (settings: AtlasSettings, retry: RetryOverrides): AtlasApi =>
      createAtlasClient(settings, {
        retry: { ...FAST, ...retry, ...options.retry },
        logger,
        pacer,
        now: clock.now,
        sleep: async (ms) => {
          waits.push(ms);
          clock.value += ms;
          await new Promise((resolve) => setImmediate(resolve));
        },
      }),
  });
  return { provider, lines, waits, clock };
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

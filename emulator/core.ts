/** Everything one running emulator owns, wired once from the resolved options. */
import { DigestAuth } from "./auth/digest";
import { TokenStore } from "./auth/oauth";
import { FaultRegistry } from "./faults";
import { DEFAULT_TOKEN_BUCKET, InvitationLimiter, TokenBucket } from "./limits";
import { RequestLogStore } from "./log";
import { AtlasState } from "./state";
import type { UserRemovals } from "./routes/common";
import type { DigestAlgorithm, EmulatorOptions, EmulatorStats, Exchange } from "./types";

interface ResolvedOptions {
  port: number;
  publicKey: string;
  privateKey: string;
  clientId: string;
  clientSecret: string;
  digestAlgorithms: DigestAlgorithm[];
  nonceTtlMs: number;
  tokenTtlSeconds: number;
  now: () => number;
  /** ms since epoch: the start-up sunset, which reset() and setSunsetDate(null) restore. */
  sunsetDate: number;
  onExchange: ((exchange: Exchange) => void) | undefined;
}

const DEFAULTS = {
  port: 0,
  publicKey: "emulator-public-key",
  privateKey: "emulator-private-key",
  clientId: "mdb_sa_id_emulator",
  clientSecret: "mdb_sa_sk_emulator",
  digestAlgorithms: ["MD5"],
  nonceTtlMs: 300_000,
  tokenTtlSeconds: 3600,
  /** The slice's x-sunset for the 2023-01-01 media type; recordings 01-11: "Thu, 1 Jul 2027". */
  sunsetDate: "2027-07-01T00:00:00Z",
} as const satisfies Omit<ResolvedOptions, "now" | "onExchange" | "sunsetDate"> & {
  sunsetDate: string;
};

export function parseSunsetDate(value: Date | string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new TypeError(`sunsetDate must be a Date or an ISO-8601 date, got ${String(value)}`);
  }
  return ms;
}

/** `undefined` values fall back to the defaults; bad shapes are refused with a plain message. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const algorithms = options.digestAlgorithms ?? [...DEFAULTS.digestAlgorithms];
  if (algorithms.length === 0 || algorithms.some((a) => a !== "MD5" && a !== "SHA-256")) {
    throw new TypeError('digestAlgorithms must be a non-empty list of "MD5" and/or "SHA-256"');
  }
  const port = options.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`invalid port ${port}`);
  return {
    port,
    publicKey: options.publicKey ?? DEFAULTS.publicKey,
    privateKey: options.privateKey ?? DEFAULTS.privateKey,
    clientId: options.clientId ?? DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? DEFAULTS.clientSecret,
    digestAlgorithms: [...new Set(algorithms)],
    nonceTtlMs: options.nonceTtlMs ?? DEFAULTS.nonceTtlMs,
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds,
    now: options.now ?? Date.now,
    sunsetDate: parseSunsetDate(options.sunsetDate ?? DEFAULTS.sunsetDate),
    onExchange: options.onExchange,
  };
}

export class Core {
  readonly state: AtlasState;
  readonly digest: DigestAuth;
  readonly tokens: TokenStore;
  readonly faults = new FaultRegistry();
  readonly invitationLimiter = new InvitationLimiter();
  readonly bucket = new TokenBucket();
  readonly log = new RequestLogStore();
  /** removeOrgUser's removals by status; reset() zeroes them. */
  readonly removals: UserRemovals = { active: 0, pending: 0 };
  /** The sunset played now (ms since epoch): the start-up value until setSunsetDate/sunsetNow. */
  sunsetMs: number;
  baseUrl = "http://127.0.0.1";
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(readonly options: ResolvedOptions) {
    this.sunsetMs = options.sunsetDate;
    this.state = new AtlasState(options.now);
    this.digest = new DigestAuth({
      publicKey: options.publicKey,
      privateKey: options.privateKey,
      algorithms: options.digestAlgorithms,
      nonceTtlMs: options.nonceTtlMs,
      now: options.now,
    });
    this.tokens = new TokenStore({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenTtlSeconds: options.tokenTtlSeconds,
      now: options.now,
    });
    this.bucket.set(DEFAULT_TOKEN_BUCKET, options.now());
  }

  now(): number {
    return this.options.now();
  }

  /** By the emulator's clock: the deprecated 2023-01-01 operations answer 410 from now on. */
  sunsetPassed(): boolean {
    return this.now() >= this.sunsetMs;
  }

  stats(): EmulatorStats {
    return {
      digestChallenges: this.digest.challenges,
      tokensIssued: this.tokens.issued,
      activeUserRemovals: this.removals.active,
      pendingUserRemovals: this.removals.pending,
    };
  }

  /** Real-time wait for delay faults; close() wakes every sleeper so nothing outlives the server. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => sleeper.wake(), ms),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
    });
  }

  wakeAll(): void {
    for (const sleeper of [...this.sleepers]) sleeper.wake();
  }
}

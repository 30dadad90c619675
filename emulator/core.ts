/** Everything one running emulator owns, wired once from the resolved options. */
import { DigestAuth } from "./auth/digest";
import { TokenStore } from "./auth/oauth";
import { FaultRegistry } from "./faults";
import { InvitationLimiter, TokenBucket } from "./limits";
import { RequestLogStore } from "./log";
import { AtlasState } from "./state";
import type { DigestAlgorithm, EmulatorOptions, Exchange } from "./types";

export interface ResolvedOptions {
  port: number;
  publicKey: string;
  privateKey: string;
  clientId: string;
  clientSecret: string;
  digestAlgorithms: DigestAlgorithm[];
  nonceTtlMs: number;
  tokenTtlSeconds: number;
  now: () => number;
  onExchange: ((exchange: Exchange) => void) | undefined;
}

export const DEFAULTS = {
  port: 0,
  publicKey: "emulator-public-key",
  privateKey: "emulator-private-key",
  clientId: "mdb_sa_id_emulator",
  clientSecret: "mdb_sa_sk_emulator",
  digestAlgorithms: ["MD5"],
  nonceTtlMs: 300_000,
  tokenTtlSeconds: 3600,
} as const satisfies Omit<ResolvedOptions, "now" | "onExchange">;

/** `undefined` values fall back to the defaults; bad shapes are refused with a plain message. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
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
  baseUrl = "http://127.0.0.1";
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(readonly options: ResolvedOptions) {
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
  }

  now(): number {
    return this.options.now();
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

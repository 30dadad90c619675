/**
 * The emulator's options resolved once at start-up: every default filled in, bad shapes refused
 * with a plain message (a TypeError), the sunset read into ms since the epoch.
 */
import { parseSunsetDate } from "./sunset";
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

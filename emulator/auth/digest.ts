/**
 * HTTP Digest access authentication as Atlas uses it for API keys (RFC 7616, qop="auth"):
 * username = public key, password = private key, realm "MMS Public API".
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { DigestAlgorithm } from "../types";

export const REALM = "MMS Public API";

interface DigestOptions {
  publicKey: string;
  privateKey: string;
  algorithms: DigestAlgorithm[];
  nonceTtlMs: number;
  now: () => number;
}

type DigestResult = { ok: true } | { ok: false; stale: boolean; reason: string };

interface NonceState {
  issuedAt: number;
  /** Nonce counts already used: a repeat is a replay (RFC 7616 §3.4, `nc`). */
  seen: Set<number>;
}

/** Above this many live nonces the oldest are forgotten (their users just get a new challenge). */
const MAX_NONCES = 10_000;

function parseAuthParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of header.matchAll(re)) {
    const key = m[1]?.toLowerCase();
    if (key) params[key] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  return params;
}

function digestHash(algorithm: string, data: string): string {
  return createHash(algorithm.toUpperCase() === "SHA-256" ? "sha256" : "md5")
    .update(data)
    .digest("hex");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class DigestAuth {
  private readonly nonces = new Map<string, NonceState>();
  challenges = 0;

  constructor(private readonly options: DigestOptions) {}

  /**
   * One WWW-Authenticate value per offered algorithm, SHA-256 first (RFC 7616 §3.7), sharing one
   * nonce, in Atlas's exact form (recording X1): no `opaque`.
   */
  challenge(stale: boolean): string[] {
    this.challenges += 1;
    this.prune();
    const nonce = randomBytes(24).toString("base64url");
    this.nonces.set(nonce, { issuedAt: this.options.now(), seen: new Set() });
    const offered = new Set(this.options.algorithms);
    const ordered = (["SHA-256", "MD5"] as const).filter((a) => offered.has(a));
    return ordered.map(
      (algorithm) =>
        `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=${algorithm}, qop="auth", stale=${stale}`,
    );
  }

  verify(method: string, requestTarget: string, header: string): DigestResult {
    const p = parseAuthParams(header.slice("digest".length));
    const fail = (reason: string, stale = false): DigestResult => ({ ok: false, stale, reason });
    const algorithm = (p["algorithm"] ?? "MD5").toUpperCase();
    const offered = this.options.algorithms.find((a) => a === algorithm);
    if (!offered) return fail(`algorithm ${algorithm} was not offered`);
    if (p["realm"] !== REALM) return fail("wrong realm");
    if (p["qop"] !== "auth") return fail('qop must be "auth"');
    // The signed uri is the request-target, query string included (RFC 7616 §3.4).
    if (p["uri"] !== requestTarget) return fail("uri does not match the request-target");
    const nc = p["nc"] ?? "";
    if (!/^[0-9a-fA-F]{1,8}$/.test(nc)) return fail("nc must be hex");
    const { nonce = "", cnonce, response = "", username } = p;
    if (!cnonce) return fail("cnonce missing");
    const state = this.nonces.get(nonce);
    if (!state) return fail("unknown nonce");
    const ha1 = digestHash(offered, `${username ?? ""}:${REALM}:${this.options.privateKey}`);
    const ha2 = digestHash(offered, `${method}:${requestTarget}`);
    const expected = digestHash(offered, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    if (username !== this.options.publicKey || !safeEqual(expected, response.toLowerCase())) {
      return fail("wrong credentials");
    }
    // Stale only once the credentials are right, so the client may retry without asking the user.
    if (this.options.now() - state.issuedAt > this.options.nonceTtlMs)
      return fail("nonce expired", true);
    const count = Number.parseInt(nc, 16);
    // Concurrent clients may send counts out of order: only an exact repeat is a replay.
    if (state.seen.has(count)) return fail("nonce count replayed");
    state.seen.add(count);
    return { ok: true };
  }

  private prune(): void {
    const cutoff = this.options.now() - 4 * this.options.nonceTtlMs;
    for (const [nonce, state] of this.nonces) {
      if (state.issuedAt < cutoff || this.nonces.size >= MAX_NONCES) this.nonces.delete(nonce);
      else break;
    }
  }
}

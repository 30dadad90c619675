/**
 * The pure half of HTTP Digest (RFC 7616): picking a challenge and computing the `Authorization`
 * header. No I/O and no state, so the RFC's own test vectors (§3.9.1) pin it down.
 */
import { createHash } from "node:crypto";
import type { Secret } from "../secret";
import { parseChallenges } from "./challenge";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

const HASHES: Record<DigestAlgorithm, "md5" | "sha256"> = {
  MD5: "md5",
  "MD5-sess": "md5",
  "SHA-256": "sha256",
  "SHA-256-sess": "sha256",
};

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: DigestAlgorithm;
  /** "auth", or undefined for an RFC 2069 challenge without qop. */
  qop: "auth" | undefined;
  /** The server saw a valid signature over an expired nonce (RFC 7616 §3.3). */
  stale: boolean;
}

function algorithmOf(raw: string | undefined): DigestAlgorithm | undefined {
  // RFC 7616 §3.3: algorithm defaults to MD5 when absent; names compare case-insensitively.
  const wanted = (raw ?? "MD5").toUpperCase();
  return (Object.keys(HASHES) as DigestAlgorithm[]).find((a) => a.toUpperCase() === wanted);
}

/**
 * The first Digest challenge we can answer, in the server's order (RFC 7616 §3.7: "the client
 * SHOULD use the first challenge it supports"). Challenges offering only qop=auth-int or an
 * unknown algorithm are skipped.
 */
export function selectDigestChallenge(header: string | undefined): DigestChallenge | undefined {
  for (const c of parseChallenges(header)) {
    if (c.scheme !== "digest") continue;
    const { realm, nonce } = c.params;
    const algorithm = algorithmOf(c.params["algorithm"]);
    if (realm === undefined || !nonce || !algorithm) continue;
    // RFC 2617 §3.2.1 makes qop optional; an empty `qop=""` offers nothing, so it reads as absent.
    const rawQop = c.params["qop"]?.trim();
    const qops = rawQop ? rawQop.split(",").map((q) => q.trim().toLowerCase()) : undefined;
    if (qops !== undefined && !qops.includes("auth")) continue;
    return {
      realm,
      nonce,
      opaque: c.params["opaque"],
      algorithm,
      qop: qops === undefined ? undefined : "auth",
      stale: c.params["stale"]?.toLowerCase() === "true",
    };
  }
  return undefined;
}

/** What a `WWW-Authenticate` header offered, without nonces: `Digest algorithm=SHA-512-256 qop=auth-int`. */
export function describeChallenges(header: string | undefined): string {
  return parseChallenges(header)
    .map((c) => {
      const parts = [c.scheme.charAt(0).toUpperCase() + c.scheme.slice(1)];
      if (c.params["algorithm"] !== undefined) parts.push(`algorithm=${c.params["algorithm"]}`);
      if (c.params["qop"] !== undefined) parts.push(`qop=${c.params["qop"] || '""'}`);
      return parts.join(" ");
    })
    .join(", ");
}

export interface DigestInput {
  challenge: DigestChallenge;
  method: string;
  /** Request target as sent, query included (RFC 7616 §3.4.6). */
  uri: string;
  username: string;
  password: Secret;
  /** Nonce count, 1 for the first request signed with this nonce. */
  nc: number;
  cnonce: string;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The `response` value and the full header for one request (RFC 7616 §3.4.1-3.4.3). */
export function digestAuthorization(input: DigestInput): { response: string; header: string } {
  const { challenge: ch, method, uri, username, cnonce } = input;
  const hash = (value: string): string =>
    createHash(HASHES[ch.algorithm]).update(value, "utf8").digest("hex");
  const nc = input.nc.toString(16).padStart(8, "0");

  // The only place the private key is revealed: straight into the hash.
  let ha1 = hash(`${username}:${ch.realm}:${input.password.reveal()}`);
  if (ch.algorithm.endsWith("-sess")) ha1 = hash(`${ha1}:${ch.nonce}:${cnonce}`);
  const ha2 = hash(`${method}:${uri}`);
  const response =
    ch.qop === "auth"
      ? hash(`${ha1}:${ch.nonce}:${nc}:${cnonce}:auth:${ha2}`)
      : hash(`${ha1}:${ch.nonce}:${ha2}`);

  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(ch.realm)}`,
    `uri=${quote(uri)}`,
    `algorithm=${ch.algorithm}`,
    `nonce=${quote(ch.nonce)}`,
  ];
  if (ch.qop === "auth") parts.push(`nc=${nc}`, `cnonce=${quote(cnonce)}`, "qop=auth");
  parts.push(`response=${quote(response)}`);
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  return { response, header: `Digest ${parts.join(", ")}` };
}

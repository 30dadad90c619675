/**
 * Keys for process-wide caches (digest challenge, OAuth token, shared clients). A key holds a
 * SHA-256 of the secret, never the secret, so two settings with different secrets never share a
 * session and a key is safe to print.
 */
import { createHash } from "node:crypto";
import type { AtlasSettings } from "../settings";

function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * baseUrl + credential kind + key id + sha256(secret) + sha256(proxy URL), hashed into one opaque
 * hex string.
 */
export function settingsFingerprint(settings: AtlasSettings): string {
  const c = settings.credentials;
  const [keyId, secret] =
    c.kind === "digest" ? [c.publicKey, c.privateKey] : [c.clientId, c.clientSecret];
  const proxy = settings.proxy ? sha256Hex(settings.proxy.url.reveal()) : "";
  // NUL cannot occur in a URL or a key id, so the joined parts cannot collide.
  return sha256Hex([settings.baseUrl, c.kind, keyId, sha256Hex(secret.reveal()), proxy].join("\0"));
}

/**
 * What the Atlas client needs to reach Atlas: the base URL, one credential, and the proxy to
 * tunnel through, if any. provider/settings.ts builds these from Pulumi config and the
 * environment; a direct user of the client may build them by hand.
 */
import type { ProxySettings } from "./proxy";
import type { Secret } from "./secret";

export type { ProxySettings } from "./proxy";

/** Atlas's production origin. */
export const DEFAULT_BASE_URL = "https://cloud.mongodb.com";

/** An API key pair: HTTP Digest (RFC 7616), public key as username, private key as password. */
export interface DigestCredentials {
  kind: "digest";
  publicKey: string;
  privateKey: Secret;
}

/** A service account: OAuth 2.0 client credentials (RFC 6749 §4.4). */
export interface ServiceAccountCredentials {
  kind: "serviceAccount";
  clientId: string;
  clientSecret: Secret;
}

/** One credential: an API key pair or a service account. */
export type AtlasCredentials = DigestCredentials | ServiceAccountCredentials;

/** Where and as whom the client calls Atlas. */
export interface AtlasSettings {
  /** Origin of the Atlas Admin API, without a trailing slash (`https://cloud.mongodb.com`). */
  baseUrl: string;
  credentials: AtlasCredentials;
  /** The HTTPS proxy to tunnel through; absent for a direct connection. */
  proxy?: ProxySettings | undefined;
}

/**
 * The client's settings by their neutral names: the names its errors carry as facts
 * (`AtlasRequestError.settings`). Where a user sets each one (Pulumi config, an environment
 * variable) is the caller's business: the provider's settings table words it for its audience.
 * The credentials and base URL are `AtlasSettings`; the rest are `RetryPolicy` fields
 * (`limit` is `maxRetries`, `attemptTimeoutMs` is `requestTimeoutMs`).
 */
export type AtlasSettingName =
  | "baseUrl"
  | "publicKey"
  | "privateKey"
  | "clientId"
  | "clientSecret"
  | "maxRetries"
  | "requestTimeoutMs"
  | "deadlineMs";

/**
 * How a request gets its `Authorization` header. Two strategies implement it (digest.ts,
 * service-account.ts); the transport drives them and owns retries, so auth never sleeps or
 * retries on its own.
 */
import type { RawResponse } from "../request-loop";

export interface AuthRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query exactly as sent on the request line (RFC 7616 §3.4: the signed `uri`). */
  uri: string;
  /**
   * The longest this request may wait for its credentials, a token request included: the
   * transport gives what is left of the attempt and of the operation's budget.
   */
  timeoutMs: number;
}

export interface UnauthorizedResponse {
  /** Response headers with lower-case names. */
  headers: Record<string, string | undefined>;
  /** The Authorization header the rejected request carried, if any. */
  sentAuthorization?: string | undefined;
}

export type UnauthorizedVerdict = "retry" | "refused" | { unusable: string };

export interface AuthStrategy {
  /** Authorization header for this request, or undefined to send none (digest before any challenge). */
  authorize(request: AuthRequest): Promise<string | undefined>;
  /**
   * Called on a 401. `"retry"`: send the request again (once) with fresh credentials;
   * `"refused"`: the 401 is Atlas's answer; `{ unusable }`: the server asked for credentials this
   * strategy cannot give (what it offered, for the error message).
   */
  onUnauthorized(response: UnauthorizedResponse): Promise<UnauthorizedVerdict>;
  /**
   * Called after every attempt, whatever its outcome (an answer or none), so a strategy can wake
   * requests waiting on this one.
   */
  onSettled?(): void;
}

/** One HTTP exchange as the transport hands it to a strategy that must call Atlas itself. */
export interface RawRequest {
  method: string;
  uri: string;
  headers: Record<string, string>;
  body?: string;
}

export type { RawResponse };

/**
 * Sends one request with no auth and no retry, waiting at most `timeoutMs` for the answer;
 * throws AtlasNetworkError / AtlasTimeoutError.
 */
export type SendRaw = (request: RawRequest, timeoutMs: number) => Promise<RawResponse>;

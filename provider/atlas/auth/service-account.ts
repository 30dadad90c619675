/**
 * OAuth2 client credentials for Atlas service accounts (RFC 6749 §4.4). Atlas rate limits token
 * requests (50 per minute per the Terraform provider docs), so the token is cached per process
 * and per credential, renewed shortly before it expires, and at most one token request is in
 * flight: concurrent callers share its promise. Like every request of an operation, a token
 * request is bounded by the operation's budget: it waits at most the `timeoutMs` the transport
 * gives (what is left of the attempt and the budget), and a caller that joins one in flight waits
 * no longer than its own.
 */
import { AtlasApiError, AtlasProtocolError, AtlasTimeoutError } from "../errors";
import { Secret } from "../secret";
import { atlasProcessState } from "../process-state";
import type { ServiceAccountCredentials } from "../settings";
import type {
  AuthRequest,
  AuthStrategy,
  RawResponse,
  SendRaw,
  UnauthorizedResponse,
  UnauthorizedVerdict,
} from "./strategy";

export const TOKEN_PATH = "/api/oauth/token";

interface CachedToken {
  value: Secret;
  /** Clock time after which we fetch a new token rather than use this one. */
  refreshAt: number;
}

export interface TokenSession {
  token: CachedToken | undefined;
  inflight: Promise<CachedToken> | undefined;
}

const sessions = atlasProcessState.tokenSessions;

/** Renew 60 s before expiry, or at 90% of the lifetime for tokens shorter than ten minutes. */
export function refreshMarginMs(expiresInMs: number): number {
  return Math.min(60_000, expiresInMs * 0.1);
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
function basicHeader(credentials: ServiceAccountCredentials): string {
  const enc = (v: string): string => encodeURIComponent(v).replace(/%20/g, "+");
  const pair = `${enc(credentials.clientId)}:${enc(credentials.clientSecret.reveal())}`;
  return `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `promise`, or an AtlasTimeoutError for the token request once `timeoutMs` has passed. */
function waitAtMost<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AtlasTimeoutError({ method: "POST", path: TOKEN_PATH, timeoutMs })),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class ServiceAccountAuth implements AuthStrategy {
  private readonly session: TokenSession;

  constructor(
    private readonly credentials: ServiceAccountCredentials,
    sessionKey: string,
    private readonly send: SendRaw,
    private readonly now: () => number,
  ) {
    let s = sessions.get(sessionKey);
    if (!s) {
      s = { token: undefined, inflight: undefined };
      sessions.set(sessionKey, s);
    }
    this.session = s;
  }

  /** A cached token, or one fetched within `request.timeoutMs` (the caller's budget). */
  async authorize(request: AuthRequest): Promise<string> {
    const cached = this.session.token;
    const token =
      cached && this.now() < cached.refreshAt ? cached : await this.fetchShared(request.timeoutMs);
    return `Bearer ${token.value.reveal()}`;
  }

  async onUnauthorized(response: UnauthorizedResponse): Promise<UnauthorizedVerdict> {
    const cached = this.session.token;
    // Drop the token only if it is the one Atlas refused: a concurrent 401 must not throw away
    // the fresh token another request just fetched.
    if (cached && response.sentAuthorization === `Bearer ${cached.value.reveal()}`) {
      this.session.token = undefined;
    }
    return "retry";
  }

  /**
   * The token request in flight, or a new one that waits at most `timeoutMs` for its answer. A
   * caller that joins a request another call started waits for it no longer than its own
   * `timeoutMs` either: the other call's budget may be longer.
   */
  private fetchShared(timeoutMs: number): Promise<CachedToken> {
    const s = this.session;
    if (s.inflight) return waitAtMost(s.inflight, timeoutMs);
    const inflight = this.fetchToken(timeoutMs).then(
      (token) => {
        s.token = token;
        s.inflight = undefined;
        return token;
      },
      (err: unknown) => {
        s.inflight = undefined;
        throw err;
      },
    );
    s.inflight = inflight;
    return inflight;
  }

  private async fetchToken(timeoutMs: number): Promise<CachedToken> {
    const requestedAt = this.now();
    const response = await this.send(
      {
        method: "POST",
        uri: TOKEN_PATH,
        headers: {
          Authorization: basicHeader(this.credentials),
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: "grant_type=client_credentials",
      },
      timeoutMs,
    );
    const body = parseJson(response.body);
    if (response.status < 200 || response.status > 299) throw this.tokenError(response, body);

    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const accessToken = fields["access_token"];
    const tokenType = fields["token_type"];
    const expiresIn = fields["expires_in"];
    const problem =
      body === undefined
        ? "malformed JSON"
        : typeof accessToken !== "string" || accessToken === ""
          ? "no access_token"
          : tokenType !== undefined && String(tokenType).toLowerCase() !== "bearer"
            ? `token_type ${JSON.stringify(tokenType)} instead of Bearer`
            : expiresIn !== undefined && !(typeof expiresIn === "number" && expiresIn > 0)
              ? "an invalid expires_in"
              : undefined;
    if (problem !== undefined || typeof accessToken !== "string") {
      throw new AtlasProtocolError({
        method: "POST",
        path: TOKEN_PATH,
        status: response.status,
        problem: problem ?? "no access_token",
      });
    }
    // RFC 6749 §5.1 makes expires_in optional; Atlas documents one hour.
    const lifetimeMs = (typeof expiresIn === "number" ? expiresIn : 3600) * 1000;
    return {
      value: new Secret(accessToken),
      refreshAt: requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs),
    };
  }

  /** OAuth errors (RFC 6749 §5.2) or an Atlas ApiError body, with the secret scrubbed from any echo. */
  private tokenError(response: RawResponse, body: unknown): AtlasApiError {
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const text = (v: unknown): string | undefined =>
      typeof v === "string" ? this.scrub(v) : undefined;
    const errorCode = text(fields["errorCode"]) ?? text(fields["error"]);
    const detail = text(fields["detail"]) ?? text(fields["error_description"]);
    const retryAfter = Number(response.headers["retry-after"]);
    return new AtlasApiError({
      status: response.status,
      method: "POST",
      path: TOKEN_PATH,
      body: {
        ...(errorCode !== undefined && { errorCode }),
        ...(detail !== undefined && { detail }),
      },
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      credentials: "serviceAccount",
    });
  }

  private scrub(value: string): string {
    const secret = this.credentials.clientSecret.reveal();
    const basic = basicHeader(this.credentials).slice("Basic ".length);
    return value.split(secret).join("[redacted]").split(basic).join("[redacted]");
  }
}

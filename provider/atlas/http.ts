/**
 * The one HTTP stack: a single axios instance per transport, versioned media types, auth, the
 * proxy tunnel, and the mapping of every outcome to this package's errors. Every request runs
 * through the one loop (request-loop.ts). axios never throws on a status (`validateStatus`), never
 * parses bodies, never follows redirects and never picks a proxy itself; its errors are never
 * kept (they hold the request headers), only their code.
 */
import type { Agent } from "node:http";
import axios from "axios";
import type { AxiosInstance } from "axios";
import {
  AtlasApiError,
  AtlasAuthenticationError,
  AtlasNetworkError,
  AtlasProtocolError,
  AtlasProxyError,
  AtlasTimeoutError,
  AtlasTlsError,
} from "./errors";
import { isTlsFailureCode } from "./errors/request";
import type { ApiErrorBody, CredentialKind } from "./errors";
import type { Logger } from "./log";
import { USER_AGENT } from "./version";
import { createAuthStrategy } from "./auth";
import type { AuthStrategy, RawRequest } from "./auth";
import { Budget, systemClock } from "./budget";
import type { Clock } from "./budget";
import { viewsFor } from "./pacing";
import type { RateLimitScope } from "./pacing";
import { createProxyAgent, tunnelFailureIn } from "./proxy";
import { runRequest } from "./request-loop";
import type { RawResponse } from "./request-loop";
import { parseRetryAfter, resolveRetryPolicy } from "./retry";
import type { RetryOverrides, RetryPolicy } from "./retry";
import type { AtlasSettings } from "./settings";
import { mediaType } from "./types";
import type { ApiVersion } from "./types";

export type { RawResponse } from "./request-loop";

export interface TransportOptions {
  /** Overrides of DEFAULT_RETRY_POLICY (retry.ts), validated here; undefined values are ignored. */
  retry?: RetryOverrides | undefined;
  /**
   * A whole policy its caller already resolved with `resolveRetryPolicy` (the provider resolves
   * its settings once, at its edge: settings.ts), used as is; `retry` is then ignored.
   */
  policy?: RetryPolicy | undefined;
  /** @default real time (systemClock) */
  clock?: Clock | undefined;
  /** Told about retries and long waits. @default silent */
  logger?: Logger | undefined;
  /** Sees every answer from Atlas (status and lower-case headers), e.g. to notice a `Sunset`. */
  onAnswer?:
    ((answer: { method: string; path: string; response: RawResponse }) => void) | undefined;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD";

export interface TransportRequest<T> {
  method: HttpMethod;
  /** Path below the base URL, segments already encoded (see `encodeSegment`). */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  version: ApiVersion;
  /** The rate-limit scope whose token bucket paces the request (pacing.ts). */
  scope: RateLimitScope;
  /** Checks a 2xx body's shape; returns what is wrong, or undefined. */
  expect?: ((body: unknown) => string | undefined) | undefined;
  /**
   * The provider operation's budget; every request of one operation shares it.
   * @default a fresh budget of the policy's `deadlineMs` for this request alone
   */
  budget?: Budget | undefined;
  /** The call can send an invitation, so it passes Atlas's invitation limit too. */
  sendsInvitation?: boolean | undefined;
  /** For a POST: finds what an attempt that failed ambiguously created (request-loop.ts). */
  landed?: ((budget: Budget) => Promise<T | undefined>) | undefined;
  /**
   * Part of every attempt, right before the request is sent (request-loop.ts): a result ends the
   * request unsent. `read` sends one GET within the attempt, with no retry of its own.
   */
  guard?: ((read: GuardRead) => Promise<T | undefined>) | undefined;
  /** Turns a 2xx answer's parsed body into the result. @default the body as is */
  map?: ((body: unknown) => T) | undefined;
}

export interface GuardReadRequest {
  path: string;
  version: ApiVersion;
  expect?: ((body: unknown) => string | undefined) | undefined;
}

/** One GET inside an attempt (a guard's status read): parsed, or thrown as this package's errors. */
export type GuardRead = <U>(request: GuardReadRequest) => Promise<U>;

export interface Transport {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /**
   * Sends one request through the loop: paced, retried and bounded by its budget.
   * @throws AtlasApiError, AtlasNetworkError, AtlasTimeoutError, AtlasProtocolError,
   * AtlasAuthenticationError, AtlasProxyError, AtlasTlsError, AtlasDeadlineError
   */
  request<T>(request: TransportRequest<T>): Promise<T>;
  /** A budget of the policy's `deadlineMs`, starting now: one per provider operation. */
  budget(): Budget;
}

/**
 * Encodes one path segment. `.` and `..` are refused: URL parsers resolve them (even as `%2E`),
 * which would send the request to another resource.
 * @throws RangeError for an empty, `.` or `..` segment
 */
export function encodeSegment(value: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new RangeError(`An Atlas path segment cannot be ${JSON.stringify(value)}.`);
  }
  return encodeURIComponent(value);
}

/** Path plus query, built once so the digest-signed `uri` is byte for byte what is sent. */
export function requestUri(
  path: string,
  query?: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined) params.append(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function headersOf(raw: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "string") out[k.toLowerCase()] = v;
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(", ");
    else if (typeof v === "number") out[k.toLowerCase()] = String(v);
  }
  return out;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** What the transport knows about where a request goes, for errors that name it. */
interface Route {
  host: string;
  proxy: AtlasSettings["proxy"];
}

/** Sends one request, no auth, no retry. Only this package's errors leave this function. */
async function sendOnce(
  http: AxiosInstance,
  route: Route,
  request: RawRequest,
  timeoutMs: number,
): Promise<RawResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await http.request<string>({
      method: request.method,
      url: request.uri,
      headers: request.headers,
      data: request.body,
      signal: controller.signal,
    });
    return {
      status: res.status,
      headers: headersOf(res.headers as Record<string, unknown>),
      body: res.data ?? "",
    };
  } catch (err: unknown) {
    const line = { method: request.method, path: request.uri };
    if (timedOut) throw new AtlasTimeoutError({ ...line, timeoutMs });
    const tunnel = tunnelFailureIn(err);
    if (tunnel && route.proxy) {
      throw new AtlasProxyError({
        ...line,
        proxy: route.proxy.display,
        variable: route.proxy.variable,
        status: tunnel.status,
        code: tunnel.code,
      });
    }
    const code = (err as { code?: unknown } | null)?.code;
    const text = typeof code === "string" ? code : undefined;
    if (isTlsFailureCode(text))
      throw new AtlasTlsError({ ...line, host: route.host, code: text as string });
    throw new AtlasNetworkError({ ...line, code: text, host: route.host });
  } finally {
    clearTimeout(timer);
  }
}

function toResult<T>(
  res: RawResponse,
  request: Pick<TransportRequest<T>, "expect" | "map">,
  method: string,
  uri: string,
  now: number,
  credentials: CredentialKind,
): T {
  const line = { method, path: uri, status: res.status };
  if (res.status < 200 || res.status > 299) {
    const parsed = parseJson(res.body);
    const body =
      parsed.ok && typeof parsed.value === "object" && parsed.value !== null
        ? (parsed.value as ApiErrorBody)
        : undefined;
    // RateLimit-Reset (draft-ietf-httpapi-ratelimit-headers) stands in when Retry-After is absent.
    const retryAfterMs =
      parseRetryAfter(res.headers["retry-after"], now) ??
      parseRetryAfter(res.headers["ratelimit-reset"], now);
    throw new AtlasApiError({
      method,
      path: uri,
      status: res.status,
      body,
      retryAfterMs,
      credentials,
    });
  }
  if (res.body.trim() === "") {
    if (request.expect && res.status !== 204)
      throw new AtlasProtocolError({ ...line, problem: "an empty body" });
    return request.map ? request.map(undefined) : (undefined as T);
  }
  const parsed = parseJson(res.body);
  if (!parsed.ok) throw new AtlasProtocolError({ ...line, problem: "malformed JSON" });
  const problem = request.expect?.(parsed.value);
  if (problem !== undefined) throw new AtlasProtocolError({ ...line, problem });
  return request.map ? request.map(parsed.value) : (parsed.value as T);
}

/**
 * The transport for one set of settings. Auth sessions (digest challenge, OAuth token) and the
 * rate-limit views are shared process-wide, so many transports with the same settings behave as
 * one client towards Atlas.
 * @throws AtlasConfigurationError for invalid retry overrides
 */
export function createTransport(
  settings: AtlasSettings,
  options: TransportOptions = {},
): Transport {
  const policy = options.policy ?? resolveRetryPolicy(options.retry);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? {};
  const origin = new URL(settings.baseUrl);
  const route: Route = { host: origin.hostname, proxy: settings.proxy };
  const httpsAgent: Agent | undefined = settings.proxy
    ? createProxyAgent(settings.proxy)
    : undefined;

  const http = axios.create({
    baseURL: settings.baseUrl,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    transformRequest: [(data: unknown) => data],
    maxRedirects: 0,
    proxy: false,
    ...(httpsAgent && { httpsAgent }),
    headers: { "User-Agent": USER_AGENT },
  });
  const auth: AuthStrategy = createAuthStrategy(settings, {
    send: (raw, timeoutMs) => sendOnce(http, route, raw, timeoutMs),
    now: () => clock.now(),
  });

  /**
   * One attempt's exchange: credentials, the request, and the one repeat a 401 allows. Waiting
   * for credentials (a service account's token request) is bounded like the attempt, by what is
   * left of the operation's `budget` when it starts.
   */
  async function exchange(
    method: string,
    uri: string,
    body: string | undefined,
    version: ApiVersion,
    budget: Budget,
    attempt: { timeoutMs: number; markSent(): void },
  ): Promise<RawResponse> {
    const type = mediaType(version);
    const send = (authorization: string | undefined): Promise<RawResponse> => {
      const headers: Record<string, string> = { Accept: type };
      if (body !== undefined) headers["Content-Type"] = type;
      if (authorization !== undefined) headers["Authorization"] = authorization;
      return sendOnce(
        http,
        route,
        { method, uri, headers, ...(body !== undefined && { body }) },
        attempt.timeoutMs,
      );
    };
    const credentials = (): Promise<string | undefined> =>
      auth.authorize({
        method,
        uri,
        timeoutMs: Math.max(1, Math.min(attempt.timeoutMs, budget.remainingMs())),
      });
    try {
      let authorization = await credentials();
      let res: RawResponse;
      try {
        res = await send(authorization);
      } catch (error) {
        // A proxy that refused the tunnel never passed the request on: it was not sent.
        if (!(error instanceof AtlasProxyError)) attempt.markSent();
        throw error;
      }
      attempt.markSent();
      if (res.status !== 401) return res;
      const first = await auth.onUnauthorized({
        headers: res.headers,
        sentAuthorization: authorization,
      });
      if (typeof first === "object") {
        throw new AtlasAuthenticationError({ method, path: uri, offered: first.unusable });
      }
      if (first === "refused") return res;
      // Atlas refused the credentials before acting on the request, so sending it again is safe
      // for every method, POST included. Only once: a second 401 is a real answer.
      authorization = await credentials();
      res = await send(authorization);
      if (res.status === 401) {
        await auth.onUnauthorized({ headers: res.headers, sentAuthorization: authorization });
      }
      return res;
    } finally {
      auth.onSettled?.();
    }
  }

  /** A guard's GET: sent within the attempt (its timeout, no retry), answered into the views. */
  const readWithin =
    (
      budget: Budget,
      attempt: { timeoutMs: number; observe(response: RawResponse): void },
    ): GuardRead =>
    async <U>(read: GuardReadRequest): Promise<U> => {
      const answer = await exchange("GET", read.path, undefined, read.version, budget, {
        timeoutMs: attempt.timeoutMs,
        markSent: () => undefined,
      });
      attempt.observe(answer);
      const request = { expect: read.expect };
      return toResult<U>(answer, request, "GET", read.path, clock.now(), settings.credentials.kind);
    };

  return {
    policy,
    clock,
    budget: () => new Budget(policy.deadlineMs, clock),
    async request<T>(request: TransportRequest<T>): Promise<T> {
      const method = request.method.toUpperCase();
      const uri = requestUri(request.path, request.query);
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const { guard } = request;
      const budget = request.budget ?? new Budget(policy.deadlineMs, clock);
      return runRequest(
        { policy, logger },
        {
          method,
          path: uri,
          budget,
          views: viewsFor(origin.origin, request.scope, request.sendsInvitation === true),
          landed: request.landed,
          guard: guard && ((attempt) => guard(readWithin(budget, attempt))),
          send: async (attempt) => {
            const response = await exchange(method, uri, body, request.version, budget, attempt);
            options.onAnswer?.({ method, path: uri, response });
            return response;
          },
          parse: (response) =>
            toResult<T>(response, request, method, uri, clock.now(), settings.credentials.kind),
        },
      );
    },
  };
}

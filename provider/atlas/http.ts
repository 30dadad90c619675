/**
 * The one HTTP stack: a single axios instance per transport, versioned media types, auth, retry
 * and the mapping of every outcome to our own errors. axios never throws on a status
 * (`validateStatus`), never parses bodies, never follows redirects and never picks a proxy from
 * the environment; its errors are never kept (they hold the request headers), only their code.
 */
import axios from "axios";
import type { AxiosInstance } from "axios";
import { USER_AGENT } from "../version";
import { createAuthStrategy } from "./auth";
import type { AuthStrategy, RawRequest, RawResponse } from "./auth";
import { AtlasApiError, AtlasNetworkError, AtlasProtocolError, AtlasTimeoutError } from "./errors";
import { parseRetryAfter, resolveRetryPolicy, runWithRetry } from "./retry";
import type { Attempt, AtlasLogger, RetryOverrides, RetryPolicy } from "./retry";
import type { AtlasSettings } from "./settings";
import { mediaType } from "./types";
import type { ApiErrorBody, ApiVersion } from "./types";

export interface TransportOptions {
  /** Overrides of DEFAULT_RETRY_POLICY; undefined values are ignored. */
  retry?: RetryOverrides | undefined;
  /** @default real timers */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
  /** @default Math.random */
  random?: (() => number) | undefined;
  /** Told about each retry wait. @default no-op */
  logger?: AtlasLogger | undefined;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD";

export interface TransportRequest {
  method: HttpMethod;
  /** Path below the base URL, segments already encoded (see `encodeSegment`). */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  version: ApiVersion;
  /** Checks a 2xx body's shape; returns what is wrong, or undefined. */
  expect?: (body: unknown) => string | undefined;
}

export interface Transport {
  request<T>(request: TransportRequest): Promise<T>;
}

/**
 * Encodes one path segment. `.` and `..` are refused: URL parsers resolve them (even as `%2E`),
 * which would send the request to another resource.
 */
export function encodeSegment(value: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new RangeError(`An Atlas path segment cannot be ${JSON.stringify(value)}.`);
  }
  return encodeURIComponent(value);
}

/** Path plus query, built once so the digest-signed `uri` is byte for byte what is sent. */
export function requestUri(path: string, query?: TransportRequest["query"]): string {
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

/** Sends one request, no auth, no retry. Only our errors leave this function. */
async function sendOnce(
  http: AxiosInstance,
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
    const code = (err as { code?: unknown } | null)?.code;
    throw new AtlasNetworkError({ ...line, code: typeof code === "string" ? code : undefined });
  } finally {
    clearTimeout(timer);
  }
}

function toResult<T>(
  res: RawResponse,
  request: TransportRequest,
  method: string,
  uri: string,
  now: number,
): T {
  const line = { method, path: uri, status: res.status };
  if (res.status < 200 || res.status > 299) {
    const parsed = parseJson(res.body);
    const body =
      parsed.ok && typeof parsed.value === "object" && parsed.value !== null
        ? (parsed.value as Partial<ApiErrorBody>)
        : undefined;
    const retryAfterMs =
      parseRetryAfter(res.headers["retry-after"], now) ??
      parseRetryAfter(res.headers["ratelimit-reset"], now);
    throw new AtlasApiError({ method, path: uri, status: res.status, body, retryAfterMs });
  }
  if (res.body.trim() === "") {
    if (request.expect && res.status !== 204)
      throw new AtlasProtocolError({ ...line, problem: "an empty body" });
    return undefined as T;
  }
  const parsed = parseJson(res.body);
  if (!parsed.ok) throw new AtlasProtocolError({ ...line, problem: "malformed JSON" });
  const problem = request.expect?.(parsed.value);
  if (problem !== undefined) throw new AtlasProtocolError({ ...line, problem });
  return parsed.value as T;
}

/** The transport options with every default filled in: the one place those defaults live. */
export function resolveTransportOptions(options: TransportOptions): {
  policy: RetryPolicy;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: AtlasLogger;
} {
  return {
    policy: resolveRetryPolicy(options.retry),
    now: options.now ?? Date.now,
    sleep:
      options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    logger: options.logger ?? {},
  };
}

export function createTransport(
  settings: AtlasSettings,
  options: TransportOptions = {},
): Transport {
  const { policy, now, sleep, random, logger } = resolveTransportOptions(options);

  const http = axios.create({
    baseURL: settings.baseUrl,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    transformRequest: [(data: unknown) => data],
    maxRedirects: 0,
    proxy: false,
    headers: { "User-Agent": USER_AGENT },
  });
  const auth: AuthStrategy = createAuthStrategy(settings, {
    send: (raw) => sendOnce(http, raw, policy.attemptTimeoutMs),
    now,
  });

  async function exchange(
    method: string,
    uri: string,
    request: TransportRequest,
    a: Attempt,
  ): Promise<RawResponse> {
    const type = mediaType(request.version);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const send = (authorization: string | undefined): Promise<RawResponse> => {
      const headers: Record<string, string> = { Accept: type };
      if (body !== undefined) headers["Content-Type"] = type;
      if (authorization !== undefined) headers["Authorization"] = authorization;
      return sendOnce(
        http,
        { method, uri, headers, ...(body !== undefined && { body }) },
        a.timeoutMs,
      );
    };
    try {
      let authorization = await auth.authorize({ method, uri });
      a.markSent();
      let res = await send(authorization);
      if (
        res.status === 401 &&
        (await auth.onUnauthorized({ headers: res.headers, sentAuthorization: authorization }))
      ) {
        // Atlas refused the credentials before acting on the request, so sending it again is safe
        // for every method, POST included. Only once: a second 401 is a real answer.
        authorization = await auth.authorize({ method, uri });
        res = await send(authorization);
        if (res.status === 401)
          await auth.onUnauthorized({ headers: res.headers, sentAuthorization: authorization });
      }
      return res;
    } finally {
      auth.onSettled?.();
    }
  }

  return {
    async request<T>(request: TransportRequest): Promise<T> {
      const method = request.method.toUpperCase();
      const uri = requestUri(request.path, request.query);
      const ctx = { policy, method, path: uri, now, sleep, random, logger };
      return runWithRetry(ctx, async (a) =>
        toResult<T>(await exchange(method, uri, request, a), request, method, uri, now()),
      );
    },
  };
}

/**
 * One base class, one subclass per failure kind, with stable fields that callers decide on
 * (`status`, `errorCode`), never on message text. Messages are built from the Atlas error body
 * and the request line only: an error never keeps the axios error, the request config or its
 * headers, so no Authorization header, token or key can reach a log through it.
 *
 * Type guards check a `Symbol.for` brand and `kind` rather than `instanceof`, because the Pulumi
 * closure serializer can load a second copy of this package in the same process.
 */
import type { ApiErrorBody } from "./types";

const BRAND = Symbol.for("pulumi-atlas-org-invitations.AtlasError");

export type AtlasErrorKind =
  "api" | "network" | "timeout" | "protocol" | "configuration" | "validation" | "conflict";

export interface RequestLine {
  /** Upper-case HTTP method. */
  method: string;
  /** Path and query, without the base URL. */
  path: string;
}

export abstract class AtlasError extends Error {
  abstract readonly kind: AtlasErrorKind;
  readonly [BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** Stable, secret-free fields for logs and JSON output. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message };
  }
}

export interface AtlasApiErrorInit extends RequestLine {
  status: number;
  body: Partial<ApiErrorBody> | undefined;
  /** Milliseconds Atlas asked us to wait (`Retry-After`), when it said. */
  retryAfterMs?: number | undefined;
}

/** Atlas answered with a non-success status. */
export class AtlasApiError extends AtlasError {
  override readonly name = "AtlasApiError";
  readonly kind = "api" as const;
  readonly status: number;
  /** Atlas's `errorCode`, or `UNKNOWN` when the body carried none. */
  readonly errorCode: string;
  readonly detail: string | undefined;
  readonly reason: string | undefined;
  readonly parameters: readonly unknown[];
  /** Field violations from `badRequestDetail.fields`, as `field: description`. */
  readonly fieldViolations: readonly string[];
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs: number | undefined;

  constructor(init: AtlasApiErrorInit) {
    const body = init.body ?? {};
    const errorCode =
      typeof body.errorCode === "string" && body.errorCode ? body.errorCode : "UNKNOWN";
    const detail = typeof body.detail === "string" ? body.detail : undefined;
    const reason = typeof body.reason === "string" ? body.reason : undefined;
    super(
      `Atlas answered ${init.status} ${errorCode} for ${init.method} ${init.path}` +
        ((detail ?? reason) ? `: ${detail ?? reason}` : ""),
    );
    this.status = init.status;
    this.errorCode = errorCode;
    this.detail = detail;
    this.reason = reason;
    this.parameters = Array.isArray(body.parameters) ? body.parameters : [];
    this.fieldViolations = (body.badRequestDetail?.fields ?? []).map(
      (f) => `${f.field}: ${f.description}`,
    );
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      errorCode: this.errorCode,
      detail: this.detail,
      method: this.method,
      path: this.path,
    };
  }
}

/** The request never got an HTTP answer (reset, refused, DNS...). */
export class AtlasNetworkError extends AtlasError {
  override readonly name = "AtlasNetworkError";
  readonly kind = "network" as const;
  /** Node's error code (`ECONNRESET`, `ECONNREFUSED`, ...) or `UNKNOWN`. */
  readonly code: string;
  readonly method: string;
  readonly path: string;

  constructor(init: RequestLine & { code: string | undefined }) {
    const code = init.code ?? "UNKNOWN";
    super(`Network error calling Atlas for ${init.method} ${init.path}: ${code}`);
    this.code = code;
    this.method = init.method;
    this.path = init.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code, method: this.method, path: this.path };
  }
}

/** No answer within the per-attempt timeout or the overall deadline. */
export class AtlasTimeoutError extends AtlasError {
  override readonly name = "AtlasTimeoutError";
  readonly kind = "timeout" as const;
  readonly timeoutMs: number;
  readonly method: string;
  readonly path: string;

  constructor(init: RequestLine & { timeoutMs: number }) {
    super(`Atlas did not answer ${init.method} ${init.path} within ${init.timeoutMs} ms`);
    this.timeoutMs = init.timeoutMs;
    this.method = init.method;
    this.path = init.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs, method: this.method, path: this.path };
  }
}

/** Atlas answered, but not in a shape the API promises (malformed JSON, missing fields). */
export class AtlasProtocolError extends AtlasError {
  override readonly name = "AtlasProtocolError";
  readonly kind = "protocol" as const;
  readonly status: number;
  readonly method: string;
  readonly path: string;

  constructor(init: RequestLine & { status: number; problem: string }) {
    super(`Atlas answered ${init.status} for ${init.method} ${init.path} with ${init.problem}`);
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, method: this.method, path: this.path };
  }
}

/** Settings are missing, half-set or malformed. Names the keys to set, never their values. */
export class AtlasConfigurationError extends AtlasError {
  override readonly name = "AtlasConfigurationError";
  readonly kind = "configuration" as const;
  /** Config keys and environment variables the message asks the user to set or fix. */
  readonly keys: readonly string[];

  constructor(message: string, keys: readonly string[]) {
    super(message);
    this.keys = keys;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), keys: this.keys };
  }
}

function hasBrand(value: unknown): value is { kind: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

export function isAtlasError(value: unknown): value is AtlasError {
  return hasBrand(value);
}

export function isAtlasApiError(value: unknown): value is AtlasApiError {
  return hasBrand(value) && value.kind === "api";
}

export function isAtlasNetworkError(value: unknown): value is AtlasNetworkError {
  return hasBrand(value) && value.kind === "network";
}

export function isAtlasTimeoutError(value: unknown): value is AtlasTimeoutError {
  return hasBrand(value) && value.kind === "timeout";
}

export function isAtlasProtocolError(value: unknown): value is AtlasProtocolError {
  return hasBrand(value) && value.kind === "protocol";
}

export function isAtlasConfigurationError(value: unknown): value is AtlasConfigurationError {
  return hasBrand(value) && value.kind === "configuration";
}

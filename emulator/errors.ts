/**
 * Atlas `ApiError` bodies (openapi slice, components.schemas.ApiError): `error` is the status,
 * `reason` the HTTP reason phrase, `parameters` always present (and empty), `badRequestDetail.fields` only when
 * one request field is at fault.
 */
import { STATUS_CODES } from "node:http";

export interface FieldViolation {
  field: string;
  description: string;
}

export interface ApiErrorBody {
  error: number;
  errorCode: string;
  detail: string;
  reason: string;
  parameters: unknown[];
  badRequestDetail?: { fields: FieldViolation[] };
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? "Unknown";
}

/**
 * `parameters` is always empty: the spec types its items as objects, while Atlas's own are bare
 * strings, so only an empty list satisfies both.
 */
export function apiErrorBody(
  status: number,
  errorCode: string,
  detail: string,
  options: { field?: FieldViolation } = {},
): ApiErrorBody {
  const body: ApiErrorBody = {
    error: status,
    errorCode,
    detail,
    reason: reasonPhrase(status),
    parameters: [],
  };
  if (options.field) body.badRequestDetail = { fields: [options.field] };
  return body;
}

/** Thrown by route handlers and validators; the server turns it into an ApiError response. */
export class AtlasError extends Error {
  override readonly name = "AtlasError";
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly options: { field?: FieldViolation; headers?: Record<string, string> } = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    this.headers = options.headers ?? {};
  }

  body(): ApiErrorBody {
    const { field } = this.options;
    return apiErrorBody(this.status, this.errorCode, this.detail, field ? { field } : {});
  }
}

/** A 400 naming the request field at fault (badRequestDetail.fields). */
export function badField(errorCode: string, field: string, detail: string): AtlasError {
  return new AtlasError(400, errorCode, detail, { field: { field, description: detail } });
}

export function notFound(detail: string): AtlasError {
  return new AtlasError(404, "RESOURCE_NOT_FOUND", detail);
}

/** Errors raised by the control API (programmatic or HTTP): a bad test setup, not an Atlas answer. */
export class ControlError extends Error {
  override readonly name = "EmulatorControlError";
  constructor(
    message: string,
    readonly status: number = 404,
  ) {
    super(message);
  }
}

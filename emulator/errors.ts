/**
 * Atlas `ApiError` bodies (openapi slice, components.schemas.ApiError), in the shape real Atlas
 * sends (recordings X2 and 23): keys in alphabetical order, `error` the status, `reason` the HTTP
 * reason phrase, `parameters` the values the message names, as strings (the slice types its items
 * as objects; Atlas sends strings). `badRequestDetail.fields` only when one request field is at
 * fault. Served as `application/json` with an `X-Error-Code` header (recording X2).
 */
import { STATUS_CODES } from "node:http";

interface FieldViolation {
  field: string;
  description: string;
}

interface ApiErrorBody {
  badRequestDetail?: { fields: FieldViolation[] };
  detail: string;
  error: number;
  errorCode: string;
  parameters: string[];
  reason: string;
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? "Unknown";
}

interface ErrorOptions {
  field?: FieldViolation;
  /** What the detail names (an id, a username...), as Atlas lists them. @default [] */
  parameters?: string[];
  headers?: Record<string, string>;
}

export function apiErrorBody(
  status: number,
  errorCode: string,
  detail: string,
  options: Omit<ErrorOptions, "headers"> = {},
): ApiErrorBody {
  const body: ApiErrorBody = {
    ...(options.field ? { badRequestDetail: { fields: [options.field] } } : {}),
    detail,
    error: status,
    errorCode,
    parameters: [...(options.parameters ?? [])],
    reason: reasonPhrase(status),
  };
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
    readonly options: ErrorOptions = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    this.headers = options.headers ?? {};
  }

  body(): ApiErrorBody {
    const { field, parameters } = this.options;
    return apiErrorBody(this.status, this.errorCode, this.detail, {
      ...(field ? { field } : {}),
      ...(parameters ? { parameters } : {}),
    });
  }
}

/** A 400 naming the request field at fault (badRequestDetail.fields). */
export function badField(
  errorCode: string,
  field: string,
  detail: string,
  parameters: string[],
): AtlasError {
  return new AtlasError(400, errorCode, detail, {
    field: { field, description: detail },
    parameters,
  });
}

/**
 * 404 RESOURCE_NOT_FOUND in Atlas's wording (recording X2): "Cannot find resource <what>." with
 * `<what>` as the one parameter.
 */
export function notFound(what: string): AtlasError {
  return new AtlasError(404, "RESOURCE_NOT_FOUND", `Cannot find resource ${what}.`, {
    parameters: [what],
  });
}

/**
 * Errors raised by the control API (programmatic or HTTP): a bad test setup, not an Atlas answer.
 * `field` names the input at fault when one is (a fault spec's `status`, `match.path`...); the HTTP
 * control API sends it along in the error body.
 */
export class ControlError extends Error {
  override readonly name = "EmulatorControlError";
  constructor(
    message: string,
    readonly status: number = 404,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * What a fault spec may say, checked when it is injected (in process or decoded from JSON) so that
 * a bad one is refused with a ControlError (400) naming the field instead of breaking the request
 * it matches later.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";
import { ControlError } from "./errors";
import type { FaultMatch, FaultSpec } from "./types";

/** setTimeout's longest wait; a longer one fires at once (TimeoutOverflowWarning). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A ControlError (400) naming the fault field at fault, in the style of the knobs' errors. */
export function badFault(field: string, value: unknown, problem: string): ControlError {
  return new ControlError(`invalid fault ${field} ${show(value)}: ${problem}`, 400, field);
}

function show(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint" || value instanceof RegExp)
    return String(value);
  if (typeof value === "function" || typeof value === "symbol") return typeof value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/** Why a header value cannot be sent (Node refuses it when the answer is written), if it cannot. */
function headerValueProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  try {
    validateHeaderValue(name, value);
    return undefined;
  } catch {
    return "must be a valid HTTP header value (no control characters such as line breaks)";
  }
}

const boolean = (value: unknown): string | undefined =>
  typeof value === "boolean" ? undefined : "must be true or false";
const string = (value: unknown): string | undefined =>
  typeof value === "string" ? undefined : "must be a string";

/** One check per FaultMatch field: the problem with a present value, or undefined. */
const MATCH_FIELDS: { [K in keyof Required<FaultMatch>]: (value: unknown) => string | undefined } =
  {
    method: string,
    operationId: string,
    path: (value) =>
      typeof value === "string" || value instanceof RegExp
        ? undefined
        : "must be a string (the exact pathname) or a RegExp (over HTTP: match.pathRegex)",
  };

/** One check per FaultSpec field (match and headers are walked by checkFaultSpec). */
const FAULT_FIELDS: { [K in keyof Required<FaultSpec>]: (value: unknown) => string | undefined } = {
  match: (value) => (isPlainObject(value) ? undefined : "must be an object"),
  times: (value) =>
    value === Infinity || (Number.isInteger(value) && (value as number) >= 1)
      ? undefined
      : 'must be a positive integer or Infinity (over HTTP: "Infinity" or null)',
  status: (value) =>
    Number.isInteger(value) && (value as number) >= 200 && (value as number) <= 599
      ? undefined
      : "must be an integer from 200 to 599 (a 1xx answer cannot carry an error and leaves the client waiting)",
  errorCode: (value) => headerValueProblem("X-Error-Code", value),
  detail: string,
  retryAfter: (value) => headerValueProblem("Retry-After", value),
  headers: (value) => (isPlainObject(value) ? undefined : "must be an object of header strings"),
  delayMs: (value) =>
    typeof value === "number" && value >= 0 && value <= MAX_DELAY_MS
      ? undefined
      : `must be a number of milliseconds from 0 to ${MAX_DELAY_MS}`,
  reset: boolean,
  commit: boolean,
  malformedBody: boolean,
};

/**
 * Checks a fault spec as given (in process or decoded from JSON) against FaultSpec, so that a bad
 * one is refused when injected instead of breaking the request it matches. Absent (undefined)
 * fields are fine; unknown ones are refused. Throws a ControlError (400) naming the field.
 */
export function checkFaultSpec(spec: unknown): asserts spec is FaultSpec {
  if (!isPlainObject(spec)) throw badFault("spec", spec, "must be an object");
  checkFields(spec, FAULT_FIELDS, "");
  if (spec["status"] === undefined) {
    for (const field of ["errorCode", "detail"]) {
      if (spec[field] !== undefined) {
        throw badFault(field, spec[field], "needs a status: it only shapes a status fault's error");
      }
    }
  }
  const match = spec["match"];
  if (isPlainObject(match)) checkFields(match, MATCH_FIELDS, "match.");
  const headers = spec["headers"];
  if (isPlainObject(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      try {
        validateHeaderName(name);
      } catch {
        throw badFault(`headers.${name}`, value, "the name is not a valid HTTP header name");
      }
      const problem = headerValueProblem(name, value);
      if (problem !== undefined) throw badFault(`headers.${name}`, value, problem);
    }
  }
}

function checkFields(
  object: Record<string, unknown>,
  checks: Record<string, (value: unknown) => string | undefined>,
  prefix: string,
): void {
  const names = Object.keys(checks);
  for (const [name, value] of Object.entries(object)) {
    const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
    if (!check) {
      throw badFault(`${prefix}${name}`, value, `no such field (fields: ${names.join(", ")})`);
    }
    const problem = value === undefined ? undefined : check(value);
    if (problem !== undefined) throw badFault(`${prefix}${name}`, value, problem);
  }
}

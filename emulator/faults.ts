/**
 * Injected faults: registered through the control API, matched in insertion order after
 * authentication, consumed one per request, and applied around the real operation. Without
 * `commit` the fault answers before anything changes (a pre-commit delay whose client went away
 * never runs the operation); with `commit` (or `malformedBody`, which needs the real status) the
 * operation runs first.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";
import type { Socket } from "node:net";
import type { Core } from "./core";
import { ControlError, apiErrorBody } from "./errors";
import type { ApiMeta, Outcome, Reply } from "./http-io";
import type { FaultHandle, FaultMatch, FaultSpec } from "./types";

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number;
}

interface FaultTarget {
  method: string;
  path: string;
  operationId: string | undefined;
}

export interface FaultSummary {
  id: string;
  remaining: number;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Throws a ControlError (400, naming the field) for a spec that could not be played. */
  add(spec: FaultSpec): FaultHandle & { id: string } {
    checkFaultSpec(spec);
    // Copies, so that changing the caller's objects later cannot undo the check.
    const copy: FaultSpec = { ...spec };
    if (spec.match) copy.match = { ...spec.match };
    if (spec.headers) copy.headers = { ...spec.headers };
    const fault: ActiveFault = {
      id: String(this.nextId++),
      spec: copy,
      remaining: spec.times ?? 1,
    };
    this.faults.push(fault);
    return {
      id: fault.id,
      remaining: () => fault.remaining,
      clear: () => this.remove(fault.id),
    };
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    for (const f of this.faults) f.remaining = 0;
    this.faults = [];
  }

  list(): FaultSummary[] {
    return this.faults.map((f) => ({ id: f.id, remaining: f.remaining }));
  }

  remainingOf(id: string): number {
    return this.faults.find((f) => f.id === id)?.remaining ?? 0;
  }

  /** The first live fault matching the request, with one use consumed. */
  take(target: FaultTarget): FaultSpec | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f.spec, target));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.remove(fault.id);
    return fault.spec;
  }
}

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

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  const m = spec.match;
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== target.method) return false;
  if (m.operationId !== undefined && m.operationId !== target.operationId) return false;
  if (m.path instanceof RegExp) {
    m.path.lastIndex = 0;
    if (!m.path.test(target.path)) return false;
  } else if (m.path !== undefined && m.path !== target.path) return false;
  return true;
}

const DEFAULT_CODES: Record<number, string> = {
  400: "INVALID_PARAMETER",
  401: "USER_UNAUTHORIZED",
  403: "ACCESS_FORBIDDEN",
  404: "RESOURCE_NOT_FOUND",
  409: "CONFLICT",
  429: "RATE_LIMITED",
  500: "UNEXPECTED_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

function faultReply(fault: FaultSpec, status: number): Reply {
  const errorCode = fault.errorCode ?? DEFAULT_CODES[status] ?? "EMULATOR_INJECTED_FAULT";
  const detail = fault.detail ?? `Injected fault: ${status} ${errorCode}.`;
  return { status, body: apiErrorBody(status, errorCode, detail) };
}

/** Runs `run` (the real operation) under the first matching fault, if any. */
export async function withFaults(
  core: Core,
  target: FaultTarget,
  meta: ApiMeta,
  socket: Socket,
  run: () => Reply,
): Promise<Outcome> {
  const fault = core.faults.take(target);
  if (!fault) return run();
  meta.faulted = true;
  let reply = fault.commit || fault.malformedBody ? run() : undefined;
  if (fault.delayMs !== undefined && fault.delayMs > 0) await core.sleep(fault.delayMs);
  if (fault.reset || socket.destroyed) return "reset";
  if (fault.status !== undefined) reply = faultReply(fault, fault.status);
  reply ??= run();
  const headers: Record<string, string | string[]> = { ...reply.headers, ...fault.headers };
  if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
  return { ...reply, headers, ...(fault.malformedBody ? { malformed: true } : {}) };
}

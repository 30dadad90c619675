/**
 * Injected faults: registered through the control API, matched in insertion order after
 * authentication, consumed one per request, and applied around the real operation. Without
 * `commit` the fault answers before anything changes (a pre-commit delay whose client went away
 * never runs the operation); with `commit` (or `malformedBody`, which needs the real status) the
 * operation runs first. What a spec may say is checked in fault-spec.ts.
 */
import type { Socket } from "node:net";
import { apiErrorBody } from "./errors";
import { checkFaultSpec } from "./fault-spec";
import type { ApiMeta, Outcome, Reply } from "./http-io";
import type { FaultHandle, FaultSpec } from "./types";

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

/**
 * What playing a fault needs from the emulator: the registry to take one from, and a real-time
 * sleep for delays that closing the emulator cuts short.
 */
export interface FaultHost {
  readonly faults: Pick<FaultRegistry, "take">;
  sleep(ms: number): Promise<void>;
}

/** Runs `run` (the real operation) under the first matching fault, if any. */
export async function withFaults(
  host: FaultHost,
  target: FaultTarget,
  meta: ApiMeta,
  socket: Socket,
  run: () => Reply,
): Promise<Outcome> {
  const fault = host.faults.take(target);
  if (!fault) return run();
  meta.faulted = true;
  let reply = fault.commit || fault.malformedBody ? run() : undefined;
  if (fault.delayMs !== undefined && fault.delayMs > 0) await host.sleep(fault.delayMs);
  if (fault.reset || socket.destroyed) return "reset";
  if (fault.status !== undefined) reply = faultReply(fault, fault.status);
  reply ??= run();
  const headers: Record<string, string | string[]> = { ...reply.headers, ...fault.headers };
  if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
  return { ...reply, headers, ...(fault.malformedBody ? { malformed: true } : {}) };
}

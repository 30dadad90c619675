/** Injected faults: matched in insertion order after authentication, consumed one per request. */
import type { FaultHandle, FaultSpec } from "./types";

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  remaining: number;
}

export interface FaultTarget {
  method: string;
  path: string;
  operationId: string | undefined;
}

export interface FaultSummary {
  id: string;
  remaining: number;
  spec: FaultSpec;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): FaultHandle & { id: string } {
    const times = spec.times ?? 1;
    if (!(times > 0))
      throw new RangeError("fault times must be a positive number (Infinity allowed)");
    const fault: ActiveFault = { id: String(this.nextId++), spec: { ...spec }, remaining: times };
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
    const found = this.faults.length < before;
    return found;
  }

  clear(): void {
    for (const f of this.faults) f.remaining = 0;
    this.faults = [];
  }

  list(): FaultSummary[] {
    return this.faults.map((f) => ({ id: f.id, remaining: f.remaining, spec: { ...f.spec } }));
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

/**
 * The process's shared state, owned by one object: the Atlas client's (shared clients, auth
 * sessions, rate-limit views: atlas/process-state.ts) and the provider's own: which Atlas origins
 * retired the invites API (backends/select.ts), whether the `Sunset` header was announced
 * (backends/sunset.ts), and the look-up coalescers per client (lookups.ts). One host process
 * serves a whole deployment, so these are deliberately process-wide; `resetProcessState` is the
 * one reset (tests, bench), where there used to be six.
 */
import type { AtlasClient } from "./atlas/api";
import { atlasProcessState } from "./atlas/process-state";
import type { AtlasProcessState } from "./atlas/process-state";

export class ProcessState {
  /** The Atlas client's shared state. */
  readonly atlas: AtlasProcessState = atlasProcessState;
  /** Origins whose invites API answered 410 under `api: auto`: they use the org users API. */
  readonly sunsetReached = new Set<string>();
  /** Whether this process already warned about the invites API's `Sunset` header. */
  sunsetAnnounced = false;
  /** Look-up coalescers, per client, then per kind and organization (lookups.ts). */
  coalescers = new WeakMap<AtlasClient, Map<string, unknown>>();

  /** Forgets everything, the Atlas client's state included. */
  reset(): void {
    this.atlas.reset();
    this.sunsetReached.clear();
    this.sunsetAnnounced = false;
    this.coalescers = new WeakMap();
  }
}

/** The process's one instance. */
export const processState = new ProcessState();

/** Forgets the process's shared state: clients, auth sessions, pacing, sunset, coalescers (tests). */
export function resetProcessState(): void {
  processState.reset();
}

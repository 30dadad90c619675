/** The engine's state file and step reports: plain JSON, as a Pulumi checkpoint holds it. */
import type { HostClient } from "./host";
import type { CheckFailure } from "./plan";
import type { Props } from "./sdk";

export interface ResourceState {
  urn: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

export interface StackState {
  /** By resource name, in creation order. */
  resources: Record<string, ResourceState>;
  /** Replaced resources whose delete failed; retried by the next up or destroy (the engine's `delete: true`). */
  pendingDeletes: ResourceState[];
}

export type Op =
  "create" | "update" | "replace" | "same" | "delete" | "refresh" | "drop" | "failed";

export interface StepReport {
  name: string;
  op: Op;
  /** For `failed`: what the host answered (the provider's message, or the check failures). */
  error?: string;
  /** For `failed`: the operation that failed. */
  attempted?: Exclude<Op, "failed" | "same" | "drop">;
  /** For a failed check: the failures as the provider listed them. */
  failures?: CheckFailure[];
}

/** A resource as the program declares it; `serializeDeclarations` output fits. */
export interface Declared {
  name: string;
  /** The registered type, part of the URN. @default "pulumi-nodejs:dynamic:Resource" */
  type?: string;
  inputs: Props;
}

export interface EngineOptions {
  /** Starts a configured host; called once per step, as each CLI command starts its own. */
  startHost: () => Promise<HostClient>;
  /**
   * Keep one host for every step until `close()`: faster, for tests where a fresh process per
   * step is not the point. @default false
   */
  reuseHost?: boolean;
  /** Where the state is written after every step. */
  statePath?: string;
  project?: string;
  stack?: string;
  /** Starting state, say one written by an older package version. */
  state?: StackState;
}

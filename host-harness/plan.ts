/**
 * What `pulumi up` and `pulumi preview` decide for one declared resource: check the new inputs
 * against the old inputs, then diff the stored outputs against the checked inputs. A provider
 * that answers DIFF_UNKNOWN gets the engine's own comparison of old and new inputs.
 */
import type { ResourceState } from "./state";
import type { HostRpc } from "./rpc";
import type { Props } from "./sdk";

interface Declared {
  name: string;
  inputs: Props;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

interface Planned {
  name: string;
  urn: string;
}

export type Plan = Planned &
  (
    | { kind: "create"; inputs: Props; old?: undefined }
    | { kind: "same" | "update"; inputs: Props; old: ResourceState }
    | { kind: "replace"; inputs: Props; old: ResourceState; deleteBeforeReplace: boolean }
    | { kind: "failed"; error: string; failures?: CheckFailure[]; old?: ResourceState | undefined }
  );

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Props).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export const describeFailures = (failures: readonly CheckFailure[]): string =>
  failures.map((f) => `${f.property}: ${f.reason}`).join("\n");

export async function planUpdate(
  host: Pick<HostRpc, "check" | "diff">,
  urn: string,
  old: ResourceState | undefined,
  decl: Declared,
): Promise<Plan> {
  const { name } = decl;
  try {
    const checked = await host.check(urn, old?.inputs ?? {}, decl.inputs);
    if (checked.failures.length > 0) {
      return {
        kind: "failed",
        name,
        urn,
        error: describeFailures(checked.failures),
        failures: checked.failures,
        old,
      };
    }
    const inputs = checked.inputs;
    if (!old) return { kind: "create", name, urn, inputs };
    const diff = await host.diff(urn, old.id, old.outputs, inputs, old.inputs);
    if (diff.changes === "unknown") {
      return {
        kind: canonical(old.inputs) === canonical(inputs) ? "same" : "update",
        name,
        urn,
        inputs,
        old,
      };
    }
    if (diff.changes === "none") return { kind: "same", name, urn, inputs, old };
    if (diff.replaces.length > 0) {
      return {
        kind: "replace",
        name,
        urn,
        inputs,
        old,
        deleteBeforeReplace: diff.deleteBeforeReplace,
      };
    }
    return { kind: "update", name, urn, inputs, old };
  } catch (error) {
    return {
      kind: "failed",
      name,
      urn,
      error: error instanceof Error ? error.message : String(error),
      old,
    };
  }
}

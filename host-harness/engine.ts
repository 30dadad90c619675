/**
 * A tiny Pulumi engine, kept for the with-teams suite only (it mocks @pulumi/mongodbatlas, whose
 * provider plugin the real CLI could not load here); every other stack scenario runs under the
 * real `pulumi` CLI (cli-stack.ts). It is a state file carried between steps, each step in a
 * fresh host process as each CLI command runs its own. It keeps to what the engine does with a
 * dynamic provider (the ResourceProvider service, proto/pulumi/provider.proto in
 * https://github.com/pulumi/pulumi): check gets old and new inputs; diff and
 * update get the stored outputs and the new inputs; read and delete get the stored outputs;
 * preview stops after check and diff; replacement creates the new resource first unless the
 * provider asks for delete-before-replace, and deletes the old one after every create and update.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { HostClient, HostOutput } from "./host";
import { planUpdate, type Plan } from "./plan";
import { HostError } from "./rpc";
import type { Declared, EngineOptions, ResourceState, StackState, StepReport } from "./state";

export type { Declared, EngineOptions, Op, ResourceState, StackState, StepReport } from "./state";

const RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

export class Engine {
  private readonly resources = new Map<string, ResourceState>();
  private pendingDeletes: ResourceState[];
  private readonly options: EngineOptions;
  private readonly outputs: HostOutput[] = [];
  private readonly errorMessages: string[] = [];
  private shared: Promise<HostClient> | undefined;

  constructor(options: EngineOptions) {
    this.options = options;
    for (const [name, r] of Object.entries(options.state?.resources ?? {}))
      this.resources.set(name, clone(r));
    this.pendingDeletes = clone(options.state?.pendingDeletes ?? []);
  }

  urn(name: string, type: string = RESOURCE_TYPE): string {
    const { stack = "dev", project = "host-harness" } = this.options;
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
  }

  get state(): StackState {
    return clone({
      resources: Object.fromEntries(this.resources),
      pendingDeletes: this.pendingDeletes,
    });
  }

  /** Everything every host of this engine wrote (the shared host's output once closed). */
  hostOutput(): HostOutput {
    return {
      stdout: this.outputs.map((o) => o.stdout).join(""),
      stderr: this.outputs.map((o) => o.stderr).join(""),
    };
  }

  /** Every error message any step reported. */
  errors(): string[] {
    return [...this.errorMessages];
  }

  /** `pulumi preview`: check and diff only; nothing is created, updated, deleted or stored. */
  preview(decls: readonly Declared[]): Promise<StepReport[]> {
    return this.step(async (host) => {
      const plans = await Promise.all(decls.map((d) => this.plan(host, d)));
      const reports = plans.map((p): StepReport =>
        p.kind === "failed" ? this.failedPlan(p) : { name: p.name, op: p.kind },
      );
      return [
        ...reports,
        ...this.removed(decls).map((name): StepReport => ({ name, op: "delete" })),
      ];
    });
  }

  /** `pulumi up`: create, update, replace; then delete replaced and undeclared resources. */
  up(decls: readonly Declared[]): Promise<StepReport[]> {
    return this.step(async (host) => {
      const removed = this.removed(decls);
      const plans = await Promise.all(decls.map((d) => this.plan(host, d)));
      const reports = await Promise.all(plans.map((p) => this.apply(host, p)));
      const deleteFailures = await this.deletePending(host);
      const deletes = await Promise.all(removed.map((name) => this.deleteOne(host, name)));
      const merged = reports.map((r) => deleteFailures.find((f) => f.name === r.name) ?? r);
      const others = deleteFailures.filter((f) => !reports.some((r) => r.name === f.name));
      return [...merged, ...others, ...deletes];
    });
  }

  /** `pulumi refresh`: read each resource; an empty id drops it; returned props replace outputs. */
  refresh(): Promise<StepReport[]> {
    return this.step((host) =>
      Promise.all(
        [...this.resources.entries()].map(async ([name, r]): Promise<StepReport> => {
          try {
            const read = await host.read(r.urn, r.id, r.outputs, r.inputs);
            if (read.id === "") {
              this.resources.delete(name);
              return { name, op: "drop" };
            }
            this.resources.set(name, {
              ...r,
              id: read.id,
              outputs: read.properties,
              inputs: read.inputs ?? r.inputs,
            });
            return { name, op: "refresh" };
          } catch (error) {
            return this.failed(name, messageOf(error), "refresh");
          }
        }),
      ),
    );
  }

  /** `pulumi destroy`: delete everything, newest first; a resource whose delete fails stays in state. */
  destroy(): Promise<StepReport[]> {
    return this.step(async (host) => {
      const reports = await this.deletePending(host);
      for (const name of [...this.resources.keys()].reverse())
        reports.push(await this.deleteOne(host, name));
      return reports;
    });
  }

  /** Ends the shared host of `reuseHost`; a no-op otherwise. */
  async close(): Promise<void> {
    const host = this.shared;
    this.shared = undefined;
    if (!host) return;
    await (await host).close();
    this.outputs.push((await host).output());
  }

  private async step(run: (host: HostClient) => Promise<StepReport[]>): Promise<StepReport[]> {
    const reuse = this.options.reuseHost === true;
    if (reuse) this.shared ??= this.options.startHost();
    const host = reuse && this.shared ? await this.shared : await this.options.startHost();
    try {
      return await run(host);
    } finally {
      if (!reuse) {
        await host.close();
        this.outputs.push(host.output());
      }
      if (this.options.statePath) {
        await mkdir(dirname(this.options.statePath), { recursive: true });
        await writeFile(this.options.statePath, `${JSON.stringify(this.state, null, 2)}\n`);
      }
    }
  }

  private removed(decls: readonly Declared[]): string[] {
    const declared = new Set(decls.map((d) => d.name));
    return [...this.resources.keys()].filter((name) => !declared.has(name)).reverse();
  }

  private failed(
    name: string,
    error: string,
    attempted: NonNullable<StepReport["attempted"]>,
  ): StepReport {
    this.errorMessages.push(error);
    return { name, op: "failed", error, attempted };
  }

  private failedPlan(plan: Extract<Plan, { kind: "failed" }>): StepReport {
    const report = this.failed(plan.name, plan.error, plan.old ? "update" : "create");
    return plan.failures ? { ...report, failures: plan.failures } : report;
  }

  private plan(host: HostClient, decl: Declared): Promise<Plan> {
    const old = this.resources.get(decl.name);
    return planUpdate(host, old?.urn ?? this.urn(decl.name, decl.type), old, decl);
  }

  private async apply(host: HostClient, plan: Plan): Promise<StepReport> {
    const { name } = plan;
    if (plan.kind === "failed") return this.failedPlan(plan);
    if (plan.kind === "same") {
      this.resources.set(name, { ...plan.old, inputs: plan.inputs });
      return { name, op: "same" };
    }
    const urn = plan.urn;
    try {
      if (plan.kind === "update") {
        const { old } = plan;
        const { properties } = await host.update(urn, old.id, old.outputs, plan.inputs, old.inputs);
        this.resources.set(name, { ...old, inputs: plan.inputs, outputs: properties });
        return { name, op: "update" };
      }
      if (plan.kind === "replace" && plan.deleteBeforeReplace) {
        await host.delete(urn, plan.old.id, plan.old.outputs, plan.old.inputs);
        this.resources.delete(name);
      }
      const created = await host.create(urn, plan.inputs);
      this.resources.set(name, {
        urn,
        id: created.id,
        inputs: plan.inputs,
        outputs: created.properties,
      });
      if (plan.kind === "replace" && !plan.deleteBeforeReplace) this.pendingDeletes.push(plan.old);
      return { name, op: plan.kind };
    } catch (error) {
      if (error instanceof HostError && error.initFailed) {
        // "Created but failed to initialize": the engine keeps the id, so the next up can retry.
        const { id, properties } = error.initFailed;
        this.resources.set(name, { urn, id, inputs: plan.inputs, outputs: properties });
      }
      return this.failed(name, messageOf(error), plan.kind);
    }
  }

  private async deletePending(host: HostClient): Promise<StepReport[]> {
    const pending = this.pendingDeletes;
    this.pendingDeletes = [];
    const failures: StepReport[] = [];
    for (const old of pending) {
      try {
        await host.delete(old.urn, old.id, old.outputs, old.inputs);
      } catch (error) {
        this.pendingDeletes.push(old);
        failures.push(this.failed(nameOf(old.urn), messageOf(error), "delete"));
      }
    }
    return failures;
  }

  private async deleteOne(host: HostClient, name: string): Promise<StepReport> {
    const r = this.resources.get(name);
    if (!r) return { name, op: "delete" };
    try {
      await host.delete(r.urn, r.id, r.outputs, r.inputs);
      this.resources.delete(name);
      return { name, op: "delete" };
    } catch (error) {
      return this.failed(name, messageOf(error), "delete");
    }
  }
}

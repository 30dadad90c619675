/**
 * A stack run by the real Pulumi engine: the `pulumi` CLI (pulumi-cli/index.ts), one process per
 * command, with the program given as declarations that `stack-driver.js` turns into an inline
 * Automation API program inside the consumer (so the package comes from a real install). Offline
 * by construction: a file backend and a `PULUMI_HOME` inside the stack's folder, passphrase
 * secrets, no update check, no automatic plugin acquisition.
 *
 * What a command did is read from the engine's own events (the Automation API's `onEvent`, the
 * engine's event stream of pkg/backend/display/events.go in pulumi/pulumi), and its exit code is
 * the CLI's.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, symlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { PulumiCli } from "../pulumi-cli";
import { DYNAMIC_PLUGIN } from "../pulumi-cli";
import type { Consumer } from "./consumer";
import { capture, offlinePulumiEnv } from "./exec";

/** One resource of a declared program, in declaration order. */
export interface StackResource {
  /**
   * `invitation`: the dynamic provider's `OrgInvitation`; `echo`: a dynamic resource that echoes
   * its args; `component`: a `ComponentResource`; `custom`: `new pulumi.CustomResource(type, ...)`,
   * a resource of a provider plugin (what a generated SDK's class does); `provider`:
   * `new pulumi.ProviderResource(type, ...)`, an explicit provider of the plugin package `type`.
   * @default "invitation"
   */
  kind?: "invitation" | "echo" | "component" | "custom" | "provider";
  name: string;
  /**
   * A component's or a custom resource's type token (component default `"example:index:Group"`),
   * or a provider's package name.
   */
  type?: string;
  /**
   * The resource's args as JSON. `{ $ref: "<name>", prop: "<output>" }` anywhere in it stands for
   * an output of a resource declared earlier (unknown at preview until that one exists), and
   * `{ $secret: <value> }` for `pulumi.secret(<value>)`.
   */
  args?: Record<string, unknown>;
  options?: {
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    protect?: boolean;
    retainOnDelete?: boolean;
    import?: string;
    replaceOnChanges?: string[];
    /** The name of a component declared earlier. */
    parent?: string;
    /** The name of a `provider` declared earlier. */
    provider?: string;
    dependsOn?: string[];
    /** `noParent` aliases the resource to its old place at the stack's root. */
    aliases?: { name?: string; parent?: string; noParent?: boolean }[];
  };
}

/** Flags of the CLI command, as the Automation API names them. */
export interface CommandFlags {
  parallel?: number;
  refresh?: boolean;
  expectNoChanges?: boolean;
  clearPendingCreates?: boolean;
  target?: string[];
  continueOnError?: boolean;
  runProgram?: boolean;
}

/** What the engine did to one resource in one command. */
export interface ResourceStep {
  name: string;
  type: string;
  urn: string;
  /**
   * The engine's step op when the step ended (its `resOutputsEvent`, or the planned op in a
   * preview): `create`, `same`, `update`, `delete`, `replace`, `read`, ... A refresh ends as `same`
   * (pulumi v3.276 reports a refreshed resource so), so {@link ResourceStep.planned} tells it apart.
   */
  op: string;
  /** The op the step started as (its `resourcePreEvent`): `refresh` during a refresh. */
  planned: string;
  failed: boolean;
  /** The error diagnostics the engine printed for it. */
  errors: string[];
  /** Its warning diagnostics. */
  warnings: string[];
  /** Outputs after the step (the engine's `new` state), secrets shown as the engine sent them. */
  outputs?: Record<string, unknown>;
  /** Outputs before it (the `old` state). */
  oldOutputs?: Record<string, unknown>;
}

/** One CLI command's result. */
export interface CommandResult {
  command: "preview" | "up" | "refresh" | "destroy" | "config";
  /** The `pulumi` process's exit code. */
  exitCode: number;
  /** Per resource of this package (and echo and component resources), in event order. */
  steps: ResourceStep[];
  /** The engine's change counts (`resourceChanges`), when the command finished. */
  summary?: Record<string, number>;
  /** Everything the CLI printed. */
  stdout: string;
  stderr: string;
  /** Every engine event, as the Automation API delivered it. */
  events: EngineEvent[];
  /** Milliseconds the driver process ran. */
  ms: number;
}

/** An engine event, as far as the harness reads it (the Automation API's `EngineEvent`). */
export interface EngineEvent {
  resourcePreEvent?: { metadata: StepMetadata };
  resOutputsEvent?: { metadata: StepMetadata };
  resOpFailedEvent?: { metadata: StepMetadata };
  diagnosticEvent?: { urn?: string; message: string; severity: string };
  [other: string]: unknown;
}

interface StepMetadata {
  op: string;
  urn: string;
  type: string;
  old?: { outputs?: Record<string, unknown> };
  new?: { outputs?: Record<string, unknown> };
}

/** `pulumi stack export`'s deployment, as far as the harness reads it. */
export interface Deployment {
  resources?: {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
    pendingReplacement?: boolean;
  }[];
  pending_operations?: { resource: { urn: string }; type: string }[];
  [other: string]: unknown;
}

/** A direct CLI run. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliStackOptions {
  consumer: Pick<Consumer, "dir">;
  cli: PulumiCli;
  /** The stack's own folder: project, backend and `PULUMI_HOME` go inside. */
  dir: string;
  /** @default "atlas-org-invitations" */
  project?: string;
  /** @default "dev" */
  stack?: string;
  /** Added to the CLI's (and so the provider's) environment; `MONGODB_ATLAS_*` are never inherited. */
  env?: Record<string, string>;
  /** The `node` that runs the driver and the provider. @default process.execPath */
  nodeBinary?: string;
  /** A command that runs longer is killed. @default 240_000 */
  timeoutMs?: number;
  /**
   * The project file's `plugins:` section (plugins loaded from a folder, not installed), e.g.
   * `{ providers: [{ name: "atlasorginvitations", path: "/repo/plugin" }] }`. @default none
   */
  plugins?: { providers?: { name: string; path: string; version?: string }[] };
  /**
   * A compiled program module (an absolute path to its `.js`), run instead of the declarations:
   * required inside the inline program, as the Node language host requires a project's `main`,
   * so its top level declares the resources and its exports become the stack's outputs.
   * @default none (the declarations given to each command)
   */
  programModule?: string;
}

const MARKER = "@@stack-driver-result@@";
/** The type token `OrgInvitation` registers (a dynamic resource with a type of its own). */
export const INVITATION_TYPE = "pulumi-nodejs:dynamic/atlas:OrgInvitation";
const DRIVER = resolve(__dirname, "stack-driver.js");
/** The passphrase of every harness stack: the file backend's secrets provider needs one. */
export const PASSPHRASE = "host-harness-passphrase";

const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
const isHarnessResource = (type: string): boolean =>
  type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");

/** Per resource, what the engine did, from its events. */
export function stepsOf(events: readonly EngineEvent[]): ResourceStep[] {
  const steps = new Map<string, ResourceStep>();
  const stepFor = (meta: StepMetadata): ResourceStep => {
    let step = steps.get(meta.urn);
    if (!step) {
      step = {
        name: nameOf(meta.urn),
        type: meta.type,
        urn: meta.urn,
        op: meta.op,
        planned: meta.op,
        failed: false,
        errors: [],
        warnings: [],
      };
      steps.set(meta.urn, step);
    }
    return step;
  };
  for (const event of events) {
    const meta =
      event.resourcePreEvent?.metadata ??
      event.resOutputsEvent?.metadata ??
      event.resOpFailedEvent?.metadata;
    if (meta && isHarnessResource(meta.type)) {
      const step = stepFor(meta);
      step.op = meta.op;
      if (event.resOpFailedEvent) step.failed = true;
      if (event.resourcePreEvent) step.planned = meta.op;
      if (meta.new?.outputs) step.outputs = meta.new.outputs;
      if (meta.old?.outputs) step.oldOutputs = meta.old.outputs;
    }
    const diag = event.diagnosticEvent;
    // A resource that fails `check` gets no step event, only its diagnostics: it appears here as a
    // failed `check`.
    if (diag?.urn && diag.severity === "error" && !steps.has(diag.urn)) {
      const type = diag.urn.split("::")[2] ?? "";
      if (isHarnessResource(type))
        stepFor({ op: "check", urn: diag.urn, type: type.split("$").pop() ?? type }).failed = true;
    }
    if (diag?.urn && steps.has(diag.urn)) {
      const step = steps.get(diag.urn) as ResourceStep;
      const text = diag.message.trim();
      if (diag.severity === "error") step.errors.push(text);
      if (diag.severity === "warning") step.warnings.push(text);
    }
  }
  return [...steps.values()];
}

export class CliStack {
  readonly project: string;
  readonly stack: string;
  readonly workDir: string;
  readonly backendDir: string;
  readonly homeDir: string;
  private readonly options: CliStackOptions;

  private constructor(options: CliStackOptions) {
    this.options = options;
    this.project = options.project ?? "atlas-org-invitations";
    this.stack = options.stack ?? "dev";
    this.workDir = join(options.dir, "project");
    this.backendDir = join(options.dir, "backend");
    this.homeDir = join(options.dir, "pulumi-home");
  }

  /** Makes the stack's folders (its project folder sees the consumer's node_modules). */
  static async create(options: CliStackOptions): Promise<CliStack> {
    const stack = new CliStack(options);
    await mkdir(stack.workDir, { recursive: true });
    await mkdir(stack.backendDir, { recursive: true });
    await mkdir(stack.homeDir, { recursive: true });
    const modules = join(stack.workDir, "node_modules");
    if (!existsSync(modules)) await symlink(join(options.consumer.dir, "node_modules"), modules);
    return stack;
  }

  /** The environment the CLI and the provider run with. */
  cliEnv(extra: Record<string, string> = {}): Record<string, string> {
    const node = this.options.nodeBinary ?? process.execPath;
    const sdk = join(this.options.consumer.dir, "node_modules", "@pulumi", "pulumi");
    const dirs = [this.options.cli.binDir, dirname(node)];
    // A `pulumi` from PATH may come without the dynamic-provider plugin beside it.
    if (!existsSync(join(this.options.cli.binDir, DYNAMIC_PLUGIN))) dirs.push(sdk);
    return {
      ...offlinePulumiEnv({ pathDirs: dirs, homeDir: this.homeDir, passphrase: PASSPHRASE }),
      ...this.options.env,
      ...extra,
    };
  }

  /** Runs one command through the driver. A failing CLI is a result (exit code), not a throw. */
  async run(
    command: CommandResult["command"],
    request: {
      resources?: readonly StackResource[];
      flags?: CommandFlags;
      config?: Record<string, { value: string; secret: boolean }>;
      env?: Record<string, string>;
      signal?: AbortSignal;
    } = {},
  ): Promise<CommandResult> {
    const env = this.cliEnv(request.env);
    const body = JSON.stringify({
      op: command,
      workDir: this.workDir,
      project: this.project,
      stack: this.stack,
      backendUrl: `file://${this.backendDir}`,
      // PulumiCommand.get({ root }) runs `<root>/bin/pulumi`; any other layout is found on PATH.
      cliRoot:
        basename(this.options.cli.binDir) === "bin" ? dirname(this.options.cli.binDir) : undefined,
      env,
      resources: request.resources ?? [],
      flags: request.flags ?? {},
      config: request.config,
      plugins: this.options.plugins,
      programModule: this.options.programModule,
    });
    const started = Date.now();
    const { stdout, stderr, code } = await capture(
      this.options.nodeBinary ?? process.execPath,
      [DRIVER],
      {
        cwd: this.workDir,
        env,
        input: body,
        timeoutMs: this.options.timeoutMs ?? 240_000,
        ...(request.signal ? { signal: request.signal } : {}),
      },
    );
    const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
    if (line === undefined)
      throw new Error(
        `the stack driver (${command}) ended with code ${code} and no result:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
      );
    const parsed = JSON.parse(line.slice(MARKER.length)) as Omit<
      CommandResult,
      "steps" | "command" | "ms"
    >;
    return {
      ...parsed,
      command,
      steps: stepsOf(parsed.events),
      stderr: parsed.stderr + stderr,
      ms: Date.now() - started,
    };
  }

  /** `pulumi config set` (with `--secret` for `secretKeys`) of every key, in one `config set-all`. */
  async setConfig(
    config: Record<string, string>,
    secretKeys: readonly string[] = [],
  ): Promise<void> {
    const entries = Object.fromEntries(
      Object.entries(config).map(([k, value]) => [k, { value, secret: secretKeys.includes(k) }]),
    );
    const result = await this.run("config", { config: entries });
    if (result.exitCode !== 0) throw new Error(`pulumi config set-all failed:\n${result.stderr}`);
  }

  preview(resources: readonly StackResource[], flags: CommandFlags = {}): Promise<CommandResult> {
    return this.run("preview", { resources, flags });
  }

  up(
    resources: readonly StackResource[],
    flags: CommandFlags = {},
    signal?: AbortSignal,
  ): Promise<CommandResult> {
    return this.run("up", { resources, flags, ...(signal ? { signal } : {}) });
  }

  refresh(flags: CommandFlags = {}): Promise<CommandResult> {
    return this.run("refresh", { flags });
  }

  destroy(flags: CommandFlags = {}): Promise<CommandResult> {
    return this.run("destroy", { flags });
  }

  /**
   * Runs `pulumi <args> --stack <stack> --non-interactive` directly, in the project folder (for
   * commands the Automation API does not wrap: `state delete`, `import`, ...).
   */
  async cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
    const started = Date.now();
    const { stdout, stderr, code } = await capture(
      this.options.cli.binary,
      [...args, "--stack", this.stack, "--non-interactive"],
      { cwd: this.workDir, env: this.cliEnv(env), timeoutMs: this.options.timeoutMs ?? 240_000 },
    );
    return { exitCode: code ?? -1, stdout, stderr, ms: Date.now() - started };
  }

  /**
   * `pulumi stack export`, run as a user runs it: secrets stay ciphertext. (The Automation API's
   * `exportStack` adds `--show-secrets`, which a leak check must not use.)
   */
  async exportState(): Promise<Deployment> {
    const result = await this.cli(["stack", "export"]);
    if (result.exitCode !== 0)
      throw new Error(`pulumi stack export exited ${result.exitCode}:\n${result.stderr}`);
    return (JSON.parse(result.stdout) as { deployment: Deployment }).deployment;
  }

  /** The resources of this package (or of the given type token) in the state, by name. */
  async invitationsInState(
    type: string = INVITATION_TYPE,
  ): Promise<Map<string, NonNullable<Deployment["resources"]>[number]>> {
    const deployment = await this.exportState();
    return new Map(
      (deployment.resources ?? []).filter((r) => r.type === type).map((r) => [nameOf(r.urn), r]),
    );
  }

  /** Every file the backend and `PULUMI_HOME` hold, with its text (for leak checks). */
  async backendFiles(): Promise<{ path: string; text: string }[]> {
    const out: { path: string; text: string }[] = [];
    for (const root of [this.backendDir, this.homeDir, this.workDir]) {
      const entries = await readdir(root, { withFileTypes: true, recursive: true });
      for (const e of entries) {
        if (!e.isFile()) continue;
        const path = join(e.parentPath, e.name);
        if (path.includes(`${join(this.workDir, "node_modules")}`)) continue;
        out.push({ path, text: await readFile(path, "latin1") });
      }
    }
    return out;
  }
}

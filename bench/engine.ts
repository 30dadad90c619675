/**
 * Section 9: the package under the real Pulumi engine, one `pulumi` process per command on a file
 * backend (host-harness/cli-stack.ts), against the emulator on loopback. Sections 3 and 4 drive the
 * provider directly; here the engine schedules the steps, starts the dynamic provider, and writes
 * the state, so its own costs count. The engine's floor is the same stack of `echo` resources,
 * whose provider does nothing: what the engine costs with no Atlas at all.
 */
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { LogEntry } from "../emulator";
import type { Consumer } from "../host-harness";
import { CliStack } from "../host-harness/cli-stack";
import type { CommandResult, StackResource } from "../host-harness/cli-stack";
import { ensurePulumiCli } from "../pulumi-cli";
import type { PulumiCli } from "../pulumi-cli";
import { boundMs, isChallenge, isRefusal } from "./bulk";
import type { Limits } from "./bulk";
import type { Backend, Emulator } from "./setup";
import { apiCalls, declared, startBenchEmulator, user } from "./setup";

export type EngineCommand = "up" | "destroy";
export type EngineResources = "invitations" | "echo (floor)";

export interface EngineCommandFigure {
  resources: EngineResources;
  command: EngineCommand;
  n: number;
  exitCode: number;
  /** Resources the command did not create (up) or delete (destroy), by the engine's events. */
  failures: number;
  /** The `pulumi` process, from its start (/proc/<pid>/stat) to its exit (to within one poll). */
  pulumiMs: number | null;
  /** The harness's whole command: node, the Automation API's workspace and stack select, `pulumi`. */
  driverMs: number;
  /** First request the emulator received to the last it answered (invitations only). */
  apiSpanMs: number | null;
  /** Every request the emulator saw, challenges and refusals included. */
  requests: number;
  requestsPerInvitation: number;
  refusals400: number;
  status429: number;
  challenges: number;
  /** Peak VmHWM of the dynamic-provider process(es) this command started. */
  providerPeakRssMiB: number | null;
}

export interface EngineTargetsFigure {
  limits: Limits;
  commands: (EngineCommandFigure & { boundMs: number; spanRatio: number; pulumiRatio: number })[];
}

export interface EngineStateFigure {
  resources: EngineResources;
  n: number;
  /** The backend's stack file, as every checkpoint rewrites it. */
  stackFileBytesPerResource: number;
  /** What `pulumi stack export` prints. */
  exportBytesPerResource: number;
  /** The exported deployment as compact JSON (comparable with section 6). */
  compactBytesPerResource: number;
}

export interface EngineScaleFigure {
  commands: EngineCommandFigure[];
  /** Ours over the floor, `pulumi` process time, per command. */
  oursOverFloor: Record<EngineCommand, number | null>;
  state: EngineStateFigure[];
}

export interface EngineFigure {
  cliVersion: string;
  backend: Backend;
  targets: EngineTargetsFigure;
  scale: EngineScaleFigure;
  wallMs: number;
}

export interface EngineOptions {
  backend: Backend;
  targetsN: number;
  targetsLimits: Limits;
  scaleN: number;
  progress: (what: string) => void;
}

/** Echo resources at 1,000 took over two minutes a command here: CliStack's default is 240 s. */
const COMMAND_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 100;
const SKIP_CHECKPOINTS = { PULUMI_SKIP_CHECKPOINTS: "true" };
/** USER_HZ, the unit of /proc/<pid>/stat's starttime: 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

interface Watched {
  providerPeakKiB: number | null;
  pulumiMs: number | null;
}

/**
 * Polls /proc for the processes one command of one stack starts: the `pulumi <command>` process
 * and the SDK's dynamic provider (`node .../cmd/dynamic-provider`). Other stacks and other runs on
 * the machine are told apart by the stack's own `PULUMI_HOME`, which the CLI hands its plugins.
 * A cmdline is read again every poll: a process caught between fork and exec shows its parent's.
 */
function watchCommand(homeDir: string, command: EngineCommand): { stop: () => Watched } {
  const ours = new Map<number, boolean>();
  const home = `PULUMI_HOME=${homeDir}`;
  let peakKiB: number | null = null;
  let pulumi: { pid: number; startedAt: number; lastSeen: number; goneAt?: number } | undefined;

  const belongs = (pid: number): boolean => {
    let known = ours.get(pid);
    if (known === undefined) {
      known = (readText(`/proc/${pid}/environ`) ?? "").split("\0").includes(home);
      ours.set(pid, known);
    }
    return known;
  };
  const startedAt = (pid: number): number | undefined => {
    const text = readText(`/proc/${pid}/stat`);
    const uptime = readText("/proc/uptime");
    if (text === undefined || uptime === undefined) return undefined;
    // Fields after the parenthesized name start at field 3 (state); starttime is field 22.
    const ticks = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[19]);
    const ageS = Number(uptime.split(" ")[0]) - ticks / CLOCK_TICKS_PER_SECOND;
    return performance.now() - ageS * 1000;
  };
  const tick = () => {
    const now = performance.now();
    let pulumiAlive = false;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const args = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0");
      if (args.some((a) => a.includes("dynamic-provider")) && belongs(pid)) {
        const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readText(`/proc/${pid}/status`) ?? "");
        if (match) peakKiB = Math.max(peakKiB ?? 0, Number(match[1]));
      } else if (basename(args[0] ?? "") === "pulumi" && args[1] === command && belongs(pid)) {
        if (!pulumi) {
          const started = startedAt(pid);
          if (started !== undefined) pulumi = { pid, startedAt: started, lastSeen: now };
        }
        if (pulumi?.pid === pid) {
          pulumi.lastSeen = now;
          pulumiAlive = true;
        }
      }
    }
    if (pulumi && !pulumiAlive && pulumi.goneAt === undefined) pulumi.goneAt = now;
  };
  const timer = setInterval(tick, POLL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      const end = pulumi ? (pulumi.lastSeen + (pulumi.goneAt ?? pulumi.lastSeen)) / 2 : 0;
      return {
        providerPeakKiB: peakKiB,
        pulumiMs: pulumi ? end - pulumi.startedAt : null,
      };
    },
  };
}

async function runWatched(
  stack: CliStack,
  command: EngineCommand,
  resources: readonly StackResource[],
): Promise<{ result: CommandResult; watched: Watched }> {
  const watch = watchCommand(stack.homeDir, command);
  let watched: Watched | undefined;
  try {
    const result = command === "up" ? await stack.up(resources) : await stack.destroy();
    watched = watch.stop();
    return { result, watched };
  } finally {
    if (!watched) watch.stop();
  }
}

function commandFigure(
  resources: EngineResources,
  command: EngineCommand,
  n: number,
  result: CommandResult,
  watched: Watched,
  entries: readonly LogEntry[],
): EngineCommandFigure {
  const done = result.steps.filter(
    (s) => s.op === (command === "up" ? "create" : "delete") && !s.failed,
  ).length;
  const requests = entries.filter((e) => e.path.startsWith("/api/"));
  return {
    resources,
    command,
    n,
    exitCode: result.exitCode,
    failures: n - done,
    pulumiMs: watched.pulumiMs,
    driverMs: result.ms,
    apiSpanMs:
      requests.length > 0
        ? Math.max(...requests.map((e) => e.answeredAt)) -
          Math.min(...requests.map((e) => e.receivedAt))
        : null,
    requests: requests.length,
    requestsPerInvitation: requests.length / n,
    refusals400: requests.filter((e) => e.status === 400).length,
    status429: requests.filter((e) => e.status === 429).length,
    challenges: requests.filter(isChallenge).length,
    providerPeakRssMiB: watched.providerPeakKiB === null ? null : watched.providerPeakKiB / 1024,
  };
}

function declarations(emu: Emulator, resources: EngineResources, n: number): StackResource[] {
  // Echo resources get the invitations' own inputs, so both states carry the same args.
  return Array.from({ length: n }, (_, i) => ({
    ...(resources === "invitations" ? {} : { kind: "echo" as const }),
    name: `r${i}`,
    args: declared(emu, user("engine", i)),
  }));
}

async function newStack(
  consumer: Consumer,
  cli: PulumiCli,
  dir: string,
  name: string,
  emu: Emulator,
  backend: Backend,
  env: Record<string, string> = {},
): Promise<CliStack> {
  const stack = await CliStack.create({
    consumer,
    cli,
    dir: join(dir, name),
    stack: name,
    timeoutMs: COMMAND_TIMEOUT_MS,
    env,
  });
  await stack.setConfig(
    {
      "mongodbatlas:baseUrl": emu.baseUrl,
      "mongodbatlas:publicKey": emu.credentials.publicKey,
      "mongodbatlas:privateKey": emu.credentials.privateKey,
      "atlasInvitations:api": backend,
    },
    ["mongodbatlas:privateKey"],
  );
  return stack;
}

async function measureTargets(
  consumer: Consumer,
  cli: PulumiCli,
  dir: string,
  options: EngineOptions,
): Promise<EngineTargetsFigure> {
  const { backend, targetsN: n, targetsLimits: limits } = options;
  const emu = await startBenchEmulator();
  try {
    emu.control.setInvitationLimit(limits.invitations);
    emu.control.setTokenBucket(limits.bucket);
    const stack = await newStack(consumer, cli, dir, "targets", emu, backend);
    const program = declarations(emu, "invitations", n);
    const commands: EngineTargetsFigure["commands"] = [];
    for (const command of ["up", "destroy"] as const) {
      if (command === "destroy") {
        // From a full bucket, as section 3's destroy starts.
        const refillMs = (limits.bucket.capacity / limits.bucket.refillPerSecond) * 1000;
        await new Promise((resolve) => setTimeout(resolve, refillMs + 100));
      }
      emu.log.clear();
      const { result, watched } = await runWatched(stack, command, program);
      const entries = emu.log.entries();
      const figure = commandFigure("invitations", command, n, result, watched, entries);
      const needed = apiCalls(entries).filter((e) => !isRefusal(e)).length;
      const bound = boundMs(limits, command === "up" ? n : 0, needed);
      commands.push({
        ...figure,
        boundMs: bound,
        spanRatio: bound > 0 && figure.apiSpanMs !== null ? figure.apiSpanMs / bound : 0,
        pulumiRatio: bound > 0 && figure.pulumiMs !== null ? figure.pulumiMs / bound : 0,
      });
    }
    return { limits, commands };
  } finally {
    await emu.close();
  }
}

async function stateFigure(
  stack: CliStack,
  resources: EngineResources,
  n: number,
): Promise<EngineStateFigure> {
  const file = join(stack.backendDir, ".pulumi", "stacks", stack.project, `${stack.stack}.json`);
  const exported = await stack.cli(["stack", "export"]);
  if (exported.exitCode !== 0)
    throw new Error(`pulumi stack export exited ${exported.exitCode}:\n${exported.stderr}`);
  const deployment = (JSON.parse(exported.stdout) as { deployment: unknown }).deployment;
  return {
    resources,
    n,
    stackFileBytesPerResource: (await stat(file)).size / n,
    exportBytesPerResource: Buffer.byteLength(exported.stdout) / n,
    compactBytesPerResource: Buffer.byteLength(JSON.stringify(deployment)) / n,
  };
}

async function measureScaleOf(
  consumer: Consumer,
  cli: PulumiCli,
  dir: string,
  options: EngineOptions,
  resources: EngineResources,
): Promise<{ commands: EngineCommandFigure[]; state: EngineStateFigure }> {
  const n = options.scaleN;
  const emu = await startBenchEmulator();
  try {
    emu.control.setInvitationLimit(null);
    emu.control.setTokenBucket(null);
    const name = resources === "invitations" ? "scale" : "floor";
    // The file backend rewrites the whole stack file after every step (quadratic in N: over two
    // minutes for 1,000 echo resources here); PULUMI_SKIP_CHECKPOINTS leaves that out of both
    // runs, so the ratio compares the providers, not the backend's I/O.
    const stack = await newStack(consumer, cli, dir, name, emu, options.backend, SKIP_CHECKPOINTS);
    const program = declarations(emu, resources, n);
    const commands: EngineCommandFigure[] = [];
    let state: EngineStateFigure | undefined;
    for (const command of ["up", "destroy"] as const) {
      options.progress(`under the real pulumi CLI: pulumi ${command} of ${n} ${resources}`);
      emu.log.clear();
      const { result, watched } = await runWatched(stack, command, program);
      commands.push(commandFigure(resources, command, n, result, watched, emu.log.entries()));
      if (command === "up") state = await stateFigure(stack, resources, n);
    }
    if (!state) throw new Error("no state measured");
    return { commands, state };
  } finally {
    await emu.close();
  }
}

export async function measureEngine(
  consumer: Consumer,
  options: EngineOptions,
): Promise<EngineFigure> {
  const started = performance.now();
  const cli = await ensurePulumiCli();
  const dir = await mkdtemp(join(tmpdir(), "bench-engine-"));
  try {
    options.progress(
      `under the real pulumi CLI ${cli.version}: ${options.targetsN} invitations under the targets' limits`,
    );
    const targets = await measureTargets(consumer, cli, dir, options);
    const ours = await measureScaleOf(consumer, cli, dir, options, "invitations");
    const floor = await measureScaleOf(consumer, cli, dir, options, "echo (floor)");
    const ratio = (command: EngineCommand): number | null => {
      const o = ours.commands.find((c) => c.command === command)?.pulumiMs;
      const f = floor.commands.find((c) => c.command === command)?.pulumiMs;
      return o != null && f != null && f > 0 ? o / f : null;
    };
    return {
      cliVersion: cli.version,
      backend: options.backend,
      targets,
      scale: {
        commands: [...ours.commands, ...floor.commands],
        oursOverFloor: { up: ratio("up"), destroy: ratio("destroy") },
        state: [ours.state, floor.state],
      },
      wallMs: performance.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The engine's side of the plugin's process, without the engine: the compiled plugin started as
 * the engine starts it (`plugin/pulumi-resource-atlasorginvitations <engine address>`, port read
 * from its first stdout line), a fake Engine gRPC service that records what the plugin logs, and
 * gRPC clients from the generated stubs of the repository's `@pulumi/pulumi`.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { REPO_ROOT } from "../../host-harness/consumer";
import { HostRpc } from "../../host-harness/rpc";
import { loadSdk } from "../../host-harness/sdk";

export const WRAPPER = join(REPO_ROOT, "plugin", "pulumi-resource-atlasorginvitations");
export const ENTRY = join(REPO_ROOT, "dist", "plugin", "main.js");
export const TYPE = "atlasorginvitations:index:OrgInvitation";
export const urnOf = (name: string): string => `urn:pulumi:test::plugin-test::${TYPE}::${name}`;

/** The Pulumi wire form of a secret (sdk/go/common/resource/sig). */
export const secret = (value: unknown): Record<string, unknown> => ({
  [specialSigKey]: specialSecretSig,
  value,
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Compiles `provider/` into `dist/` (as `npm run build` does, without first emptying `dist/`)
 * when `dist/plugin/main.js` is missing or older than a source: `npm test` builds before jest, a
 * lone `npx jest test/plugin` may not have.
 */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(ENTRY).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestMtime(join(REPO_ROOT, "provider"))) return;
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}`);
}

export interface EngineLog {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

export interface FakeEngine {
  address: string;
  logs: EngineLog[];
  close(): Promise<void>;
}

/** proto/pulumi/engine.proto `LogSeverity`. */
const SEVERITIES: Record<number, EngineLog["severity"]> = {
  0: "debug",
  1: "info",
  2: "warning",
  3: "error",
};

/** The Engine service a plugin logs to (proto/pulumi/engine.proto `Log`), recording each entry. */
export async function startFakeEngine(): Promise<FakeEngine> {
  const logs: EngineLog[] = [];
  const server = new grpc.Server();
  server.addService(engineGrpc.EngineService, {
    log: (
      call: grpc.ServerUnaryCall<enginePb.LogRequest, Empty>,
      callback: grpc.sendUnaryData<Empty>,
    ) => {
      const req = call.request;
      logs.push({
        severity: SEVERITIES[req.getSeverity()] ?? "error",
        message: req.getMessage(),
        urn: req.getUrn(),
      });
      callback(null, new Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export interface RunningPlugin {
  /** CRUD calls as the engine makes them (host-harness/rpc.ts). */
  rpc: HostRpc;
  /** The raw ResourceProvider client, for Configure, GetSchema and GetPluginInfo. */
  client: providerGrpc.ResourceProviderClient;
  /** Everything the plugin printed on stdout, the port line included. */
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts the plugin through its wrapper with `env` added to a clean environment (PATH and HOME
 * only, so no ambient MONGODB_ATLAS_* of the machine leaks in), the engine address its argument.
 */
export async function startPlugin(
  engine: FakeEngine,
  env: Record<string, string> = {},
): Promise<RunningPlugin> {
  const child: ChildProcess = spawn(WRAPPER, [engine.address], {
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no port within 15 s; stderr:\n${err}`)),
      15_000,
    );
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited (${code}) before printing its port; stderr:\n${err}`));
    });
  });
  const address = `127.0.0.1:${port}`;
  const rpc = new HostRpc(loadSdk({ dir: REPO_ROOT }), address, 20_000);
  const client = new providerGrpc.ResourceProviderClient(
    address,
    grpc.credentials.createInsecure(),
  );
  return {
    rpc,
    client,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      rpc.closeChannel();
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

function unary<Req, Res>(
  call: (
    req: Req,
    callback: (error: grpc.ServiceError | null, res: Res) => void,
  ) => grpc.ClientUnaryCall,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    call(req, (error, res) => (error ? reject(error) : resolve(res))),
  );
}

/**
 * Configure as the engine sends it: `args` as given (numbers, wrapped secrets), and the
 * deprecated `variables` (`atlasorginvitations:config:<key>`, secrets unwrapped, non-strings as
 * JSON), as pkg/v3 resource/plugin/provider_plugin.go builds them.
 * @returns what the plugin answered
 */
export async function configure(
  plugin: RunningPlugin,
  args: Record<string, unknown>,
): Promise<providerPb.ConfigureResponse> {
  const req = new providerPb.ConfigureRequest();
  req.setArgs(Struct.fromJavaScript(args as Record<string, JavaScriptValue>));
  for (const [key, raw] of Object.entries(args)) {
    const value =
      typeof raw === "object" && raw !== null && "value" in raw
        ? (raw as { value: unknown }).value
        : raw;
    req
      .getVariablesMap()
      .set(
        `atlasorginvitations:config:${key}`,
        typeof value === "string" ? value : JSON.stringify(value),
      );
  }
  req.setAcceptsecrets(true).setAcceptresources(true);
  req.setType("pulumi:providers:atlasorginvitations").setName("default");
  return unary<providerPb.ConfigureRequest, providerPb.ConfigureResponse>(
    (r, cb) => plugin.client.configure(r, cb),
    req,
  );
}

export async function getSchema(plugin: RunningPlugin): Promise<string> {
  const res = await unary<providerPb.GetSchemaRequest, providerPb.GetSchemaResponse>(
    (r, cb) => plugin.client.getSchema(r, cb),
    new providerPb.GetSchemaRequest(),
  );
  return res.getSchema();
}

export async function getPluginVersion(plugin: RunningPlugin): Promise<string> {
  const res = await unary<Empty, PluginInfo>(
    (r, cb) => plugin.client.getPluginInfo(r, cb),
    new Empty(),
  );
  return res.getVersion();
}

/** What CheckConfig answered, as plain JavaScript. */
export interface CheckConfigAnswer {
  inputs: Record<string, unknown>;
  failures: { property: string; reason: string }[];
}

/**
 * CheckConfig as the engine sends it for a provider resource (pkg/v3 resource/plugin/
 * provider_plugin.go `CheckConfig`): the news as a Struct, secrets already unwrapped by the engine,
 * unknowns as the sentinel string.
 */
export async function checkConfig(
  plugin: RunningPlugin,
  news: Record<string, unknown>,
  name = "p",
): Promise<CheckConfigAnswer> {
  const req = new providerPb.CheckRequest();
  req.setUrn(`urn:pulumi:test::plugin-test::pulumi:providers:atlasorginvitations::${name}`);
  req.setName(name).setType("pulumi:providers:atlasorginvitations");
  req.setOlds(Struct.fromJavaScript({}));
  req.setNews(Struct.fromJavaScript(news as Record<string, JavaScriptValue>));
  const res = await unary<providerPb.CheckRequest, providerPb.CheckResponse>(
    (r, cb) => plugin.client.checkConfig(r, cb),
    req,
  );
  return {
    inputs: res.getInputs()?.toJavaScript() ?? {},
    failures: res
      .getFailuresList()
      .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
  };
}

/** One fake engine for a test file, the plugins each test starts, and what they answered. */
export interface PluginSession {
  /** The fake engine, started before the file's first test. */
  readonly engine: FakeEngine;
  /** The plugins the current test started: stopped after it. */
  readonly running: RunningPlugin[];
  /** What the plugins answered in the current test, as text, for the sentinel check. */
  readonly answers: string[];
}

/**
 * Starts a fake engine for the test file and, after each test, stops the plugins it started and
 * fails the test if `sentinel` (a secret's value) appears in any answer, any plugin's output or
 * any engine log line.
 */
export function usePluginSession(sentinel: string): PluginSession {
  let engine: FakeEngine | undefined;
  const running: RunningPlugin[] = [];
  const answers: string[] = [];
  beforeAll(async () => {
    ensureBuilt();
    engine = await startFakeEngine();
  }, 180_000);
  afterAll(async () => {
    await engine?.close();
  });
  afterEach(async () => {
    const plugins = running.splice(0);
    await Promise.all(plugins.map((p) => p.stop()));
    const seen = [
      ...answers,
      ...plugins.flatMap((p) => [p.stdout(), p.stderr()]),
      ...(engine?.logs ?? []).map((l) => l.message),
    ].join("\n");
    expect(seen).not.toContain(sentinel);
    answers.length = 0;
    if (engine) engine.logs.length = 0;
  });
  return {
    get engine(): FakeEngine {
      if (!engine) throw new Error("usePluginSession: the engine starts in beforeAll");
      return engine;
    },
    running,
    answers,
  };
}

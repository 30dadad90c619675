/**
 * The SDK's own dynamic-provider host, run as the engine runs it: `node <@pulumi/pulumi's
 * cmd/dynamic-provider> <engine address>` from the project folder, port read from the first
 * stdout line, then driven over gRPC (the SDK's sdk/nodejs/cmd/dynamic-provider/index.ts and the
 * ResourceProvider service of proto/pulumi/provider.proto, https://github.com/pulumi/pulumi). Every byte the host writes is kept, for secret-leak assertions.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { Consumer } from "./consumer";
import { childEnv } from "./exec";
import { loadSdk } from "./sdk";
import { HostRpc } from "./rpc";

export { HostError, UNKNOWN } from "./rpc";
export type { CheckResult, DiffResult, ReadResult, Timing } from "./rpc";

export interface StartHostOptions {
  /** Added to the host's environment. `MONGODB_ATLAS_*` of this process are never inherited. */
  env?: Record<string, string>;
  /** The `node` to run the host with (runtime matrix). @default process.execPath */
  nodeBinary?: string;
  /** Deadline of each call. @default 30_000 */
  callTimeoutMs?: number;
  /** How long to wait for the port line. @default 20_000 */
  startTimeoutMs?: number;
}

export interface HostOutput {
  stdout: string;
  stderr: string;
}

export interface HostClient extends HostRpc {
  readonly pid: number;
  readonly port: number;
  /** Everything the host wrote so far. */
  output(): HostOutput;
  /** Ends the host; resolves with its exit code (the host exits non-zero after uncaught errors). */
  close(): Promise<number | null>;
}

/** The engine never dials back for dynamic providers; any address will do. */
const DUMMY_ENGINE_ADDRESS = "127.0.0.1:1";

export async function startHost(
  consumer: Pick<Consumer, "dir">,
  options: StartHostOptions = {},
): Promise<HostClient> {
  const sdk = loadSdk(consumer);
  const child = spawn(
    options.nodeBinary ?? process.execPath,
    [sdk.hostScript, DUMMY_ENGINE_ADDRESS],
    {
      cwd: consumer.dir,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const out: HostOutput = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out.stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error("no port line")),
      options.startTimeoutMs ?? 20_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`the dynamic-provider host did not start: ${error.message}\n${out.stderr}`));
    };
    const onData = () => {
      const newline = out.stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      const port = Number(out.stdout.slice(0, newline).trim());
      if (Number.isInteger(port) && port > 0) resolve(port);
      else fail(new Error(`first stdout line is not a port: ${out.stdout.slice(0, newline)}`));
    };
    child.stdout.on("data", onData);
    child.once("error", fail);
    void exited.then((code) => fail(new Error(`it exited with code ${code}`)));
  });

  const rpc = new HostRpc(sdk, `127.0.0.1:${port}`, options.callTimeoutMs ?? 30_000);
  let closing: Promise<number | null> | undefined;
  const close = (): Promise<number | null> => {
    closing ??= (async () => {
      rpc.closeChannel();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return closing;
  };
  return Object.assign(rpc, {
    pid: child.pid ?? -1,
    port,
    output: (): HostOutput => ({ ...out }),
    close,
  });
}

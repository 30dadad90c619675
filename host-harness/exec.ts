/** Runs a command to completion, capturing its output; a non-zero exit is an error with the tail. */
import { spawn } from "node:child_process";
import { delimiter } from "node:path";

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

const tail = (text: string, lines = 40): string =>
  text.trimEnd().split("\n").slice(-lines).join("\n");

export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const { code, signal, stdout, stderr } = await capture(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input ?? "",
  });
  if (code === 0) return { stdout, stderr };
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  throw new Error(
    `\`${command} ${args.join(" ")}\` in ${options.cwd} failed (${how}).\n` +
      `--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
  );
}

/** `npm` as the current platform names it. */
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * This process's environment without `MONGODB_ATLAS_*` (a test decides what the child sees),
 * plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("MONGODB_ATLAS_")) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * The environment of a `pulumi` command that must stay offline and inside its folders: this
 * process's environment without Atlas credentials ({@link childEnv}), `pathDirs` first on `PATH`,
 * its own `PULUMI_HOME`, passphrase secrets, no update check, no plugin download, and no version
 * check by the Automation API; `backendUrl` when the caller does not log in itself.
 */
export function offlinePulumiEnv(options: {
  pathDirs: readonly string[];
  homeDir: string;
  passphrase: string;
  backendUrl?: string;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(childEnv())) if (v !== undefined) env[k] = v;
  return {
    ...env,
    PATH: [...options.pathDirs, env["PATH"] ?? ""].join(delimiter),
    PULUMI_HOME: options.homeDir,
    ...(options.backendUrl !== undefined && { PULUMI_BACKEND_URL: options.backendUrl }),
    PULUMI_CONFIG_PASSPHRASE: options.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** What {@link capture} saw: the exit code (null when killed by a signal), the signal, the output. */
export interface Captured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CaptureOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. @default nothing */
  input?: string;
  /** Each complete stderr line, as it arrives (progress). */
  onStderrLine?: (line: string) => void;
  /** SIGKILL after this long. @default no limit */
  timeoutMs?: number;
  /**
   * SIGINT on each `abort` event: an AbortSignal aborts once, so a second Ctrl-C is a second
   * `abort` event dispatched on it.
   */
  signal?: AbortSignal;
}

/** Runs a command to completion and resolves with its exit code and output, whatever the code. */
export function capture(
  command: string,
  args: readonly string[],
  options: CaptureOptions,
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      if (!options.onStderrLine) return;
      const lines = (partial + c).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) options.onStderrLine(line);
    });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
        : undefined;
    options.signal?.addEventListener("abort", () => child.kill("SIGINT"));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A child that exits without reading its stdin (`node --version`) makes the write fail with
    // EPIPE; what the child did is told by its exit code and output, not by that write.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

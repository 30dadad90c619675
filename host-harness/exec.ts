/** Runs a command to completion, capturing its output; a non-zero exit is an error with the tail. */
import { spawn } from "node:child_process";

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

export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve({ stdout, stderr });
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(
        new Error(
          `\`${command} ${args.join(" ")}\` in ${options.cwd} failed (${how}).\n` +
            `--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
        ),
      );
    });
    child.stdin.end(options.input ?? "");
  });
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

/**
 * A stack of one of the Python, Go or YAML examples, run by the real `pulumi` CLI with the
 * resource provider plugin of this repository (`plugin/`). Offline by construction, as
 * host-harness/cli-stack.ts: a file backend and `PULUMI_HOME` inside the stack's folder,
 * passphrase secrets, no update check, no automatic plugin acquisition.
 *
 * The example's files are copied into the stack's project folder, with the plugin's path in
 * `Pulumi.yaml` (`plugins: providers:`, relative in the example) made absolute. How a command
 * runs (language-hosts/index.ts says why):
 * - Python: the virtualenv's `python` runs `language-hosts/python/run_program.py`, an Automation
 *   API driver that runs the example's `__main__.py` inline;
 * - Go: the built example, itself an Automation API program (`<program> -stack <s> up`);
 * - YAML: the CLI itself (`pulumi up --yes --skip-preview`), with `pulumi-language-yaml` on PATH.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import type { PulumiCli } from "../pulumi-cli";
import { capture, offlinePulumiEnv } from "../host-harness/exec";
import { EXAMPLES_DIR, REPO_DIR } from "./index";
import type { Language, Toolchain } from "./index";

/** The passphrase of every stack here: the file backend's secrets provider needs one. */
export const PASSPHRASE = "language-hosts-passphrase";
/** The plugin folder (`PulumiPlugin.yaml` and the executable), ready after `npm run build`. */
export const PLUGIN_DIR = join(REPO_DIR, "plugin");
/** The plugin's executable, as the engine looks it up in a `plugins: providers:` path. */
export const PLUGIN_EXECUTABLE = "pulumi-resource-atlasorginvitations";
/** The plugin's entry point that the executable runs. */
export const PLUGIN_ENTRY = join(REPO_DIR, "dist", "plugin", "main.js");
/** The driver that runs a Python program inline. */
const PYTHON_DRIVER = join(__dirname, "python", "run_program.py");
/** The example's files each language's project folder needs. */
const PROJECT_FILES: Record<Language, string[]> = {
  python: ["Pulumi.yaml", "__main__.py"],
  go: ["Pulumi.yaml"],
  yaml: ["Pulumi.yaml"],
};
/** ANSI escapes, should the CLI colour its output. */
const ANSI = /\u001b\[[0-9;]*m/g;

/** A command the examples run. */
export type StackCommand = "preview" | "up" | "refresh" | "destroy";

/** One process's result: the exit code and what it printed (colours removed). */
export interface LanguageRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** How {@link LanguageStack.create} sets a stack up. */
export interface LanguageStackOptions {
  toolchain: Toolchain;
  cli: PulumiCli;
  /** The stack's own folder: project, backend and `PULUMI_HOME` go inside. */
  dir: string;
  /** @default "dev" */
  stack?: string;
  /** Added to every process's environment; `MONGODB_ATLAS_*` are never inherited. */
  env?: Record<string, string>;
  /** @default {@link PLUGIN_DIR} */
  pluginDir?: string;
  /** The `node` on PATH for the plugin's executable. @default process.execPath */
  nodeBinary?: string;
  /** A process that runs longer is killed. @default 240_000 */
  timeoutMs?: number;
}

/** Every `plugins: providers:` path of a Pulumi.yaml made absolute against `pluginDir`. */
export function withPluginPath(projectYaml: string, pluginDir: string): string {
  const doc = parseDocument(projectYaml);
  const providers = doc.getIn(["plugins", "providers"]);
  if (!providers || typeof providers !== "object" || !("items" in providers))
    throw new Error("the example's Pulumi.yaml has no plugins: providers: list");
  const count = (providers.items as unknown[]).length;
  for (let i = 0; i < count; i++) doc.setIn(["plugins", "providers", i, "path"], pluginDir);
  return doc.toString();
}

export class LanguageStack {
  readonly language: Language;
  readonly stack: string;
  readonly workDir: string;
  readonly backendDir: string;
  readonly homeDir: string;
  private readonly options: LanguageStackOptions;

  private constructor(options: LanguageStackOptions) {
    this.options = options;
    this.language = options.toolchain.language;
    this.stack = options.stack ?? "dev";
    this.workDir = join(options.dir, "project");
    this.backendDir = join(options.dir, "backend");
    this.homeDir = join(options.dir, "pulumi-home");
  }

  /**
   * Makes the stack's folders, copies the example into its project folder and runs
   * `pulumi stack init`.
   *
   * @throws Error when the plugin is not built (`npm run build`) or `pulumi stack init` fails.
   */
  static async create(options: LanguageStackOptions): Promise<LanguageStack> {
    const pluginDir = options.pluginDir ?? PLUGIN_DIR;
    if (!existsSync(join(pluginDir, PLUGIN_EXECUTABLE)))
      throw new Error(`${join(pluginDir, PLUGIN_EXECUTABLE)} is missing: the plugin folder`);
    if (pluginDir === PLUGIN_DIR && !existsSync(PLUGIN_ENTRY))
      throw new Error(`${PLUGIN_ENTRY} is missing: run npm run build first`);
    const stack = new LanguageStack(options);
    for (const dir of [stack.workDir, stack.backendDir, stack.homeDir])
      await mkdir(dir, { recursive: true });
    const example = join(EXAMPLES_DIR, stack.language);
    for (const file of PROJECT_FILES[stack.language]) {
      if (file === "Pulumi.yaml") {
        const text = await readFile(join(example, file), "utf8");
        await writeFile(join(stack.workDir, file), withPluginPath(text, pluginDir));
      } else await copyFile(join(example, file), join(stack.workDir, file));
    }
    const init = await stack.cli(["stack", "init"]);
    if (init.exitCode !== 0)
      throw new Error(`pulumi stack init exited ${init.exitCode}:\n${init.stderr}`);
    return stack;
  }

  /** The environment the CLI, the driver and the plugin run with. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const node = this.options.nodeBinary ?? process.execPath;
    const dirs = [this.options.cli.binDir, dirname(node)];
    if (this.options.toolchain.language === "yaml") dirs.push(this.options.toolchain.binDir);
    return {
      ...offlinePulumiEnv({
        pathDirs: dirs,
        homeDir: this.homeDir,
        passphrase: PASSPHRASE,
        backendUrl: `file://${this.backendDir}`,
      }),
      ...this.options.env,
      ...extra,
    };
  }

  private async exec(
    command: string,
    args: readonly string[],
    env: Record<string, string>,
  ): Promise<LanguageRun> {
    const started = Date.now();
    const result = await capture(command, args, {
      cwd: this.workDir,
      env: this.env(env),
      timeoutMs: this.options.timeoutMs ?? 240_000,
    });
    return {
      exitCode: result.code ?? -1,
      stdout: result.stdout.replace(ANSI, ""),
      stderr: result.stderr.replace(ANSI, ""),
      ms: Date.now() - started,
    };
  }

  /** Runs one command of the example, as its language runs it here. Failure is a result. */
  run(command: StackCommand, env: Record<string, string> = {}): Promise<LanguageRun> {
    const toolchain = this.options.toolchain;
    switch (toolchain.language) {
      case "python":
        return this.exec(
          toolchain.python,
          [PYTHON_DRIVER, command, this.stack, join(this.workDir, "__main__.py")],
          env,
        );
      case "go":
        return this.exec(toolchain.program, ["-stack", this.stack, command], env);
      case "yaml": {
        const yes = command === "preview" ? [] : ["--yes", "--skip-preview"];
        return this.cli([command, ...yes], env);
      }
    }
  }

  /** `pulumi config set-all`: `plain` as plain text, `secret` encrypted (`--secret`). */
  async setConfig(
    plain: Record<string, string>,
    secret: Record<string, string> = {},
  ): Promise<void> {
    const args = ["config", "set-all"];
    for (const [k, v] of Object.entries(plain)) args.push("--plaintext", `${k}=${v}`);
    for (const [k, v] of Object.entries(secret)) args.push("--secret", `${k}=${v}`);
    const result = await this.cli(args);
    if (result.exitCode !== 0)
      throw new Error(`pulumi config set-all exited ${result.exitCode}:\n${result.stderr}`);
  }

  /** Runs `pulumi <args> --stack <stack> --non-interactive --color never` in the project folder. */
  cli(args: readonly string[], env: Record<string, string> = {}): Promise<LanguageRun> {
    return this.exec(
      this.options.cli.binary,
      [...args, "--stack", this.stack, "--non-interactive", "--color", "never"],
      env,
    );
  }

  /** `pulumi stack export`, as a user runs it: secrets stay ciphertext. */
  async exportState(): Promise<StackDeployment> {
    const result = await this.cli(["stack", "export"]);
    if (result.exitCode !== 0)
      throw new Error(`pulumi stack export exited ${result.exitCode}:\n${result.stderr}`);
    return (JSON.parse(result.stdout) as { deployment: StackDeployment }).deployment;
  }

  /** `pulumi stack output --json`: the stack's outputs (secrets shown as `[secret]`). */
  async outputs(): Promise<Record<string, unknown>> {
    const result = await this.cli(["stack", "output", "--json"]);
    if (result.exitCode !== 0)
      throw new Error(`pulumi stack output exited ${result.exitCode}:\n${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /** Every file under the backend, `PULUMI_HOME` and the project folder, with its text. */
  async files(): Promise<{ path: string; text: string }[]> {
    const out: { path: string; text: string }[] = [];
    for (const root of [this.backendDir, this.homeDir, this.workDir]) {
      const entries = await readdir(root, { withFileTypes: true, recursive: true });
      for (const e of entries) {
        if (!e.isFile()) continue;
        const path = join(e.parentPath, e.name);
        out.push({ path, text: await readFile(path, "latin1") });
      }
    }
    return out;
  }
}

/** `pulumi stack export`'s deployment, as far as the tests read it. */
export interface StackDeployment {
  resources?: {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  }[];
  [other: string]: unknown;
}

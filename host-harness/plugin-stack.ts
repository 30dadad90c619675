/**
 * Stacks whose invitations come from the resource provider plugin (issue 21), under the real
 * `pulumi` CLI: the plugin's tarball (scripts/pack-plugin.ts), built and packed once per change of
 * its inputs and cached, its install into a stack's `PULUMI_HOME` with `pulumi plugin install
 * --file`, the CLI commands that take no `--stack`, and a language host stand-in for
 * `pulumi import`.
 *
 * A plugin program needs only `@pulumi/pulumi` (the declarations are `pulumi.CustomResource`s of the
 * plugin's type token, which is what a generated SDK's class registers), so these stacks use the
 * repository's own node_modules as their program's: no consumer package has to be built.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import type { PulumiCli } from "../pulumi-cli";
import { PLUGIN_ENTRY, PLUGIN_NAME, packPlugin } from "../scripts/pack-plugin";
import type { CliRun, CliStack } from "./cli-stack";
import { REPO_ROOT } from "./consumer";
import { capture, NPM, run } from "./exec";
import { withLock } from "./lock";

export { PLUGIN_NAME };
/** The plugin's resource type token. */
export const PLUGIN_TYPE = `${PLUGIN_NAME}:index:OrgInvitation`;
/** The repository's plugin folder, for a project's `plugins: providers: [{ path }]`. */
export const PLUGIN_DIR = join(REPO_ROOT, "plugin");

/**
 * The lock the consumer (consumer.ts, `DEFAULT_ROOT`) builds the repository's `dist/` under: a
 * build here takes the same one, so that two builds never remove each other's output.
 */
const BUILD_LOCK = join(tmpdir(), "pulumi-dynamic-host-harness", "lock");
/** Where packed tarballs are cached, one folder per hash of the inputs. */
const CACHE_ROOT = join(tmpdir(), "pulumi-plugin-host-harness");
const KEEP_TARBALLS = 3;
/** What `npm run build` compiles from, besides `provider/`. */
const BUILD_INPUTS = ["package.json", "tsconfig.build.json", "tsconfig.base.json"];
/** What the tarball is made of, besides `provider/`. */
const PACK_INPUTS = [
  ...BUILD_INPUTS,
  "package-lock.json",
  "schema/schema.json",
  "LICENSE",
  "scripts/pack-plugin.ts",
];

/** A packed plugin, as {@link preparePluginTarball} returns it. */
export interface PluginTarball {
  /** Absolute path of the `.tar.gz`. */
  path: string;
  version: string;
  /** Compressed size in bytes. */
  bytes: number;
  sha256: string;
  /** Milliseconds `packPlugin` took when this tarball was made (0 when it came from the cache). */
  packMs: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Runs `npm run build` (under the consumer's lock) when `dist/plugin/main.js` is missing or older
 * than a file of `provider/` or the build configuration. `npm test` builds before jest, so there
 * this does nothing; a lone `npx jest test/engine/plugin-...` gets a current build.
 */
export async function ensurePluginBuilt(): Promise<void> {
  const newest = async (): Promise<number> => {
    let time = 0;
    const files = [
      ...(await filesUnder(join(REPO_ROOT, "provider"))),
      ...BUILD_INPUTS.map((f) => join(REPO_ROOT, f)),
    ];
    for (const file of files) time = Math.max(time, (await stat(file)).mtimeMs);
    return time;
  };
  const built = async (): Promise<number> => {
    const entry = join(REPO_ROOT, PLUGIN_ENTRY);
    return existsSync(entry) ? (await stat(entry)).mtimeMs : -1;
  };
  if ((await built()) >= (await newest())) return;
  await mkdir(join(BUILD_LOCK, ".."), { recursive: true });
  await withLock(BUILD_LOCK, async () => {
    if ((await built()) < (await newest())) await run(NPM, ["run", "build"], { cwd: REPO_ROOT });
  });
}

async function inputsHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = [
    ...(await filesUnder(join(REPO_ROOT, "provider"))),
    ...PACK_INPUTS.map((f) => join(REPO_ROOT, f)),
  ];
  for (const file of files)
    hash
      .update(relative(REPO_ROOT, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

/**
 * The plugin's tarball for this machine's platform, compiled from the sources and packed by
 * scripts/pack-plugin.ts (which leaves the repository's `dist/` alone), or the one packed before
 * from the same inputs.
 * @throws Error when the compilation or the pack fails (pack-plugin's errors).
 */
export async function preparePluginTarball(): Promise<PluginTarball> {
  const key = await inputsHash();
  const dir = join(CACHE_ROOT, key);
  await mkdir(CACHE_ROOT, { recursive: true });
  return withLock(join(CACHE_ROOT, "lock"), async () => {
    const ready = join(dir, "tarball.json");
    if (existsSync(ready))
      return { ...(JSON.parse(await readFile(ready, "utf8")) as PluginTarball), packMs: 0 };
    await rm(dir, { recursive: true, force: true });
    const packed = await packPlugin({ outDir: dir });
    const [first] = packed.tarballs;
    if (!first) throw new Error("pack-plugin wrote no tarball");
    const tarball: PluginTarball = {
      path: first.path,
      version: packed.version,
      bytes: packed.bytes,
      sha256: packed.sha256,
      packMs: packed.ms,
    };
    await writeFile(ready, JSON.stringify(tarball, null, 2));
    await pruneCache();
    return tarball;
  });
}

async function pruneCache(): Promise<void> {
  const dirs = await Promise.all(
    (await readdir(CACHE_ROOT, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && e.name !== "lock")
      .map(async (e) => {
        const dir = join(CACHE_ROOT, e.name);
        return { dir, time: (await stat(dir)).mtimeMs };
      }),
  );
  dirs.sort((a, b) => b.time - a.time);
  for (const { dir } of dirs.slice(KEEP_TARBALLS)) await rm(dir, { recursive: true, force: true });
}

/**
 * Runs `pulumi <args>` in the stack's project folder with the stack's environment (its
 * `PULUMI_HOME`, file backend, passphrase) and no `--stack`, for commands that take none
 * (`plugin install`, `plugin ls`).
 */
export async function pulumi(
  stack: CliStack,
  cli: PulumiCli,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const started = Date.now();
  const { stdout, stderr, code } = await capture(cli.binary, args, {
    cwd: stack.workDir,
    env: stack.cliEnv(env),
    timeoutMs: 240_000,
  });
  return { exitCode: code ?? -1, stdout, stderr, ms: Date.now() - started };
}

/** `pulumi plugin install resource atlasorginvitations <version> --file <tarball>` into the stack's `PULUMI_HOME`. */
export function installPlugin(
  stack: CliStack,
  cli: PulumiCli,
  tarball: Pick<PluginTarball, "path" | "version">,
): Promise<CliRun> {
  return pulumi(stack, cli, [
    "plugin",
    "install",
    "resource",
    PLUGIN_NAME,
    tarball.version,
    "--file",
    tarball.path,
    "--non-interactive",
  ]);
}

/**
 * The language host stand-in `pulumi import` asks for the program's plugins (test/engine/
 * import.test.ts says why it needs one): the Automation API's LanguageServer of the project's own
 * @pulumi/pulumi, served as a plugin is (its port on the first line of stdout). It answers that
 * the program needs no plugins, so the engine takes the plugin of the imported type from
 * `PULUMI_HOME` or the project's `plugins:`.
 */
const LANGUAGE_HOST = `"use strict";
const { createRequire } = require("node:module");
const { join } = require("node:path");
const requireHere = createRequire(join(process.cwd(), "program.js"));
const grpc = requireHere("@grpc/grpc-js");
const { LanguageServer } = requireHere("@pulumi/pulumi/automation/server");
const langrpc = requireHere("@pulumi/pulumi/proto/language_grpc_pb");
const server = new grpc.Server();
server.addService(langrpc.LanguageRuntimeService, new LanguageServer(async () => ({})));
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  process.stdout.write(port + "\\n");
});
`;

/**
 * Writes the stand-in into `dir` as `pulumi-language-nodejs`.
 * @returns a PATH (for the CLI's environment) that finds it before `path`
 */
export async function languageHostOnPath(dir: string, path: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const script = join(dir, "language-host.js");
  await writeFile(script, LANGUAGE_HOST);
  const bin = join(dir, "pulumi-language-nodejs");
  await writeFile(bin, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  await chmod(bin, 0o755);
  return [dir, path].join(delimiter);
}

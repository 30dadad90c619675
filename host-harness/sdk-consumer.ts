/**
 * A throwaway TypeScript project that uses the generated Node SDK (`sdk/nodejs`, npm name
 * `@pulumi-atlas-org-invitations/sdk`) the way a user's program does: the SDK compiled with the
 * TypeScript its own package.json declares (`devDependencies`), packed as Pulumi publishes a
 * Node SDK (the compiled `bin/` with the package.json copied in, so `utilities.getVersion()`'s
 * `require("./package.json")` finds it) and installed from that tarball, a real copy under
 * `node_modules`, next to the asked `@pulumi/pulumi`.
 *
 * The SDK is compiled in a copy inside the consumer, never in `sdk/` (a build there would leave
 * `bin/` behind in generated code). Cached by a hash of `sdk/nodejs` and the `@pulumi/pulumi`
 * version under os.tmpdir() (not under the repo: the repo's node_modules must not resolve for
 * it, host-harness/consumer.ts says why), built once under a cross-process lock.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { NPM, capture, run } from "./exec";
import { REPO_ROOT } from "./consumer";
import { withLock } from "./lock";

/** The generated Node SDK's npm name (sdk/nodejs/package.json). */
export const SDK_PACKAGE = "@pulumi-atlas-org-invitations/sdk";
export const SDK_SOURCE_DIR = join(REPO_ROOT, "sdk", "nodejs");

/** Bump when the recipe below changes, so cached consumers built the old way are not reused. */
const RECIPE = "1";
const DEFAULT_ROOT = join(tmpdir(), "pulumi-dynamic-host-harness", "sdk-consumers");
const KEEP_CONSUMERS = 4;
const PRUNE_GRACE_MS = 2 * 60 * 60 * 1000;
const inProcess = new Map<string, Promise<SdkConsumer>>();

export interface SdkConsumer {
  /** The consumer project: programs compiled under it resolve the SDK from its node_modules. */
  dir: string;
  /** `<dir>/node_modules/@pulumi-atlas-org-invitations/sdk`, a real directory. */
  packageDir: string;
  /** The consumer's TypeScript compiler (`typescript/bin/tsc`), as the SDK's devDependencies name it. */
  tsc: string;
  /** The exact `@pulumi/pulumi` version installed. */
  pulumiVersion: string;
  /** The exact TypeScript version installed. */
  typescriptVersion: string;
  /** The hash of `sdk/nodejs` (and the recipe) the consumer was built from. */
  sdkHash: string;
}

export interface PrepareSdkConsumerOptions {
  /** Exact `@pulumi/pulumi` version for the consumer. */
  pulumiVersion: string;
  /** The `node` that runs the SDK's `tsc`. @default process.execPath */
  nodeBinary?: string;
  /** Cache root. @default `<os.tmpdir()>/pulumi-dynamic-host-harness/sdk-consumers` */
  dir?: string;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = async (file: string): Promise<Manifest> =>
  JSON.parse(await readFile(file, "utf8")) as Manifest;

async function sdkHash(pulumiVersion: string): Promise<string> {
  const hash = createHash("sha256").update(`${RECIPE}\0${pulumiVersion}\0`);
  const entries = await readdir(SDK_SOURCE_DIR, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files)
    hash
      .update(relative(SDK_SOURCE_DIR, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

function consumerAt(root: string, hash: string, pulumiVersion: string): SdkConsumer {
  const dir = join(root, `${hash}-pulumi-${pulumiVersion}`);
  return {
    dir,
    packageDir: join(dir, "node_modules", ...SDK_PACKAGE.split("/")),
    tsc: join(dir, "node_modules", "typescript", "bin", "tsc"),
    pulumiVersion,
    typescriptVersion: "",
    sdkHash: hash,
  };
}

/**
 * The SDK must be a real directory with a single `@pulumi/pulumi` beside it: a nested second copy
 * would give the program's resources another runtime than the one the program registers them with.
 */
async function assertInstalled(consumer: SdkConsumer): Promise<void> {
  const info = await lstat(consumer.packageDir);
  if (info.isSymbolicLink() || !info.isDirectory())
    throw new Error(`${consumer.packageDir} is a symlink or not a directory: expected a copy`);
  if (!existsSync(join(consumer.packageDir, "index.js")))
    throw new Error(`${consumer.packageDir} has no compiled index.js`);
  const nested = join(consumer.packageDir, "node_modules", "@pulumi", "pulumi");
  if (existsSync(nested))
    throw new Error(
      `${nested} exists: the SDK got its own @pulumi/pulumi instead of the consumer's`,
    );
}

async function build(consumer: SdkConsumer, nodeBinary: string): Promise<void> {
  await rm(consumer.dir, { recursive: true, force: true });
  await mkdir(consumer.dir, { recursive: true });
  const sdk = await readManifest(join(SDK_SOURCE_DIR, "package.json"));
  // 1. The SDK's build toolchain (its own devDependencies) and the asked @pulumi/pulumi.
  const manifest = {
    name: "sdk-consumer",
    private: true,
    description:
      "A throwaway TypeScript Pulumi program folder that installs the generated Node SDK.",
    dependencies: { "@pulumi/pulumi": consumer.pulumiVersion },
    devDependencies: sdk.devDependencies ?? {},
  };
  await writeFile(join(consumer.dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const npmArgs = ["install", "--no-audit", "--no-fund", "--prefer-offline"];
  await run(NPM, npmArgs, { cwd: consumer.dir });
  // 2. A copy of sdk/nodejs compiled with that toolchain: its tsconfig.json, as `npm run build`
  // (`tsc`) would, its imports resolved from the consumer's node_modules one folder up.
  const source = join(consumer.dir, "sdk-build");
  await cp(SDK_SOURCE_DIR, source, { recursive: true });
  await run(nodeBinary, [consumer.tsc, "-p", source], { cwd: source });
  // 3. Packed as Pulumi publishes a Node SDK: the compiled bin/ with the manifest and README.
  const bin = join(source, "bin");
  for (const file of ["package.json", "README.md"])
    if (existsSync(join(source, file))) await cp(join(source, file), join(bin, file));
  const { stdout } = await run(
    NPM,
    ["pack", "--ignore-scripts", "--json", "--pack-destination", consumer.dir],
    { cwd: bin },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no tarball: ${stdout}`);
  // 4. Installed from the tarball, as a user installs a published package.
  await run(NPM, [...npmArgs, `./${packed.filename}`], { cwd: consumer.dir });
  await rm(source, { recursive: true, force: true });
  await assertInstalled(consumer);
  await writeFile(join(consumer.dir, ".ready"), new Date().toISOString());
}

async function prune(root: string, keep: number): Promise<void> {
  const dirs = await Promise.all(
    (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const dir = join(root, e.name);
        const made =
          (await stat(join(dir, ".ready")).catch(() => undefined)) ??
          (await stat(dir).catch(() => undefined));
        return { dir, time: made?.mtimeMs ?? 0 };
      }),
  );
  dirs.sort((a, b) => b.time - a.time);
  const recent = Date.now() - PRUNE_GRACE_MS;
  for (const { dir, time } of dirs.slice(keep))
    if (time < recent) await rm(dir, { recursive: true, force: true });
}

/**
 * The consumer of the current `sdk/nodejs` with `@pulumi/pulumi` `pulumiVersion`: built (about a
 * minute cold: two installs, one compile, one pack) or found in the cache.
 * @throws Error when an install, the SDK's compilation or the pack fails (with the tool's output)
 */
export function prepareSdkConsumer(options: PrepareSdkConsumerOptions): Promise<SdkConsumer> {
  const root = options.dir ?? DEFAULT_ROOT;
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const key = `${root}|${options.pulumiVersion}`;
  let pending = inProcess.get(key);
  if (!pending) {
    pending = (async () => {
      await mkdir(root, { recursive: true });
      const consumer = await withLock(join(root, "lock"), async () => {
        const found = consumerAt(root, await sdkHash(options.pulumiVersion), options.pulumiVersion);
        if (!existsSync(join(found.dir, ".ready"))) {
          await build(found, nodeBinary);
          await prune(root, KEEP_CONSUMERS);
        }
        return found;
      });
      await assertInstalled(consumer);
      const [pulumi, typescript] = await Promise.all([
        readManifest(join(consumer.dir, "node_modules", "@pulumi", "pulumi", "package.json")),
        readManifest(join(consumer.dir, "node_modules", "typescript", "package.json")),
      ]);
      if (pulumi.version !== options.pulumiVersion)
        throw new Error(`${consumer.dir} holds @pulumi/pulumi ${pulumi.version}`);
      return { ...consumer, typescriptVersion: typescript.version };
    })();
    inProcess.set(key, pending);
    pending.catch(() => inProcess.delete(key));
  }
  return pending;
}

/** A user's program, compiled: where its entry is, and what `tsc` said. */
export interface CompiledProgram {
  /** `tsc`'s exit code: 0 when the program type-checks. */
  exitCode: number;
  /** What `tsc` printed (its diagnostics). */
  output: string;
  /** The compiled entry module, `<dir>/bin/index.js`. */
  main: string;
}

/**
 * The tsconfig.json of Pulumi's `typescript` project template (pulumi/templates, typescript/),
 * which `pulumi new typescript` writes.
 */
const PROGRAM_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: false,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/**
 * Writes `index.ts` and the template's tsconfig.json into `dir` (its `node_modules` a link to the
 * consumer's, made when missing) and compiles it with the consumer's `tsc` on `nodeBinary`.
 * A type error is a result (non-zero `exitCode`), not a throw.
 */
export async function compileProgram(
  consumer: SdkConsumer,
  dir: string,
  source: string,
  nodeBinary: string = process.execPath,
): Promise<CompiledProgram> {
  await mkdir(dir, { recursive: true });
  const modules = join(dir, "node_modules");
  if (!existsSync(modules)) await symlink(join(consumer.dir, "node_modules"), modules);
  await writeFile(join(dir, "index.ts"), source);
  await writeFile(join(dir, "tsconfig.json"), `${JSON.stringify(PROGRAM_TSCONFIG, null, 2)}\n`);
  const { code, stdout, stderr } = await capture(nodeBinary, [consumer.tsc, "-p", dir], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  return { exitCode: code ?? -1, output: `${stdout}${stderr}`, main: join(dir, "bin", "index.js") };
}

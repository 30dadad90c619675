/**
 * A throwaway consumer project with this package installed from its `npm pack` tarball, the way a
 * user gets it: a real copy under `node_modules`, not a symlink. That matters because the closure
 * serializer emits `require("<pkg>/runtime")` only for modules whose real path is under
 * `node_modules`; local or symlinked code is inlined by value instead
 * (the SDK's sdk/nodejs/runtime/closure/, https://github.com/pulumi/pulumi).
 *
 * The consumer lives under os.tmpdir() by default, not under the repo: Node resolves a missing
 * module by walking up the folders, and the repo's own node_modules would hide a dependency the
 * package forgot to declare. Built once per source fingerprint and cached by tarball hash, under
 * a cross-process lock, so jest workers and later runs reuse it.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { NPM, run } from "./exec";
import { withLock } from "./lock";

export const PACKAGE_NAME = "pulumi-atlas-org-invitations";
export const REPO_ROOT = resolve(__dirname, "..");

export interface Consumer {
  /** The consumer project: run programs and the provider host with this as cwd. */
  dir: string;
  /** `<dir>/node_modules/pulumi-atlas-org-invitations`, a real directory. */
  packageDir: string;
  /** The packed tarball the consumer installed. */
  tarball: string;
  tarballSha256: string;
  /** The exact `@pulumi/pulumi` version installed in the consumer. */
  pulumiVersion: string;
}

export interface PrepareConsumerOptions {
  /** Cache root for tarballs and consumers. @default `<os.tmpdir()>/pulumi-dynamic-host-harness` */
  dir?: string;
  /** Exact `@pulumi/pulumi` version. @default the one installed in the repo (already in npm's cache) */
  pulumiVersion?: string;
  /** Build and pack even when the sources are unchanged since the cached consumer. @default false */
  rebuild?: boolean;
  /**
   * Install this package tarball (a released version, say test/fixtures/released) instead of
   * building and packing the sources; cached by its hash like a packed one.
   * @default the sources, built and packed
   */
  tarball?: string;
}

/**
 * Must not contain the package name: the SDK's closure serializer finds a package's package.json
 * by cutting the resolved path at the FIRST occurrence of the name (runtime/closure/package.js,
 * getPackageDefinition), so a folder named after the package above node_modules hides the
 * `exports` map and the serialized require falls back to a non-exported file path.
 */
const DEFAULT_ROOT = join(tmpdir(), "pulumi-dynamic-host-harness");
/** What goes into the tarball; a change to any of these means a new build. */
const SOURCE_INPUTS = [
  "package.json",
  "tsconfig.build.json",
  "tsconfig.base.json",
  "README.md",
  "LICENSE",
];
const KEEP_CONSUMERS = 6;
const PRUNE_GRACE_MS = 2 * 60 * 60 * 1000;
const inProcess = new Map<string, Promise<Consumer>>();

export async function installedPulumiVersion(from: string = REPO_ROOT): Promise<string> {
  const manifest = JSON.parse(
    await readFile(join(from, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
  ) as {
    version: string;
  };
  return manifest.version;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function sourceFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  const files = [
    ...SOURCE_INPUTS.map((f) => join(REPO_ROOT, f)).filter((f) => existsSync(f)),
    ...(await filesUnder(join(REPO_ROOT, "provider"))),
  ];
  for (const file of files) {
    hash
      .update(relative(REPO_ROOT, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

const sha256 = async (file: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

async function isReady(consumer: Consumer): Promise<boolean> {
  return (
    existsSync(join(consumer.dir, ".ready")) &&
    existsSync(join(consumer.packageDir, "package.json"))
  );
}

/** The installed package must be a real directory inside the consumer, as `npm install <tgz>` makes it. */
export async function assertRealInstall(consumer: Consumer): Promise<void> {
  const stat = await lstat(consumer.packageDir);
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new Error(
      `${consumer.packageDir} is a symlink or not a directory: the package must be installed as a copy`,
    );
  }
  const real = await realpath(consumer.packageDir);
  const modules = (await realpath(join(consumer.dir, "node_modules"))) + sep;
  if (!real.startsWith(modules))
    throw new Error(`${consumer.packageDir} resolves to ${real}, outside ${modules}`);
  const manifest = JSON.parse(
    await readFile(join(consumer.packageDir, "package.json"), "utf8"),
  ) as { name: string };
  if (manifest.name !== PACKAGE_NAME)
    throw new Error(`${consumer.packageDir} holds ${manifest.name}`);
}

async function buildAndPack(packDir: string): Promise<string> {
  await run(NPM, ["run", "build"], { cwd: REPO_ROOT });
  // The build just ran; `--ignore-scripts` skips the `prepack` rebuild.
  const { stdout } = await run(
    NPM,
    ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir],
    {
      cwd: REPO_ROOT,
    },
  );
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${stdout}`);
  return join(packDir, info.filename);
}

async function install(consumer: Consumer, packed: string): Promise<void> {
  await rm(consumer.dir, { recursive: true, force: true });
  await mkdir(consumer.dir, { recursive: true });
  await copyFile(packed, consumer.tarball);
  const manifest = {
    name: "host-harness-consumer",
    private: true,
    description: "A throwaway Pulumi program folder that installs the packed provider.",
    dependencies: {
      [PACKAGE_NAME]: `file:./${relative(consumer.dir, consumer.tarball)}`,
      "@pulumi/pulumi": consumer.pulumiVersion,
    },
  };
  await writeFile(join(consumer.dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await run(NPM, ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: consumer.dir });
  await assertRealInstall(consumer);
  await writeFile(join(consumer.dir, ".ready"), new Date().toISOString());
}

/**
 * Each source change makes a new consumer (about 100 MB); keep only the newest few. One test run
 * can make more than that (matrix rows, the released tarball), and parallel jest workers may still
 * be installing or using any of them: a consumer made in the last two hours is never removed, and
 * one still installing (no `.ready` yet) counts from its folder's time.
 */
async function prune(consumersDir: string, keep: number): Promise<void> {
  const dirs = await Promise.all(
    (await readdir(consumersDir)).map(async (name) => {
      const dir = join(consumersDir, name);
      const made =
        (await stat(join(dir, ".ready")).catch(() => undefined)) ??
        (await stat(dir).catch(() => undefined));
      return { dir, time: made?.mtimeMs ?? 0 };
    }),
  );
  dirs.sort((a, b) => b.time - a.time);
  const recent = Date.now() - PRUNE_GRACE_MS;
  for (const { dir, time } of dirs.slice(keep)) {
    if (time < recent) await rm(dir, { recursive: true, force: true });
  }
}

/** Where the consumer of a tarball with that hash lives. */
function consumerFor(root: string, tarballSha256: string, pulumiVersion: string): Consumer {
  const dir = join(root, "consumers", `${tarballSha256.slice(0, 16)}-pulumi-${pulumiVersion}`);
  return {
    dir,
    packageDir: join(dir, "node_modules", PACKAGE_NAME),
    tarball: join(dir, `${PACKAGE_NAME}.tgz`),
    tarballSha256,
    pulumiVersion,
  };
}

/** Installs a given tarball into its consumer, or reuses the one installed before. */
async function prepareTarball(
  root: string,
  tarball: string,
  pulumiVersion: string,
  rebuild: boolean,
): Promise<Consumer> {
  const consumer = consumerFor(root, await sha256(tarball), pulumiVersion);
  if (rebuild || !(await isReady(consumer))) {
    await install(consumer, tarball);
    await prune(join(root, "consumers"), KEEP_CONSUMERS);
  }
  return consumer;
}

async function prepare(root: string, pulumiVersion: string, rebuild: boolean): Promise<Consumer> {
  const manifestFile = join(
    root,
    "by-source",
    `${await sourceFingerprint()}-pulumi-${pulumiVersion}.json`,
  );
  if (!rebuild && existsSync(manifestFile)) {
    const cached = JSON.parse(await readFile(manifestFile, "utf8")) as Consumer;
    if (await isReady(cached)) return cached;
  }
  const packDir = await mkdtemp(join(root, "pack-"));
  try {
    const packed = await buildAndPack(packDir);
    const consumer = consumerFor(root, await sha256(packed), pulumiVersion);
    if (!(await isReady(consumer))) {
      await install(consumer, packed);
      await prune(join(root, "consumers"), KEEP_CONSUMERS);
    }
    await mkdir(join(root, "by-source"), { recursive: true });
    await writeFile(manifestFile, JSON.stringify(consumer, null, 2));
    return consumer;
  } finally {
    await rm(packDir, { recursive: true, force: true });
  }
}

/**
 * Builds, packs and installs the package into a consumer project (or installs `tarball`), or
 * reuses the cached one.
 */
export async function prepareConsumer(options: PrepareConsumerOptions = {}): Promise<Consumer> {
  const root = resolve(options.dir ?? DEFAULT_ROOT);
  if (root.includes(PACKAGE_NAME)) {
    throw new Error(
      `The consumer folder ${root} contains "${PACKAGE_NAME}": the SDK's closure serializer would ` +
        "then miss the package's exports map (see DEFAULT_ROOT). Choose another folder.",
    );
  }
  const pulumiVersion = options.pulumiVersion ?? (await installedPulumiVersion());
  const rebuild = options.rebuild ?? process.env["HOST_HARNESS_REBUILD"] === "1";
  const tarball = options.tarball === undefined ? undefined : resolve(options.tarball);
  const key = `${root}|${pulumiVersion}|${rebuild}|${tarball ?? "sources"}`;
  let pending = inProcess.get(key);
  if (!pending) {
    pending = (async () => {
      await mkdir(root, { recursive: true });
      const consumer = await withLock(join(root, "lock"), () =>
        tarball === undefined
          ? prepare(root, pulumiVersion, rebuild)
          : prepareTarball(root, tarball, pulumiVersion, rebuild),
      );
      await assertRealInstall(consumer);
      return consumer;
    })();
    inProcess.set(key, pending);
    pending.catch(() => inProcess.delete(key));
  }
  return pending;
}

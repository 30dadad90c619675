/**
 * Packs the resource provider plugin (issue 21, item 4) as the tarball that
 * `pulumi plugin install resource atlasorginvitations <version> --file <tarball>` installs offline:
 *
 *   npm run pack-plugin                              compile and pack for this machine's platform
 *   npm run pack-plugin -- --from-dist               pack the `dist/` that `npm run build` left
 *   npm run pack-plugin -- --platform linux-amd64 --platform darwin-arm64
 *   npm run pack-plugin -- --offline                 npm's cache only, never the registry
 *   npm run pack-plugin -- --out <dir>               @default plugin-dist/
 *
 * The tarball is named `pulumi-resource-atlasorginvitations-v<version>-<os>-<arch>.tar.gz`, the
 * asset name Pulumi's plugin sources download (`standardAssetName` in
 * sdk/go/common/workspace/plugins.go, pulumi/pulumi v3.276.0). `pulumi plugin install --file`
 * unpacks a gzip tarball as it is into `$PULUMI_HOME/plugins/resource-atlasorginvitations-v<version>/`
 * (`getFilePayload` in pkg/cmd/pulumi/plugin/plugin_install.go, `ExtractTGZ` in
 * sdk/go/common/util/archive), and the engine runs the file `pulumi-resource-atlasorginvitations`
 * (`.exe` or `.cmd` on Windows) at that folder's root (`getPluginPath` in plugins.go). So the
 * tarball holds, at its root:
 *
 *   pulumi-resource-atlasorginvitations       POSIX sh (plugin/'s): `exec node dist/plugin/main.js "$@"`
 *   pulumi-resource-atlasorginvitations.cmd   the same for Windows (not tested here)
 *   dist/                                     the compiled package (no declarations)
 *   schema/schema.json                        the package schema
 *   package.json, LICENSE
 *   node_modules/                             the production dependencies, `@pulumi/pulumi` included
 *
 * and no `PulumiPlugin.yaml`: with one, `pulumi plugin install` asks the `nodejs` language host to
 * install the plugin's dependencies (`installDependenciesForPluginSpec` in pkg/workspace/plugin.go),
 * and that host is not at hand offline. The plugin is an executable that starts Node, so **`node`
 * (20 or later) must be on the PATH** that Pulumi runs plugins with.
 *
 * The dependencies are installed with `npm install --omit=dev` into a staging folder that holds
 * this repository's package-lock.json: npm keeps every locked version, takes the packages from its
 * cache (`--prefer-offline`; `--offline` to forbid the registry), and the script then checks that
 * each installed package is the name and version the lock file holds. Copying from the repo's own
 * node_modules instead would need the production closure computed by hand, and `@pulumi/pulumi`
 * (a peer and dev dependency of the dynamic provider, but a runtime dependency of the plugin) is
 * marked `dev` in the lock file, so no npm flag selects it: the staging package.json lists it as a
 * dependency at the locked version. Type declarations, source maps, Markdown and TypeScript
 * sources are then removed from node_modules (about half its size; nothing loads them at run
 * time), licence files kept.
 *
 * By default the sources are compiled straight into the staging folder (`tsc -p
 * tsconfig.build.json --outDir <stage>/dist`, no declarations), so packing never reads or removes
 * the repository's `dist/`, which a concurrent `npm run build` may be rewriting.
 *
 * The content is the same for every platform (no native addons; the script fails on a `.node`
 * file), so `--platform` only names copies. Entries are sorted, with a fixed time and no owner
 * (node-tar's `portable`), so the same inputs give the same bytes.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { create as createTar } from "tar";
import { NPM, run } from "../host-harness/exec";

/** The repository root. */
export const ROOT = resolve(__dirname, "..");
/** The plugin's Pulumi package name (shared decision of issue 21: the project's own name collides). */
export const PLUGIN_NAME = "atlasorginvitations";
/** The executable Pulumi runs: `pulumi-<kind>-<name>` (`PluginDescriptor.File` in plugins.go). */
export const PLUGIN_EXECUTABLE = `pulumi-resource-${PLUGIN_NAME}`;
/** The plugin's entry point, relative to the package root. */
export const PLUGIN_ENTRY = "dist/plugin/main.js";
/** The default output folder (gitignored). */
export const DEFAULT_OUT_DIR = join(ROOT, "plugin-dist");
/** Every entry's modification time: fixed, so that a repack of the same inputs is byte-identical. */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

/**
 * The POSIX wrapper: the repository's own `plugin/` executable, copied (one file for both layouts:
 * it runs `dist/plugin/main.js` beside a `package.json`, `../dist/plugin/main.js` otherwise, and
 * names a missing `node` or build instead of the shell's `not found`).
 */
export const SH_WRAPPER_SOURCE = join(ROOT, "plugin", PLUGIN_EXECUTABLE);

/** The Windows wrapper (`.cmd` is one of the extensions Pulumi looks for there). */
const CMD_WRAPPER = `@echo off\r\nnode "%~dp0${PLUGIN_ENTRY.replaceAll("/", "\\")}" %*\r\n`;

/** Node's platform and arch names to Go's, which Pulumi's asset names use. */
const GOOS: Partial<Record<NodeJS.Platform, string>> = {
  linux: "linux",
  darwin: "darwin",
  win32: "windows",
};
const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** This machine's `<os>-<arch>` as Pulumi names it, e.g. `linux-amd64`. */
export function currentPlatform(): string {
  const os = GOOS[process.platform];
  const arch = GOARCH[process.arch];
  if (!os || !arch)
    throw new Error(
      `pack-plugin: no Pulumi platform name for ${process.platform}/${process.arch}; pass --platform <os>-<arch>`,
    );
  return `${os}-${arch}`;
}

/** The tarball's file name for a version and platform. */
export function tarballName(version: string, platform: string): string {
  return `${PLUGIN_EXECUTABLE}-v${version}-${platform}.tar.gz`;
}

/** How {@link packPlugin} packs. */
export interface PackPluginOptions {
  /** Folder the tarballs are written to. @default `plugin-dist/` in the repository */
  outDir?: string;
  /**
   * Copy the repository's `dist/` (as `npm run build` left it) instead of compiling the sources
   * into the staging folder. @default false
   */
  fromDist?: boolean;
  /** `<os>-<arch>` names (Go's), one tarball each. @default this machine's */
  platforms?: readonly string[];
  /** npm may use its cache only (`--offline`), never the registry. @default false: `--prefer-offline` */
  offline?: boolean;
  /** Progress lines. @default none */
  onProgress?: (line: string) => void;
}

/** What {@link packPlugin} wrote. */
export interface PackedPlugin {
  version: string;
  /** One absolute path per platform, same bytes. */
  tarballs: { platform: string; path: string }[];
  /** Compressed size in bytes. */
  bytes: number;
  /** Size of the files inside, in bytes. */
  unpackedBytes: number;
  /** Number of files inside. */
  files: number;
  sha256: string;
  /** Wall time in milliseconds. */
  ms: number;
}

interface LockFile {
  packages: Record<string, { version?: string; link?: boolean }>;
}

interface Manifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const readJson = async <T>(file: string): Promise<T> =>
  JSON.parse(await readFile(file, "utf8")) as T;

/** The package name at a lock file path (`node_modules/a/node_modules/@s/b` is `@s/b`). */
const nameAt = (lockPath: string): string =>
  lockPath.slice(lockPath.lastIndexOf("node_modules/") + "node_modules/".length);

/** Files and folders under `dir`, relative, with `/`, sorted. */
async function entriesUnder(dir: string): Promise<{ path: string; isDir: boolean }[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .map((e) => ({
      path: relative(dir, join(e.parentPath, e.name)).split(sep).join("/"),
      isDir: e.isDirectory(),
      isLink: e.isSymbolicLink(),
    }))
    .map((e) => {
      if (e.isLink)
        throw new Error(`pack-plugin: unexpected symlink ${e.path} in the staging folder`);
      return { path: e.path, isDir: e.isDir };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const LICENCE = /^(licen[cs]e|copying|notice)/i;
/** Not loaded at run time: declarations, source maps, docs, TypeScript sources. */
const isStrippable = (name: string): boolean =>
  !LICENCE.test(name) && /\.(d\.[cm]?ts|[cm]?ts|map|md|markdown)$/i.test(name);

/**
 * Installs the production dependencies into `stage` at the versions of the repository's lock file.
 * @throws Error when npm fails (a package missing from its cache under `offline`) or installs a
 * name and version the lock file does not hold.
 */
async function installDependencies(
  stage: string,
  manifest: Manifest,
  offline: boolean,
): Promise<void> {
  const lock = await readJson<LockFile>(join(ROOT, "package-lock.json"));
  const pulumi = lock.packages["node_modules/@pulumi/pulumi"]?.version;
  if (!pulumi) throw new Error("pack-plugin: package-lock.json holds no @pulumi/pulumi");
  const staged: Manifest & { private: true; main: string } = {
    name: manifest.name,
    version: manifest.version,
    ...(manifest.description ? { description: manifest.description } : {}),
    ...(manifest.license ? { license: manifest.license } : {}),
    private: true,
    main: PLUGIN_ENTRY,
    ...(manifest.engines ? { engines: manifest.engines } : {}),
    // The plugin serves gRPC with @pulumi/pulumi/provider: a runtime dependency here.
    dependencies: { ...manifest.dependencies, "@pulumi/pulumi": pulumi },
  };
  await writeFile(join(stage, "package.json"), `${JSON.stringify(staged, null, 2)}\n`);
  await copyFile(join(ROOT, "package-lock.json"), join(stage, "package-lock.json"));
  await run(
    NPM,
    [
      "install",
      "--omit=dev",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--no-update-notifier",
      offline ? "--offline" : "--prefer-offline",
    ],
    { cwd: stage },
  );
  const locked = new Set(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path !== "" && !entry.link)
      .map(([path, entry]) => `${nameAt(path)}@${entry.version}`),
  );
  const installed = await readJson<LockFile>(join(stage, "node_modules", ".package-lock.json"));
  const foreign = Object.entries(installed.packages)
    .filter(([path]) => path !== "")
    .map(([path, entry]) => `${nameAt(path)}@${entry.version}`)
    .filter((id) => !locked.has(id));
  if (foreign.length > 0)
    throw new Error(
      `pack-plugin: npm installed versions that package-lock.json does not hold: ${foreign.join(", ")}`,
    );
  await rm(join(stage, "package-lock.json"));
  await rm(join(stage, "node_modules", ".package-lock.json"));
}

/** Removes what nothing loads at run time; fails on a native addon (the tarball must fit every platform). */
async function prune(modules: string): Promise<void> {
  const entries = await readdir(modules, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    if (e.isDirectory() && e.name === ".bin") await rm(path, { recursive: true, force: true });
  }
  for (const e of await readdir(modules, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    if (e.name.endsWith(".node"))
      throw new Error(`pack-plugin: ${join(e.parentPath, e.name)} is a native addon`);
    if (isStrippable(e.name)) await rm(join(e.parentPath, e.name));
  }
}

/**
 * Compiles (or, with `fromDist`, copies `dist/`) and packs the plugin.
 * @returns the tarballs written, their size and hash
 * @throws Error when the compilation fails, `dist/plugin/main.js` is missing, the schema names
 * another package, npm fails, or the dependencies include a native addon.
 */
export async function packPlugin(options: PackPluginOptions = {}): Promise<PackedPlugin> {
  const started = Date.now();
  const say = options.onProgress ?? (() => undefined);
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const platforms = options.platforms?.length ? options.platforms : [currentPlatform()];
  for (const platform of platforms)
    if (!/^(linux|darwin|windows)-(amd64|arm64)$/.test(platform))
      throw new Error(
        `pack-plugin: --platform ${platform} is not <os>-<arch> with os linux, darwin or windows and arch amd64 or arm64`,
      );
  const schema = await readJson<{ name?: string }>(join(ROOT, "schema", "schema.json"));
  if (schema.name !== PLUGIN_NAME)
    throw new Error(
      `pack-plugin: schema/schema.json names the package "${schema.name}", the plugin is "${PLUGIN_NAME}": regenerate it (npm run gen-sdk)`,
    );
  const manifest = await readJson<Manifest>(join(ROOT, "package.json"));

  const stage = await mkdtemp(join(tmpdir(), "pack-plugin-"));
  try {
    say(`staging in ${stage}`);
    if (options.fromDist) {
      if (!existsSync(join(ROOT, PLUGIN_ENTRY)))
        throw new Error(
          `pack-plugin: ${PLUGIN_ENTRY} is missing: run \`npm run build\` first, or pack without --from-dist`,
        );
      await cp(join(ROOT, "dist"), join(stage, "dist"), {
        recursive: true,
        filter: (source) => !/\.d\.ts$|\.map$/.test(source),
      });
    } else {
      say("tsc -p tsconfig.build.json (into the staging folder)");
      await run(
        process.execPath,
        [
          require.resolve("typescript/bin/tsc"),
          "-p",
          join(ROOT, "tsconfig.build.json"),
          "--outDir",
          join(stage, "dist"),
          "--declaration",
          "false",
        ],
        { cwd: ROOT },
      );
    }
    if (!existsSync(join(stage, PLUGIN_ENTRY)))
      throw new Error(
        `pack-plugin: the build has no ${PLUGIN_ENTRY} (the plugin's sources are provider/plugin/)`,
      );
    await mkdir(join(stage, "schema"));
    await copyFile(join(ROOT, "schema", "schema.json"), join(stage, "schema", "schema.json"));
    await copyFile(join(ROOT, "LICENSE"), join(stage, "LICENSE"));
    say(`npm install --omit=dev (${options.offline ? "offline" : "prefer-offline"})`);
    await installDependencies(stage, manifest, options.offline ?? false);
    await prune(join(stage, "node_modules"));
    await copyFile(SH_WRAPPER_SOURCE, join(stage, PLUGIN_EXECUTABLE));
    await chmod(join(stage, PLUGIN_EXECUTABLE), 0o755);
    await writeFile(join(stage, `${PLUGIN_EXECUTABLE}.cmd`), CMD_WRAPPER);

    const entries = await entriesUnder(stage);
    let unpackedBytes = 0;
    for (const e of entries) if (!e.isDir) unpackedBytes += (await stat(join(stage, e.path))).size;
    await mkdir(outDir, { recursive: true });
    const first = join(outDir, tarballName(manifest.version, platforms[0] as string));
    say(`writing ${first}`);
    await createTar(
      {
        gzip: { level: 9 },
        file: first,
        cwd: stage,
        portable: true,
        mtime: FIXED_MTIME,
        noDirRecurse: true,
      },
      entries.map((e) => e.path),
    );
    const bytes = await readFile(first);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const tarballs = [{ platform: platforms[0] as string, path: first }];
    for (const platform of platforms.slice(1)) {
      const path = join(outDir, tarballName(manifest.version, platform));
      await copyFile(first, path);
      tarballs.push({ platform, path });
    }
    // `sha256sum -c` format, for users who check a download.
    for (const t of tarballs)
      await writeFile(`${t.path}.sha256`, `${sha256}  ${basename(t.path)}\n`);
    return {
      version: manifest.version,
      tarballs,
      bytes: bytes.length,
      unpackedBytes,
      files: entries.filter((e) => !e.isDir).length,
      sha256,
      ms: Date.now() - started,
    };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

const MIB = 1024 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      "from-dist": { type: "boolean", default: false },
      platform: { type: "string", multiple: true },
      offline: { type: "boolean", default: false },
    },
  });
  const packed = await packPlugin({
    fromDist: values["from-dist"],
    offline: values.offline,
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.platform ? { platforms: values.platform } : {}),
    onProgress: (line) => console.error(`[pack-plugin] ${line}`),
  });
  for (const t of packed.tarballs) console.log(relative(process.cwd(), t.path));
  console.error(
    `[pack-plugin] v${packed.version}: ${(packed.bytes / MIB).toFixed(1)} MiB compressed, ` +
      `${(packed.unpackedBytes / MIB).toFixed(1)} MiB in ${packed.files} files, ` +
      `sha256 ${packed.sha256}, ${(packed.ms / 1000).toFixed(1)} s`,
  );
  console.error(
    `[pack-plugin] install: pulumi plugin install resource ${PLUGIN_NAME} ${packed.version} --file ${relative(process.cwd(), packed.tarballs[0]?.path ?? "")}`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}

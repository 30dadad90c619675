/**
 * The toolchains that run the Python, Go and YAML example programs (`examples/python`,
 * `examples/go`, `examples/yaml`) under the real `pulumi` CLI, prepared once into a cache outside
 * the repository (next to the CLI of pulumi-cli/index.ts) and reused while their inputs are
 * unchanged. A later call finds each one and returns at once.
 *
 * Pulumi's language hosts for Python and Go (`pulumi-language-python`, `pulumi-language-go`) are
 * Go modules that the Go module proxy does not serve (schema/README.md, "Why not `pulumi package
 * gen-sdk`"), so those two languages run as Automation API inline programs: the program runs
 * inside the driver's own process, which serves the CLI the language runtime itself
 * (`pulumi up --client=<address>`), as the Node harness does (host-harness/stack-driver.js).
 * - Python: a virtualenv with `pulumi` from PyPI and the generated SDK `sdk/python` installed into
 *   it with pip; `language-hosts/python/run_program.py` runs `examples/python/__main__.py`
 *   unchanged inside an inline program.
 * - Go: `examples/go` is itself an Automation API program (`auto.UpsertStackInlineSource`) built
 *   with `go build` against `github.com/pulumi/pulumi/sdk/v3` and the generated SDK `sdk/go` (a
 *   `replace` in its go.mod).
 * - YAML: `pulumi-language-yaml`, which the proxy serves (`github.com/pulumi/pulumi-yaml`), built
 *   with `go install` and put on the CLI's `PATH`, where the CLI looks for language plugins.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { capture } from "../host-harness/exec";
import type { Captured } from "../host-harness/exec";
import { withLock } from "../host-harness/lock";

/** The repository root. */
export const REPO_DIR = resolve(__dirname, "..");
/**
 * The `pulumi` Python package pinned in the virtualenv: the newest on PyPI when this was written
 * (the CLI is v3.276.0; PyPI's newest is 3.272.0). The generated SDK asks for `>=3.269.0,<4`.
 */
export const PULUMI_PYTHON_VERSION = "3.272.0";
/** `github.com/pulumi/pulumi-yaml`'s version whose `cmd/pulumi-language-yaml` is built. */
export const PULUMI_YAML_VERSION = "1.25.0";
/** The YAML language host's Go package. */
const YAML_PACKAGE = "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml";
/** The executable's name (the CLI looks for `pulumi-language-<runtime>` on PATH). */
export const YAML_HOST = "pulumi-language-yaml";
/** The Go example's executable, in its cache folder. */
export const GO_PROGRAM = "atlas-invitations-go";
/** Where the examples are. */
export const EXAMPLES_DIR = join(REPO_DIR, "examples");
const SDK_DIR = join(REPO_DIR, "sdk");
/** Files a build leaves in an SDK folder, never part of what it is (schema/README.md). */
const BUILD_LEFTOVERS = /(^|\/)(__pycache__|build|dist|node_modules|bin|[^/]*\.egg-info)(\/|$)/;

/** The languages prepared here. */
export type Language = "python" | "go" | "yaml";
export const LANGUAGES: readonly Language[] = ["python", "go", "yaml"];

/** Where a toolchain came from: found ready in the cache, or prepared by this call. */
export type ToolchainSource = "cache" | "built";

interface Prepared {
  source: ToolchainSource;
  /** Seconds this call took (the preparation, when `built`). */
  seconds: number;
  /** The cache folder holding it. */
  dir: string;
}

/** A virtualenv with `pulumi` and the generated Python SDK. */
export interface PythonToolchain extends Prepared {
  language: "python";
  /** The virtualenv's `python`. */
  python: string;
  /** `pulumi`'s version in it. */
  pulumiVersion: string;
  /** The import name of the generated SDK (the folder of `sdk/python` with `__init__.py`). */
  sdkModule: string;
}

/** The Go example, built. */
export interface GoToolchain extends Prepared {
  language: "go";
  /** The executable built from `examples/go`. */
  program: string;
}

/** The YAML language host. */
export interface YamlToolchain extends Prepared {
  language: "yaml";
  /** The folder holding `pulumi-language-yaml`, to put on the CLI's `PATH`. */
  binDir: string;
  version: string;
}

export type Toolchain = PythonToolchain | GoToolchain | YamlToolchain;

/** How the toolchains are looked for and prepared. */
export interface ToolchainOptions {
  /**
   * Cache root (the CLI's): `$PULUMI_ATLAS_CLI_CACHE`, else `$XDG_CACHE_HOME/pulumi-atlas-org-invitations`,
   * else `~/.cache/pulumi-atlas-org-invitations`. The toolchains go in its `languages/` folder.
   */
  cacheDir?: string;
  /** Progress lines. @default console.error */
  onProgress?: (line: string) => void;
  /** The Python to make the virtualenv with. @default `$PULUMI_ATLAS_PYTHON`, else `python3` */
  python?: string;
}

/** The cache root, as pulumi-cli/index.ts chooses it. */
export function defaultCacheDir(): string {
  const fromEnv = process.env["PULUMI_ATLAS_CLI_CACHE"];
  if (fromEnv) {
    if (fromEnv.startsWith("~"))
      throw new Error(
        `PULUMI_ATLAS_CLI_CACHE=${fromEnv}: write the folder as an absolute path (the shell does not expand ~ inside a value)`,
      );
    return resolve(fromEnv);
  }
  const base = process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return join(base, "pulumi-atlas-org-invitations");
}

/** A command's failure as an Error naming it, with the last lines of its output. */
function failed(what: string, result: Captured): Error {
  const tail = (text: string): string => text.trimEnd().split("\n").slice(-30).join("\n");
  return new Error(
    `${what} failed (${result.signal ? `signal ${result.signal}` : `exit ${result.code}`}):\n` +
      `${tail(result.stdout)}\n${tail(result.stderr)}`,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((path) => !BUILD_LEFTOVERS.test(path))
    .sort();
}

/** sha256 (12 hex) over the names and contents of `files` (relative to `dir`). */
async function hashFiles(dir: string, files: readonly string[], extra = ""): Promise<string> {
  const hash = createHash("sha256").update(extra);
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(join(dir, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

const secondsSince = (started: number): number => (Date.now() - started) / 1000;
/** While a Go build runs, a line this often says it is still going. */
const PROGRESS_EVERY_MS = 30_000;

/** Runs `work`, printing `<label>: ...N s` every {@link PROGRESS_EVERY_MS} until it settles. */
async function ticking<T>(
  label: string,
  progress: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(
    () => progress(`${label}: ...${secondsSince(started).toFixed(0)} s`),
    PROGRESS_EVERY_MS,
  );
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function readMarker(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    return undefined;
  }
}

async function goVersion(): Promise<string> {
  const go = await capture("go", ["version"], { cwd: REPO_DIR }).catch((error: unknown) => {
    throw new Error(
      `no Go to build with (${error instanceof Error ? error.message : String(error)}): install Go 1.26.6 or later`,
    );
  });
  if (go.code !== 0) throw failed("`go version`", go);
  return go.stdout.trim();
}

/** The SDK folder of `sdk/python` that holds `__init__.py`: the import name. */
async function pythonSdkModule(): Promise<string> {
  const dir = join(SDK_DIR, "python");
  const entries = await readdir(dir, { withFileTypes: true });
  const modules = entries
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "__init__.py")))
    .map((e) => e.name);
  if (modules.length !== 1)
    throw new Error(
      `sdk/python should hold one package folder with __init__.py, found ${modules.length} (${modules.join(", ")}): run npm run gen-sdk`,
    );
  return modules[0] as string;
}

/**
 * A virtualenv with `pulumi` {@link PULUMI_PYTHON_VERSION} from PyPI and the generated SDK
 * `sdk/python` installed into it (pip install of a copy of the folder, so that pip's build
 * leaves nothing in the repository). The virtualenv is made once per Python and `pulumi`
 * version; the SDK is installed again when its files change.
 *
 * @throws Error when Python or pip fails (no `python3`, PyPI unreachable), with the output's tail.
 */
export async function ensurePython(options: ToolchainOptions = {}): Promise<PythonToolchain> {
  const started = Date.now();
  const progress = options.onProgress ?? ((line: string) => console.error(line));
  const python = options.python ?? process.env["PULUMI_ATLAS_PYTHON"] ?? "python3";
  const probe = await capture(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    cwd: REPO_DIR,
  }).catch((error: unknown) => {
    throw new Error(
      `no ${python} to make the virtualenv with (${error instanceof Error ? error.message : String(error)}): ` +
        `install Python 3.9 or later, or set PULUMI_ATLAS_PYTHON to one`,
    );
  });
  if (probe.code !== 0) throw failed(`\`${python} --version\``, probe);
  const pyVersion = probe.stdout.trim();
  const dir = join(
    options.cacheDir ?? defaultCacheDir(),
    "languages",
    `python${pyVersion}-pulumi-${PULUMI_PYTHON_VERSION}`,
  );
  const venv = join(dir, "venv");
  const venvPython = join(venv, "bin", "python");
  const sdkDir = join(SDK_DIR, "python");
  const sdkModule = await pythonSdkModule();
  const sdkHash = await hashFiles(sdkDir, await filesUnder(sdkDir));
  const ready = async (): Promise<boolean> =>
    (await readMarker(join(dir, "venv.ready"))) === PULUMI_PYTHON_VERSION &&
    (await readMarker(join(dir, "sdk.sha256"))) === sdkHash &&
    existsSync(venvPython);
  const result = (source: ToolchainSource): PythonToolchain => ({
    language: "python",
    source,
    seconds: secondsSince(started),
    dir,
    python: venvPython,
    pulumiVersion: PULUMI_PYTHON_VERSION,
    sdkModule,
  });
  if (await ready()) return result("cache");
  await mkdir(dir, { recursive: true });
  return withLock(join(dir, ".lock"), async () => {
    if (await ready()) return result("cache");
    if (
      (await readMarker(join(dir, "venv.ready"))) !== PULUMI_PYTHON_VERSION ||
      !existsSync(venvPython)
    ) {
      progress(`python: making a virtualenv with pulumi==${PULUMI_PYTHON_VERSION} from PyPI`);
      // The markers go first: a run that stops half-way leaves a virtualenv no later run trusts.
      await rm(join(dir, "venv.ready"), { force: true });
      await rm(join(dir, "sdk.sha256"), { force: true });
      await rm(venv, { recursive: true, force: true });
      const made = await capture(python, ["-m", "venv", venv], { cwd: dir });
      if (made.code !== 0) throw failed(`\`${python} -m venv\``, made);
      const pip = await capture(
        venvPython,
        [
          "-m",
          "pip",
          "install",
          "--disable-pip-version-check",
          "--no-input",
          "-q",
          `pulumi==${PULUMI_PYTHON_VERSION}`,
          // The SDK's build backend, so that the SDK installs without an isolated build env.
          "setuptools>=61",
          "wheel",
        ],
        { cwd: dir, env: { ...process.env, PIP_NO_INPUT: "1" } },
      );
      if (pip.code !== 0) throw failed(`pip install pulumi==${PULUMI_PYTHON_VERSION}`, pip);
      await writeFile(join(dir, "venv.ready"), `${PULUMI_PYTHON_VERSION}\n`);
    }
    progress(`python: installing the generated SDK sdk/python (${sdkModule}) into the virtualenv`);
    const copy = await mkdtemp(join(tmpdir(), "atlas-python-sdk-"));
    try {
      await cp(sdkDir, join(copy, "python"), {
        recursive: true,
        filter: (source) => !BUILD_LEFTOVERS.test(relative(sdkDir, source)),
      });
      const pip = await capture(
        venvPython,
        [
          "-m",
          "pip",
          "install",
          "--disable-pip-version-check",
          "--no-input",
          "-q",
          "--no-build-isolation",
          "--force-reinstall",
          "--no-deps",
          join(copy, "python"),
        ],
        { cwd: copy },
      );
      if (pip.code !== 0) throw failed("pip install sdk/python", pip);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
    const check = await capture(venvPython, ["-c", `import pulumi, ${sdkModule}`], { cwd: dir });
    if (check.code !== 0) throw failed(`import ${sdkModule} in the virtualenv`, check);
    await writeFile(join(dir, "sdk.sha256"), `${sdkHash}\n`);
    const took = result("built");
    progress(`python: ready in ${took.seconds.toFixed(0)} s: ${venvPython}`);
    return took;
  });
}

/**
 * The Go example `examples/go` built into the cache, keyed by its sources, `sdk/go` and the Go
 * version. `-mod=readonly`: its go.sum is the record of what may be fetched, never rewritten.
 *
 * @throws Error when Go is missing or the build fails, with the output's tail.
 */
export async function ensureGo(options: ToolchainOptions = {}): Promise<GoToolchain> {
  const started = Date.now();
  const progress = options.onProgress ?? ((line: string) => console.error(line));
  const version = await goVersion();
  const source = join(EXAMPLES_DIR, "go");
  const sourceFiles = (await filesUnder(source)).filter((f) => /(\.go|go\.mod|go\.sum)$/.test(f));
  const sdkDir = join(SDK_DIR, "go");
  const key = `${await hashFiles(source, sourceFiles, version)}-${await hashFiles(sdkDir, await filesUnder(sdkDir))}`;
  const root = join(options.cacheDir ?? defaultCacheDir(), "languages");
  const dir = join(root, `go-program-${key}`);
  const program = join(dir, GO_PROGRAM);
  const result = (source: ToolchainSource): GoToolchain => ({
    language: "go",
    source,
    seconds: secondsSince(started),
    dir,
    program,
  });
  if (existsSync(program)) return result("cache");
  await mkdir(root, { recursive: true });
  return withLock(
    join(root, ".go-program-lock"),
    async () => {
      if (existsSync(program)) return result("cache");
      progress(`go: building examples/go with ${version} (first run only)`);
      await mkdir(dir, { recursive: true });
      const temp = `${program}.${process.pid}.tmp`;
      const build = await ticking("go", progress, () =>
        capture("go", ["build", "-trimpath", "-o", temp, "."], {
          cwd: source,
          env: { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
        }),
      );
      if (build.code !== 0) {
        await rm(dir, { recursive: true, force: true });
        throw failed("go build of examples/go", build);
      }
      await rename(temp, program);
      // Builds of earlier sources are of no further use.
      for (const old of await readdir(root))
        if (old.startsWith("go-program-") && join(root, old) !== dir)
          await rm(join(root, old), { recursive: true, force: true });
      const took = result("built");
      progress(`go: built in ${took.seconds.toFixed(0)} s: ${program}`);
      return took;
    },
    { timeoutMs: 30 * 60_000 },
  );
}

/**
 * `pulumi-language-yaml` {@link PULUMI_YAML_VERSION}, built with `go install` from the Go
 * module proxy into the cache.
 *
 * @throws Error when Go is missing or the proxy refuses the module, with the output's tail.
 */
export async function ensureYaml(options: ToolchainOptions = {}): Promise<YamlToolchain> {
  const started = Date.now();
  const progress = options.onProgress ?? ((line: string) => console.error(line));
  const dir = join(
    options.cacheDir ?? defaultCacheDir(),
    "languages",
    `pulumi-language-yaml-v${PULUMI_YAML_VERSION}`,
  );
  const binDir = join(dir, "bin");
  const result = (source: ToolchainSource): YamlToolchain => ({
    language: "yaml",
    source,
    seconds: secondsSince(started),
    dir,
    binDir,
    version: PULUMI_YAML_VERSION,
  });
  if (existsSync(join(binDir, YAML_HOST))) return result("cache");
  await mkdir(dir, { recursive: true });
  return withLock(
    join(dir, ".lock"),
    async () => {
      if (existsSync(join(binDir, YAML_HOST))) return result("cache");
      const version = await goVersion();
      progress(
        `yaml: building ${YAML_PACKAGE}@v${PULUMI_YAML_VERSION} with ${version} (first run only)`,
      );
      // Installed into a folder of its own, then moved: a half-written binary is never found.
      const staging = join(dir, `bin.${process.pid}.tmp`);
      await rm(staging, { recursive: true, force: true });
      const install = await ticking("yaml", progress, () =>
        capture("go", ["install", "-trimpath", `${YAML_PACKAGE}@v${PULUMI_YAML_VERSION}`], {
          cwd: dir,
          // `go install module@version` builds from the module's own go.mod, outside any local
          // module (so no -mod flag applies); its downloads are checked against GOSUMDB as usual.
          env: { ...process.env, GOBIN: staging, CGO_ENABLED: "0" },
        }),
      );
      if (install.code !== 0) {
        await rm(staging, { recursive: true, force: true });
        throw failed(`go install ${YAML_PACKAGE}@v${PULUMI_YAML_VERSION}`, install);
      }
      await rm(binDir, { recursive: true, force: true });
      await rename(staging, binDir);
      const took = result("built");
      progress(`yaml: built in ${took.seconds.toFixed(0)} s: ${join(binDir, YAML_HOST)}`);
      return took;
    },
    { timeoutMs: 30 * 60_000 },
  );
}

/** Each language's toolchain, or why it could not be prepared. */
export type ToolchainStatus =
  | { language: Language; ok: true; toolchain: Toolchain }
  | { language: Language; ok: false; reason: string };

const ENSURE: Record<Language, (options: ToolchainOptions) => Promise<Toolchain>> = {
  python: ensurePython,
  go: ensureGo,
  yaml: ensureYaml,
};

/**
 * Every language's toolchain, one after the other (the Go builds would only compete for the same
 * cores). A language that cannot be prepared is reported with the reason, not thrown.
 */
export async function ensureToolchains(
  languages: readonly Language[] = LANGUAGES,
  options: ToolchainOptions = {},
): Promise<ToolchainStatus[]> {
  const out: ToolchainStatus[] = [];
  for (const language of languages) {
    try {
      out.push({ language, ok: true, toolchain: await ENSURE[language](options) });
    } catch (error) {
      out.push({
        language,
        ok: false,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return out;
}

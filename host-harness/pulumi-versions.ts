/**
 * `@pulumi/pulumi` versions for the runtime matrix, asked of the registry with the ordinary npm
 * client: the newest release inside the package's peer range, so the matrix tracks what a user
 * installing today gets.
 */
import { tmpdir } from "node:os";
import { NPM, run } from "./exec";

/** Numeric x.y.z comparison; pre-releases are never candidates (npm's range excludes them). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest published `@pulumi/pulumi` matching `range` (npm semver syntax). */
export async function newestPulumi(range: string = "<4"): Promise<string> {
  const { stdout } = await run(NPM, ["view", `@pulumi/pulumi@${range}`, "version", "--json"], {
    cwd: tmpdir(),
  });
  const parsed = JSON.parse(stdout) as string | string[];
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) =>
    /^\d+\.\d+\.\d+$/.test(v),
  );
  const newest = versions.sort(compareVersions).at(-1);
  if (!newest) throw new Error(`npm lists no @pulumi/pulumi release matching ${range}: ${stdout}`);
  return newest;
}

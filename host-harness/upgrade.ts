/**
 * A user's upgrade, for the upgrade tests: a project of their own (a copy of a prepared
 * consumer, so it can change without touching the shared cache), then a newer package installed
 * over it with `npm install <tarball>` as a user would: the current package over a released one
 * (`installTarball`), or a "next version" packed from the installed one with a new version number
 * and a marker line in its runtime entry point (`installNextVersion`).
 */
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGE_NAME, assertRealInstall } from "./consumer";
import type { Consumer } from "./consumer";
import { NPM, run } from "./exec";

/** A copy of `consumer` at `dir`, symlinks in node_modules kept as they are. */
export async function copyConsumer(consumer: Consumer, dir: string): Promise<Consumer> {
  await cp(consumer.dir, dir, { recursive: true, verbatimSymlinks: true });
  const copy: Consumer = {
    ...consumer,
    dir,
    packageDir: join(dir, "node_modules", PACKAGE_NAME),
    tarball: join(dir, `${PACKAGE_NAME}.tgz`),
  };
  await assertRealInstall(copy);
  return copy;
}

/** `npm install <tarball>` in the project, as a user upgrades; the package stays a real copy. */
export async function installTarball(project: Consumer, tarball: string): Promise<void> {
  await run(NPM, ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: project.dir,
  });
  await assertRealInstall(project);
}

export interface NextVersion {
  version: string;
  /** A line the new runtime entry point writes to stderr when the host loads it. */
  marker: string;
}

/**
 * Packs the installed package again as `next.version`, its `dist/runtime.js` (the stable
 * subpath every `__provider` requires) first printing `next.marker`, and installs it into the
 * project. `workDir` holds the staging copy and the tarball.
 */
export async function installNextVersion(
  project: Consumer,
  workDir: string,
  next: NextVersion,
): Promise<void> {
  const staging = join(workDir, "next-package");
  await cp(project.packageDir, staging, { recursive: true });
  const manifestFile = join(staging, "package.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
  await writeFile(manifestFile, JSON.stringify({ ...manifest, version: next.version }, null, 2));
  const runtime = join(staging, "dist", "runtime.js");
  const code = await readFile(runtime, "utf8");
  if (!code.startsWith('"use strict";')) throw new Error(`${runtime} is not tsc's CommonJS output`);
  const line = `process.stderr.write(${JSON.stringify(`${next.marker}\n`)});`;
  await writeFile(runtime, code.replace('"use strict";', `"use strict";\n${line}`));
  // --ignore-scripts: the installed manifest still names `prepack: npm run build`, for sources
  // that are not in the package.
  const { stdout } = await run(
    NPM,
    ["pack", "--ignore-scripts", "--json", "--pack-destination", workDir],
    { cwd: staging },
  );
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${stdout}`);
  await installTarball(project, join(workDir, info.filename));
}

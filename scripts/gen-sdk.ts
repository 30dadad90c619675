/**
 * Writes schema/schema.json from the package's own definitions and regenerates the SDKs in sdk/
 * from it (issue 21, items 2 and 3): `npm run gen-sdk`.
 *
 * The schema is not written by hand: `packageSchema()` (provider/schema.ts) derives it from the
 * resource's property table (provider/properties.ts, which `check` reads too) and the settings
 * table (provider/settings-table.ts), and this script writes it, formatted by prettier as the
 * repository's lint expects. test/unit/schema.test.ts fails when the file differs from it.
 *
 * `pulumi package gen-sdk` needs a language host plugin per language (`pulumi-language-nodejs`,
 * ...), and the Go module proxy serves none of them (schema/README.md has the refusals), so this
 * runs the code generators of `github.com/pulumi/pulumi/pkg/v3` directly: `go run .` in sdkgen/,
 * the program each language host would run. Then it writes sdk/MANIFEST.sha256: the sha256 of
 * schema/schema.json and of every generated file, in `sha256sum` format, which the unit test
 * (test/unit/schema.test.ts) recomputes without Go. Editing the schema or a generated file without
 * regenerating therefore fails the tests.
 *
 *   npm run gen-sdk                    write the schema, regenerate nodejs, python and go, and
 *                                      the manifest
 *   npm run gen-sdk -- --check         derive the schema and regenerate into a temporary folder,
 *                                      and compare with schema/ and sdk/ (exit 1 on any
 *                                      difference); needs Go, unlike the test
 *   npm run gen-sdk -- --schema        write the schema only (no Go); the SDKs are then stale
 *   npm run gen-sdk -- --manifest      rewrite the manifest only (no Go)
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { packageSchema } from "../provider/schema";

export const ROOT = join(__dirname, "..");
/** Repository-relative paths, with `/`, as the manifest writes them. */
export const SCHEMA_PATH = "schema/schema.json";
export const SDK_DIR = "sdk";
export const MANIFEST_PATH = "sdk/MANIFEST.sha256";
/** The languages whose generators pkg/v3 has. C# and Java have none there (schema/README.md). */
export const LANGUAGES = ["nodejs", "python", "go"] as const;

/**
 * What building or installing a generated SDK leaves beside it (the generators' own .gitignore
 * files name most of these; the lock files are what `npm install`, yarn, pnpm or bun write in
 * sdk/nodejs, as docs/installation-configuration.md has the user run): never generated, so
 * neither listed in nor checked against the manifest.
 */
const BUILD_OUTPUTS = new Set([
  "node_modules",
  "package-lock.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "bin",
  "__pycache__",
  ".mypy_cache",
  "build",
  "dist",
  "venv",
  ".venv",
  "go.sum",
]);

function isBuildOutput(name: string): boolean {
  return BUILD_OUTPUTS.has(name) || name.endsWith(".egg-info") || name.endsWith(".pyc");
}

/** Every generated file under `dir` (an absolute path), repository-relative, sorted. */
export function generatedFiles(dir: string = join(ROOT, SDK_DIR)): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      if (isBuildOutput(name)) continue;
      const child = join(path, name);
      if (statSync(child).isDirectory()) walk(child);
      else out.push(relative(ROOT, child).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.filter((p) => p !== MANIFEST_PATH).sort();
}

export function sha256(path: string): string {
  return createHash("sha256")
    .update(readFileSync(join(ROOT, path)))
    .digest("hex");
}

/** The manifest's lines: the schema first, then every generated file in path order. */
export function manifestText(): string {
  const paths = [SCHEMA_PATH, ...generatedFiles()];
  return paths.map((p) => `${sha256(p)}  ${p}\n`).join("");
}

/** The manifest on disk, as path -> sha256. */
export function readManifest(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, MANIFEST_PATH), "utf8").split("\n")) {
    if (line === "") continue;
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match?.[1] || !match[2]) throw new Error(`${MANIFEST_PATH}: unreadable line ${line}`);
    entries.set(match[2], match[1]);
  }
  return entries;
}

/** schema/schema.json as it must be: `packageSchema()`, formatted as prettier formats the file. */
export async function schemaText(): Promise<string> {
  // Loaded here, not at the top: the unit test imports this module, and prettier's CommonJS entry
  // starts a dynamic import that jest refuses without --experimental-vm-modules.
  const { format, resolveConfig } = await import("prettier");
  const options = await resolveConfig(join(ROOT, SCHEMA_PATH));
  return format(JSON.stringify(packageSchema(), null, 2), { ...options, parser: "json" });
}

function runGenerator(schemaPath: string, outDir: string): void {
  execFileSync("go", ["run", ".", schemaPath, outDir, ...LANGUAGES], {
    cwd: join(ROOT, "sdkgen"),
    stdio: "inherit",
  });
}

/** Files of `a` and `b` (two generated trees) that differ, are missing or are extra. */
function compareTrees(expected: string, actual: string): string[] {
  const list = (dir: string): Map<string, Buffer> => {
    const files = new Map<string, Buffer>();
    const walk = (path: string): void => {
      for (const name of readdirSync(path)) {
        if (isBuildOutput(name)) continue;
        const child = join(path, name);
        if (statSync(child).isDirectory()) walk(child);
        else files.set(relative(dir, child).split(sep).join("/"), readFileSync(child));
      }
    };
    walk(dir);
    return files;
  };
  const want = list(expected);
  const have = list(actual);
  have.delete("MANIFEST.sha256");
  const problems: string[] = [];
  for (const [path, data] of want) {
    const got = have.get(path);
    if (got === undefined) problems.push(`missing: sdk/${path}`);
    else if (!got.equals(data)) problems.push(`differs: sdk/${path}`);
  }
  for (const path of have.keys()) if (!want.has(path)) problems.push(`extra: sdk/${path}`);
  return problems;
}

async function main(args: string[]): Promise<number> {
  const started = Date.now();
  const schema = await schemaText();
  if (args.includes("--schema")) {
    writeFileSync(join(ROOT, SCHEMA_PATH), schema);
    console.log(`gen-sdk: wrote ${SCHEMA_PATH}; run npm run gen-sdk to regenerate sdk/`);
    return 0;
  }
  if (args.includes("--manifest")) {
    writeFileSync(join(ROOT, MANIFEST_PATH), manifestText());
    console.log(`gen-sdk: wrote ${MANIFEST_PATH}`);
    return 0;
  }
  if (args.includes("--check")) {
    const tmp = mkdtempSync(join(tmpdir(), "gen-sdk-"));
    try {
      const fresh = join(tmp, "schema.json");
      writeFileSync(fresh, schema);
      const out = join(tmp, "sdk");
      runGenerator(fresh, out);
      const problems = compareTrees(out, join(ROOT, SDK_DIR));
      if (readFileSync(join(ROOT, SCHEMA_PATH), "utf8") !== schema) {
        problems.unshift(`stale: ${SCHEMA_PATH} (not what provider/schema.ts derives)`);
      }
      const manifest = readFileSync(join(ROOT, MANIFEST_PATH), "utf8");
      if (manifest !== manifestText()) problems.push(`stale: ${MANIFEST_PATH}`);
      for (const p of problems) console.error(`gen-sdk --check: ${p}`);
      console.log(
        `gen-sdk --check: ${problems.length === 0 ? "up to date" : "stale: run npm run gen-sdk"} (${Date.now() - started} ms)`,
      );
      return problems.length === 0 ? 0 : 1;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  writeFileSync(join(ROOT, SCHEMA_PATH), schema);
  runGenerator(join(ROOT, SCHEMA_PATH), join(ROOT, SDK_DIR));
  const generated = Date.now();
  writeFileSync(join(ROOT, MANIFEST_PATH), manifestText());
  console.log(
    `gen-sdk: ${generatedFiles().length} files in ${SDK_DIR}/ and ${MANIFEST_PATH}; ` +
      `go run (build and generate) ${generated - started} ms`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

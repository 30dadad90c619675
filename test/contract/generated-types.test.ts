/**
 * The generated types and the vendored slice must not drift: from each other (the generator's
 * `--check`), nor from the shared copy of the slice that CI keeps beside the clone.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const root = join(__dirname, "..", "..");
const SLICE = "atlas-admin-v2-org-invites-users.json";
const vendored = join(root, "openapi", SLICE);
const shared = join(root, "..", "shared", "atlas-openapi", SLICE);

describe("generated OpenAPI types", () => {
  it("are what scripts/generate-types.ts produces from the vendored slice", async () => {
    const run = promisify(execFile);
    const { stdout } = await run("npx", ["tsx", "scripts/generate-types.ts", "--check"], {
      cwd: root,
      timeout: 60_000,
    });
    // execFile rejects on a non-zero exit, so reaching this line means exit code 0.
    expect(stdout).toContain("generated types are up to date");
  }, 90_000);
});

describe("vendored OpenAPI slice", () => {
  it("is byte-identical to ../shared/atlas-openapi when that copy exists", () => {
    if (!existsSync(shared)) {
      console.warn(`note: ${shared} not found; skipping the comparison with the shared slice`);
      return;
    }
    expect(readFileSync(vendored).equals(readFileSync(shared))).toBe(true);
  });
});

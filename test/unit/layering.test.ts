/**
 * The layering (issue 20): the Atlas client (provider/atlas/, published as `./atlas`) stands on
 * nothing else of the package, so it carries no Pulumi word and can be used without Pulumi. Read
 * from the sources' import lines, so a new import across the seam fails here.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = join(__dirname, "..", "..");
const ATLAS = join(ROOT, "provider", "atlas");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative module a file imports or re-exports. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s+"(\.[^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("the Atlas client's layer", () => {
  it("imports nothing from the rest of provider/: every relative import stays inside provider/atlas", () => {
    const crossings = sources(ATLAS).flatMap((file) =>
      relativeImports(file)
        .map((spec) => normalize(join(dirname(file), spec)))
        .filter((target) => relative(ATLAS, target).startsWith(".."))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(crossings).toEqual([]);
  });

  it("names no Pulumi config key, Pulumi command or provider variable in its messages", () => {
    const offending = sources(ATLAS)
      .filter((file) => !file.includes(`${join("atlas", "generated")}`))
      .filter((file) =>
        /`pulumi config|mongodbatlas:[a-zA-Z]|atlasInvitations:[a-zA-Z]|MONGODB_ATLAS_|ATLAS_INVITATIONS_/.test(
          readFileSync(file, "utf8"),
        ),
      )
      .map((file) => relative(ROOT, file));
    expect(offending).toEqual([]);
  });
});

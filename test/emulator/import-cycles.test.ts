/**
 * The emulator's modules import one another without a cycle (type-only imports included), and
 * only the module that assembles the emulator (server.ts) imports core.ts: every other part sees
 * the narrow interface it declares (AtlasHost, OAuthHost, ControlHost, ControlHttpHost, AuthHost,
 * FaultHost). The graph comes from the import and export lines of emulator/**\/*.ts.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const EMULATOR = resolve(__dirname, "../../emulator");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `import ... from "./x"`, `export ... from "./x"`, `import "./x"`, `import("./x")`, `require("./x")`. */
const RELATIVE_IMPORT =
  /\b(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|\bimport\s*["'](\.{1,2}\/[^"']+)["']|\b(?:import|require)\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** The relative specifiers a module imports, comments left out. */
function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(RELATIVE_IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** Module -> the modules it imports, as paths relative to emulator/ (`auth/gate.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(EMULATOR)) {
    const targets = new Set<string>();
    for (const specifier of relativeImports(readFileSync(file, "utf8"))) {
      const base = resolve(dirname(file), specifier);
      const target = [`${base}.ts`, join(base, "index.ts"), base].find(
        (path) => path.endsWith(".ts") && existsSync(path),
      );
      if (target === undefined) {
        throw new Error(`${relative(EMULATOR, file)} imports ${specifier}: no such module`);
      }
      if (target.startsWith(`${EMULATOR}/`)) targets.add(relative(EMULATOR, target));
    }
    graph.set(relative(EMULATOR, file), [...targets].sort());
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each as the modules on it, first one repeated at the end. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      cycles.push([...path.slice(at), node]);
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return cycles;
}

test("the import parser reads single-line, multi-line, type-only, re-export and side-effect imports", () => {
  const source = [
    '/** A docstring that mentions import { x } from "./not-an-import". */',
    'import { a } from "./a";',
    "import type {",
    "  B,",
    "  C,",
    '} from "../b";',
    'export { d } from "./d";',
    'export type { E } from "./e";',
    'import "./f";',
    '// import { g } from "./g";',
    'const h = import("./h");',
    'import { readFileSync } from "node:fs";',
  ].join("\n");
  expect(relativeImports(source)).toEqual(["./a", "../b", "./d", "./e", "./f", "./h"]);
});

test("the cycle finder finds a cycle, and none in a graph without one", () => {
  const cyclic = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts", "d.ts"]],
    ["d.ts", []],
  ]);
  expect(findCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
  expect(findCycles(new Map([["a.ts", ["a.ts"]]]))).toEqual([["a.ts", "a.ts"]]);
  const acyclic = new Map([
    ["a.ts", ["b.ts", "c.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", []],
  ]);
  expect(findCycles(acyclic)).toEqual([]);
});

test("no import cycle inside emulator/", () => {
  const graph = importGraph();
  // Not vacuous: the walk saw the modules and the edges that assemble the emulator.
  expect(graph.size).toBeGreaterThan(20);
  expect(graph.get("server.ts")).toEqual(expect.arrayContaining(["core.ts", "dispatch.ts"]));
  expect(graph.get("dispatch.ts")).toEqual(expect.arrayContaining(["auth/gate.ts", "faults.ts"]));
  const cycles = findCycles(graph).map((cycle) => cycle.join(" -> "));
  expect(cycles).toEqual([]);
});

test("only server.ts, which assembles the emulator, imports core.ts", () => {
  const importers = [...importGraph()]
    .filter(([, targets]) => targets.includes("core.ts"))
    .map(([module]) => module);
  expect(importers).toEqual(["server.ts"]);
});

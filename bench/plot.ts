/**
 * `npm run bench -- --plot`: an SVG timeline of the bulk runs, drawn with Vega-Lite and rendered by
 * Vega in Node (no browser). The data and the spec are in plot-data.ts (pure, tested in jest);
 * this module only renders and writes.
 *
 * Manual check: `npx tsx bench/plot.ts phases.json out-dir` (phases.json: PhaseTimeline[]).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
// Type-only, so erased: the modules themselves are loaded by loadVega.
import type * as Vega from "vega";
import type * as VegaLite from "vega-lite";
import { timelineSpec, type PhaseTimeline, type TimelineSpecOptions } from "./plot-data";

export type {
  PhaseTimeline,
  ProgressPoint,
  RateBin,
  TimelineEvent,
  TimelineSeries,
  TimelineSpecOptions,
} from "./plot-data";
export { defaultBinMs, timelineSeries, timelineSpec } from "./plot-data";

/**
 * Loaded only when a plot is drawn: the other bench sections and their tests never pay for vega.
 * The 5.x line, whose engines include Node 20 (vega-lite 6 declares Node >= 22).
 */
async function loadVega(): Promise<{ vl: typeof VegaLite; vega: typeof Vega }> {
  const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
  return { vl, vega };
}

/**
 * Renders the phases, one under another, as one standalone SVG document.
 * @param options.width width of each panel's plot area, px (default 640)
 */
export async function renderTimelineSvg(
  phases: readonly PhaseTimeline[],
  options: TimelineSpecOptions = {},
): Promise<string> {
  const { vl, vega } = await loadVega();
  const spec = vl.compile(timelineSpec(phases, options)).spec;
  // renderer "none": no canvas or DOM; toSVG renders from the scenegraph on its own.
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes one SVG per phase into `dir` (created if missing), named `timeline-<i>-<title>.svg` so
 * each can be linked on its own, and returns their absolute paths in phase order.
 */
export async function writeTimelinePlot(
  dir: string,
  phases: readonly PhaseTimeline[],
  options: TimelineSpecOptions = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, phase] of phases.entries()) {
    const path = resolve(join(dir, `timeline-${i + 1}-${slug(phase.title)}.svg`));
    await writeFile(path, await renderTimelineSvg([phase], options));
    paths.push(path);
  }
  return paths;
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "phase"
  );
}

async function main(argv: string[]): Promise<void> {
  const [input, dir] = argv;
  if (input === undefined || dir === undefined) {
    console.error("usage: tsx bench/plot.ts phases.json out-dir");
    process.exit(2);
  }
  const phases = JSON.parse(await readFile(input, "utf8")) as PhaseTimeline[];
  for (const path of await writeTimelinePlot(dir, phases)) console.log(path);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}

/**
 * The pure half of `--plot`: bulk-run events binned into rates, and the Vega-Lite spec that draws
 * them. Nothing here loads vega, so these tests stay fast; plot.ts does the rendering.
 */
// Type-only: erased at run time. vega-lite's root types do not re-export these, hence the deep paths.
import type { TopLevelSpec } from "vega-lite";
import type { LayerSpec, NonNormalizedSpec } from "vega-lite/build/src/spec/index";
import type { Field, PositionDef } from "vega-lite/build/src/channeldef";
import type { MarkDef } from "vega-lite/build/src/mark";

/** One thing that happened during a bulk phase. */
export interface TimelineEvent {
  /** ms since the phase started */
  t: number;
  /**
   * Each HTTP request is one event, either "request" (answered with any status) or "refusal"
   * (Atlas refused it for a rate limit: 429, or 400 for the invitation limit), never both: a
   * refusal counts as a request too. "completion": one provider operation (a create or a delete)
   * finished successfully; "failure": one finished with an error.
   */
  kind: "request" | "refusal" | "completion" | "failure";
}

/** One bulk phase (N concurrent creates, or N concurrent deletes) as the plot needs it. */
export interface PhaseTimeline {
  /** e.g. "bulk create, N=100" */
  title: string;
  /** Measured wall time of the phase, ms. */
  wallMs: number;
  /** Shortest time the limits allow, ms. */
  boundMs: number;
  /**
   * The sustained rate the binding limit allows, requests per second (5 for 10 invitations per
   * 2 s; 20 for a bucket refilling 20/s); drawn as a horizontal line.
   */
  limitPerSecond: number;
  /** e.g. "invitation limit 10 per 2 s" */
  limitLabel: string;
  events: TimelineEvent[];
}

/** Requests in one time bin, as counts and scaled to per second. */
export interface RateBin {
  /** Bin start, seconds since the phase started. */
  startS: number;
  /** Bin end, seconds. */
  endS: number;
  requests: number;
  refusals: number;
  requestsPerSecond: number;
  refusalsPerSecond: number;
}

/** Operations finished up to `tS` (seconds), cumulative. */
export interface ProgressPoint {
  tS: number;
  completions: number;
  failures: number;
}

/** What the chart draws for one phase: see {@link timelineSeries}. */
export interface TimelineSeries {
  binMs: number;
  /** End of the data, seconds: the wall time or the last event, whichever is later. */
  endS: number;
  bins: RateBin[];
  /** Starts at (0, 0, 0), one point per finished operation in time order, ends at `endS`. */
  progress: ProgressPoint[];
  totals: { requests: number; refusals: number; completions: number; failures: number };
}

const NICE_BINS_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * The bin width used when none is given: the narrowest of 250 ms, 500 ms, 1 s, 2 s, 5 s that holds
 * about 5 requests at the limit. Narrower bins make a steady rate at the limit look like noise: at
 * 5/s a 250 ms bin holds 1.25 requests on average, so it plots as 4/s or 8/s, never 5/s.
 */
export function defaultBinMs(limitPerSecond: number): number {
  if (!(limitPerSecond > 0)) return 1_000;
  const wanted = 5_000 / limitPerSecond;
  return NICE_BINS_MS.find((b) => b >= wanted) ?? 5_000;
}

/**
 * Bins a phase's requests and refusals into rates (count per bin scaled to per second) and
 * accumulates its finished operations over time. Pure.
 *
 * Every bin is `binMs` wide, the last one included even when the phase ends inside it: scaling a
 * short last bin by its own width would turn one request in its final millisecond into 1000/s.
 * @param binMs bin width; defaults to {@link defaultBinMs} of the phase's limit
 * @throws RangeError for a bin width that is not a positive number, or an event time that is
 *   negative or not finite (a bug in whoever recorded it, better seen than plotted)
 */
export function timelineSeries(
  phase: PhaseTimeline,
  binMs = defaultBinMs(phase.limitPerSecond),
): TimelineSeries {
  if (!(binMs > 0) || !Number.isFinite(binMs))
    throw new RangeError(`bin width must be a positive number of ms, got ${binMs}`);
  for (const e of phase.events)
    if (!(e.t >= 0) || !Number.isFinite(e.t))
      throw new RangeError(`event time must be a finite ms >= 0, got ${e.t} (${e.kind})`);
  const endMs = Math.max(phase.wallMs, ...phase.events.map((e) => e.t), 0);
  const count = Math.max(1, Math.ceil(endMs / binMs));
  const requests = new Array<number>(count).fill(0);
  const refusals = new Array<number>(count).fill(0);
  let totalRequests = 0;
  let totalRefusals = 0;
  for (const e of phase.events) {
    if (e.kind !== "request" && e.kind !== "refusal") continue;
    // An event exactly at the end of the last bin belongs to it, not to a bin of its own.
    const i = Math.min(Math.floor(e.t / binMs), count - 1);
    requests[i] = (requests[i] ?? 0) + 1;
    totalRequests++;
    if (e.kind === "refusal") {
      refusals[i] = (refusals[i] ?? 0) + 1;
      totalRefusals++;
    }
  }
  const perSecond = 1_000 / binMs;
  const bins: RateBin[] = requests.map((n, i) => {
    const refused = refusals[i] ?? 0;
    return {
      startS: (i * binMs) / 1_000,
      endS: ((i + 1) * binMs) / 1_000,
      requests: n,
      refusals: refused,
      requestsPerSecond: n * perSecond,
      refusalsPerSecond: refused * perSecond,
    };
  });

  const finished = phase.events
    .filter((e) => e.kind === "completion" || e.kind === "failure")
    .sort((a, b) => a.t - b.t);
  const progress: ProgressPoint[] = [{ tS: 0, completions: 0, failures: 0 }];
  let completions = 0;
  let failures = 0;
  for (const e of finished) {
    if (e.kind === "completion") completions++;
    else failures++;
    progress.push({ tS: e.t / 1_000, completions, failures });
  }
  // Carry the final counts to the end, so the line does not stop at the last finished operation.
  progress.push({ tS: endMs / 1_000, completions, failures });

  return {
    binMs,
    endS: endMs / 1_000,
    bins,
    progress,
    totals: { requests: totalRequests, refusals: totalRefusals, completions, failures },
  };
}

/** Options of {@link timelineSpec}. */
export interface TimelineSpecOptions {
  /** Width of each panel's plot area, px (default 640). */
  width?: number;
  /** Bin width for every phase; by default each phase's {@link defaultBinMs}. */
  binMs?: number;
}

/** Series names: they are the legend's labels. */
export const SERIES = {
  requests: "requests/s",
  refusals: "refused/s",
  completions: "completed",
  failures: "failed",
} as const;

/**
 * Axis titles, exported so tests can look for them in the SVG. Two lines where one would be longer
 * than its panel is high: a rotated title that overhangs the panel pushes the panels apart.
 */
export const AXIS = {
  time: "time since phase start (s)",
  rate: (binMs: number): string[] => [
    "requests per second",
    `(log scale, ${trim(binMs / 1_000)} s bins)`,
  ],
  finished: ["operations finished", "(cumulative)"] as string[],
};

const RATES_HEIGHT = 220;
const PROGRESS_HEIGHT = 150;

/**
 * Tick values for the rate axis. A symlog scale because a phase's opening burst (100 requests in
 * one bin, 400/s) would otherwise squash a 5/s limit line onto the axis; symlog also shows 0,
 * which a log scale cannot. Explicit values because its automatic ticks are spaced linearly; these
 * are about evenly spaced on it, so none is dropped for overlapping.
 */
const RATE_TICKS = [0, 1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000];

/** A duration in ms as seconds, as the bench table prints it: "18.40". */
function seconds(ms: number): string {
  return (ms / 1_000).toFixed(2);
}

/** At most two decimals, no trailing zeros: "0.25", "1", "5". */
function trim(x: number): string {
  return String(Number(x.toFixed(2)));
}

/**
 * The Vega-Lite spec of the timeline: per phase, a rates panel (requests/s and refused/s, the
 * limit as a horizontal line) above a progress panel (completed and failed, cumulative), both with
 * vertical lines at the bound and at the wall time. Series differ in dash as well as colour and
 * every line is labelled, so the chart reads in greyscale. Pure: render it with plot.ts.
 */
export function timelineSpec(
  phases: readonly PhaseTimeline[],
  options: TimelineSpecOptions = {},
): TopLevelSpec {
  if (phases.length === 0) throw new RangeError("no phases to plot");
  const width = options.width ?? 640;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    // Transparent by default: unreadable black text in a dark-mode image viewer.
    background: "white",
    padding: 12,
    spacing: 36,
    config: { font: "sans-serif", view: { stroke: "#888" }, legend: { orient: "right" } },
    vconcat: phases.map((p) => phaseSpec(p, timelineSeries(p, options.binMs), width)),
  };
}

function phaseSpec(phase: PhaseTimeline, s: TimelineSeries, width: number): NonNormalizedSpec {
  const boundS = phase.boundMs / 1_000;
  // Room on the right for the labels of lines that end at the edge.
  const xMax = Math.max(s.endS, boundS, 0.001) * 1.06;
  const x: PositionDef<Field> = {
    field: "tS",
    type: "quantitative",
    title: AXIS.time,
    scale: { domain: [0, xMax], nice: false },
  };
  const { totals: n } = s;
  const ratio =
    phase.boundMs > 0 ? ` (wall/bound ${(phase.wallMs / phase.boundMs).toFixed(2)})` : "";
  return {
    title: {
      text: phase.title,
      subtitle: [
        `wall ${seconds(phase.wallMs)} s, bound ${seconds(phase.boundMs)} s${ratio}`,
        `${n.completions} completed, ${n.failures} failed; ${n.requests} requests, ${n.refusals} refused`,
      ],
      anchor: "start",
    },
    spacing: 12,
    // Each panel keeps its own legend, beside the series it names.
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
    vconcat: [ratesPanel(phase, s, width, x, xMax), progressPanel(phase, s, width, x)],
  };
}

function ratesPanel(
  phase: PhaseTimeline,
  s: TimelineSeries,
  width: number,
  x: PositionDef<Field>,
  xMax: number,
): LayerSpec<Field> {
  const last = s.bins[s.bins.length - 1];
  const rows = s.bins.flatMap((b) => [
    { tS: b.startS, series: SERIES.requests, perSecond: b.requestsPerSecond },
    { tS: b.startS, series: SERIES.refusals, perSecond: b.refusalsPerSecond },
  ]);
  // step-after draws each value until the next point: one more point closes the last bin.
  if (last !== undefined)
    rows.push(
      { tS: last.endS, series: SERIES.requests, perSecond: last.requestsPerSecond },
      { tS: last.endS, series: SERIES.refusals, perSecond: last.refusalsPerSecond },
    );
  const peak = Math.max(phase.limitPerSecond * 2, ...rows.map((r) => r.perSecond), 1);
  const top = RATE_TICKS.find((t) => t >= peak) ?? peak;
  const y: PositionDef<Field> = {
    field: "perSecond",
    type: "quantitative",
    title: AXIS.rate(s.binMs),
    scale: { type: "symlog", domain: [0, top], nice: false },
    // The default tickCount (height / 40) would thin these out again.
    axis: { values: RATE_TICKS.filter((t) => t <= top), tickCount: RATE_TICKS.length },
  };
  return {
    width,
    height: RATES_HEIGHT,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.75 },
        encoding: {
          x,
          y,
          color: {
            field: "series",
            type: "nominal",
            title: null,
            scale: { domain: [SERIES.requests, SERIES.refusals], range: ["#1f5fa8", "#c2410c"] },
          },
          strokeDash: {
            field: "series",
            type: "nominal",
            title: null,
            scale: {
              domain: [SERIES.requests, SERIES.refusals],
              range: [
                [1, 0],
                [6, 3],
              ],
            },
          },
        },
      },
      {
        data: { values: [{ perSecond: phase.limitPerSecond }] },
        mark: { type: "rule", color: "#222", strokeDash: [2, 2] },
        encoding: { y: { field: "perSecond", type: "quantitative" } },
      },
      ...labelLayers(
        [
          {
            tS: xMax,
            perSecond: phase.limitPerSecond,
            label: `limit ${trim(phase.limitPerSecond)}/s: ${phase.limitLabel}`,
          },
        ],
        { align: "right", baseline: "bottom", dx: -2, dy: -2 },
        { y: { field: "perSecond", type: "quantitative" } },
      ),
      ...markerLayers(phase, xMax),
    ],
  };
}

function progressPanel(
  phase: PhaseTimeline,
  s: TimelineSeries,
  width: number,
  x: PositionDef<Field>,
): LayerSpec<Field> {
  const rows = s.progress.flatMap((p) => [
    { tS: p.tS, series: SERIES.completions, count: p.completions },
    { tS: p.tS, series: SERIES.failures, count: p.failures },
  ]);
  return {
    width,
    height: PROGRESS_HEIGHT,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.75 },
        encoding: {
          x,
          y: { field: "count", type: "quantitative", title: AXIS.finished },
          color: {
            field: "series",
            type: "nominal",
            title: null,
            scale: {
              domain: [SERIES.completions, SERIES.failures],
              range: ["#15803d", "#b91c1c"],
            },
          },
          strokeDash: {
            field: "series",
            type: "nominal",
            title: null,
            scale: {
              domain: [SERIES.completions, SERIES.failures],
              range: [
                [1, 0],
                [2, 2],
              ],
            },
          },
        },
      },
      ...markerLayers(phase),
    ],
  };
}

/**
 * Vertical lines at the bound (dashed) and the wall time (solid), labelled when `xMax` (the end of
 * the x axis) is given: in the rates panel only, once is enough. The labels sit on two rows so
 * they cannot overlap when wall and bound are close, and on the side of their line with more room.
 */
function markerLayers(phase: PhaseTimeline, xMax?: number): LayerSpec<Field>["layer"] {
  const markers = [
    { tS: phase.boundMs / 1_000, label: `bound ${seconds(phase.boundMs)} s`, row: 0, dash: [5, 3] },
    { tS: phase.wallMs / 1_000, label: `wall ${seconds(phase.wallMs)} s`, row: 1, dash: [1, 0] },
  ];
  const x = { field: "tS", type: "quantitative" } as const;
  return markers.flatMap((m) => {
    const rule = {
      data: { values: [m] },
      mark: { type: "rule" as const, color: "#555", strokeDash: m.dash },
      encoding: { x },
    };
    if (xMax === undefined) return [rule];
    const left = m.tS < xMax / 2;
    return [
      rule,
      ...labelLayers(
        [m],
        { align: left ? "left" : "right", dx: left ? 3 : -3, baseline: "top" },
        { y: { value: 3 + 13 * m.row } },
      ),
    ];
  });
}

/**
 * A text label drawn twice, first with a thick white outline: the halo keeps it readable where it
 * crosses a series or another marker line.
 */
function labelLayers(
  values: ({ tS: number; label: string } & Record<string, unknown>)[],
  place: Pick<MarkDef, "align" | "baseline" | "dx" | "dy">,
  encoding: { y: PositionDef<Field> | { value: number } },
): LayerSpec<Field>["layer"] {
  return [{ stroke: "white", strokeWidth: 3 }, {}].map((paint) => ({
    data: { values },
    mark: { type: "text", fontSize: 11, ...place, ...paint },
    encoding: { x: { field: "tS", type: "quantitative" }, ...encoding, text: { field: "label" } },
  }));
}

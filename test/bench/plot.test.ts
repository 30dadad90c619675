/**
 * bench/plot: the binned series and the Vega-Lite spec are tested here directly; the SVG through
 * the CLI under tsx, because vega is ESM-only with top-level await and ts-jest runs CommonJS.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import {
  AXIS,
  SERIES,
  defaultBinMs,
  timelineSeries,
  timelineSpec,
  type PhaseTimeline,
  type TimelineEvent,
} from "../../bench/plot-data";

const ROOT = resolve(__dirname, "../..");

function phase(events: TimelineEvent[], over: Partial<PhaseTimeline> = {}): PhaseTimeline {
  return {
    title: "bulk create, N=3",
    wallMs: 1_000,
    boundMs: 800,
    limitPerSecond: 5,
    limitLabel: "invitation limit 10 per 2 s",
    events,
    ...over,
  };
}

/**
 * A phase shaped like a real bulk create: a burst of n requests at once of which all but `limit`
 * are refused, then `perWindow` requests and completions every window. About 3n events.
 */
function synthetic(title: string, n: number, perWindow: number, windowMs: number): PhaseTimeline {
  const events: TimelineEvent[] = [];
  for (let i = 0; i < n; i++)
    events.push({ t: 5 + i, kind: i < perWindow ? "request" : "refusal" });
  let done = 0;
  for (let w = 0; done < n; w++) {
    for (let k = 0; k < perWindow && done < n; k++, done++) {
      const t = w * windowMs + 20 + k * 3;
      if (w > 0) events.push({ t, kind: "request" });
      events.push({ t: t + 40, kind: done === 7 ? "failure" : "completion" });
    }
  }
  const wallMs = Math.max(...events.map((e) => e.t)) + 10;
  return {
    title,
    wallMs,
    boundMs: (Math.ceil(n / perWindow) - 1) * windowMs,
    limitPerSecond: (perWindow * 1_000) / windowMs,
    limitLabel: `invitation limit ${perWindow} per ${windowMs / 1_000} s`,
    events,
  };
}

describe("defaultBinMs", () => {
  it("picks the narrowest nice bin holding about 5 requests at the limit", () => {
    expect(defaultBinMs(5)).toBe(1_000); // 10 per 2 s
    expect(defaultBinMs(20)).toBe(250); // bucket refilling 20/s
    expect(defaultBinMs(10)).toBe(500);
    expect(defaultBinMs(1_000)).toBe(250);
    expect(defaultBinMs(0.5)).toBe(5_000);
    expect(defaultBinMs(0)).toBe(1_000);
  });
});

describe("timelineSeries", () => {
  it("bins requests and refusals and scales the counts to per second", () => {
    const s = timelineSeries(
      phase(
        [
          { t: 0, kind: "request" },
          { t: 100, kind: "refusal" },
          { t: 249.9, kind: "request" },
          { t: 250, kind: "refusal" },
          { t: 900, kind: "request" },
          { t: 950, kind: "completion" },
        ],
        { wallMs: 1_000 },
      ),
      250,
    );
    expect(s.binMs).toBe(250);
    expect(s.endS).toBe(1);
    expect(s.bins.map((b) => [b.startS, b.endS])).toEqual([
      [0, 0.25],
      [0.25, 0.5],
      [0.5, 0.75],
      [0.75, 1],
    ]);
    // A refusal is a request as well.
    expect(s.bins.map((b) => b.requests)).toEqual([3, 1, 0, 1]);
    expect(s.bins.map((b) => b.refusals)).toEqual([1, 1, 0, 0]);
    expect(s.bins.map((b) => b.requestsPerSecond)).toEqual([12, 4, 0, 4]);
    expect(s.bins.map((b) => b.refusalsPerSecond)).toEqual([4, 4, 0, 0]);
    expect(s.totals).toEqual({ requests: 5, refusals: 2, completions: 1, failures: 0 });
  });

  it("uses the limit's default bin width when none is given", () => {
    expect(timelineSeries(phase([], { limitPerSecond: 20 })).binMs).toBe(250);
    expect(timelineSeries(phase([], { limitPerSecond: 5 })).binMs).toBe(1_000);
  });

  it("keeps full-width bins: a last partial bin is not scaled up", () => {
    const s = timelineSeries(phase([{ t: 1_001, kind: "request" }], { wallMs: 1_002 }), 500);
    expect(s.bins).toHaveLength(3);
    expect(s.bins[2]).toMatchObject({ startS: 1, endS: 1.5, requests: 1, requestsPerSecond: 2 });
  });

  it("counts an event at the very end in the last bin, and events after the wall time", () => {
    const atEnd = timelineSeries(phase([{ t: 1_000, kind: "request" }], { wallMs: 1_000 }), 250);
    expect(atEnd.bins).toHaveLength(4);
    expect(atEnd.bins[3]?.requests).toBe(1);
    const late = timelineSeries(phase([{ t: 1_600, kind: "completion" }], { wallMs: 1_000 }), 500);
    expect(late.endS).toBe(1.6);
    expect(late.bins).toHaveLength(4);
  });

  it("accumulates completions and failures in time order, from 0 to the end", () => {
    const s = timelineSeries(
      phase(
        [
          { t: 700, kind: "completion" },
          { t: 200, kind: "completion" },
          { t: 500, kind: "failure" },
          { t: 300, kind: "request" },
        ],
        { wallMs: 900 },
      ),
    );
    expect(s.progress).toEqual([
      { tS: 0, completions: 0, failures: 0 },
      { tS: 0.2, completions: 1, failures: 0 },
      { tS: 0.5, completions: 1, failures: 1 },
      { tS: 0.7, completions: 2, failures: 1 },
      { tS: 0.9, completions: 2, failures: 1 },
    ]);
  });

  it("has one bin and a flat progress line for a phase with no events", () => {
    const s = timelineSeries(phase([], { wallMs: 0 }), 250);
    expect(s.bins).toEqual([
      {
        startS: 0,
        endS: 0.25,
        requests: 0,
        refusals: 0,
        requestsPerSecond: 0,
        refusalsPerSecond: 0,
      },
    ]);
    expect(s.progress).toEqual([
      { tS: 0, completions: 0, failures: 0 },
      { tS: 0, completions: 0, failures: 0 },
    ]);
  });

  it("rejects a bin width or event time that cannot be plotted", () => {
    expect(() => timelineSeries(phase([]), 0)).toThrow(RangeError);
    expect(() => timelineSeries(phase([]), Number.NaN)).toThrow(RangeError);
    expect(() => timelineSeries(phase([]), Infinity)).toThrow(RangeError);
    expect(() => timelineSeries(phase([{ t: -1, kind: "request" }]))).toThrow(RangeError);
    expect(() => timelineSeries(phase([{ t: Number.NaN, kind: "request" }]))).toThrow(RangeError);
  });

  it("loses no event and never shows more refusals than requests", () => {
    const event = fc.record({
      t: fc.double({ min: 0, max: 30_000, noNaN: true }),
      kind: fc.constantFrom("request", "refusal", "completion", "failure"),
    }) as fc.Arbitrary<TimelineEvent>;
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 200 }),
        fc.constantFrom(250, 500, 1_000, 333),
        fc.double({ min: 0, max: 30_000, noNaN: true }),
        (events, binMs, wallMs) => {
          const s = timelineSeries(phase(events, { wallMs }), binMs);
          const count = (k: TimelineEvent["kind"]) => events.filter((e) => e.kind === k).length;
          const binned = s.bins.reduce((n, b) => n + b.requests, 0);
          expect(binned).toBe(count("request") + count("refusal"));
          expect(s.bins.reduce((n, b) => n + b.refusals, 0)).toBe(count("refusal"));
          for (const b of s.bins) {
            expect(b.refusals).toBeLessThanOrEqual(b.requests);
            expect(b.requestsPerSecond).toBeCloseTo((b.requests * 1_000) / binMs, 9);
          }
          // The bins cover the whole phase and the last event.
          expect(s.bins.at(-1)?.endS).toBeGreaterThanOrEqual(s.endS);
          const last = s.progress.at(-1);
          expect(last).toEqual({
            tS: s.endS,
            completions: count("completion"),
            failures: count("failure"),
          });
          for (let i = 1; i < s.progress.length; i++) {
            const [a, b] = [s.progress[i - 1], s.progress[i]];
            expect(b?.tS).toBeGreaterThanOrEqual(a?.tS ?? 0);
            expect(b?.completions).toBeGreaterThanOrEqual(a?.completions ?? 0);
          }
        },
      ),
    );
  });
});

// The spec is a deep union type; the tests read it as plain JSON.
type Json = Record<string, unknown> & {
  vconcat?: Json[];
  layer?: Json[];
  encoding?: Record<string, Json>;
  mark?: Json;
  data?: { values: Record<string, unknown>[] };
  scale?: Json;
};

function spec(phases: PhaseTimeline[], width?: number): Json {
  return JSON.parse(JSON.stringify(timelineSpec(phases, width ? { width } : {}))) as Json;
}

const markType = (l: Json) => (l.mark as { type: string }).type;

describe("timelineSpec", () => {
  const create = synthetic("bulk create, N=100", 100, 10, 2_000);
  const destroy = { ...synthetic("bulk destroy, N=100", 100, 20, 1_000), limitLabel: "bucket" };
  const top = spec([create, destroy], 500);
  const phases = top.vconcat ?? [];
  const [first] = phases;
  const [rates, progress] = first?.vconcat ?? [];

  it("stacks one titled block per phase, each a rates panel above a progress panel", () => {
    expect(top.background).toBe("white");
    expect(phases).toHaveLength(2);
    expect(phases.map((p) => (p.title as { text: string }).text)).toEqual([
      "bulk create, N=100",
      "bulk destroy, N=100",
    ]);
    const subtitle = (first?.title as { subtitle: string[] }).subtitle.join("\n");
    expect(subtitle).toContain(`wall ${(create.wallMs / 1_000).toFixed(2)} s`);
    expect(subtitle).toContain("bound 18.00 s");
    expect(subtitle).toContain("99 completed, 1 failed");
    expect(subtitle).toContain("90 refused");
    for (const p of phases) expect(p.vconcat).toHaveLength(2);
    expect(rates?.width).toBe(500);
    expect(progress?.width).toBe(500);
    expect(() => timelineSpec([])).toThrow(RangeError);
  });

  it("draws requests/s and refused/s as binned steps, told apart by dash as well as colour", () => {
    const line = rates?.layer?.find((l) => markType(l) === "line");
    expect(line?.mark).toMatchObject({ interpolate: "step-after" });
    const enc = line?.encoding ?? {};
    expect(enc.x).toMatchObject({ field: "tS", title: AXIS.time });
    expect(enc.y).toMatchObject({ field: "perSecond", title: AXIS.rate(1_000) });
    expect(enc.y?.scale).toMatchObject({ type: "symlog" });
    for (const channel of ["color", "strokeDash"])
      expect(enc[channel]).toMatchObject({
        field: "series",
        scale: { domain: [SERIES.requests, SERIES.refusals] },
      });
    // The binned numbers, per series, plus a closing point at the end of the last bin.
    const s = timelineSeries(create);
    const values = line?.data?.values ?? [];
    const requests = values.filter((v) => v.series === SERIES.requests);
    expect(requests.map((v) => v.perSecond)).toEqual([
      ...s.bins.map((b) => b.requestsPerSecond),
      s.bins.at(-1)?.requestsPerSecond,
    ]);
    expect(requests[0]).toEqual({ tS: 0, series: SERIES.requests, perSecond: 100 });
    const refusals = values.filter((v) => v.series === SERIES.refusals);
    expect(refusals[0]?.perSecond).toBe(90);
  });

  it("draws the limit as a labelled horizontal line", () => {
    const rule = rates?.layer?.find((l) => markType(l) === "rule" && l.encoding?.y !== undefined);
    expect(rule?.data?.values).toEqual([{ perSecond: 5 }]);
    const labels = (rates?.layer ?? [])
      .filter((l) => markType(l) === "text")
      .flatMap((l) => l.data?.values.map((v) => v.label) ?? []);
    expect(labels).toContain("limit 5/s: invitation limit 10 per 2 s");
    expect(labels).toContain("bound 18.00 s");
    expect(labels).toContain(`wall ${(create.wallMs / 1_000).toFixed(2)} s`);
  });

  it("marks the bound and the wall time with vertical lines in both panels", () => {
    for (const panel of [rates, progress]) {
      const xs = (panel?.layer ?? [])
        .filter((l) => markType(l) === "rule" && l.encoding?.x !== undefined)
        .map((l) => l.data?.values[0]?.tS);
      expect(xs).toEqual([create.boundMs / 1_000, create.wallMs / 1_000]);
    }
  });

  it("plots cumulative completions and failures on the same time axis", () => {
    const line = progress?.layer?.find((l) => markType(l) === "line");
    expect(line?.encoding?.y).toMatchObject({ field: "count", title: AXIS.finished });
    expect(line?.encoding?.strokeDash).toMatchObject({
      scale: { domain: [SERIES.completions, SERIES.failures] },
    });
    const done = (line?.data?.values ?? []).filter((v) => v.series === SERIES.completions);
    expect(done[0]?.count).toBe(0);
    expect(done.at(-1)?.count).toBe(99);
    // Same explicit x domain as the rates panel, so the two panels line up.
    const ratesLine = rates?.layer?.find((l) => markType(l) === "line");
    expect(line?.encoding?.x?.scale).toEqual(ratesLine?.encoding?.x?.scale);
  });

  it("fits the rate axis to the peak and keeps the limit visible", () => {
    const quiet = spec([phase([{ t: 10, kind: "request" }], { limitPerSecond: 20 })]);
    const line = quiet.vconcat?.[0]?.vconcat?.[0]?.layer?.find((l) => markType(l) === "line");
    // Peak 4/s, limit 20/s: the axis reaches past twice the limit.
    expect(line?.encoding?.y?.scale).toMatchObject({ domain: [0, 100] });
  });
});

/** Start and end tags pair up (vega's SVG has no comments, CDATA or `>` inside attributes). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const [, close, name, selfClosing] of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (!close) stack.push(name ?? "");
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe("the SVG (rendered by vega under tsx)", () => {
  it("is checked by a tag matcher that notices a missing end tag", () => {
    expect(balanced('<svg a="1"><g><path d="M0,0"/></g></svg>')).toBe(true);
    expect(balanced("<svg><g></svg>")).toBe(false);
  });

  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "plot-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one well-formed SVG per phase, with titles, legend, limit and axis labels", async () => {
    const phases = [
      synthetic("bulk create, N=100", 100, 10, 2_000),
      { ...synthetic("bulk destroy, N=100", 100, 20, 1_000), limitLabel: "token bucket 20 + 20/s" },
    ];
    const input = join(dir, "phases.json");
    await writeFile(input, JSON.stringify(phases));
    const out = join(dir, "out");
    const { stdout } = await promisify(execFile)("npx", ["tsx", "bench/plot.ts", input, out], {
      cwd: ROOT,
      timeout: 25_000,
    });
    const paths = stdout.trim().split("\n");
    expect(paths).toEqual([
      join(out, "timeline-1-bulk-create-n-100.svg"),
      join(out, "timeline-2-bulk-destroy-n-100.svg"),
    ]);
    for (const [i, path] of paths.entries()) {
      const svg = await readFile(path, "utf8");
      const p = phases[i] as PhaseTimeline;
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
      expect(balanced(svg)).toBe(true);
      expect(svg).toContain(p.title);
      expect(svg).toContain(p.limitLabel);
      expect(svg).toContain(AXIS.time);
      expect(svg).toContain("requests per second");
      expect(svg).toContain("operations finished");
      for (const name of Object.values(SERIES)) expect(svg).toContain(`>${name}<`);
    }
  }, 30_000);
});

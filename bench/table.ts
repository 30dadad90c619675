/** The bench report as a plain-text table (run.ts prints JSON instead with `--json`). */
import type { BulkFigure, Limits, RefreshFigure } from "./bulk";
import type { EngineFigure } from "./engine";
import type { RaceFigure, Spread } from "./race-window";
import type { MemoryFigure, OverheadRow, SizeFigure } from "./host";
import type { DigestFigure, RoundTrip } from "./roundtrips";

export interface Report {
  machine: { node: string; cpus: number; cpuModel: string; platform: string };
  roundTrips: RoundTrip[];
  digest: DigestFigure;
  bulkLimits: Limits;
  realProfile: { limits: Limits; speedup: number };
  bulk: Omit<BulkFigure, "timeline">[];
  refresh: RefreshFigure[];
  sizes: SizeFigure;
  overhead: OverheadRow[];
  memory: MemoryFigure;
  engine: EngineFigure;
  raceWindow: RaceFigure[];
  plots: string[];
  prepareConsumerMs: number;
  totalMs: number;
}

/**
 * The same scenario as measured before this package paced from Atlas's headers (README of commit
 * 3925e15: one retry loop per layer, pacing only from the invitation limit's refusals).
 */
export const BEFORE: Record<
  string,
  { ratio: number; requestsPerInvitation: number; status429: number; refusals400: number }
> = {
  "bulk create": { ratio: 1.01, requestsPerInvitation: 1.91, status429: 79, refusals400: 11 },
  "bulk destroy": { ratio: 1.05, requestsPerInvitation: 2.96, status429: 196, refusals400: 0 },
};

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

const f = (x: number, d = 2): string => x.toFixed(d);

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

const orNa = (x: number | null, d = 2): string => (x === null ? "n/a" : f(x, d));

function limitsLabel({ invitations, bucket }: Limits): string {
  return (
    `invitation limit ${invitations ? `${invitations.count} per ${seconds(invitations.windowMs)}` : "none"}, ` +
    `token bucket ${bucket.capacity} + ${bucket.refillPerSecond}/s`
  );
}

/** Section 9, also printed alone by `npm run bench -- --only engine`. */
export function renderEngine(e: EngineFigure): string {
  const scaleN = e.scale.commands[0]?.n ?? 0;
  const floorRows = e.scale.commands.map((c) => {
    const state =
      c.command === "up" ? e.scale.state.find((s) => s.resources === c.resources) : undefined;
    return [
      c.resources,
      c.command,
      c.n,
      orNa(c.pulumiMs === null ? null : c.pulumiMs / 1000),
      c.resources === "invitations" ? orNa(e.scale.oursOverFloor[c.command]) : "",
      c.failures,
      c.resources === "invitations" ? f(c.requestsPerInvitation) : "",
      orNa(c.providerPeakRssMiB, 1),
      state ? Math.round(state.stackFileBytesPerResource) : "",
      state ? Math.round(state.exportBytesPerResource) : "",
    ];
  });
  return [
    `9. Under the real pulumi CLI (v${e.cliVersion}, file backend, the CLI's default --parallel, ${e.backend} API)`,
    `   ${e.targets.commands[0]?.n ?? 0} invitations, ${limitsLabel(e.targets.limits)} (targets: span/bound <= 1.05, 0 failures)`,
    table(
      [
        "command",
        "N",
        "pulumi s",
        "API span s",
        "bound s",
        "span/bound",
        "pulumi/bound",
        "failures",
        "requests/inv",
        "400s",
        "429s",
        "challenges",
      ],
      e.targets.commands.map((c) => [
        c.command,
        c.n,
        orNa(c.pulumiMs === null ? null : c.pulumiMs / 1000),
        orNa(c.apiSpanMs === null ? null : c.apiSpanMs / 1000),
        f(c.boundMs / 1000),
        f(c.spanRatio),
        f(c.pulumiRatio),
        c.failures,
        f(c.requestsPerInvitation),
        c.refusals400,
        c.status429,
        c.challenges,
      ]),
    ),
    "",
    `   ${scaleN} resources, no Atlas limits, PULUMI_SKIP_CHECKPOINTS=true in both runs; the floor is the same stack of echo resources (target: ours/floor <= 1.2)`,
    table(
      [
        "resources",
        "command",
        "N",
        "pulumi s",
        "ours/floor",
        "failures",
        "requests/inv",
        "provider peak RSS MiB",
        "stack file bytes/resource",
        "export bytes/resource",
      ],
      floorRows,
    ),
    "",
    "   pulumi s: the `pulumi` process, start to exit; API span: first request received to last answered;",
    "   peak RSS: VmHWM of the dynamic-provider process. The file backend rewrites the whole stack file",
    "   after every step, so a command's time grows with N x stack file bytes/resource.",
    `   section ${f(e.wallMs / 1000, 1)} s`,
  ].join("\n");
}

function bulkTable(rows: Omit<BulkFigure, "timeline">[], withBefore: boolean): string {
  const head = [
    "API",
    "phase",
    "N",
    "wall s",
    "bound s",
    "wall/bound",
    "failures",
    "requests/inv",
    "400s",
    "429s",
    "challenges",
  ];
  const body: (string | number)[][] = [];
  for (const b of rows) {
    body.push([
      b.backend,
      b.phase,
      b.n,
      f(b.wallMs / 1000),
      f(b.boundMs / 1000),
      f(b.ratio),
      b.failures,
      f(b.requestsPerInvitation),
      b.refusals400,
      b.status429,
      b.challenges,
    ]);
    const before = BEFORE[b.phase];
    if (withBefore && before && b.backend === "invites") {
      body.push([
        "  before",
        "",
        "",
        "",
        "",
        f(before.ratio),
        0,
        f(before.requestsPerInvitation),
        before.refusals400,
        before.status429,
        "",
      ]);
    }
  }
  return table(head, body);
}

const ms = (s: Spread): string =>
  s.count === 0 ? "n/a" : `${f(s.p50, 2)} / ${f(s.p99, 1)} / ${f(s.max, 1)}`;

/** Section 10: the window of a guarded write (bench/race-window.ts). */
export function renderRaceWindow(figures: readonly RaceFigure[]): string {
  return [
    "10. The window of a guarded write (org users API): status read answered -> DELETE, in ms (p50 / p99 / max)",
    "    emulator in its own process; many `pulumi destroy` removals at once, each a status read then its DELETE",
    table(
      [
        "bucket",
        "N",
        "at once",
        "wall s",
        "429s",
        "at Atlas",
        "answer unread",
        "provider",
        "same conn",
        "new conn",
      ],
      figures.map((x) => [
        `${x.label} (${x.bucket.capacity} + ${Number(x.bucket.refillPerSecond.toFixed(1))}/s)`,
        x.n,
        x.concurrency,
        f(x.wallMs / 1000, 1),
        x.status429,
        ms(x.atAtlas),
        ms(x.unread),
        ms(x.provider),
        `${x.sameConnection}/${x.provider.count}`,
        x.newConnection,
      ]),
    ),
    "    at Atlas: the read answered to the DELETE received, both by the emulator's log: the window a person",
    "    could accept in. answer unread: the read answered to the provider reading it (waiting behind the",
    "    process's other work). provider: the answer read to the DELETE handed to the socket.",
  ].join("\n");
}

export function render(r: Report): string {
  const real = r.realProfile.limits.bucket;
  const gaps = r.bulk
    .filter((b) => b.guardGapMs !== undefined)
    .map((b) => `${b.scenario}: ${f(b.guardGapMs ?? 0, 3)} ms`);
  const out = [
    `machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.platform}, node ${r.machine.node}`,
    "",
    "1. Round trips per operation",
    table(
      ["API", "operation", "round trips", "minimum", "the minimum is"],
      r.roundTrips.map((x) => [x.backend, x.operation, x.calls, x.minimum, x.why]),
    ),
    "",
    "2. Digest challenges",
    table(
      ["calls", "challenges", "per 100 calls", "MongoDB tools", "target"],
      [[r.digest.calls, r.digest.challenges, f(r.digest.perHundred), 100, 1]],
    ),
    "",
    `3. Bulk runs: ${limitsLabel(r.bulkLimits)} (targets: wall/bound <= 1.05, requests/inv <= 1.15, 0 failures)`,
    bulkTable(
      r.bulk.filter((b) => b.scenario === "targets"),
      true,
    ),
    "",
    `4. Atlas's real bucket (500 + 250 per 60 s) sped up ${r.realProfile.speedup} times: ${real.capacity} + ${Number(real.refillPerSecond.toFixed(1))}/s, no invitation limit`,
    bulkTable(
      r.bulk.filter((b) => b.scenario === "real profile"),
      false,
    ),
    "",
    `   median gap from the status read to the DELETE it guards (org users API): ${gaps.join("; ") || "n/a"}`,
    "",
    "5. Refresh of one org",
    table(
      ["API", "invitations", "list calls", "API calls", "calls by operation"],
      r.refresh.map((x) => [x.backend, x.n, x.listCalls, x.calls, JSON.stringify(x.byOperation)]),
    ),
    "",
    "6. Sizes",
    table(
      ["__provider bytes per resource", "state bytes per invitation"],
      [[r.sizes.providerBytes, r.sizes.stateBytesPerInvitation]],
    ),
    "",
    "7. Host overhead (median ms, real host minus the same call in-process)",
    table(
      ["operation", "host", "in-process", "overhead", "host/in-process"],
      r.overhead.map((o) => [
        o.operation,
        f(o.hostMs),
        f(o.directMs),
        f(o.overheadMs),
        f(o.hostMs / o.directMs),
      ]),
    ),
    "",
    "8. Host process with many invitations",
    table(
      ["invitations", "peak RSS (VmHWM) MiB", "refresh API calls"],
      [[r.memory.invitations, f(r.memory.peakRssMiB, 1), r.memory.refreshCalls]],
    ),
    "",
    renderEngine(r.engine),
    "",
    renderRaceWindow(r.raceWindow),
    "",
    ...(r.plots.length > 0 ? ["plots:", ...r.plots.map((p) => `  ${p}`), ""] : []),
    `total ${f(r.totalMs / 1000, 1)} s (of which preparing the consumer ${f(r.prepareConsumerMs / 1000, 1)} s)`,
    "",
  ];
  return out.join("\n");
}

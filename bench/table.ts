/** The bench report as a plain-text table (run.ts prints JSON instead with `--json`). */
import type { BulkFigure, Limits, RefreshFigure } from "./bulk";
import type { MemoryFigure, OverheadRow, SizeFigure } from "./host";
import type { DigestFigure, RoundTrip } from "./roundtrips";

export interface Report {
  machine: { node: string; cpus: number; cpuModel: string; platform: string };
  roundTrips: RoundTrip[];
  digest: DigestFigure;
  bulkLimits: Limits;
  bulk: BulkFigure[];
  refresh: RefreshFigure;
  sizes: SizeFigure;
  overhead: OverheadRow[];
  memory: MemoryFigure;
  prepareConsumerMs: number;
  totalMs: number;
}

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

export function render(r: Report): string {
  const { invitations, bucket } = r.bulkLimits;
  const out = [
    `machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.platform}, node ${r.machine.node}`,
    "",
    "1. Round trips per operation",
    table(
      ["operation", "round trips", "minimum"],
      r.roundTrips.map((x) => [x.operation, x.calls, x.minimum]),
    ),
    "",
    "2. Digest challenges",
    table(
      ["calls", "challenges", "per 100 calls", "MongoDB tools", "target"],
      [[r.digest.calls, r.digest.challenges, f(r.digest.perHundred), 100, 1]],
    ),
    "",
    `3. Bulk runs (invitation limit ${invitations.count} per ${invitations.windowMs} ms, token bucket ${bucket.capacity} + ${bucket.refillPerSecond}/s)`,
    table(
      [
        "phase",
        "N",
        "wall s",
        "bound s",
        "wall/bound",
        "failures",
        "calls/inv",
        "needed/inv",
        "429s",
        "400s",
      ],
      r.bulk.map((b) => [
        b.phase,
        b.n,
        f(b.wallMs / 1000),
        f(b.boundMs / 1000),
        f(b.ratio),
        b.failures,
        f(b.callsPerInvitation),
        f(b.neededPerInvitation),
        b.status429,
        b.status400,
      ]),
    ),
    "",
    "4. Refresh of one org",
    table(
      ["invitations", "API calls", "uncoalesced", "calls by operation"],
      [
        [
          r.refresh.n,
          r.refresh.calls,
          r.refresh.uncoalesced,
          JSON.stringify(r.refresh.byOperation),
        ],
      ],
    ),
    "",
    "5. Sizes",
    table(
      ["__provider bytes per resource", "state bytes per invitation"],
      [[r.sizes.providerBytes, r.sizes.stateBytesPerInvitation]],
    ),
    "",
    "6. Host overhead (median ms, real host minus the same call in-process)",
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
    "7. Host process with many invitations",
    table(
      ["invitations", "peak RSS (VmHWM) MiB", "refresh API calls"],
      [[r.memory.invitations, f(r.memory.peakRssMiB, 1), r.memory.refreshCalls]],
    ),
    "",
    `total ${f(r.totalMs / 1000, 1)} s (of which preparing the consumer ${f(r.prepareConsumerMs / 1000, 1)} s)`,
    "",
  ];
  return out.join("\n");
}

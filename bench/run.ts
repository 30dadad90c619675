/**
 * `npm run bench [-- --json] [-- --plot] [-- --only engine]`: the performance figures, every one
 * measured in this run against the emulator on loopback. Ratios and counts, not pass/fail timings.
 * `--plot` writes an SVG timeline of each bulk phase to bench/plots/ (README, "Benchmark");
 * `--only engine` runs section 9 alone, the slowest by far; `--only race-window` runs section 10.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { prepareConsumer } from "../host-harness";
import {
  BULK_LIMITS,
  REAL_PROFILE,
  REAL_PROFILE_SPEEDUP,
  measureBulk,
  measureRefresh,
} from "./bulk";
import { measureEngine } from "./engine";
import { measureRaceWindow } from "./race-window";
import { measureMemory, measureOverhead, measureSizes, template } from "./host";
import { writeTimelinePlot } from "./plot";
import { measureDigest, measureRoundTrips } from "./roundtrips";
import { startBenchEmulator } from "./setup";
import { render, renderEngine, renderRaceWindow, type Report } from "./table";

const BULK_N = 100;
const REAL_PROFILE_N = 1_000;
const REFRESH_N = 1_000;
const MEMORY_N = 1_000;
const OVERHEAD_ROUNDS = 10;
const ENGINE_TARGETS_N = 100;
const ENGINE_SCALE_N = 1_000;
export const PLOT_DIR = join(__dirname, "plots");

function machine(): Report["machine"] {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    platform: `${process.platform} ${process.arch}`,
  };
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const plot = process.argv.includes("--plot");
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  if (only !== undefined && only !== "engine" && only !== "race-window")
    throw new Error(`--only takes "engine" or "race-window" (got ${JSON.stringify(only)})`);
  const started = performance.now();
  const progress = (what: string) => {
    if (!json)
      process.stderr.write(
        `bench: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
  };
  const engineOptions = {
    backend: "invites" as const,
    targetsN: ENGINE_TARGETS_N,
    targetsLimits: BULK_LIMITS,
    scaleN: ENGINE_SCALE_N,
    progress,
  };
  if (only === "race-window") {
    const raceWindow = await measureRaceWindow(progress);
    const totalMs = performance.now() - started;
    process.stdout.write(
      json
        ? `${JSON.stringify({ machine: machine(), raceWindow, totalMs }, null, 2)}\n`
        : `${renderRaceWindow(raceWindow)}\n\ntotal ${(totalMs / 1000).toFixed(1)} s\n`,
    );
    return;
  }
  if (only === "engine") {
    progress("preparing the consumer (build, pack, install when the sources changed)");
    const engine = await measureEngine(await prepareConsumer(), engineOptions);
    const totalMs = performance.now() - started;
    process.stdout.write(
      json
        ? `${JSON.stringify({ machine: machine(), engine, totalMs }, null, 2)}\n`
        : `${renderEngine(engine)}\n\ntotal ${(totalMs / 1000).toFixed(1)} s\n`,
    );
    return;
  }
  progress("round trips");
  const roundTrips = [
    ...(await measureRoundTrips("invites")),
    ...(await measureRoundTrips("users")),
  ];
  const digest = await measureDigest();
  const bulk = [];
  for (const backend of ["invites", "users"] as const) {
    progress(`bulk create and destroy on the ${backend} API`);
    bulk.push(...(await measureBulk("targets", backend, BULK_N, BULK_LIMITS)));
  }
  for (const backend of ["invites", "users"] as const) {
    progress(`Atlas's real bucket, ${REAL_PROFILE_SPEEDUP} times faster, on the ${backend} API`);
    bulk.push(...(await measureBulk("real profile", backend, REAL_PROFILE_N, REAL_PROFILE)));
  }
  progress("refresh");
  const refresh = [
    await measureRefresh("invites", REFRESH_N),
    await measureRefresh("users", REFRESH_N),
  ];
  progress("preparing the consumer (build, pack, install when the sources changed)");
  const prepStarted = performance.now();
  const consumer = await prepareConsumer();
  const prepareMs = performance.now() - prepStarted;
  const emu = await startBenchEmulator();
  try {
    const t = await template(consumer, emu);
    progress("sizes");
    const sizes = await measureSizes(consumer, emu, t);
    progress("host overhead");
    const overhead = await measureOverhead(consumer, emu, t, OVERHEAD_ROUNDS);
    progress("host memory");
    const memory = await measureMemory(consumer, emu, t, MEMORY_N);
    const engine = await measureEngine(consumer, engineOptions);
    const raceWindow = await measureRaceWindow(progress);
    let plots: string[] = [];
    if (plot) {
      progress("plots");
      plots = await writeTimelinePlot(
        PLOT_DIR,
        bulk.filter((b) => b.scenario === "targets").map((b) => b.timeline),
      );
    }
    const report: Report = {
      machine: machine(),
      roundTrips,
      digest,
      bulkLimits: BULK_LIMITS,
      realProfile: { limits: REAL_PROFILE, speedup: REAL_PROFILE_SPEEDUP },
      bulk: bulk.map(({ timeline: _timeline, ...figure }) => figure),
      refresh,
      sizes,
      overhead,
      memory,
      engine,
      raceWindow,
      plots,
      prepareConsumerMs: prepareMs,
      totalMs: performance.now() - started,
    };
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  } finally {
    await emu.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

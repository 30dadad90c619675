/**
 * `npm run bench [-- --json]`: the performance figures of issue #6, every one measured in this
 * run against the emulator on loopback. Ratios and counts, not pass/fail timings.
 */
import { cpus } from "node:os";
import { prepareConsumer } from "../scripts/host";
import { measureBulk, measureRefresh, BULK_LIMITS } from "./bulk";
import { measureMemory, measureOverhead, measureSizes, template } from "./host";
import { measureDigest, measureRoundTrips } from "./roundtrips";
import { startBenchEmulator } from "./setup";
import { render, type Report } from "./table";

const BULK_N = 100;
const REFRESH_N = 200;
const MEMORY_N = 1_000;
const OVERHEAD_ROUNDS = 10;

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const started = performance.now();
  const progress = (what: string) => {
    if (!json)
      process.stderr.write(
        `bench: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
  };
  const emu = await startBenchEmulator();
  try {
    progress("round trips");
    const roundTrips = await measureRoundTrips(emu);
    const digest = await measureDigest();
    progress("bulk create and destroy");
    const bulk = await measureBulk(BULK_N);
    progress("refresh");
    const refresh = await measureRefresh(emu, REFRESH_N);
    progress("preparing the consumer (build, pack, install when the sources changed)");
    const prepStarted = performance.now();
    const consumer = await prepareConsumer();
    const prepareMs = performance.now() - prepStarted;
    const t = await template(consumer, emu);
    progress("sizes");
    const sizes = await measureSizes(consumer, emu, t);
    progress("host overhead");
    const overhead = await measureOverhead(consumer, emu, t, OVERHEAD_ROUNDS);
    progress("host memory");
    const memory = await measureMemory(consumer, emu, t, MEMORY_N);
    const report: Report = {
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        platform: `${process.platform} ${process.arch}`,
      },
      roundTrips,
      digest,
      bulkLimits: BULK_LIMITS,
      bulk,
      refresh,
      sizes,
      overhead,
      memory,
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

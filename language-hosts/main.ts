/**
 * `npm run language-hosts`: prepares (or finds in the cache) the toolchains that run the Python,
 * Go and YAML examples under the real CLI (language-hosts/index.ts), one line per language with
 * its time on stderr. Exits 1 when one could not be prepared, after trying every one.
 * `--json` prints the statuses as JSON on stdout (the engine tests read it).
 */
import { parseArgs } from "node:util";
import { ensureToolchains, LANGUAGES } from "./index";
import type { Language } from "./index";

const USAGE = `Usage: npm run language-hosts [-- [--json] [--language L]... [--help]]

Prepares, once, the toolchains of the Python, Go and YAML example programs into the cache
(next to the pulumi CLI's), and prints each one's time: a virtualenv with pulumi and sdk/python,
the Go example built against sdk/go, and pulumi-language-yaml built from the Go module proxy.
  --language L  only this language (python, go, yaml); may be repeated
  --json        print the statuses as JSON on stdout
  -h, --help    print this help and exit
Exits 1 when a toolchain could not be prepared (each is tried).
`;

async function main(): Promise<void> {
  let values: { json: boolean; help: boolean; language?: string[] };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        language: { type: "string", multiple: true },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const unknown = (values.language ?? []).filter((l) => !LANGUAGES.includes(l as Language));
  if (unknown.length > 0) {
    console.error(`--language ${unknown.join(", ")}: expected one of ${LANGUAGES.join(", ")}`);
    process.exit(2);
  }
  const languages = values.language?.length ? (values.language as Language[]) : LANGUAGES;
  const statuses = await ensureToolchains(languages);
  for (const status of statuses)
    console.error(
      status.ok
        ? `${status.language}: ${status.toolchain.source === "built" ? "prepared" : "from the cache"} in ${status.toolchain.seconds.toFixed(1)} s (${status.toolchain.dir})`
        : `${status.language}: NOT prepared: ${status.reason}`,
    );
  if (values.json) process.stdout.write(`${JSON.stringify(statuses)}\n`);
  if (statuses.some((s) => !s.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

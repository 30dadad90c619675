/**
 * `npm run pulumi-cli`: finds or builds the real `pulumi` CLI (pulumi-cli/index.ts) and prints
 * its path on stdout; progress goes to stderr. `--no-path` ignores a `pulumi` on `PATH` and uses
 * (or builds) the one pinned by pulumi-cli/go.mod.
 */
import { parseArgs } from "node:util";
import { ensurePulumiCli } from "./index";

const USAGE = `Usage: npm run pulumi-cli [-- [--no-path] [--help]]

Prints the path of the pulumi CLI the demo, the tests and the bench run: a pulumi >= the
pinned version (pulumi-cli/go.mod) or later on PATH, else the one built from pulumi-cli/go.mod with Go (first run only).
  --no-path   ignore PATH: use, or build, the pinned CLI
  -h, --help  print this help and exit
`;

async function main(): Promise<void> {
  let values: { "no-path": boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        "no-path": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    // A usage error exits 2, as the generate CLI's do.
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const started = Date.now();
  const cli = await ensurePulumiCli(values["no-path"] ? { path: "" } : {});
  console.error(
    `pulumi v${cli.version} (${cli.source === "built" ? `built in ${cli.buildSeconds?.toFixed(0)} s` : `from ${cli.source}`}, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s in all)`,
  );
  console.log(cli.binary);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

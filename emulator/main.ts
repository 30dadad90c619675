/**
 * CLI: `npm run emulator -- --port N --public-key K --private-key S --client-id I --client-secret C`.
 * The first stdout line is the base URL (scripts read it); a human summary follows.
 */
import { startEmulator } from "./server";
import type { EmulatorOptions } from "./types";

const FLAGS: Record<string, keyof EmulatorOptions> = {
  "--port": "port",
  "--public-key": "publicKey",
  "--private-key": "privateKey",
  "--client-id": "clientId",
  "--client-secret": "clientSecret",
};

const USAGE = `usage: npm run emulator -- [--port N] [--public-key K] [--private-key S] [--client-id I] [--client-secret C] [--sha256]
  --port          TCP port on 127.0.0.1 (default 0: any free port)
  --public-key    digest username (default emulator-public-key)
  --private-key   digest password (default emulator-private-key)
  --client-id     service account client id (default mdb_sa_id_emulator)
  --client-secret service account client secret (default mdb_sa_sk_emulator)
  --sha256        offer SHA-256 digest challenges besides MD5`;

export function parseArgs(argv: string[]): EmulatorOptions {
  const options: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === "--sha256") {
      options["digestAlgorithms"] = ["SHA-256", "MD5"];
      continue;
    }
    const [flag = "", inline] = arg.split(/=(.*)/s, 2);
    const key = FLAGS[flag];
    const value = inline ?? argv[++i];
    if (!key || value === undefined)
      throw new Error(`unknown or incomplete argument ${arg}\n${USAGE}`);
    if (key === "port") {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port must be 0..65535, got ${value}`);
      options[key] = port;
    } else {
      options[key] = value;
    }
  }
  return options as EmulatorOptions;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  const { credentials: c } = emulator;
  console.log(emulator.baseUrl);
  console.log(
    [
      "MongoDB Atlas Admin API emulator (org invitations and org users) is listening.",
      `  org:      ${emulator.orgId}`,
      `  teams:    ${emulator.teamIds.join(", ")}`,
      `  project:  ${emulator.projectId}`,
      `  control:  ${emulator.baseUrl}/__emulator/ (see emulator/README.md)`,
      "Point a client at it with:",
      `  export MONGODB_ATLAS_BASE_URL=${emulator.baseUrl}`,
      `  export MONGODB_ATLAS_PUBLIC_KEY=${c.publicKey}`,
      `  export MONGODB_ATLAS_PRIVATE_KEY=<the --private-key value; default ${c.privateKey === "emulator-private-key" ? "emulator-private-key" : "(custom, not shown)"}>`,
      `  export MONGODB_ATLAS_CLIENT_ID=${c.clientId}`,
      `  export MONGODB_ATLAS_CLIENT_SECRET=<the --client-secret value; default ${c.clientSecret === "mdb_sa_sk_emulator" ? "mdb_sa_sk_emulator" : "(custom, not shown)"}>`,
      "Press Ctrl+C to stop.",
    ].join("\n"),
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

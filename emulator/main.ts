/**
 * CLI: `npm run emulator -- --port N --public-key K --private-key S --client-id I --client-secret C
 * [--sunset | --sunset-date ISO] [--tls [--tls-hostname H]... [--tls-certificate valid|expired|wrong-host]]`.
 * The first stdout line is the base URL (scripts read it); with --tls the next line is the CA file
 * path (and `export NODE_EXTRA_CA_CERTS=<path>` follows in the summary); a human summary follows.
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
                            [--sunset | --sunset-date ISO-DATE]
                            [--tls [--tls-hostname H]... [--tls-certificate valid|expired|wrong-host]]
  --port          TCP port on 127.0.0.1 (default 0: any free port)
  --public-key    digest username (default emulator-public-key)
  --private-key   digest password (default emulator-private-key)
  --client-id     service account client id (default mdb_sa_id_emulator)
  --client-secret service account client secret (default mdb_sa_sk_emulator)
  --sha256        offer SHA-256 digest challenges besides MD5
  --sunset        the deprecated invites API is already gone: every invites call (and listOrgUsers /
                  removeOrgUser with 2023-01-01) answers 410 VERSION_GONE from the start; the
                  Sunset header announces the start-up time
  --sunset-date   the sunset of the 2023-01-01 media type (default 2027-07-01T00:00:00Z), an
                  ISO-8601 date: announced in the Sunset header, 410 from then on
  --tls           serve HTTPS with a fresh throwaway CA; prints the CA file (for NODE_EXTRA_CA_CERTS)
                  on the second line; the leaf covers cloud.mongodb.com, localhost, 127.0.0.1, ::1
  --tls-hostname  add a DNS name or IP to the leaf certificate (repeatable; implies --tls)
  --tls-certificate
                  valid (default), expired (validity ended yesterday) or wrong-host (only the
                  --tls-hostname names, default wrong.example), to test client TLS errors`;

const TLS_KINDS: readonly string[] = ["valid", "expired", "wrong-host"];

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
    if (arg === "--tls") {
      options["tls"] = true;
      continue;
    }
    if (arg === "--sunset") {
      if (options["sunsetDate"] !== undefined)
        throw new Error(`give --sunset or --sunset-date once\n${USAGE}`);
      // Whole seconds: the Sunset header has no finer unit, and it must not lie in the future.
      options["sunsetDate"] = new Date(Math.floor(Date.now() / 1000) * 1000);
      continue;
    }
    const [flag = "", inline] = arg.split(/=(.*)/s, 2);
    if (flag === "--sunset-date") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new Error(`${flag} needs a value\n${USAGE}`);
      if (!Number.isFinite(Date.parse(value))) {
        throw new Error(
          `--sunset-date must be an ISO-8601 date (2027-07-01T00:00:00Z), got ${value}`,
        );
      }
      if (options["sunsetDate"] !== undefined)
        throw new Error(`give --sunset or --sunset-date once\n${USAGE}`);
      options["sunsetDate"] = value;
      continue;
    }
    if (flag === "--tls-hostname" || flag === "--tls-certificate") {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new Error(`${flag} needs a value\n${USAGE}`);
      options["tls"] = true;
      if (flag === "--tls-hostname") {
        options["tlsHostnames"] = [
          ...((options["tlsHostnames"] as string[] | undefined) ?? []),
          value,
        ];
      } else if (TLS_KINDS.includes(value)) {
        options["tlsCertificate"] = value;
      } else {
        throw new Error(`--tls-certificate must be one of ${TLS_KINDS.join(", ")}, got ${value}`);
      }
      continue;
    }
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
  const sunset = emulator.control.sunset();
  const tls = emulator.tls;
  if (tls) console.log(tls.caFile);
  console.log(
    [
      "MongoDB Atlas Admin API emulator (org invitations and org users) is listening.",
      `  org:      ${emulator.orgId}`,
      `  teams:    ${emulator.teamIds.join(", ")}`,
      `  project:  ${emulator.projectId}`,
      sunset.passed
        ? `  sunset:   ${sunset.sunsetDate}: the invites API is gone (410 VERSION_GONE)`
        : `  sunset:   ${sunset.sunsetDate} (the invites API answers 410 from then on)`,
      `  control:  ${emulator.baseUrl}/__emulator/ (see emulator/README.md)`,
      ...(tls ? [`  tls:      throwaway CA in ${tls.caFile} (deleted on exit)`] : []),
      "Point a client at it with:",
      ...(tls ? [`  export NODE_EXTRA_CA_CERTS=${tls.caFile}  # read at Node start-up`] : []),
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

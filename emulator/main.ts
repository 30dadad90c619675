/**
 * The CLI: `npm run emulator -- [flags]` (USAGE lists them). Flags are parsed by node's own
 * util.parseArgs, strictly, as the product's CLI parses its own (provider/cli/run.ts): `--help`
 * (or `-h`) prints USAGE and exits 0, whatever else the line holds; an unknown flag, a missing
 * value or a bad one is a usage error naming the flag (stderr, exit 2). The first stdout line is
 * the base URL (scripts read it); with --tls the next line is the CA file path (and
 * `export NODE_EXTRA_CA_CERTS=<path>` follows in the summary); a human summary follows.
 */
import { parseArgs as parseFlags } from "node:util";
import { startEmulator } from "./server";
import type { EmulatorOptions, TlsCertificateKind } from "./types";

const SYNOPSIS = `npm run emulator -- [--port N] [--public-key K] [--private-key S] [--client-id I] [--client-secret C] [--sha256]
                            [--sunset | --sunset-date ISO-DATE]
                            [--tls [--tls-hostname H]... [--tls-certificate valid|expired|wrong-host]]`;

/** The text of `--help`. */
export const USAGE = `usage: ${SYNOPSIS}
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
                  --tls-hostname names, default wrong.example), to test client TLS errors
  -h, --help      print this text`;

/** Exit status of a usage error, as the product's CLI (provider/cli/generate.ts EXIT_USAGE). */
const EXIT_USAGE = 2;

/** A usage problem: the message names the flag. */
export class UsageError extends Error {}

const FLAGS = {
  port: { type: "string" },
  "public-key": { type: "string" },
  "private-key": { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  sha256: { type: "boolean" },
  sunset: { type: "boolean" },
  "sunset-date": { type: "string" },
  tls: { type: "boolean" },
  "tls-hostname": { type: "string", multiple: true },
  "tls-certificate": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Flag = keyof typeof FLAGS;

const TLS_KINDS: readonly string[] = ["valid", "expired", "wrong-host"];

/** --sunset-date and the --tls-* flags refuse an empty value; the others take it as given. */
function needsValue(flag: string, value: string): void {
  if (value === "") throw new UsageError(`${flag} needs a value`);
}

function once(options: EmulatorOptions): void {
  if (options.sunsetDate !== undefined) throw new UsageError("give --sunset or --sunset-date once");
}

/**
 * What each flag does to the options, applied in command-line order: a repeated flag's last value
 * wins, except that --tls-hostname adds one name each time and --sunset/--sunset-date go once.
 */
const APPLY: { [F in Flag]: (options: EmulatorOptions, value: string) => void } = {
  port(options, value) {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be 0..65535, got ${value}`);
    options.port = port;
  },
  "public-key": (options, value) => (options.publicKey = value),
  "private-key": (options, value) => (options.privateKey = value),
  "client-id": (options, value) => (options.clientId = value),
  "client-secret": (options, value) => (options.clientSecret = value),
  sha256: (options) => (options.digestAlgorithms = ["SHA-256", "MD5"]),
  sunset(options) {
    once(options);
    // Whole seconds: the Sunset header has no finer unit, and it must not lie in the future.
    options.sunsetDate = new Date(Math.floor(Date.now() / 1000) * 1000);
  },
  "sunset-date"(options, value) {
    needsValue("--sunset-date", value);
    if (!Number.isFinite(Date.parse(value))) {
      throw new UsageError(
        `--sunset-date must be an ISO-8601 date (2027-07-01T00:00:00Z), got ${value}`,
      );
    }
    once(options);
    options.sunsetDate = value;
  },
  tls: (options) => (options.tls = true),
  "tls-hostname"(options, value) {
    needsValue("--tls-hostname", value);
    options.tls = true;
    options.tlsHostnames = [...(options.tlsHostnames ?? []), value];
  },
  "tls-certificate"(options, value) {
    needsValue("--tls-certificate", value);
    options.tls = true;
    if (!TLS_KINDS.includes(value)) {
      throw new UsageError(
        `--tls-certificate must be one of ${TLS_KINDS.join(", ")}, got ${value}`,
      );
    }
    options.tlsCertificate = value as TlsCertificateKind;
  },
  help: () => undefined,
};

/**
 * node's own messages name the flag but add advice that does not apply here; keep what names the
 * problem. An unknown flag and a stray word keep this CLI's older wording.
 */
function parseProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `unknown or incomplete argument ${/'([^']*)'/.exec(message)?.[1] ?? message}`;
  }
  // "Option '--port <value>' argument missing", "Option '-h, --help' does not take an argument"
  const flag = /'(?:-\w, )?(--?[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag !== undefined) {
    if (/argument missing|ambiguous/.test(message)) return `${flag} needs a value`;
    if (/does not take an argument/.test(message)) return `${flag} takes no value`;
  }
  return message.split("\n")[0] ?? message;
}

/** node's util.parseArgs, strict: unknown flags, stray words and missing values are refused. */
function tokensOf(argv: readonly string[]): NonNullable<ReturnType<typeof parseFlags>["tokens"]> {
  try {
    return parseFlags({ args: [...argv], options: FLAGS, strict: true, tokens: true }).tokens ?? [];
  } catch (error) {
    throw new UsageError(parseProblem(error));
  }
}

/**
 * The emulator options a command line gives (`--help` aside: parseCommandLine answers it).
 * @throws UsageError naming the flag, for an unknown flag, a missing value or a bad one
 */
export function parseArgs(argv: readonly string[]): EmulatorOptions {
  const options: EmulatorOptions = {};
  for (const token of tokensOf(argv)) {
    if (token.kind === "option") APPLY[token.name as Flag](options, token.value ?? "");
  }
  return options;
}

/** What a command line asks for: the help text, or an emulator with these options. */
export type CommandLine = { help: true } | { help: false; options: EmulatorOptions };

/**
 * Parses a command line (without `node` and the script). `--help` wins over any other problem on
 * the line, as users expect of a help flag.
 * @throws UsageError naming the flag, for an unknown flag, a missing value or a bad one
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv.includes("--help") || argv.includes("-h")) return { help: true };
  return { help: false, options: parseArgs(argv) };
}

async function main(argv: readonly string[]): Promise<void> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(
      `usage error: ${error.message}\nusage: ${SYNOPSIS}\nRun \`npm run emulator -- --help\` for more.`,
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (line.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(line.options);
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
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

/**
 * The command line of `pulumi-atlas-org-invitations`: parses the arguments, answers `--help`, and
 * refuses bad ones with a usage error (exit 2) before anything reads credentials or calls Atlas.
 */
import { parseArgs } from "node:util";
import { ON_ACCEPTED_POLICIES } from "../model";
import type { OnAcceptedPolicy } from "../model";
import { EXIT_OK, EXIT_USAGE, generate } from "./generate";
import type { CliIo } from "./generate";
import { OUTPUT_FORMATS } from "./format";
import type { OutputFormat } from "./format";

export type { CliIo } from "./generate";

/** The command's name, as npm links it (package.json `bin`). */
export const COMMAND = "pulumi-atlas-org-invitations";

const SYNOPSIS = `${COMMAND} generate --org <orgId> [--format yaml|ts|import] [--on-accepted fail|retain]`;

/** The text of `--help`. */
export const USAGE = `Usage: ${SYNOPSIS}

Prints declarations of the pending invitations of a MongoDB Atlas organization. The first
\`pulumi up\` of those declarations adopts every invitation instead of sending a new one: this is
how existing invitations come under management with the dynamic provider, because
\`pulumi import\` does not work for dynamic resources (pulumi/pulumi#16175). With the provider
plugin (atlasorginvitations), \`--format import\` prints the file of \`pulumi import --file\`.

Options:
  --org <orgId>                the organization: 24 lower-case hex characters (required)
  --format yaml|ts|import      yaml (default): stack config for the program of examples/stack
                               (atlas-org-invitations:orgId and atlas-org-invitations:invitations)
                               ts: TypeScript, one \`new OrgInvitation(...)\` per person
                               import: JSON for \`pulumi import --file <file>\`, one
                               atlasorginvitations:index:OrgInvitation per person, with the id
                               <orgId>/<invitationId>, or <orgId>/<userId> when read from the
                               org users API (see ATLAS_INVITATIONS_API below)
  --on-accepted fail|retain    onAccepted of every declaration (left out by default: "fail");
                               not with --format import, which imports the default
  -h, --help                   print this text

Credentials and base URL come from the environment, as the provider reads them:
  MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (a service account), or
  MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY (an API key pair);
  MONGODB_ATLAS_BASE_URL (default https://cloud.mongodb.com); HTTPS_PROXY and NO_PROXY.
ATLAS_INVITATIONS_API picks the Atlas API read, as it does for the provider: auto (default: the
invites API, then the org users API after its 410 Gone), invites, or users. Run the import
with the same setting, so the plugin reads the ids the file holds.

The declarations go to stdout; progress, warnings and errors to stderr. Nothing is written to
Atlas. Exit status: 0 done, 1 configuration or Atlas error, 2 usage error.
`;

const HEX24 = /^[a-f0-9]{24}$/;

/** A usage problem: the message names the flag. */
class UsageError extends Error {}

const OPTIONS = {
  org: { type: "string" },
  format: { type: "string" },
  "on-accepted": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * node's own messages name the flag but append advice about positionals after `--`, which does
 * not apply here; keep what names the problem.
 */
function parseProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1];
    return flag ? `unknown option ${flag}` : (message.split(".")[0] ?? message);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /'(-[^' ]+|-\w, --[^' ]+)/.exec(message)?.[1];
    if (/argument missing|ambiguous/.test(message) && flag) return `${flag} needs a value`;
    return message.split("\n")[0] ?? message;
  }
  return message.split("\n")[0] ?? message;
}

type Parsed = { help: true } | { help: false; command: string | undefined; values: Values };
interface Values {
  org?: string | undefined;
  format?: string | undefined;
  "on-accepted"?: string | undefined;
}

function parse(argv: readonly string[]): Parsed {
  let parsed;
  try {
    // node's built-in util.parseArgs (stable since Node 20, the engines floor): a well-kept
    // parser already in the runtime, so the CLI adds no dependency.
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // `--help` wins over any other problem on the line, as users expect of a help flag.
    if (argv.includes("--help") || argv.includes("-h")) return { help: true };
    throw new UsageError(parseProblem(error));
  }
  if (parsed.values.help) return { help: true };
  // parseArgs keeps the last of a repeated flag; a repeated --org is more likely a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const [command, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  return { help: false, command, values: parsed.values };
}

function options(values: Values): {
  orgId: string;
  format: OutputFormat;
  onAccepted?: OnAcceptedPolicy;
} {
  const org = values.org;
  if (org === undefined) throw new UsageError("--org is required: the organization id");
  if (!HEX24.test(org)) {
    throw new UsageError(
      HEX24.test(org.toLowerCase())
        ? `--org must be lower-case hex, as Atlas writes ids: use ${org.toLowerCase()}`
        : `--org must be the 24-character hex id of the organization (like 5f1e2d3c4b5a69788776655a); got ${JSON.stringify(org.slice(0, 40))}`,
    );
  }
  const format = OUTPUT_FORMATS.find((f) => f === (values.format ?? "yaml"));
  if (!format) {
    throw new UsageError(
      `--format must be yaml, ts or import; got ${JSON.stringify(String(values.format).slice(0, 40))}`,
    );
  }
  const raw = values["on-accepted"];
  if (raw === undefined) return { orgId: org, format };
  if (format === "import") {
    // `pulumi import` takes every input from the provider's read; an onAccepted in the file
    // would not reach the state (the engine's mergeSuppliedProperties keeps what the read gives).
    throw new UsageError(
      "--on-accepted does not apply to --format import: the import records onAccepted " +
        '"fail" (the default); set onAccepted in the code `pulumi import` writes, then run `pulumi up`',
    );
  }
  const onAccepted = ON_ACCEPTED_POLICIES.find((p) => p === raw);
  if (!onAccepted) {
    throw new UsageError(
      `--on-accepted must be fail or retain; got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  return { orgId: org, format, onAccepted };
}

/**
 * Runs the command line `argv` (without `node` and the script).
 * @returns the exit code: 0 done (or `--help`), 1 configuration or Atlas error, 2 usage error
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  let chosen: ReturnType<typeof options>;
  try {
    parsed = parse(argv);
    if (parsed.help) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (parsed.command === undefined) throw new UsageError("a command is required: generate");
    if (parsed.command !== "generate") {
      throw new UsageError(
        `unknown command ${JSON.stringify(parsed.command)}: the command is generate`,
      );
    }
    chosen = options(parsed.values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(
      `usage error: ${error.message}\nUsage: ${SYNOPSIS}\nRun \`${COMMAND} --help\` for more.\n`,
    );
    return EXIT_USAGE;
  }
  return generate(chosen, io);
}

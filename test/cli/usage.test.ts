/**
 * The command line itself: `--help`, and usage errors (exit 2, the problem named on stderr,
 * nothing on stdout) before anything reads credentials or calls Atlas; missing credentials fail
 * with the provider's configuration message (exit 1). No emulator: none of these reach Atlas.
 */
import { USAGE } from "../../provider/cli/run";
import { resolveFromEnvironment } from "../../provider/cli/settings";
import { ENVIRONMENT_ONLY } from "../../provider/settings";
import { isAtlasConfigurationError } from "../../provider/errors";
import { runCli } from "./helpers";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
/** Nothing reachable: a usage error must be found before any request. */
const ENV = { MONGODB_ATLAS_BASE_URL: "http://127.0.0.1:9" };

describe("--help", () => {
  it.each([
    [["--help"]],
    [["-h"]],
    [["generate", "--help"]],
    [["generate", "--org", "x", "-h"]],
    [["generate", "--bogus", "--help"]],
  ])("%j prints the usage on stdout and exits 0", async (argv) => {
    const { code, stdout, stderr } = await runCli(argv, ENV);
    expect(code).toBe(0);
    expect(stdout).toBe(USAGE);
    expect(stderr).toBe("");
  });

  it("names every flag, the credentials variables and the exit codes", () => {
    for (const text of [
      "generate --org <orgId> [--format yaml|ts|import] [--on-accepted fail|retain]",
      "pulumi import --file <file>",
      "<orgId>/<invitationId>",
      "<orgId>/<userId>",
      "MONGODB_ATLAS_CLIENT_ID",
      "MONGODB_ATLAS_PUBLIC_KEY",
      "MONGODB_ATLAS_BASE_URL",
      "ATLAS_INVITATIONS_API",
      "2 usage error",
    ]) {
      expect(USAGE).toContain(text);
    }
  });
});

describe("usage errors: exit 2, the problem on stderr, nothing on stdout", () => {
  it.each([
    { argv: ["generate", "--org", ORG, "--foo"], problem: "unknown option --foo" },
    { argv: ["generate", "--org", ORG, "-x"], problem: "unknown option -x" },
    { argv: ["generate"], problem: "--org is required" },
    { argv: ["generate", "--org"], problem: "--org needs a value" },
    { argv: ["generate", "--org", "--format", "ts"], problem: "--org needs a value" },
    { argv: ["generate", "--org", "12345"], problem: "--org must be the 24-character hex id" },
    {
      argv: ["generate", "--org", ORG.toUpperCase()],
      problem: `--org must be lower-case hex, as Atlas writes ids: use ${ORG}`,
    },
    { argv: ["generate", "--org", ORG, "--org", ORG], problem: "--org is given more than once" },
    {
      argv: ["generate", "--org", ORG, "--format", "json"],
      problem: '--format must be yaml, ts or import; got "json"',
    },
    {
      argv: ["generate", "--org", ORG, "--format", "import", "--on-accepted", "retain"],
      problem: "--on-accepted does not apply to --format import",
    },
    { argv: ["generate", "--org", ORG, "--format"], problem: "--format needs a value" },
    {
      argv: ["generate", "--org", ORG, "--on-accepted", "keep"],
      problem: '--on-accepted must be fail or retain; got "keep"',
    },
    { argv: ["generate", "--org", ORG, "extra"], problem: 'unexpected argument "extra"' },
    { argv: [], problem: "a command is required: generate" },
    { argv: ["import", "--org", ORG], problem: 'unknown command "import"' },
  ])("$argv: $problem", async ({ argv, problem }) => {
    const { code, stdout, stderr } = await runCli(argv, ENV);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const [first, ...rest] = stderr.split("\n");
    expect(first).toMatch(/^usage error: /);
    expect(first).toContain(problem);
    expect(rest[0]).toMatch(/^Usage: pulumi-atlas-org-invitations generate --org <orgId>/);
  });
});

describe("configuration errors: exit 1, the provider's message in terms of the environment", () => {
  it("missing credentials name the variables to set", async () => {
    const { code, stdout, stderr } = await runCli(["generate", "--org", ORG], {});
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: No Atlas credentials found\./);
    for (const name of [
      "MONGODB_ATLAS_CLIENT_ID",
      "MONGODB_ATLAS_CLIENT_SECRET",
      "MONGODB_ATLAS_PUBLIC_KEY",
      "MONGODB_ATLAS_PRIVATE_KEY",
    ]) {
      expect(stderr).toContain(name);
    }
  });

  it("a half-set key pair names the missing half, and prints no secret", async () => {
    const secret = "SENTINEL-half-set-private-key";
    const { code, stdout, stderr } = await runCli(["generate", "--org", ORG], {
      MONGODB_ATLAS_PRIVATE_KEY: secret,
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("MONGODB_ATLAS_PUBLIC_KEY");
    expect(stderr).not.toContain(secret);
  });

  it("a plain-http base URL off loopback is refused before any request", async () => {
    const { code, stderr } = await runCli(["generate", "--org", ORG], {
      MONGODB_ATLAS_BASE_URL: "http://atlas.example.com",
      MONGODB_ATLAS_PUBLIC_KEY: "public",
      MONGODB_ATLAS_PRIVATE_KEY: "private",
    });
    expect(code).toBe(1);
    expect(stderr).toContain("MONGODB_ATLAS_BASE_URL");
    expect(stderr).toContain("plain http://");
  });
});

/** What a message must not say to a user of the command, which reads no Pulumi config. */
const CONFIG_WORDING = /mongodbatlas:|config `|pulumi config set/i;

describe("configuration messages name environment variables only, because the command reads no Pulumi config", () => {
  it.each([
    {
      case: "no credentials",
      env: {},
      names: [
        "MONGODB_ATLAS_CLIENT_ID",
        "MONGODB_ATLAS_CLIENT_SECRET",
        "MONGODB_ATLAS_PUBLIC_KEY",
        "MONGODB_ATLAS_PRIVATE_KEY",
      ],
      credentials: true,
    },
    {
      case: "a client id without its secret",
      env: { MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_x" },
      names: ["MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_CLIENT_ID"],
      credentials: true,
    },
    {
      case: "a private key without its public key",
      env: { MONGODB_ATLAS_PRIVATE_KEY: "private" },
      names: ["MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY"],
      credentials: true,
    },
    {
      case: "a base URL with credentials in it",
      env: {
        MONGODB_ATLAS_BASE_URL: "https://user:pass@cloud.mongodb.com",
        MONGODB_ATLAS_PUBLIC_KEY: "public",
        MONGODB_ATLAS_PRIVATE_KEY: "private",
      },
      names: ["MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY"],
      credentials: false,
    },
  ])("$case: the message names the variables alone", async ({ env, names, credentials }) => {
    const { code, stdout, stderr } = await runCli(["generate", "--org", ORG], env);
    expect([code, stdout]).toEqual([1, ""]);
    expect(stderr).toMatch(/^error: /);
    expect(stderr).not.toMatch(CONFIG_WORDING);
    for (const name of names) expect(stderr).toContain(name);
    if (credentials) expect(stderr).toContain(ENVIRONMENT_ONLY);
    else expect(stderr).not.toContain(ENVIRONMENT_ONLY);
  });

  it("the error keeps its class, and its keys are the variables to set, no config key", () => {
    let thrown: unknown;
    try {
      resolveFromEnvironment({ MONGODB_ATLAS_CLIENT_SECRET: "secret" });
    } catch (error) {
      thrown = error;
    }
    if (!isAtlasConfigurationError(thrown))
      throw new Error(`not a configuration error: ${String(thrown)}`);
    expect(thrown.keys.length).toBeGreaterThan(0);
    expect(thrown.keys.filter((key) => !key.startsWith("MONGODB_ATLAS_"))).toEqual([]);
  });
});

import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { UsageError, parseArgs, parseCommandLine } from "../../emulator/main";
import { DigestClient, INVITES, USERS, V2023, V2025, invite, obj, raw } from "./support";

const ROOT = resolve(__dirname, "../..");

test("the CLI prints the base URL as its first line, serves it, and stops on SIGTERM", async () => {
  // detached: the child leads its own process group, so npx, tsx and node stop together.
  const child = spawn(
    "npx",
    ["tsx", "emulator/main.ts", "--port", "0", "--public-key", "cli-key"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("spawn failed");
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, "line")) as [string];
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await raw(first, "GET", INVITES, { Accept: V2023 });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('realm="MMS Public API"');
    const exited = once(child, "exit");
    process.kill(-pid, "SIGTERM");
    await exited;
    await expect(raw(first, "GET", INVITES)).rejects.toThrow();
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-pid, "SIGKILL");
  }
}, 20_000);

/** Starts the CLI with `args`, hands its first stdout line (the base URL) to `use`, then stops it. */
async function withCli(args: string[], use: (baseUrl: string) => Promise<void>): Promise<void> {
  const child = spawn("npx", ["tsx", "emulator/main.ts", "--port", "0", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("spawn failed");
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, "line")) as [string];
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await use(first);
    const exited = once(child, "exit");
    process.kill(-pid, "SIGTERM");
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-pid, "SIGKILL");
  }
}

test("the CLI with --sunset answers 410 on invites calls from the start, and 200 on org users with 2025-02-19", async () => {
  await withCli(["--sunset"], async (baseUrl) => {
    const api = new DigestClient(baseUrl, "emulator-public-key", "emulator-private-key");
    const gone = await api.call("GET", INVITES);
    expect([gone.status, obj(gone.body)["errorCode"]]).toEqual([410, "VERSION_GONE"]);
    expect(Date.parse(gone.headers.get("sunset") ?? "")).toBeLessThanOrEqual(Date.now());
    expect((await api.call("POST", INVITES, { body: invite("a@example.com") })).status).toBe(410);
    expect((await api.call("GET", USERS, { accept: V2025 })).status).toBe(200);
  });
}, 20_000);

test("the CLI with --sunset-date announces that date and keeps the invites API until then", async () => {
  await withCli(["--sunset-date", "2099-01-01T00:00:00Z"], async (baseUrl) => {
    const api = new DigestClient(baseUrl, "emulator-public-key", "emulator-private-key");
    const res = await api.call("GET", INVITES);
    expect([res.status, res.headers.get("sunset")]).toEqual([200, "Thu, 1 Jan 2099 00:00:00 GMT"]);
  });
}, 20_000);

/** What `--help` prints (exit code 0), read once. */
let helpText: Promise<string> | undefined;
function help(): Promise<string> {
  helpText ??= (async () => {
    const child = spawn("npx", ["tsx", "emulator/main.ts", "--help"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
    return out;
  })();
  return helpText;
}

/** The flags --help describes: the lines that start with two spaces and a flag. */
function describedFlags(text: string): string[] {
  return [...text.matchAll(/^ {2}(--[a-z0-9-]+)/gm)].map((m) => m[1] ?? "").sort();
}

/** The flags of the usage synopsis: every flag before the first described one. */
function synopsisFlags(text: string): string[] {
  const synopsis = text.slice(0, text.search(/^ {2}--/m));
  return [...new Set([...synopsis.matchAll(/--[a-z0-9-]+/g)].map((m) => m[0]))].sort();
}

/** The flags in the first column of emulator/README.md's flag table (`| flag | default |`). */
function readmeFlags(): string[] {
  const lines = readFileSync(resolve(ROOT, "emulator/README.md"), "utf8").split("\n");
  const start = lines.findIndex((line) => /^\|\s*flag\s*\|/.test(line));
  expect(start).toBeGreaterThanOrEqual(0);
  const flags: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cell = line.split("|")[1] ?? "";
    const flag = /`(--[a-z0-9-]+)/.exec(cell)?.[1];
    if (flag === undefined) throw new Error(`no flag in the README's flag table row ${line}`);
    flags.push(flag);
  }
  return flags.sort();
}

test("the CLI's --help describes --sunset and --sunset-date", async () => {
  const out = await help();
  expect(out).toMatch(/--sunset\s+the deprecated invites API is already gone/);
  expect(out).toMatch(/--sunset-date\s+the sunset of the 2023-01-01 media type/);
}, 20_000);

test("the CLI's --help describes exactly the flags of its usage synopsis", async () => {
  const out = await help();
  expect(describedFlags(out)).toEqual(synopsisFlags(out));
}, 20_000);

test("the README's flag table lists exactly the flags --help describes", async () => {
  const described = describedFlags(await help());
  expect(described).toContain("--tls-hostname");
  expect(described).toContain("--tls-certificate");
  expect(readmeFlags()).toEqual(described);
}, 20_000);

/** A valid value for each flag that takes one; a new flag needs an entry here. */
const SAMPLE_VALUES: Record<string, string | undefined> = {
  "--port": "0",
  "--public-key": "k",
  "--private-key": "s",
  "--client-id": "i",
  "--client-secret": "c",
  "--sha256": undefined,
  "--sunset": undefined,
  "--sunset-date": "2030-01-01T00:00:00Z",
  "--tls": undefined,
  "--tls-hostname": "atlas.proxy.internal",
  "--tls-certificate": "expired",
};

test("every flag --help describes is one the CLI parses", async () => {
  const described = describedFlags(await help());
  expect(Object.keys(SAMPLE_VALUES).sort()).toEqual(described);
  for (const flag of described) {
    const value = SAMPLE_VALUES[flag];
    const args = value === undefined ? [flag] : [flag, value];
    expect(() => parseArgs(args)).not.toThrow();
    expect(Object.keys(parseArgs(args))).not.toHaveLength(0);
  }
  expect(() => parseArgs(["--tls-hostnames", "x"])).toThrow(/unknown or incomplete argument/);
}, 20_000);

/** Runs the CLI to its end (a usage error or --help): its exit code, stdout and stderr. */
async function runToExit(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn("npx", ["tsx", "emulator/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number];
  return { code, stdout, stderr };
}

test("an unknown flag is a usage error naming it: exit 2, nothing on stdout, the usage on stderr", async () => {
  const { code, stdout, stderr } = await runToExit(["--prot", "4010"]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(
    /^usage error: unknown or incomplete argument --prot\nusage: npm run emulator -- /m,
  );
  expect(stderr).toContain("Run `npm run emulator -- --help` for more.");
}, 20_000);

test("a flag without its value is a usage error naming it: exit 2", async () => {
  const { code, stdout, stderr } = await runToExit(["--port"]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/^usage error: --port needs a value$/m);
}, 20_000);

test("a bad value is a usage error too: exit 2", async () => {
  const { code, stderr } = await runToExit(["--port", "70000"]);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^usage error: --port must be 0\.\.65535, got 70000$/m);
}, 20_000);

test("--help prints the usage to stdout and exits 0, whatever else the line holds", async () => {
  const out = await help();
  expect(out).toMatch(/^usage: npm run emulator -- /);
  expect(out).toMatch(/^ {2}-h, --help {6}print this text$/m);
  const { code, stdout, stderr } = await runToExit(["--prot", "-h"]);
  expect([code, stdout]).toEqual([0, out]);
  expect(stderr).not.toContain("usage error");
}, 20_000);

describe("parseCommandLine", () => {
  const problem = (argv: string[]): string => {
    try {
      parseCommandLine(argv);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`${argv.join(" ")} parsed`);
  };

  test("an unknown flag, a stray word, a value given to a switch: usage errors naming the argument", () => {
    expect(problem(["--bogus"])).toBe("unknown or incomplete argument --bogus");
    expect(problem(["--bogus=1"])).toBe("unknown or incomplete argument --bogus");
    expect(problem(["-x"])).toBe("unknown or incomplete argument -x");
    expect(problem(["4010"])).toBe("unknown or incomplete argument 4010");
    expect(problem(["--sha256=yes"])).toBe("--sha256 takes no value");
  });

  test("a missing value names the flag, at the end of the line or before the next flag", () => {
    for (const flag of [
      "--port",
      "--public-key",
      "--private-key",
      "--client-id",
      "--client-secret",
    ]) {
      expect(problem([flag])).toBe(`${flag} needs a value`);
      expect(problem([flag, "--sha256"])).toBe(`${flag} needs a value`);
    }
    for (const flag of ["--sunset-date", "--tls-hostname", "--tls-certificate"]) {
      expect(problem([flag])).toBe(`${flag} needs a value`);
      expect(problem([`${flag}=`])).toBe(`${flag} needs a value`);
    }
    // A value that starts with a dash goes inline, as util.parseArgs wants.
    expect(parseCommandLine(["--public-key=-k"])).toEqual({
      help: false,
      options: { publicKey: "-k" },
    });
  });

  test("bad values are refused with the flag's own message", () => {
    expect(problem(["--port", "65536"])).toBe("--port must be 0..65535, got 65536");
    expect(problem(["--port=1.5"])).toBe("--port must be 0..65535, got 1.5");
    expect(problem(["--tls-certificate", "self-signed"])).toBe(
      "--tls-certificate must be one of valid, expired, wrong-host, got self-signed",
    );
    expect(problem(["--sunset", "--sunset"])).toBe("give --sunset or --sunset-date once");
  });

  test("--help and -h win over anything else on the line", () => {
    expect(parseCommandLine(["--help"])).toEqual({ help: true });
    expect(parseCommandLine(["-h"])).toEqual({ help: true });
    expect(parseCommandLine(["--port", "1", "--help"])).toEqual({ help: true });
    expect(parseCommandLine(["--bogus", "-h"])).toEqual({ help: true });
  });

  test("every flag keeps its meaning: inline or spaced values, the last of a repeated one, TLS flags imply --tls", () => {
    expect(
      parseCommandLine([
        "--port=4010",
        "--public-key",
        "k",
        "--private-key=s",
        "--client-id",
        "i",
        "--client-secret",
        "c",
        "--sha256",
        "--sunset-date=2030-01-01T00:00:00Z",
        "--tls-hostname",
        "a.example",
        "--tls-hostname=b.example",
        "--tls-certificate",
        "wrong-host",
      ]),
    ).toEqual({
      help: false,
      options: {
        port: 4010,
        publicKey: "k",
        privateKey: "s",
        clientId: "i",
        clientSecret: "c",
        digestAlgorithms: ["SHA-256", "MD5"],
        sunsetDate: "2030-01-01T00:00:00Z",
        tls: true,
        tlsHostnames: ["a.example", "b.example"],
        tlsCertificate: "wrong-host",
      },
    });
    expect(parseArgs(["--port", "1", "--port", "2"])).toEqual({ port: 2 });
    expect(parseArgs(["--public-key", ""])).toEqual({ publicKey: "" });
    expect(parseArgs(["--tls-certificate", "expired"])).toEqual({
      tls: true,
      tlsCertificate: "expired",
    });
    expect(parseArgs(["--tls"])).toEqual({ tls: true });
    expect(parseArgs([])).toEqual({});
  });
});

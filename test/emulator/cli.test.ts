import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "../../emulator/main";
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

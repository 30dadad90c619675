import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
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

test("the CLI's --help describes --sunset and --sunset-date", async () => {
  const child = spawn("npx", ["tsx", "emulator/main.ts", "--help"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number];
  expect(code).toBe(0);
  expect(out).toMatch(/--sunset\s+the deprecated invites API is already gone/);
  expect(out).toMatch(/--sunset-date\s+the sunset of the 2023-01-01 media type/);
}, 20_000);

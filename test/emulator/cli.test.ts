import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { INVITES, V2023, raw } from "./support";

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

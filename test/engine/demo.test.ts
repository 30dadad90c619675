/**
 * `npm run demo`, the README's first command, run as a newcomer runs it (a child process, the
 * real CLI underneath): it exits 0, shows the refused destroy with the CLI's exit code 1, and
 * ends with the table of what happened to each invitation; a bad flag is a usage error (exit 2).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../host-harness";
import { useCli } from "./helpers";

const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

function demo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(REPO_ROOT, "scripts", "demo.ts"), ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run demo", () => {
  useCli();

  it("runs preview, up, refresh and destroy under the real CLI and reports the refused delete with exit code 1", async () => {
    const { code, stdout, stderr } = await demo(["--api", "users"]);
    expect({ code, stderr: stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/pulumi v3\.\d+\.\d+ \((PATH|cache|built)\)/);
    for (const command of ["preview", "up", "refresh"])
      expect(stdout).toMatch(new RegExp(`pulumi ${command} exited 0`));
    expect(stdout).toMatch(/pulumi destroy exited 1 \(expected: the refused delete\)/);
    expect(stdout).toMatch(/alice@example\.com +fail +ACCEPTED +destroy refused/);
    expect(stdout).toMatch(
      /carol@example\.com +fail +PENDING +pending: invitation cancelled +not a member/,
    );
    expect(stdout).toMatch(/members removed: 0/);
    expect(stdout).toMatch(/Demo finished: every step behaved as documented\./);
  }, 300_000);

  it("answers a bad flag with the usage and exit code 2", async () => {
    const { code, stderr } = await demo(["--bogus"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Usage: npm run demo/);
  }, 60_000);
});

/**
 * The built command as npm links it (package.json `bin`: dist/cli/main.js), in a process of its
 * own: exit codes and stdout as a shell sees them. `npm test` builds before jest; run alone
 * without a build, this suite is skipped and says so.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { directApi, envFor } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import { ROOT, runCli } from "./helpers";

const BIN = join(ROOT, "dist", "cli", "main.js");
const built = existsSync(BIN);
const SENTINEL_KEY = "SENTINEL-bin-private-key-93e1";

/** Runs the built bin; asynchronous, because the emulator answers from this process. */
function runBin(
  argv: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: ROOT,
      // Only what the command needs: no credentials or proxies from the developer's shell.
      env: { PATH: process.env["PATH"] ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

if (!built) {
  test.skip(`the built bin (skipped: ${BIN} is missing; run \`npm run build\` first, as \`npm test\` does)`, () => {});
} else {
  describe("the built bin, dist/cli/main.js", () => {
    const emulator = useEmulator({ privateKey: SENTINEL_KEY });

    it("generate prints the same YAML as in-process, exits 0, and prints no secret", async () => {
      const emu = emulator();
      await directApi(emu).createOrgInvite(emu.orgId, {
        username: "Alice@Example.com",
        roles: ["ORG_MEMBER"],
        teamIds: [emu.teamIds[0] as string],
      });
      await directApi(emu).createOrgInvite(emu.orgId, {
        username: "bob@example.com",
        roles: ["ORG_READ_ONLY"],
      });
      const argv = ["generate", "--org", emu.orgId];
      const result = await runBin(argv, envFor(emu));
      expect(result.code).toBe(0);
      expect(result.stdout).toBe((await runCli(argv, envFor(emu))).stdout);
      expect(result.stdout).toContain("    - username: Alice@Example.com\n");
      expect(result.stderr).toContain("2 pending invitations written as YAML");
      expect(result.stdout + result.stderr).not.toContain(SENTINEL_KEY);
    }, 30_000);

    it("a usage error exits 2 with nothing on stdout; --help exits 0", async () => {
      const bad = await runBin(["generate", "--org", "nope"], {});
      expect([bad.code, bad.stdout]).toEqual([2, ""]);
      expect(bad.stderr).toMatch(/^usage error: --org must be/);
      const help = await runBin(["--help"], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: pulumi-atlas-org-invitations generate --org <orgId>/);
    }, 30_000);

    it("missing credentials exit 1 with the variables named", async () => {
      const result = await runBin(["generate", "--org", "64b7f1e2a3c4d5e6f7a8b9c0"], {});
      expect([result.code, result.stdout]).toEqual([1, ""]);
      expect(result.stderr).toContain("MONGODB_ATLAS_PUBLIC_KEY");
    }, 30_000);

    it("starts with a shebang line, so npm can link it as a command", () => {
      expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    });
  });
}

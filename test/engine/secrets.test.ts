/**
 * Credentials never reach the stack under the real engine: with sentinel secrets of both kinds
 * (an API key's private key, a service account's client secret), given in stack config (set with
 * `--secret`) or in `MONGODB_ATLAS_*` variables, no sentinel appears in `pulumi stack export`,
 * in any file of the file backend, `PULUMI_HOME` or the project folder, or in anything the CLI
 * printed, through up, refresh and a refused destroy.
 */
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { authEnv, expectNoMemberRemoved, STRATEGIES } from "../host/helpers";
import type { Strategy } from "../host/helpers";
import { expectExit, invitationOf, newStack, useCli, useConsumer } from "./helpers";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PRIVATE-KEY-e1b7";
const SENTINEL_CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-5a0c";
const SENTINEL_WRONG_SECRET = "SENTINEL-WRONG-SECRET-77d4";
/** Credentials of both kinds in the environment, which config (complete in it) wins over. */
const SENTINEL_ENV = {
  MONGODB_ATLAS_PUBLIC_KEY: "sentinel-public-key",
  MONGODB_ATLAS_PRIVATE_KEY: "SENTINEL-ENV-PRIVATE-KEY-3c9a",
  MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_sentinel",
  MONGODB_ATLAS_CLIENT_SECRET: "SENTINEL-ENV-CLIENT-SECRET-0b6e",
};
const SENTINELS = [
  SENTINEL_PRIVATE_KEY,
  SENTINEL_CLIENT_SECRET,
  SENTINEL_WRONG_SECRET,
  SENTINEL_ENV.MONGODB_ATLAS_PRIVATE_KEY,
  SENTINEL_ENV.MONGODB_ATLAS_CLIENT_SECRET,
];

function expectNoSentinel(where: string, text: string): void {
  for (const sentinel of SENTINELS)
    if (text.includes(sentinel))
      throw new Error(`${where} contains the secret ${sentinel}:\n${text.slice(0, 2000)}`);
}

const CASES: [Strategy, "config" | "env"][] = STRATEGIES.flatMap((s) => [
  [s, "config"] as [Strategy, "config"],
  [s, "env"] as [Strategy, "env"],
]);

describe.each(CASES)(
  "no credential in the stack under the real CLI, %s credentials from %s",
  (strategy, source) => {
    const consumer = useConsumer();
    const cli = useCli();
    let emulator: TestEmulator;
    let dir: string;

    beforeAll(async () => {
      emulator = await startTestEmulator({
        privateKey: SENTINEL_PRIVATE_KEY,
        clientSecret: SENTINEL_CLIENT_SECRET,
      });
      dir = await mkdtemp(join(tmpdir(), "engine-secrets-"));
    }, 60_000);
    afterAll(async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("holds no sentinel in stack export, the backend's files or the CLI's output through up, refresh and a refused destroy", async () => {
      const stack = await newStack({
        consumer: consumer(),
        cli: cli(),
        emulator,
        dir,
        name: `secrets-${strategy}-${source}`,
        strategy,
        ...(source === "env"
          ? { credentialsFromEnv: authEnv(emulator, strategy) }
          : { env: SENTINEL_ENV }),
      });
      const program = [invitationOf("alice", emulator.orgId), invitationOf("bob", emulator.orgId)];
      const up = await stack.up(program);
      expectExit(up, 0);
      emulator.control.acceptInvitation(emulator.orgId, "alice@example.com");
      const refresh = await stack.refresh();
      expectExit(refresh, 0);
      const destroy = await stack.destroy();
      expect(destroy.exitCode).toBe(1);
      // The run authenticated with the sentinel and was refused a delete: the checks below are not vacuous.
      const scheme = strategy === "digest" ? "digest" : "bearer";
      expect(emulator.log.entries().some((e) => e.auth === scheme && e.status === 200)).toBe(true);
      expect(destroy.steps.find((s) => s.name === "alice")?.errors.join("\n")).toMatch(/accepted/);

      const exported = await stack.exportState();
      expect(exported.resources?.some((r) => r.urn.endsWith("::alice"))).toBe(true);
      expectNoSentinel("pulumi stack export", JSON.stringify(exported));
      // The engine hands dynamic providers the whole stack config as the default provider's inputs
      // (configure, @pulumi/pulumi 3.139+), so a secret set in config is in the state, encrypted
      // by the stack's secrets provider like any secret config value; a variable never is.
      const provider = exported.resources?.find((r) => r.type === "pulumi:providers:pulumi-nodejs");
      const secretKey =
        strategy === "digest" ? "mongodbatlas:privateKey" : "mongodbatlas:clientSecret";
      const stored = provider?.inputs?.[secretKey];
      if (source === "config")
        expect(stored).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
      else expect(stored).toBeUndefined();
      const files = await stack.backendFiles();
      expect(files.some((f) => f.path.includes(".pulumi/stacks/"))).toBe(true);
      for (const f of files) expectNoSentinel(f.path, f.text);
      for (const result of [up, refresh, destroy]) {
        expectNoSentinel(`pulumi ${result.command}'s stdout`, result.stdout);
        expectNoSentinel(`pulumi ${result.command}'s stderr`, result.stderr);
        expectNoSentinel(`pulumi ${result.command}'s events`, JSON.stringify(result.events));
      }
      expectNoMemberRemoved(emulator);
    }, 300_000);

    it("holds no sentinel anywhere when Atlas rejects a wrong secret, and the up fails", async () => {
      const secretVar =
        strategy === "digest" ? "MONGODB_ATLAS_PRIVATE_KEY" : "MONGODB_ATLAS_CLIENT_SECRET";
      const wrongEnv = { ...authEnv(emulator, strategy), [secretVar]: SENTINEL_WRONG_SECRET };
      const stack = await newStack({
        consumer: consumer(),
        cli: cli(),
        emulator,
        dir,
        name: `secrets-wrong-${strategy}-${source}`,
        strategy,
        ...(source === "env"
          ? { credentialsFromEnv: wrongEnv }
          : {
              env: SENTINEL_ENV,
              config: {
                [strategy === "digest" ? "mongodbatlas:privateKey" : "mongodbatlas:clientSecret"]:
                  SENTINEL_WRONG_SECRET,
              },
            }),
      });
      emulator.log.clear();
      const up = await stack.up([invitationOf("wren", emulator.orgId)]);
      expect(up.exitCode).not.toBe(0);
      expect(emulator.log.entries().some((e) => e.status === 401)).toBe(true);
      expect(emulator.log.entries().filter((e) => e.method === "POST" && e.status < 300)).toEqual(
        [],
      );
      expect([...(await stack.invitationsInState()).keys()]).toEqual([]);
      expectNoSentinel("pulumi stack export", JSON.stringify(await stack.exportState()));
      for (const f of await stack.backendFiles()) expectNoSentinel(f.path, f.text);
      expectNoSentinel("pulumi up's stdout", up.stdout);
      expectNoSentinel("pulumi up's stderr", up.stderr);
      expectNoSentinel("pulumi up's events", JSON.stringify(up.events));
    }, 300_000);
  },
);

/**
 * Closure hygiene, measured on the `__provider` text a real program produces from the packed
 * package, and secret hygiene through the real host: sentinel credentials, set in both config
 * and environment, must appear in no state file, no host output and no error message.
 */
import { builtinModules } from "node:module";
import { lstat, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Engine,
  PACKAGE_NAME,
  assertRealInstall,
  serializeDeclarations,
  startConfiguredHost,
} from "../../host-harness";
import type { Registration, StepReport } from "../../host-harness";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  STRATEGIES,
  authConfig,
  authEnv,
  expectNoMemberRemoved,
  expectRequestsOnContract,
  invitation,
  requiredModules,
  useConsumer,
} from "./helpers";
import type { Strategy } from "./helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PRIVATE-KEY-7f3a";
const SENTINEL_CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-9c1e";
const SENTINEL_WRONG_SECRET = "SENTINEL-WRONG-SECRET-4d2b";
const SENTINELS = [SENTINEL_PRIVATE_KEY, SENTINEL_CLIENT_SECRET, SENTINEL_WRONG_SECRET];
const TARGET_BYTES = 2048;

const SENTINEL_ENV = {
  MONGODB_ATLAS_PUBLIC_KEY: "sentinel-public-key",
  MONGODB_ATLAS_PRIVATE_KEY: SENTINEL_PRIVATE_KEY,
  MONGODB_ATLAS_CLIENT_ID: "mdb_sa_id_sentinel",
  MONGODB_ATLAS_CLIENT_SECRET: SENTINEL_CLIENT_SECRET,
};

function expectNoSentinel(where: string, text: string): void {
  for (const sentinel of SENTINELS) {
    if (text.includes(sentinel))
      throw new Error(`${where} contains the secret ${sentinel}:\n${text.slice(0, 2000)}`);
  }
}

describe("the serialized provider a program stores as __provider", () => {
  const consumer = useConsumer();
  let registrations: Registration[];

  beforeAll(async () => {
    const orgId = "5f1e2d3c4b5a69788776655a";
    registrations = await serializeDeclarations(
      consumer(),
      [
        invitation("small", orgId),
        invitation("large", orgId, {
          teamIds: ["6a1e2d3c4b5a69788776655b"],
          groupRoleAssignments: [
            { groupId: "7b1e2d3c4b5a69788776655c", roles: ["GROUP_READ_ONLY"] },
          ],
          onAccepted: "retain",
        }),
      ],
      { env: SENTINEL_ENV },
    );
  }, 60_000);

  const providerText = (r: Registration): string => r.inputs["__provider"] as string;

  it(`is at most ${TARGET_BYTES} bytes per resource, the same text for every resource`, () => {
    const sizes = registrations.map((r) => Buffer.byteLength(providerText(r), "utf8"));
    console.log(
      `__provider size per resource: ${sizes.join(", ")} bytes (target <= ${TARGET_BYTES})`,
    );
    expect(new Set(registrations.map(providerText)).size).toBe(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(TARGET_BYTES);
  });

  it("requires only the package's stable runtime subpath and Node built-ins", () => {
    // The SDK's serializer (runtime/closure/package.js, WildcardMap) maps a file to the LAST
    // export key that points at it: `./runtime` must come after any alias of dist/runtime.js in
    // package.json, or the state ties itself to the dist layout.
    const required = requiredModules(providerText(registrations[0] as Registration));
    expect(required).toContain(`${PACKAGE_NAME}/runtime`);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect(required.filter((m) => m !== `${PACKAGE_NAME}/runtime` && !builtins.has(m))).toEqual([]);
  });

  it("captures no credential, even with credentials in the program's environment", () => {
    for (const r of registrations) {
      expectNoSentinel(`__provider of ${r.name}`, providerText(r));
      expect(providerText(r)).not.toMatch(/sentinel-public-key|mdb_sa_id_sentinel|process\.env/);
    }
  });

  it("comes from the package installed as a real copy under the consumer's node_modules", async () => {
    await assertRealInstall(consumer());
    expect((await lstat(consumer().packageDir)).isSymbolicLink()).toBe(false);
    const manifest = JSON.parse(
      await readFile(join(consumer().packageDir, "package.json"), "utf8"),
    ) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(manifest.exports)).toContain("./runtime");
    // The license package.json names travels with the code.
    expect(await readFile(join(consumer().packageDir, "LICENSE"), "utf8")).toMatch(
      /^\s*Apache License\s+Version 2\.0, January 2004/,
    );
  });
});

const VARIANTS: [Strategy, "config" | "env"][] = STRATEGIES.flatMap((s) => [
  [s, "config"],
  [s, "env"],
]);

describe.each(VARIANTS)(
  "no secret leaks through the host, %s credentials from %s",
  (strategy, source) => {
    const consumer = useConsumer();
    let emulator: TestEmulator;
    let dir: string;
    let registrations: Registration[];

    beforeAll(async () => {
      emulator = await startTestEmulator({
        privateKey: SENTINEL_PRIVATE_KEY,
        clientSecret: SENTINEL_CLIENT_SECRET,
      });
      dir = await mkdtemp(join(tmpdir(), "host-hygiene-"));
      const { orgId } = emulator;
      registrations = await serializeDeclarations(consumer(), [
        invitation("alice", orgId),
        invitation("bob", orgId),
        invitation("carol", orgId, { orgId: "not-an-org-id" }),
      ]);
    }, 60_000);

    afterEach(() => expectNoMemberRemoved(emulator));

    afterAll(async () => {
      await emulator?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /**
     * From config: config holds the credentials and the environment holds sentinels of both
     * strategies (config wins). From env: only the environment holds them (one pair, or service
     * accounts would win over API keys).
     */
    function hostSettings(secret?: string) {
      const env = authEnv(emulator, strategy);
      const secretVar =
        strategy === "digest" ? "MONGODB_ATLAS_PRIVATE_KEY" : "MONGODB_ATLAS_CLIENT_SECRET";
      if (source === "env") {
        if (secret !== undefined) env[secretVar] = secret;
        return { config: { "mongodbatlas:baseUrl": emulator.baseUrl }, env };
      }
      const { config, secretKeys } = authConfig(emulator, strategy, secret);
      return { config, secretKeys, env: { ...env, ...SENTINEL_ENV } };
    }

    it("no sentinel in the state file, the host's stdout or stderr, or any error, through up, refresh and a refused destroy", async () => {
      const statePath = join(dir, "state.json");
      const engine = new Engine({
        startHost: () => startConfiguredHost(consumer(), hostSettings()),
        statePath,
        reuseHost: true,
      });
      const reports: StepReport[] = [];
      try {
        reports.push(...(await engine.up(registrations)));
        emulator.control.acceptInvitation(emulator.orgId, "alice@example.com");
        reports.push(...(await engine.refresh()));
        reports.push(...(await engine.destroy()));
      } finally {
        await engine.close();
      }
      // The run did authenticate, fail a check and refuse a delete: the assertions below are not vacuous.
      const scheme = strategy === "digest" ? "digest" : "bearer";
      expect(emulator.log.entries().some((e) => e.auth === scheme && e.status === 200)).toBe(true);
      expect(
        reports
          .filter((r) => r.op === "create")
          .map((r) => r.name)
          .sort(),
      ).toEqual(["alice", "bob"]);
      expect(reports.find((r) => r.name === "carol")?.failures?.map((f) => f.property)).toEqual([
        "orgId",
      ]);
      expect(reports.find((r) => r.name === "alice" && r.op === "failed")?.error).toMatch(
        /accepted/,
      );

      expectNoSentinel("the state file", await readFile(statePath, "utf8"));
      expectNoSentinel("the host's stdout", engine.hostOutput().stdout);
      expectNoSentinel("the host's stderr", engine.hostOutput().stderr);
      for (const error of engine.errors()) expectNoSentinel("an error message", error);
      expectRequestsOnContract(emulator);
    });

    it("no sentinel in the error, the output or the state when Atlas rejects a wrong secret", async () => {
      const statePath = join(dir, "state-wrong.json");
      const engine = new Engine({
        startHost: () => startConfiguredHost(consumer(), hostSettings(SENTINEL_WRONG_SECRET)),
        statePath,
        reuseHost: true,
      });
      let reports: StepReport[];
      try {
        reports = await engine.up(registrations.slice(0, 1));
      } finally {
        await engine.close();
      }
      expect(reports).toEqual([
        expect.objectContaining({ name: "alice", op: "failed", attempted: "create" }),
      ]);
      expect(emulator.log.entries().some((e) => e.status === 401)).toBe(true);
      expectNoSentinel("the state file", await readFile(statePath, "utf8"));
      expectNoSentinel("the host's stdout", engine.hostOutput().stdout);
      expectNoSentinel("the host's stderr", engine.hostOutput().stderr);
      for (const error of engine.errors()) expectNoSentinel("an error message", error);
    });
  },
);

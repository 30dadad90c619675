/**
 * Closure hygiene, measured on the `__provider` text a real program produces from the packed
 * package. Secret hygiene in the state and the CLI's output runs under the real engine
 * (test/engine/secrets.test.ts).
 */
import { builtinModules } from "node:module";
import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGE_NAME, assertRealInstall, serializeDeclarations } from "../../host-harness";
import type { Registration } from "../../host-harness";
import { invitation, requiredModules, useConsumer } from "./helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PRIVATE-KEY-7f3a";
const SENTINEL_CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-9c1e";
const SENTINELS = [SENTINEL_PRIVATE_KEY, SENTINEL_CLIENT_SECRET];
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

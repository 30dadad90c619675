/**
 * The resource provider plugin loaded from the repository's `plugin/` folder through the project
 * file's `plugins: providers: [{ name: atlasorginvitations, path: <repo>/plugin }]` (issue 21,
 * item 4: no install), under the real Pulumi engine against the emulator, from a TypeScript
 * program; and an explicit provider (`new pulumi.ProviderResource("atlasorginvitations", ...)`,
 * what the generated SDK's `Provider` class registers) whose args carry the credentials, with none
 * in stack config or the environment, and the private key kept encrypted in the state.
 *
 * The `plugin/` wrapper runs the repository's `dist/plugin/main.js`, so the suite builds first when
 * `dist/` is older than the sources (`npm test` has just built it).
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ensurePluginBuilt,
  PLUGIN_DIR,
  PLUGIN_NAME,
  PLUGIN_TYPE,
} from "../../host-harness/plugin-stack";
import { takeLog, useHostEmulator } from "../host/helpers";
import { expectExit, opsOf, takeWrites, useCli } from "./helpers";
import { newPluginStack, pluginInvitation, STEP_TIMEOUT_MS } from "./plugin-helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PLUGIN-PATH-KEY-91ce";

describe("the plugin from the project's plugins: path, under the real pulumi CLI, from a TypeScript program", () => {
  const cli = useCli();
  const t = useHostEmulator({
    prefix: "engine-plugin-path-",
    emulator: { privateKey: SENTINEL_PRIVATE_KEY },
  });

  beforeAll(async () => {
    await ensurePluginBuilt();
  }, 300_000);

  it(
    "creates an invitation with the plugin the project file points at, nothing installed in PULUMI_HOME",
    async () => {
      const stack = await newPluginStack({
        cli: cli(),
        emulator: t.emulator,
        dir: t.dir,
        name: "plugin-path",
        plugin: "path",
      });
      takeLog(t.emulator);
      const up = await stack.up([pluginInvitation("alice", t.emulator.orgId)]);
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["alice: create"]);
      expect(up.steps[0]?.type).toBe(PLUGIN_TYPE);
      expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);
      expect(t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username)).toEqual([
        "alice@example.com",
      ]);
      const project = await readFile(join(stack.workDir, "Pulumi.yaml"), "utf8");
      expect(project).toContain(`name: ${PLUGIN_NAME}`);
      expect(project).toContain(`path: ${PLUGIN_DIR}`);
      expect(existsSync(join(stack.homeDir, "plugins", `resource-${PLUGIN_NAME}-v0.1.0`))).toBe(
        false,
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "takes the credentials from an explicit provider's args, with none in config or the environment, and keeps the private key encrypted in the state",
    async () => {
      const stack = await newPluginStack({
        cli: cli(),
        emulator: t.emulator,
        dir: t.dir,
        name: "plugin-explicit",
        plugin: "path",
        credentials: "none",
      });
      // Nothing else could give them: no MONGODB_ATLAS_* variable reaches the CLI (childEnv), and
      // the stack's config is empty.
      expect(Object.keys(stack.cliEnv()).filter((k) => k.startsWith("MONGODB_ATLAS_"))).toEqual([]);
      const config = await stack.cli(["config", "--json"]);
      expect(JSON.parse(config.stdout)).toEqual({});
      takeLog(t.emulator);
      const up = await stack.up([
        {
          kind: "provider",
          type: PLUGIN_NAME,
          name: "p",
          args: {
            baseUrl: t.emulator.baseUrl,
            publicKey: t.emulator.credentials.publicKey,
            // The generated SDKs' `Provider` wraps the secret inputs so (sdk/nodejs/provider.ts).
            privateKey: { $secret: t.emulator.credentials.privateKey },
          },
        },
        pluginInvitation("bob", t.emulator.orgId, {}, { provider: "p" }),
      ]);
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["bob: create"]);
      expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);
      const state = await stack.exportState();
      const provider = state.resources?.find((r) => r.type === `pulumi:providers:${PLUGIN_NAME}`);
      expect(provider?.inputs?.["publicKey"]).toBe(t.emulator.credentials.publicKey);
      expect(provider?.inputs?.["privateKey"]).toEqual({
        [specialSigKey]: specialSecretSig,
        ciphertext: expect.any(String),
      });
      const bob = state.resources?.find((r) => r.type === PLUGIN_TYPE);
      expect(bob?.urn).toMatch(/::bob$/);
      expect(JSON.stringify(state)).not.toContain(SENTINEL_PRIVATE_KEY);
      for (const file of await stack.backendFiles())
        if (file.text.includes(SENTINEL_PRIVATE_KEY))
          throw new Error(`${file.path} holds the private key`);
      expect(up.stdout + up.stderr).not.toContain(SENTINEL_PRIVATE_KEY);
    },
    STEP_TIMEOUT_MS,
  );
});

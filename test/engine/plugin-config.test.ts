/**
 * The plugin's CheckConfig under the real Pulumi engine (issue 21): an explicit provider whose
 * private key the program did NOT mark secret (a hand-written `new pulumi.ProviderResource(...)`,
 * or a YAML program) still has it encrypted in the state, because the plugin returns it as a
 * secret and the engine keeps the inputs CheckConfig returns (pkg/v3 resource/plugin/
 * provider_plugin.go `CheckConfig`); and a bad setting on the provider fails `pulumi preview`
 * as a check failure naming the key, before any HTTP call.
 *
 * The program's provider comes from the repository's `plugin/` folder (the project's `plugins:`
 * path), which runs `dist/plugin/main.js`: the suite builds first when `dist/` is older than the
 * sources.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ensurePluginBuilt, PLUGIN_NAME, PLUGIN_TYPE } from "../../host-harness/plugin-stack";
import { takeLog, useHostEmulator } from "../host/helpers";
import { expectExit, opsOf, takeWrites, useCli } from "./helpers";
import { newPluginStack, pluginInvitation, STEP_TIMEOUT_MS } from "./plugin-helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PLUGIN-CHECKCONFIG-KEY-5d07";

describe("the plugin's CheckConfig, under the real pulumi CLI", () => {
  const cli = useCli();
  const t = useHostEmulator({
    prefix: "engine-plugin-config-",
    emulator: { privateKey: SENTINEL_PRIVATE_KEY },
  });

  beforeAll(async () => {
    await ensurePluginBuilt();
  }, 300_000);

  it(
    "keeps an explicit provider's private key encrypted in the state although the program passed it in plain text",
    async () => {
      const stack = await newPluginStack({
        cli: cli(),
        emulator: t.emulator,
        dir: t.dir,
        name: "plugin-plain-key",
        plugin: "path",
        credentials: "none",
      });
      takeLog(t.emulator);
      const up = await stack.up([
        {
          kind: "provider",
          type: PLUGIN_NAME,
          name: "p",
          // Not `{ $secret: ... }`: what a YAML program or a hand-written provider passes.
          args: {
            baseUrl: t.emulator.baseUrl,
            publicKey: t.emulator.credentials.publicKey,
            privateKey: SENTINEL_PRIVATE_KEY,
            deadlineMs: "60000",
          },
        },
        pluginInvitation("carol", t.emulator.orgId, {}, { provider: "p" }),
      ]);
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["carol: create"]);
      // Signed with the key from the provider's args: the emulator knows no other.
      expect(takeWrites(t.emulator)).toEqual(["POST createOrgInvite"]);

      const state = await stack.exportState();
      const provider = state.resources?.find((r) => r.type === `pulumi:providers:${PLUGIN_NAME}`);
      const ciphertext = { [specialSigKey]: specialSecretSig, ciphertext: expect.any(String) };
      expect(provider?.inputs?.["privateKey"]).toEqual(ciphertext);
      expect(provider?.outputs?.["privateKey"]).toEqual(ciphertext);
      // Every other input as the program sent it.
      expect(provider?.inputs?.["publicKey"]).toBe(t.emulator.credentials.publicKey);
      expect(provider?.inputs?.["deadlineMs"]).toBe("60000");
      expect(state.resources?.find((r) => r.type === PLUGIN_TYPE)?.urn).toMatch(/::carol$/);
      expect(JSON.stringify(state)).not.toContain(SENTINEL_PRIVATE_KEY);
      const files = await stack.backendFiles();
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((f) => f.text.includes(SENTINEL_PRIVATE_KEY)).map((f) => f.path)).toEqual(
        [],
      );
      expect(up.stdout + up.stderr).not.toContain(SENTINEL_PRIVATE_KEY);

      // A second up finds the provider unchanged: the secret compares equal to the program's
      // plain value (the engine diffs provider inputs itself, DiffConfig being unimplemented).
      takeLog(t.emulator);
      const again = await stack.up([
        {
          kind: "provider",
          type: PLUGIN_NAME,
          name: "p",
          args: {
            baseUrl: t.emulator.baseUrl,
            publicKey: t.emulator.credentials.publicKey,
            privateKey: SENTINEL_PRIVATE_KEY,
            deadlineMs: "60000",
          },
        },
        pluginInvitation("carol", t.emulator.orgId, {}, { provider: "p" }),
      ]);
      expectExit(again, 0);
      expect(opsOf(again)).toEqual(["carol: same"]);
      // The stack, the provider and carol: no provider update.
      expect(again.summary).toEqual({ same: 3 });
      expect(takeWrites(t.emulator)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "fails pulumi preview on an explicit provider's out-of-range deadlineMs, naming the key, before any HTTP call",
    async () => {
      const stack = await newPluginStack({
        cli: cli(),
        emulator: t.emulator,
        dir: t.dir,
        name: "plugin-bad-deadline",
        plugin: "path",
        credentials: "none",
      });
      takeLog(t.emulator);
      const preview = await stack.preview([
        {
          kind: "provider",
          type: PLUGIN_NAME,
          name: "p",
          args: {
            baseUrl: t.emulator.baseUrl,
            publicKey: t.emulator.credentials.publicKey,
            privateKey: SENTINEL_PRIVATE_KEY,
            deadlineMs: 0,
          },
        },
        pluginInvitation("dave", t.emulator.orgId, {}, { provider: "p" }),
      ]);
      expect(preview.exitCode).not.toBe(0);
      const diagnostics = preview.events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && d.severity === "error")
        .map((d) => d?.message ?? "")
        .join("\n");
      // The engine's wording of a check failure (sdk/go/common/diag/errors.go, code 2003) around
      // the plugin's reason.
      expect(diagnostics).toMatch(
        /pulumi:providers:atlasorginvitations resource 'p': property deadlineMs value .*0.* has a problem: config `atlasorginvitations:deadlineMs` \(deadlineMs\) must be a whole number from 1 to 86400000/,
      );
      expect(diagnostics).toContain(
        "`pulumi config set atlasorginvitations:deadlineMs <milliseconds>`",
      );
      expect(t.emulator.log.entries()).toEqual([]);
      expect(preview.stdout + preview.stderr + diagnostics).not.toContain(SENTINEL_PRIVATE_KEY);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "fails pulumi preview on a misspelt atlasorginvitations:privatekey in stack config, naming privateKey and the fix, before any HTTP call and without printing the value",
    async () => {
      const stack = await newPluginStack({
        cli: cli(),
        emulator: t.emulator,
        dir: t.dir,
        name: "plugin-misspelt-key",
        plugin: "path",
        credentials: "none",
      });
      // The key as a person types it, in plain text: before, the plugin ignored it without a word.
      await stack.setConfig({
        "atlasorginvitations:baseUrl": t.emulator.baseUrl,
        "atlasorginvitations:publicKey": t.emulator.credentials.publicKey,
        "atlasorginvitations:privatekey": SENTINEL_PRIVATE_KEY,
      });
      takeLog(t.emulator);
      const preview = await stack.preview([pluginInvitation("erin", t.emulator.orgId)]);
      expect(preview.exitCode).not.toBe(0);
      const diagnostics = preview.events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && d.severity === "error")
        .map((d) => d?.message ?? "")
        .join("\n");
      // The default provider's check failure, with no property (sdk/go/common/diag/errors.go,
      // code 2002: "resource '<name>' has a problem: <reason>").
      expect(diagnostics).toMatch(
        /pulumi:providers:atlasorginvitations resource 'default[^']*' has a problem: config `atlasorginvitations:privatekey` is not a setting of the atlasorginvitations provider; did you mean `privateKey`\?/,
      );
      expect(diagnostics).toContain(
        "run `pulumi config rm atlasorginvitations:privatekey`, then `pulumi config set --secret atlasorginvitations:privateKey <private key>`",
      );
      expect(t.emulator.log.entries()).toEqual([]);
      expect(preview.stdout + preview.stderr + diagnostics).not.toContain(SENTINEL_PRIVATE_KEY);
    },
    STEP_TIMEOUT_MS,
  );
});

/**
 * Shared by the engine suites of the resource provider plugin (test/engine/plugin-*.test.ts): the
 * tarball, a stack whose program declares the plugin's `OrgInvitation` as a `pulumi.CustomResource`
 * (what the generated SDK's class does; the generated Node SDK needs a newer @pulumi/pulumi than
 * this repository's), with the plugin installed from the tarball or loaded from the project's
 * `plugins:` path, and its credentials in `atlasorginvitations:*` config, in the environment, or
 * nowhere.
 */
import { join } from "node:path";
import { CliStack } from "../../host-harness/cli-stack";
import type { StackResource } from "../../host-harness/cli-stack";
import { REPO_ROOT } from "../../host-harness/consumer";
import {
  installPlugin,
  PLUGIN_DIR,
  PLUGIN_NAME,
  PLUGIN_TYPE,
  preparePluginTarball,
} from "../../host-harness/plugin-stack";
import type { PluginTarball } from "../../host-harness/plugin-stack";
import type { PulumiCli } from "../../pulumi-cli";
import type { TestEmulator } from "../support/emulator";
import type { Backend } from "../support/variants";

/** Packing from a cold npm cache and building can take a while. */
export const PACK_TIMEOUT_MS = 300_000;
/** One CLI command of a plugin stack. */
export const STEP_TIMEOUT_MS = 180_000;

/** The plugin's tarball for the suite, in a beforeAll. */
export function usePluginTarball(): () => PluginTarball {
  let tarball: PluginTarball | undefined;
  beforeAll(async () => {
    tarball = await preparePluginTarball();
  }, PACK_TIMEOUT_MS);
  return () => {
    if (!tarball) throw new Error("usePluginTarball: not ready (use the getter inside a test)");
    return tarball;
  };
}

/** `atlasorginvitations:<key>` */
export const configKey = (key: string): string => `${PLUGIN_NAME}:${key}`;

/** How {@link newPluginStack} makes a stack. */
export interface PluginStackOptions {
  cli: PulumiCli;
  emulator: TestEmulator;
  /** The suite's temp dir; the stack gets `<dir>/<name>`. */
  dir: string;
  name: string;
  /**
   * `install`: `pulumi plugin install --file` of this tarball into the stack's PULUMI_HOME;
   * `path`: the project's `plugins: providers: [{ name, path: <repo>/plugin }]`, nothing installed.
   */
  plugin: { install: PluginTarball } | "path";
  /**
   * Where the provider finds the emulator's base URL and credentials: stack config
   * (`atlasorginvitations:*`, the private key set as a secret), `MONGODB_ATLAS_*` variables, or
   * nowhere (an explicit provider's args give them).
   * @default "config"
   */
  credentials?: "config" | "env" | "none";
  /** `atlasorginvitations:api`. @default none (auto) */
  backend?: Backend;
  env?: Record<string, string>;
}

/**
 * A stack under the real CLI for the plugin.
 * @throws Error when `pulumi plugin install` or `pulumi config set-all` fails
 */
export async function newPluginStack(options: PluginStackOptions): Promise<CliStack> {
  const { emulator } = options;
  const credentials = options.credentials ?? "config";
  const stack = await CliStack.create({
    // The program needs only @pulumi/pulumi: the repository's node_modules serve.
    consumer: { dir: REPO_ROOT },
    cli: options.cli,
    dir: join(options.dir, options.name),
    stack: options.name,
    env: {
      ...(credentials === "env"
        ? {
            MONGODB_ATLAS_BASE_URL: emulator.baseUrl,
            MONGODB_ATLAS_PUBLIC_KEY: emulator.credentials.publicKey,
            MONGODB_ATLAS_PRIVATE_KEY: emulator.credentials.privateKey,
          }
        : {}),
      ...options.env,
    },
    ...(options.plugin === "path"
      ? { plugins: { providers: [{ name: PLUGIN_NAME, path: PLUGIN_DIR }] } }
      : {}),
  });
  if (options.plugin !== "path") {
    const install = await installPlugin(stack, options.cli, options.plugin.install);
    if (install.exitCode !== 0)
      throw new Error(
        `pulumi plugin install exited ${install.exitCode}:\n${install.stdout}\n${install.stderr}`,
      );
  }
  const config: Record<string, string> = {
    ...(credentials === "config"
      ? {
          [configKey("baseUrl")]: emulator.baseUrl,
          [configKey("publicKey")]: emulator.credentials.publicKey,
          [configKey("privateKey")]: emulator.credentials.privateKey,
        }
      : {}),
    ...(options.backend ? { [configKey("api")]: options.backend } : {}),
  };
  // `config set-all` with nothing to set still creates the stack, which `pulumi import` needs.
  await stack.setConfig(config, [configKey("privateKey")]);
  return stack;
}

/** The plugin's `OrgInvitation` of `<name>@example.com` as ORG_MEMBER, as a generated SDK declares it. */
export function pluginInvitation(
  name: string,
  orgId: string,
  args: Record<string, unknown> = {},
  options: StackResource["options"] = {},
): StackResource {
  return {
    kind: "custom",
    type: PLUGIN_TYPE,
    name,
    args: { orgId, username: `${name}@example.com`, roles: ["ORG_MEMBER"], ...args },
    options,
  };
}

/**
 * The host harness: this package run the way `pulumi up` runs it. Build and install it into a
 * consumer (`prepareConsumer`), get the serialized resources a program produces
 * (`serializeDeclarations`), drive the SDK's dynamic-provider host over gRPC (`startHost`), and
 * carry a state file through preview/up/refresh/destroy (`Engine`, kept only for the with-teams
 * suite, which mocks @pulumi/mongodbatlas). The demo and the stack suites run the real `pulumi`
 * CLI instead (cli-stack.ts).
 */
import type { Consumer } from "./consumer";
import { startHost, type HostClient, type StartHostOptions } from "./host";

export {
  PACKAGE_NAME,
  REPO_ROOT,
  assertRealInstall,
  installedPulumiVersion,
  prepareConsumer,
} from "./consumer";
export type { Consumer, PrepareConsumerOptions } from "./consumer";
export { serializeDeclarations } from "./program";
export type { Declaration, Registration } from "./program";
export { HostError, UNKNOWN, startHost } from "./host";
export type {
  CheckResult,
  DiffResult,
  HostClient,
  HostOutput,
  ReadResult,
  StartHostOptions,
  Timing,
} from "./host";
export { Engine } from "./engine";
export type { Declared, EngineOptions, Op, ResourceState, StackState, StepReport } from "./engine";
export type { Props } from "./sdk";

export interface ConfiguredHostOptions extends StartHostOptions {
  /** Stack config with namespaced keys, such as `mongodbatlas:baseUrl`. */
  config?: Record<string, string>;
  /** Config keys set with `pulumi config set --secret`. */
  secretKeys?: readonly string[];
}

/** Starts a host and sends Configure, as the engine does before any other call. */
export async function startConfiguredHost(
  consumer: Pick<Consumer, "dir">,
  options: ConfiguredHostOptions = {},
): Promise<HostClient> {
  const { config = {}, secretKeys = [], ...start } = options;
  const host = await startHost(consumer, start);
  try {
    await host.configure(config, secretKeys);
  } catch (error) {
    await host.close();
    throw error;
  }
  return host;
}

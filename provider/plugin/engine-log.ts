/**
 * The plugin's voice: notes and warnings sent to the engine through the SDK's `log`, attached to
 * the resource whose call is running (so `pulumi up` prints them under that resource), never on
 * stdout (the engine reads the plugin's port from its first line). The URN of the running call is
 * kept per call in an `AsyncLocalStorage`, since the lifecycle's `Logger` is shared by every call
 * of the process.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as log from "@pulumi/pulumi/log";
import { DependencyResource } from "@pulumi/pulumi/resource";
import type { Logger } from "../log";

const running = new AsyncLocalStorage<string>();
/**
 * The last message handed to the SDK's log. The SDK delivers messages in order, one after the
 * other, and its promise settles once this one (and so every earlier one) is delivered or given
 * up; it never rejects.
 */
let delivered: Promise<void> = Promise.resolve();

/**
 * Runs `work` as the call for `urn`: what it logs is attached to that resource, and delivered
 * before the call answers. Otherwise a warning could reach the engine after the resource's
 * step has completed, or never, when the engine stops the plugin at the end of the command.
 */
export async function forResource<T>(urn: string, work: () => Promise<T>): Promise<T> {
  try {
    return await running.run(urn, work);
  } finally {
    await delivered;
  }
}

function resourceOfCall(): DependencyResource | undefined {
  const urn = running.getStore();
  // A DependencyResource only carries a URN; it registers nothing (sdk/nodejs/resource.ts).
  return urn === undefined || urn === "" ? undefined : new DependencyResource(urn);
}

/**
 * The engine logger: `debug`, `info` and `warn` through `@pulumi/pulumi/log`, which reaches the engine at
 * the address in `PULUMI_NODEJS_ENGINE` (main.ts sets it from the plugin's argument). Delivery
 * failures are the SDK's to report (on stderr).
 */
export const engineLogger: Logger = {
  debug: (message) => void (delivered = log.debug(message, resourceOfCall())),
  info: (message) => void (delivered = log.info(message, resourceOfCall())),
  warn: (message) => void (delivered = log.warn(message, resourceOfCall())),
};

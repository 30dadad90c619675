/**
 * Shared by the host suites: one consumer per jest run (built, packed and installed once, under
 * a lock, cached by tarball hash), auth settings for either strategy, and the Atlas calls an
 * emulator log recorded, in a form tests can compare.
 */
import type { LogEntry, RunningEmulator } from "../../emulator";
import { prepareConsumer } from "../../host-harness";
import type { Consumer, Declaration, Props } from "../../host-harness";
import type { TestEmulator } from "../support/emulator";

/** Building, packing and a cold `npm install` can take a while on a cold cache. */
export const PREPARE_TIMEOUT_MS = 300_000;

export function useConsumer(): () => Consumer {
  let consumer: Consumer | undefined;
  beforeAll(async () => {
    consumer = await prepareConsumer();
  }, PREPARE_TIMEOUT_MS);
  return () => {
    if (!consumer)
      throw new Error("useConsumer: the consumer is not ready (use the getter inside a test)");
    return consumer;
  };
}

export type Strategy = "digest" | "serviceAccount";
export const STRATEGIES: readonly Strategy[] = ["digest", "serviceAccount"];

export const SECRET_CONFIG_KEYS = ["mongodbatlas:privateKey", "mongodbatlas:clientSecret"];

/** The `mongodbatlas:*` stack config for one strategy, secrets marked as `pulumi config set --secret` does. */
export function authConfig(
  emulator: Pick<RunningEmulator, "baseUrl" | "credentials">,
  strategy: Strategy,
  secret?: string,
): { config: Record<string, string>; secretKeys: string[] } {
  const { credentials } = emulator;
  const config: Record<string, string> =
    strategy === "digest"
      ? {
          "mongodbatlas:publicKey": credentials.publicKey,
          "mongodbatlas:privateKey": secret ?? credentials.privateKey,
        }
      : {
          "mongodbatlas:clientId": credentials.clientId,
          "mongodbatlas:clientSecret": secret ?? credentials.clientSecret,
        };
  return {
    config: { "mongodbatlas:baseUrl": emulator.baseUrl, ...config },
    secretKeys: SECRET_CONFIG_KEYS,
  };
}

/** The same credentials as `MONGODB_ATLAS_*` variables. */
export function authEnv(
  emulator: Pick<RunningEmulator, "baseUrl" | "credentials">,
  strategy: Strategy,
): Record<string, string> {
  const { credentials } = emulator;
  return {
    MONGODB_ATLAS_BASE_URL: emulator.baseUrl,
    ...(strategy === "digest"
      ? {
          MONGODB_ATLAS_PUBLIC_KEY: credentials.publicKey,
          MONGODB_ATLAS_PRIVATE_KEY: credentials.privateKey,
        }
      : {
          MONGODB_ATLAS_CLIENT_ID: credentials.clientId,
          MONGODB_ATLAS_CLIENT_SECRET: credentials.clientSecret,
        }),
  };
}

/** The slice operations that reached Atlas, as `METHOD operationId`, Digest challenges left out. */
export function apiCalls(entries: readonly LogEntry[]): string[] {
  return entries
    .filter((e) => e.operationId !== undefined && !e.challenged)
    .map((e) => `${e.method} ${e.operationId}`);
}

/** The same calls counted, order ignored (resources are handled concurrently, as the engine does). */
export function callCounts(entries: readonly LogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of apiCalls(entries)) counts[call] = (counts[call] ?? 0) + 1;
  return counts;
}

/** Takes and clears what the emulator logged since the last call. */
export function takeLog(emulator: Pick<RunningEmulator, "log">): LogEntry[] {
  const entries = emulator.log.entries();
  emulator.log.clear();
  return entries;
}

export function invitation(name: string, orgId: string, args: Props = {}): Declaration {
  return { name, args: { orgId, username: `${name}@example.com`, roles: ["ORG_MEMBER"], ...args } };
}

/** `require("...")` specifiers in a serialized function's text. */
export function requiredModules(text: string): string[] {
  return [...text.matchAll(/\brequire\s*\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2] as string);
}

/**
 * Fails on requests the provider sent outside the OpenAPI slice. Response-side divergences are
 * the emulator's, covered by its own contract suite, so they are dropped here.
 */
export function expectRequestsOnContract(emulator: TestEmulator): void {
  const sent = emulator.takeViolations().filter((v) => v.where === "request");
  expect(sent).toEqual([]);
}

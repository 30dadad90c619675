/**
 * Shared by the host suites: one consumer per jest run (built, packed and installed once, under
 * a lock, cached by tarball hash), one emulator and temp dir per suite with the per-test checks
 * every suite makes (`useHostEmulator`), auth settings for either strategy, the backend setting,
 * and the Atlas calls an emulator log recorded, in a form tests can compare. The calls each step
 * makes on each backend come from one table, `plan` in test/provider/helpers.ts, which the
 * in-process lifecycle suite asserts too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogEntry, RunningEmulator } from "../../emulator";
import { prepareConsumer } from "../../host-harness";
import type { Consumer, Declaration, Props } from "../../host-harness";
import { calls, plan } from "../provider/helpers";
import type { Expected } from "../provider/helpers";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator, TestEmulatorOptions } from "../support/emulator";
import type { AtlasVariant, Backend } from "../support/variants";

export { calls, expectCalls } from "../provider/helpers";
export type { Expected } from "../provider/helpers";

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

/** How {@link useHostEmulator} sets a suite up. */
export interface HostEmulatorOptions {
  /**
   * Prefix of a temp dir made for the suite in the OS temp folder, e.g. `"host-stack-"`: not
   * under the repo, and never a folder named after the package (host-harness/consumer.ts says
   * why). Removed, with all in it, after the suite. Without a prefix the suite gets no dir.
   */
  prefix?: string;
  /**
   * How to start the emulator (`startTestEmulator`'s options). By default every knob at its
   * default and the contract strict.
   */
  emulator?: TestEmulatorOptions;
}

/** A host suite's emulator and temp dir, as {@link useHostEmulator} returns them. */
export interface HostEmulator {
  /**
   * The suite's emulator.
   * @throws Error when read outside a test or hook (before the suite's beforeAll or after its
   * afterAll).
   */
  readonly emulator: TestEmulator;
  /**
   * The suite's temp dir.
   * @throws Error when read outside a test or hook, or when the suite asked for no dir (no
   * `prefix`).
   */
  readonly dir: string;
}

/** Starting the emulator and making a folder; generous, since another process may hold the CPU. */
const HOST_EMULATOR_SETUP_MS = 60_000;

/**
 * The setup every host suite shares, registered as jest hooks in the calling `describe`:
 * - beforeAll: starts an emulator (`startTestEmulator` with `options.emulator`, so every exchange
 *   is checked against the OpenAPI slice) and, given `options.prefix`, makes a temp dir;
 * - beforeEach: forgets the contract violations found so far, so each test answers for its own;
 * - afterEach: fails the test on requests sent outside the contract (`expectRequestsOnContract`)
 *   or on an ACTIVE member ever removed (`expectNoMemberRemoved`);
 * - afterAll: closes the emulator and removes the temp dir.
 *
 * Call it before the suite's own hooks: jest runs hooks of one `describe` in the order they were
 * registered, so the suite's beforeAll sees the emulator and dir, and its afterEach runs after
 * these checks. The emulator's state is not reset between tests: host suites build on earlier
 * steps, and each resets what it needs itself.
 *
 * @returns getters for the suite's `emulator` and `dir`, usable inside tests and hooks.
 * @example
 * const t = useHostEmulator({ prefix: "host-stack-" });
 * it("...", () => expect(t.emulator.stats().activeUserRemovals).toBe(0));
 */
export function useHostEmulator(options: HostEmulatorOptions = {}): HostEmulator {
  const { prefix } = options;
  let emulator: TestEmulator | undefined;
  let dir: string | undefined;
  const running = (): TestEmulator => {
    if (!emulator)
      throw new Error("useHostEmulator: the emulator is not running (use it inside a test)");
    return emulator;
  };
  beforeAll(async () => {
    emulator = await startTestEmulator(options.emulator);
    if (prefix !== undefined) dir = await mkdtemp(join(tmpdir(), prefix));
  }, HOST_EMULATOR_SETUP_MS);
  beforeEach(() => running().clearViolations());
  afterEach(() => {
    expectRequestsOnContract(running());
    expectNoMemberRemoved(running());
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    emulator = undefined;
    dir = undefined;
  });
  return {
    get emulator() {
      return running();
    },
    get dir() {
      if (prefix === undefined)
        throw new Error("useHostEmulator: this suite has no temp dir (pass a prefix)");
      if (!dir)
        throw new Error("useHostEmulator: the temp dir is not ready (use it inside a test)");
      return dir;
    },
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

/** The emulator as the host suites run it: every knob at its default, the least favourable Atlas. */
export const DEFAULT_ATLAS: AtlasVariant = { name: "defaults", knobs: {} };

/** The Atlas calls each lifecycle step makes on `backend`, against the default emulator. */
export const stepsOn = (backend: Backend): ReturnType<typeof plan> => plan(backend, DEFAULT_ATLAS);

/** The stack config that chooses the backend, as `pulumi config set atlasInvitations:api` sets it. */
export const apiConfig = (backend: Backend): Record<string, string> => ({
  "atlasInvitations:api": backend,
});

/** Whether Atlas `operationId` (with or without its `:status`) only reads. */
const isRead = (call: string): boolean => /^(get|list)/.test(call);
/** The org-wide list that can serve a GET by id when look-ups coalesce (provider/lookups.ts). */
const LIST_SERVING: Readonly<Record<string, string>> = {
  getOrgInvite: "listOrgInvites",
  getOrgUser: "listOrgUsers",
};

/**
 * The calls of several resources' steps that one host ran at once (the engine runs steps in
 * parallel), each resource's as `plan` lists it. Writes are exact: each planned write, with its
 * answer, as often as planned. Reads coalesce (provider/lookups.ts): concurrent look-ups in one
 * org share one org-wide list, which may also serve a GET by id. So there is at least one read
 * and at most as many as planned, each a planned read or the list that can stand in for it.
 */
export function expectConcurrentCalls(
  emulator: TestEmulator,
  perResource: readonly Expected[],
): void {
  const planned: string[] = perResource.flat(2);
  const actual = calls(emulator);
  const writes = (list: string[]): string[] => list.filter((c) => !isRead(c)).sort();
  expect(writes(actual)).toEqual(writes(planned));
  const plannedReads = planned.filter(isRead);
  const allowed = new Set(
    plannedReads.flatMap((c) => {
      const list = LIST_SERVING[c.split(":")[0] as string];
      return list ? [c, list] : [c];
    }),
  );
  const reads = actual.filter(isRead);
  expect(reads.filter((c) => !allowed.has(c))).toEqual([]);
  expect(reads.length).toBeGreaterThanOrEqual(Math.min(1, plannedReads.length));
  expect(reads.length).toBeLessThanOrEqual(plannedReads.length);
}

/** Every suite's last word on safety: no ACTIVE member was ever removed (emulator/README.md, Stats). */
export function expectNoMemberRemoved(emulator: Pick<RunningEmulator, "stats">): void {
  expect(emulator.stats().activeUserRemovals).toBe(0);
}

/** The id of the person's pending invitation in Atlas, whichever API made it. */
export function invitationIdOf(
  emulator: Pick<RunningEmulator, "control" | "orgId">,
  username: string,
): string {
  const found = emulator.control
    .invitations(emulator.orgId)
    .find((i) => i.username.toLowerCase() === username.toLowerCase());
  if (!found) throw new Error(`${username} has no pending invitation`);
  return found.id;
}

/** What the host wrote to stderr while `step` ran, for a host whose output grows (one per step or shared). */
export async function stderrDuring<T>(
  output: () => { stderr: string },
  step: () => Promise<T>,
): Promise<{ result: T; stderr: string }> {
  const before = output().stderr.length;
  const result = await step();
  return { result, stderr: output().stderr.slice(before) };
}

/**
 * Shared by the suites that run under the real Pulumi engine: the `pulumi` CLI (found on PATH or
 * built from pulumi-cli/go.mod, once per machine), one consumer per jest run, and a stack per
 * suite in the suite's temp dir, configured for the suite's emulator.
 */
import { join } from "node:path";
import type { Consumer } from "../../host-harness";
import { CliStack } from "../../host-harness/cli-stack";
import type { CommandResult, StackResource } from "../../host-harness/cli-stack";
import { ensurePulumiCli } from "../../pulumi-cli";
import type { PulumiCli } from "../../pulumi-cli";
import type { TestEmulator } from "../support/emulator";
import type { Backend } from "../support/variants";
import { SECRET_CONFIG_KEYS, authConfig, takeLog } from "../host/helpers";
import type { Strategy } from "../host/helpers";

import { useConsumer, useHostEmulator } from "../host/helpers";

export { useConsumer, useHostEmulator };

/** A cold Go build of the CLI takes about four minutes on two cores; jest's globalSetup does it first. */
const CLI_TIMEOUT_MS = 30 * 60_000;

/** The CLI for the suite, in a beforeAll. */
export function useCli(): () => PulumiCli {
  let cli: PulumiCli | undefined;
  beforeAll(async () => {
    cli = await ensurePulumiCli();
  }, CLI_TIMEOUT_MS);
  return () => {
    if (!cli) throw new Error("useCli: the CLI is not ready (use the getter inside a test)");
    return cli;
  };
}

/** How {@link newStack} configures a stack. */
export interface NewStackOptions {
  consumer: Consumer;
  cli: PulumiCli;
  emulator: TestEmulator;
  /** The suite's temp dir; the stack gets `<dir>/<name>`. */
  dir: string;
  name: string;
  backend?: Backend;
  strategy?: Strategy;
  /** Added to the stack config. */
  config?: Record<string, string>;
  env?: Record<string, string>;
  /** Give the credentials as `MONGODB_ATLAS_*` variables instead of stack config. */
  credentialsFromEnv?: Record<string, string>;
}

/** A stack under the real CLI, with the emulator's base URL and credentials in its config. */
export async function newStack(options: NewStackOptions): Promise<CliStack> {
  const stack = await CliStack.create({
    consumer: options.consumer,
    cli: options.cli,
    dir: join(options.dir, options.name),
    stack: options.name,
    env: { ...options.env, ...options.credentialsFromEnv },
  });
  const auth = authConfig(options.emulator, options.strategy ?? "digest");
  const config = options.credentialsFromEnv
    ? { "mongodbatlas:baseUrl": options.emulator.baseUrl }
    : auth.config;
  await stack.setConfig(
    {
      ...config,
      ...(options.backend ? { "atlasInvitations:api": options.backend } : {}),
      ...options.config,
    },
    SECRET_CONFIG_KEYS,
  );
  return stack;
}

/** An `OrgInvitation` of `<name>@example.com` as ORG_MEMBER. */
export function invitationOf(
  name: string,
  orgId: unknown,
  args: Record<string, unknown> = {},
  options: StackResource["options"] = {},
): StackResource {
  return {
    name,
    args: { orgId, username: `${name}@example.com`, roles: ["ORG_MEMBER"], ...args },
    options,
  };
}

/** `name: op` of every step (a refresh's `refresh`), sorted, for order-free comparisons. */
export function opsOf(result: CommandResult): string[] {
  return result.steps
    .map(
      (s) => `${s.name}: ${s.planned === "refresh" ? "refresh" : s.op}${s.failed ? " failed" : ""}`,
    )
    .sort();
}

/** Fails with the CLI's output when a command did not exit as expected. */
export function expectExit(result: CommandResult, code: number): void {
  if (result.exitCode !== code)
    throw new Error(
      `pulumi ${result.command} exited ${result.exitCode}, expected ${code}\n--- stdout ---\n` +
        `${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`,
    );
}

/**
 * Takes the emulator's log and returns the writes Atlas answered (Digest challenges left out: each
 * CLI command is a new provider process, whose first request is challenged), as
 * `METHOD operationId`.
 */
export function takeWrites(emulator: TestEmulator): string[] {
  return takeLog(emulator)
    .filter((e) => e.method !== "GET" && !e.challenged)
    .map((e) => `${e.method} ${e.operationId}`);
}

/** What {@link useEngineSuite} gives a suite. */
export interface EngineSuite {
  consumer: () => Consumer;
  cli: () => PulumiCli;
  /** The suite's emulator and temp dir (useHostEmulator). */
  t: ReturnType<typeof useHostEmulator>;
  /** A new stack for the suite's emulator, named `<prefix><name or a count>`. */
  stack: (name?: string) => Promise<CliStack>;
}

/**
 * The hooks most engine suites share: one consumer, the CLI, an emulator with its per-test
 * checks and a temp dir, and a factory of stacks configured for it (on `backend` when given).
 */
export function useEngineSuite(prefix: string, backend?: Backend): EngineSuite {
  const consumer = useConsumer();
  const cli = useCli();
  const t = useHostEmulator({ prefix: `engine-${prefix}-` });
  let count = 0;
  const stack = (name?: string): Promise<CliStack> =>
    newStack({
      consumer: consumer(),
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name: `${prefix}-${name ?? ++count}${backend ? `-${backend}` : ""}`,
      ...(backend ? { backend } : {}),
    });
  return { consumer, cli, t, stack };
}

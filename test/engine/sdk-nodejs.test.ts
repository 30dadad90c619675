/**
 * The generated TypeScript SDK (`sdk/nodejs`, `@pulumi-atlas-org-invitations/sdk`), used as a
 * user's program uses it, under the real `pulumi` CLI with the resource provider plugin from the
 * project's `plugins:` path (issue 21, items 3 and 5, the TypeScript row). The SDK needs
 * `@pulumi/pulumi` >= 3.269, which needs Node >= 22, while this repository runs 3.248 on Node 20;
 * so the suite runs on the runtime matrix's Node 22 row (test/support/runtime-matrix.ts): the
 * SDK is compiled with the TypeScript its package.json declares, packed and installed into a
 * consumer with that row's `@pulumi/pulumi` (host-harness/sdk-consumer.ts), and each program,
 * written as docs/_index.md's TypeScript example is, is compiled there with `tsc` and run by the
 * CLI on Node 22.
 *
 * Two programs: one on the default provider (credentials in `atlasorginvitations:*` stack config,
 * the private key a secret; `OnAcceptedPolicy.Fail`), whose destroy after acceptance is refused;
 * and one with an explicit `atlasorginvitations.Provider` given the private key as a plain string
 * (the SDK makes it a secret) and `OnAcceptedPolicy.Retain`, whose destroy keeps the member and
 * warns. The sentinel private key must be nowhere in `pulumi stack export`, the stacks' files or
 * what the CLI printed; and a misspelt property must fail `tsc`, which shows the SDK's types are
 * real.
 *
 * When the row's Node cannot be had (the npm `node` package), the suite is reported skipped with
 * the reason in the test's name.
 */
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Exchange } from "../../emulator";
import { CliStack } from "../../host-harness/cli-stack";
import type { CommandResult, EngineEvent } from "../../host-harness/cli-stack";
import { REPO_ROOT } from "../../host-harness/consumer";
import { majorOf, nodeVersion } from "../../host-harness/node-runtime";
import { ensurePluginBuilt, PLUGIN_DIR, PLUGIN_NAME } from "../../host-harness/plugin-stack";
import { compileProgram, prepareSdkConsumer } from "../../host-harness/sdk-consumer";
import type { SdkConsumer } from "../../host-harness/sdk-consumer";
import { ROWS, ROW_SETUP_TIMEOUT_MS, seconds } from "../support/runtime-matrix";
import { takeLog, useHostEmulator } from "../host/helpers";
import { expectExit, useCli } from "./helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-SDK-NODEJS-PRIVATE-KEY-7c1e";
const TYPE = `${PLUGIN_NAME}:index:OrgInvitation`;
const PROVIDER_TYPE = `pulumi:providers:${PLUGIN_NAME}`;
/** Where the explicit-provider program reads its private key (no variable the provider reads). */
const KEY_VARIABLE = "SDK_EXAMPLE_ATLAS_PRIVATE_KEY";
const STEP_TIMEOUT_MS = 180_000;

const ROW = ROWS.find((r) => r.node === 22);
if (!ROW) throw new Error("test/support/runtime-matrix.ts has no Node 22 row");

/**
 * The row's Node, installed from the registry's `node` package or found in the cache, while the
 * file is collected: a Node that cannot be had makes a visibly skipped test, not a failure.
 */
function rowNode(): { binary: string } | { reason: string } {
  const code = `require(${JSON.stringify(join(REPO_ROOT, "host-harness", "node-runtime"))})
    .nodeBinaryFor(${ROW?.node})
    .then((b) => console.log("NODE=" + b))
    .catch((e) => { console.log("ERROR=" + JSON.stringify(String(e?.message ?? e))); process.exit(1); })`;
  const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), "-e", code], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: ROW_SETUP_TIMEOUT_MS,
  });
  const out = result.stdout ?? "";
  const binary = /^NODE=(.+)$/m.exec(out)?.[1];
  if (binary) return { binary };
  const error = /^ERROR=(.+)$/m.exec(out)?.[1];
  const lines = error ? (JSON.parse(error) as string).split("\n") : [];
  // The failing command, and npm's own first error line (say, the registry it could not reach).
  const why = [lines[0], lines.find((l) => l.startsWith("npm error"))].filter(Boolean).join(": ");
  return { reason: why || result.error?.message || `exit ${result.status}: ${result.stderr}` };
}

/**
 * docs/_index.md's TypeScript example, with the org, the person, the team and the project from
 * stack config; the explicit-provider variant adds a `Provider` and passes it.
 */
function program(options: { explicitProvider: boolean; usernameKey?: string }): string {
  const usernameKey = options.usernameKey ?? "username";
  const provider = options.explicitProvider
    ? `
// The private key as a plain string: the SDK makes it a secret (Provider's constructor).
const atlas = new atlasorginvitations.Provider("atlas", {
  baseUrl: config.require("atlasBaseUrl"),
  publicKey: config.require("atlasPublicKey"),
  privateKey: process.env["${KEY_VARIABLE}"],
});
`
    : "";
  const policy = options.explicitProvider ? "Retain" : "Fail";
  const opts = options.explicitProvider ? ", { provider: atlas }" : "";
  return `import * as pulumi from "@pulumi/pulumi";
import * as atlasorginvitations from "@pulumi-atlas-org-invitations/sdk";

const config = new pulumi.Config();
${provider}
const alice = new atlasorginvitations.OrgInvitation("alice", {
  orgId: config.require("orgId"),
  ${usernameKey}: config.require("username"),
  roles: ["ORG_MEMBER"],
  teamIds: [config.require("teamId")],
  groupRoleAssignments: [{ groupId: config.require("groupId"), roles: ["GROUP_READ_ONLY"] }],
  onAccepted: atlasorginvitations.OnAcceptedPolicy.${policy},
}${opts});

export const aliceStatus = alice.status;
`;
}

/**
 * @pulumi/pulumi's Node runtime logs each RegisterResource response at debug severity with its
 * values unwrapped, secrets included (runtime/resource.js, `RegisterResource RPC finished`, in
 * 3.276.0): the CLI prints it only under `--debug`, but the Automation API's event stream carries
 * it. That is the SDK's own logging, not this package's; only those events are left out of the
 * leak check, every other event is checked.
 */
function isSdkRpcDebugLog(event: EngineEvent): boolean {
  const diag = event.diagnosticEvent;
  return diag?.severity === "debug" && diag.message.startsWith("RegisterResource RPC finished:");
}

const NODE = rowNode();

describe(`the generated TypeScript SDK in a user's program under the real CLI (${ROW.title})`, () => {
  if ("reason" in NODE) {
    console.warn(`[sdk-nodejs] skipped: Node ${ROW.node} could not be had: ${NODE.reason}`);
    it.skip(`is skipped: Node ${ROW.node} could not be installed from the npm node package (${NODE.reason.slice(0, 200)})`, () => {
      // Never runs: the name carries the reason.
    });
    return;
  }
  const nodeBinary = NODE.binary;
  const cli = useCli();
  const userAgents = new Set<string>();
  const t = useHostEmulator({
    prefix: "engine-sdk-nodejs-",
    emulator: {
      privateKey: SENTINEL_PRIVATE_KEY,
      onExchange: (e: Exchange) => {
        const ua = e.requestHeaders["user-agent"];
        if (ua) userAgents.add(ua);
      },
    },
  });
  let consumer: SdkConsumer;
  const runs: CommandResult[] = [];
  const stacks: CliStack[] = [];
  /** What `tsc` said of each stack's program. */
  const compiled = new Map<string, { exitCode: number; output: string }>();
  let digestAnswered = 0;
  const take = () => {
    const log = takeLog(t.emulator);
    digestAnswered += log.filter((e) => e.auth === "digest" && e.status === 200).length;
    return log;
  };
  const writesOf = (log: ReturnType<typeof take>) =>
    log
      .filter((e) => e.method !== "GET" && !e.challenged)
      .map((e) => `${e.method} ${e.operationId}`);

  beforeAll(async () => {
    const started = performance.now();
    const [, pulumiVersion] = await Promise.all([ensurePluginBuilt(), ROW.pulumiVersion()]);
    consumer = await prepareSdkConsumer({ pulumiVersion, nodeBinary });
    console.log(
      `sdk-nodejs: node ${await nodeVersion(nodeBinary)}, @pulumi/pulumi ${consumer.pulumiVersion}, ` +
        `typescript ${consumer.typescriptVersion}, sdk ${consumer.sdkHash} ` +
        `(setup ${seconds(performance.now() - started)})`,
    );
  }, ROW_SETUP_TIMEOUT_MS);

  /** A stack whose project folder holds the compiled program, on the row's Node. */
  async function programStack(
    name: string,
    explicitProvider: boolean,
    username: string,
  ): Promise<CliStack> {
    const dir = join(t.dir, name);
    const workDir = join(dir, "project");
    const stack = await CliStack.create({
      consumer,
      cli: cli(),
      dir,
      project: "sdk-nodejs",
      stack: name,
      nodeBinary,
      programModule: join(workDir, "bin", "index.js"),
      plugins: { providers: [{ name: PLUGIN_NAME, path: PLUGIN_DIR }] },
      ...(explicitProvider ? { env: { [KEY_VARIABLE]: SENTINEL_PRIVATE_KEY } } : {}),
    });
    // Compiled in the project folder, whose node_modules is the consumer's, as a user's `tsc` is.
    const result = await compileProgram(
      consumer,
      stack.workDir,
      program({ explicitProvider }),
      nodeBinary,
    );
    compiled.set(name, { exitCode: result.exitCode, output: result.output });
    if (result.exitCode !== 0) throw new Error(`tsc failed:\n${result.output}`);
    const config: Record<string, string> = {
      orgId: t.emulator.orgId,
      username,
      teamId: t.emulator.teamIds[0] ?? "",
      groupId: t.emulator.projectId,
    };
    if (explicitProvider) {
      config["atlasBaseUrl"] = t.emulator.baseUrl;
      config["atlasPublicKey"] = t.emulator.credentials.publicKey;
    } else {
      config[`${PLUGIN_NAME}:baseUrl`] = t.emulator.baseUrl;
      config[`${PLUGIN_NAME}:publicKey`] = t.emulator.credentials.publicKey;
      config[`${PLUGIN_NAME}:privateKey`] = SENTINEL_PRIVATE_KEY;
    }
    await stack.setConfig(config, [`${PLUGIN_NAME}:privateKey`]);
    stacks.push(stack);
    return stack;
  }
  const command = async (stack: CliStack, op: "up" | "refresh" | "destroy") => {
    const result = await stack.run(op);
    runs.push(result);
    return result;
  };
  const stateOf = async (stack: CliStack) =>
    ((await stack.exportState()).resources ?? []).filter((r) => r.type === TYPE);
  const outputsOf = async (stack: CliStack): Promise<Record<string, unknown>> => {
    const result = await stack.cli(["stack", "output", "--json"]);
    expect(result.exitCode).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  describe("on the default provider, with OnAcceptedPolicy.Fail", () => {
    const username = "ts-default@example.com";
    let stack: CliStack;
    let invitationId: string;

    beforeAll(async () => {
      stack = await programStack("default-provider", false, username);
      take();
    }, STEP_TIMEOUT_MS);

    it(
      "up creates the invitation with one POST and exports its status, on the row's Node",
      async () => {
        expect(majorOf(await nodeVersion(nodeBinary))).toBe(ROW.node);
        const up = await command(stack, "up");
        expectExit(up, 0);
        expect(up.steps.map((s) => [s.name, s.type, s.op])).toEqual([["alice", TYPE, "create"]]);
        const log = take();
        expect(writesOf(log)).toEqual(["POST createOrgInvite"]);
        // Every request came from a provider on the row's Node.
        expect(userAgents.size).toBeGreaterThan(0);
        for (const ua of userAgents) expect(ua).toContain(`(node v${ROW.node}.`);
        const invitations = t.emulator.control
          .invitations(t.emulator.orgId)
          .filter((i) => i.username === username);
        expect(invitations).toHaveLength(1);
        const [invitation] = invitations;
        expect(invitation?.teamIds).toEqual([t.emulator.teamIds[0]]);
        expect(invitation?.groupRoleAssignments).toEqual([
          { groupId: t.emulator.projectId, roles: ["GROUP_READ_ONLY"] },
        ]);
        invitationId = String(invitation?.id);
        expect(await outputsOf(stack)).toEqual({ aliceStatus: "PENDING" });
        expect((await stateOf(stack)).map((r) => [r.id, r.outputs?.["status"]])).toEqual([
          [invitationId, "PENDING"],
        ]);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "refresh after the person accepts records ACCEPTED with no write",
      async () => {
        t.emulator.control.acceptInvitation(t.emulator.orgId, username);
        const refresh = await command(stack, "refresh");
        expectExit(refresh, 0);
        expect(writesOf(take())).toEqual([]);
        expect((await stateOf(stack)).map((r) => [r.id, r.outputs?.["status"]])).toEqual([
          [invitationId, "ACCEPTED"],
        ]);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "destroy is refused: a non-zero exit naming the person, no DELETE, the member and the state kept",
      async () => {
        const destroy = await command(stack, "destroy");
        expect(destroy.exitCode).not.toBe(0);
        const printed = `${destroy.stdout}\n${destroy.stderr}`;
        expect(printed).toContain(
          `${username} accepted the invitation to organization ${t.emulator.orgId}`,
        );
        const log = take();
        expect(log.some((e) => e.method === "GET" && !e.challenged)).toBe(true);
        expect(log.filter((e) => e.method === "DELETE")).toEqual([]);
        expect(writesOf(log)).toEqual([]);
        const member = t.emulator.control
          .users(t.emulator.orgId)
          .find((u) => u.username === username);
        expect(member?.orgMembershipStatus).toBe("ACTIVE");
        expect((await stateOf(stack)).map((r) => r.id)).toEqual([invitationId]);
      },
      STEP_TIMEOUT_MS,
    );
  });

  describe("with an explicit atlasorginvitations.Provider and OnAcceptedPolicy.Retain", () => {
    const username = "ts-explicit@example.com";
    let stack: CliStack;

    beforeAll(async () => {
      stack = await programStack("explicit-provider", true, username);
      take();
    }, STEP_TIMEOUT_MS);

    it(
      "up authenticates with the provider's args and keeps its private key encrypted in the state",
      async () => {
        const up = await command(stack, "up");
        expectExit(up, 0);
        const log = take();
        expect(writesOf(log)).toEqual(["POST createOrgInvite"]);
        // The stack has no credentials in config or the provider's environment: the Digest
        // answers came from the key the program gave the Provider.
        expect(log.some((e) => e.auth === "digest" && e.status === 200)).toBe(true);
        const deployment = await stack.exportState();
        const provider = deployment.resources?.find(
          (r) => r.type === PROVIDER_TYPE && r.urn.endsWith("::atlas"),
        );
        expect(provider?.inputs?.["publicKey"]).toBe(t.emulator.credentials.publicKey);
        const privateKey = provider?.inputs?.["privateKey"] as Record<string, unknown> | undefined;
        expect(privateKey?.[specialSigKey]).toBe(specialSecretSig);
        expect(typeof privateKey?.["ciphertext"]).toBe("string");
        const invitation = deployment.resources?.find((r) => r.type === TYPE);
        expect(invitation?.outputs?.["onAccepted"]).toBe("retain");
        expect(await outputsOf(stack)).toEqual({ aliceStatus: "PENDING" });
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "destroy after acceptance keeps the member, warns and drops the resource, with no DELETE",
      async () => {
        t.emulator.control.acceptInvitation(t.emulator.orgId, username);
        expectExit(await command(stack, "refresh"), 0);
        take();
        const destroy = await command(stack, "destroy");
        expectExit(destroy, 0);
        expect(destroy.steps.find((s) => s.name === "alice")?.warnings.join("\n")).toContain(
          username,
        );
        const log = take();
        expect(log.filter((e) => e.method === "DELETE")).toEqual([]);
        expect(writesOf(log)).toEqual([]);
        const member = t.emulator.control
          .users(t.emulator.orgId)
          .find((u) => u.username === username);
        expect(member?.orgMembershipStatus).toBe("ACTIVE");
        expect(await stateOf(stack)).toEqual([]);
      },
      STEP_TIMEOUT_MS,
    );
  });

  it(
    "keeps the sentinel private key out of stack export, every file of the stacks and the CLI's output",
    async () => {
      // Both programs ran and authenticated with the sentinel: the checks are not vacuous.
      expect(stacks).toHaveLength(2);
      expect(runs.length).toBeGreaterThanOrEqual(6);
      expect(digestAnswered).toBeGreaterThan(0);
      const leaks: string[] = [];
      const check = (where: string, text: string) => {
        if (text.includes(SENTINEL_PRIVATE_KEY)) leaks.push(where);
      };
      for (const stack of stacks) {
        check(`${stack.stack}: pulumi stack export`, JSON.stringify(await stack.exportState()));
        const files = await stack.backendFiles();
        expect(files.some((f) => f.path.endsWith(`Pulumi.${stack.stack}.yaml`))).toBe(true);
        for (const file of files) check(file.path, file.text);
      }
      for (const [i, r] of runs.entries()) {
        check(`run ${i} (${r.command}) stdout`, r.stdout);
        check(`run ${i} (${r.command}) stderr`, r.stderr);
        for (const [j, e] of r.events.entries())
          if (!isSdkRpcDebugLog(e)) check(`run ${i} (${r.command}) event ${j}`, JSON.stringify(e));
      }
      expect(leaks).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "fails type-checking of a program that misspells a property, so the SDK's types are real",
    async () => {
      // The same program spelt right compiled cleanly for the default-provider stack.
      expect(compiled.get("default-provider")).toEqual({ exitCode: 0, output: "" });
      const bad = await compileProgram(
        consumer,
        join(t.dir, "typo"),
        program({ explicitProvider: false, usernameKey: "userName" }),
        nodeBinary,
      );
      expect(bad.exitCode).not.toBe(0);
      const source = program({ explicitProvider: false, usernameKey: "userName" }).split("\n");
      const line = source.findIndex((l) => l.trimStart().startsWith("userName:")) + 1;
      expect(line).toBeGreaterThan(0);
      expect(bad.output).toContain(`index.ts(${line},3): error TS`);
      expect(bad.output).toMatch(/'userName' does not exist in type 'OrgInvitationArgs'/);
    },
    STEP_TIMEOUT_MS,
  );
});

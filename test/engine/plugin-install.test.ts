/**
 * The resource provider plugin installed offline from its tarball (`npm run pack-plugin`, issue
 * 21 item 4) and run by the real Pulumi engine against the emulator, from a TypeScript program:
 * `pulumi plugin install resource atlasorginvitations <version> --file <tarball>` into the stack's
 * own `PULUMI_HOME`, then up, refresh after an acceptance, a destroy that refuses the accepted
 * invitation (the CLI exits 1 with the refusal), the same destroy under
 * `ATLAS_INVITATIONS_ON_ACCEPTED=retain` (succeeds, warns, the member stays), and no credential in
 * the stack, the backend's files or the CLI's output. The steps build on each other.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { list as listTar } from "tar";
import type { CliStack, CommandResult } from "../../host-harness/cli-stack";
import { capture } from "../../host-harness/exec";
import { PLUGIN_NAME, PLUGIN_TYPE, pulumi } from "../../host-harness/plugin-stack";
import { PLUGIN_EXECUTABLE, currentPlatform, tarballName } from "../../scripts/pack-plugin";
import { takeLog, useHostEmulator } from "../host/helpers";
import { expectExit, opsOf, takeWrites, useCli } from "./helpers";
import {
  newPluginStack,
  pluginInvitation,
  STEP_TIMEOUT_MS,
  usePluginTarball,
} from "./plugin-helpers";

const SENTINEL_PRIVATE_KEY = "SENTINEL-PLUGIN-PRIVATE-KEY-4f2d";
/** The tarball stays small: about 7 MB today; this catches a dev dependency or a source map leaking in. */
const MAX_TARBALL_BYTES = 12 * 1024 * 1024;

describe("the plugin installed from its tarball, under the real pulumi CLI, from a TypeScript program", () => {
  const cli = useCli();
  const tarball = usePluginTarball();
  const t = useHostEmulator({
    prefix: "engine-plugin-install-",
    emulator: { privateKey: SENTINEL_PRIVATE_KEY },
  });
  let stack: CliStack;
  /** Everything each CLI command printed, for the leak check at the end. */
  const printed: string[] = [];
  const keep = <T extends { stdout: string; stderr: string }>(result: T): T => {
    printed.push(result.stdout, result.stderr);
    return result;
  };
  const program = () => [
    pluginInvitation("alice", t.emulator.orgId),
    pluginInvitation("bob", t.emulator.orgId, { onAccepted: "retain" }),
  ];
  const statusOf = (username: string) =>
    t.emulator.control.users(t.emulator.orgId).find((u) => u.username === username)
      ?.orgMembershipStatus;

  beforeAll(async () => {
    stack = await newPluginStack({
      cli: cli(),
      emulator: t.emulator,
      dir: t.dir,
      name: "plugin-install",
      plugin: { install: tarball() },
    });
    takeLog(t.emulator);
  }, STEP_TIMEOUT_MS);

  it("packs a small tarball named as Pulumi names plugin assets, with the executable, dist, schema, package.json and production node_modules at its root", async () => {
    const { path, version, bytes } = tarball();
    expect(path.endsWith(tarballName(version, currentPlatform()))).toBe(true);
    expect(path).toMatch(
      /pulumi-resource-atlasorginvitations-v\d+\.\d+\.\d+-(linux|darwin)-(amd64|arm64)\.tar\.gz$/,
    );
    expect(bytes).toBeLessThan(MAX_TARBALL_BYTES);
    const entries = new Map<string, { type: string; mode: number }>();
    await listTar({
      file: path,
      onReadEntry: (e) => entries.set(e.path, { type: e.type, mode: e.mode ?? 0 }),
    });
    expect(entries.get(PLUGIN_EXECUTABLE)?.mode).toBe(0o755);
    for (const file of ["dist/plugin/main.js", "schema/schema.json", "package.json", "LICENSE"])
      expect(entries.get(file)?.type).toBe("File");
    expect(entries.get("node_modules/@pulumi/pulumi/package.json")?.type).toBe("File");
    // Not shipped: a dev dependency, type declarations, a PulumiPlugin.yaml (which would make
    // `plugin install` call the nodejs language host), hard links or symlinks (Pulumi's unpacker
    // refuses a hard link: `unexpected plugin file type`).
    expect(entries.has("node_modules/jest/package.json")).toBe(false);
    expect(entries.has("node_modules/typescript/package.json")).toBe(false);
    expect([...entries.keys()].filter((p) => p.endsWith(".d.ts"))).toEqual([]);
    expect(entries.has("PulumiPlugin.yaml")).toBe(false);
    expect(new Set([...entries.values()].map((e) => e.type))).toEqual(
      new Set(["File", "Directory"]),
    );
  });

  it(
    "is installed by pulumi plugin install --file into the stack's PULUMI_HOME, where pulumi plugin ls lists it, and names a missing node",
    async () => {
      const dir = join(stack.homeDir, "plugins", `resource-${PLUGIN_NAME}-v${tarball().version}`);
      expect((await stat(join(dir, PLUGIN_EXECUTABLE))).mode & 0o777).toBe(0o755);
      expect(await readdir(dir)).toEqual(
        expect.arrayContaining([
          "dist",
          "node_modules",
          "package.json",
          "schema",
          PLUGIN_EXECUTABLE,
        ]),
      );
      // The executable needs `node` on PATH and says so when it is missing.
      const noNode = await capture("/bin/sh", [join(dir, PLUGIN_EXECUTABLE)], {
        cwd: dir,
        env: { PATH: join(dir, "no-such-dir") },
      });
      expect(noNode.code).toBe(1);
      expect(noNode.stderr).toMatch(/node \(Node\.js 20 or later\) is not on PATH/);
      const ls = await pulumi(stack, cli(), ["plugin", "ls", "--json"]);
      expect(ls.exitCode).toBe(0);
      const listed = (
        JSON.parse(ls.stdout) as { name: string; kind: string; version: string }[]
      ).map((p) => `${p.kind} ${p.name} ${p.version}`);
      expect(listed).toEqual([`resource ${PLUGIN_NAME} ${tarball().version}`]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates the two invitations on up, one POST each, under the plugin's type token",
    async () => {
      const up = keep(await stack.up(program()));
      expectExit(up, 0);
      expect(opsOf(up)).toEqual(["alice: create", "bob: create"]);
      expect(up.steps.map((s) => s.type)).toEqual([PLUGIN_TYPE, PLUGIN_TYPE]);
      expect(takeWrites(t.emulator).sort()).toEqual([
        "POST createOrgInvite",
        "POST createOrgInvite",
      ]);
      const pending = t.emulator.control.invitations(t.emulator.orgId).map((i) => i.username);
      expect(pending.sort()).toEqual(["alice@example.com", "bob@example.com"]);
      const state = await stack.invitationsInState(PLUGIN_TYPE);
      expect([...state.keys()].sort()).toEqual(["alice", "bob"]);
      expect(state.get("alice")?.outputs).toMatchObject({
        username: "alice@example.com",
        status: "PENDING",
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "records both acceptances on refresh without a write to Atlas",
    async () => {
      t.emulator.control.acceptInvitation(t.emulator.orgId, "alice@example.com");
      t.emulator.control.acceptInvitation(t.emulator.orgId, "bob@example.com");
      const refresh = keep(await stack.refresh());
      expectExit(refresh, 0);
      expect(opsOf(refresh)).toEqual(["alice: refresh", "bob: refresh"]);
      const status = Object.fromEntries(refresh.steps.map((s) => [s.name, s.outputs?.["status"]]));
      expect(status).toEqual({ alice: "ACCEPTED", bob: "ACCEPTED" });
      expect(takeWrites(t.emulator)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "refuses to destroy alice's accepted invitation: the CLI exits 1 with the refusal and the way forward, bob (retain) is let go with a warning, no member removed",
    async () => {
      const destroy = keep(await stack.destroy());
      expect(destroy.exitCode).toBe(1);
      const alice = destroy.steps.find((s) => s.name === "alice");
      expect(alice?.failed).toBe(true);
      const refusal = alice?.errors.join("\n") ?? "";
      expect(refusal).toMatch(/alice@example\.com accepted the invitation/);
      expect(refusal).toMatch(/ATLAS_INVITATIONS_ON_ACCEPTED=retain/);
      expect(
        destroy.steps.filter((s) => s.op === "delete" && !s.failed).map((s) => s.name),
      ).toEqual(["bob"]);
      expect(warningsOf(destroy, "bob")).toEqual([
        expect.stringMatching(/^bob@example\.com accepted the invitation .*onAccepted is "retain"/),
      ]);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect(statusOf("alice@example.com")).toBe("ACTIVE");
      expect(statusOf("bob@example.com")).toBe("ACTIVE");
      expect([...(await stack.invitationsInState(PLUGIN_TYPE)).keys()]).toEqual(["alice"]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys alice from the stack under ATLAS_INVITATIONS_ON_ACCEPTED=retain with a warning, and she stays a member",
    async () => {
      const destroy = keep(
        await stack.run("destroy", { env: { ATLAS_INVITATIONS_ON_ACCEPTED: "retain" } }),
      );
      expectExit(destroy, 0);
      expect(opsOf(destroy)).toEqual(["alice: delete"]);
      expect(warningsOf(destroy, "alice")).toEqual([
        expect.stringMatching(
          /^alice@example\.com accepted the invitation .*ATLAS_INVITATIONS_ON_ACCEPTED is "retain"/,
        ),
      ]);
      expect(takeWrites(t.emulator)).toEqual([]);
      expect(statusOf("alice@example.com")).toBe("ACTIVE");
      expect([...(await stack.invitationsInState(PLUGIN_TYPE)).keys()]).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "never held the private key: not in pulumi stack export, any file of the backend or PULUMI_HOME, or anything the CLI printed",
    async () => {
      const exported = await stack.cli(["stack", "export"]);
      expect(exported.exitCode).toBe(0);
      expect(exported.stdout).not.toContain(SENTINEL_PRIVATE_KEY);
      for (const file of await stack.backendFiles())
        if (file.text.includes(SENTINEL_PRIVATE_KEY))
          throw new Error(`${file.path} holds the private key`);
      expect(printed.filter((text) => text.includes(SENTINEL_PRIVATE_KEY))).toEqual([]);
      // The key was there to leak: set as a secret in the stack's config, which the plugin read
      // (the emulator accepts no other key).
      const config = await readFile(join(stack.workDir, `Pulumi.${stack.stack}.yaml`), "utf8");
      expect(config).toMatch(/atlasorginvitations:privateKey:\s*\n\s*secure: /);
    },
    STEP_TIMEOUT_MS,
  );
});

/** The warnings the engine reported for one resource (the plugin logs them through the engine). */
function warningsOf(result: CommandResult, name: string): string[] {
  return result.steps.find((s) => s.name === name)?.warnings ?? [];
}

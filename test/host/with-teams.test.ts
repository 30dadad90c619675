/**
 * Issue 13: examples/with-teams, invitations beside the official provider. The program declares
 * a `mongodbatlas.Project` and a `mongodbatlas.Team` (`@pulumi/mongodbatlas`) and `OrgInvitation`s
 * whose `teamIds` and `groupRoleAssignments` come from those resources' outputs. It runs whole,
 * as `pulumi up` would run it, under `pulumi.runtime.setMocks`: the mocks give the bridged
 * resources their ids (a 24-hex project id, and a Team whose `teamId` output is a 24-hex id), and
 * record what each resource registered. The invitations' registered inputs, `__provider`
 * included, then go through the SDK's real dynamic-provider host against the emulator (which
 * knows that team and project): up, refresh, destroy.
 *
 * Where each module comes from. The program runs in a child process from a folder inside the
 * consumer (the package installed from its tarball, as a user gets it), transpiled to CommonJS,
 * so `pulumi-atlas-org-invitations` and `@pulumi/pulumi` resolve to the consumer's copies and the
 * closure serializer writes the real provider, a `require` of the installed package's runtime;
 * in this jest process the package would resolve to the repo's sources and be inlined by value.
 * The consumer does not have `@pulumi/mongodbatlas` (the package does not depend on it, and a
 * user installs it themselves). The program needs it only to construct the bridged resources,
 * which the mocks answer without any provider plugin, so the child resolves it from the repo's
 * node_modules (a devDependency): NODE_PATH points at a folder holding nothing but a symlink to
 * it. NODE_PATH is consulted only after the consumer's own node_modules, so nothing else the
 * program or the package requires can fall back to the repo. Through the symlink's real path,
 * `@pulumi/mongodbatlas` loads the repo's `@pulumi/pulumi`, a second copy of the SDK; the
 * mocks still answer its registrations because the SDK keeps its runtime state (the monitor
 * `setMocks` installs) in a process-wide global store shared by every copy.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { Engine, REPO_ROOT, serializeDeclarations, startConfiguredHost } from "../../host-harness";
import type { Consumer, Declared, Props, Registration } from "../../host-harness";
import { childEnv, run } from "../../host-harness/exec";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  apiCalls,
  authConfig,
  expectRequestsOnContract,
  invitation,
  requiredModules,
  takeLog,
  useConsumer,
} from "./helpers";

const EXAMPLE_DIR = join(REPO_ROOT, "examples", "with-teams");
const PROJECT_NAME = "atlas-invitations-with-teams";
/** Dynamic resources register as `pulumi-nodejs:dynamic...` (the package names its own type in it). */
const isDynamic = (type: string): boolean => type.startsWith("pulumi-nodejs:dynamic");
const PROJECT_TYPE = "mongodbatlas:index/project:Project";
const TEAM_TYPE = "mongodbatlas:index/team:Team";
const MARKER = "@@with-teams-registrations@@";

interface ProgramRun {
  /** Every resource the program registered, in order: name, type and inputs. */
  registrations: Registration[];
  /** The program's exports, resolved. */
  outputs: Props;
  /** The real path `@pulumi/mongodbatlas` was loaded from. */
  mongodbatlasFrom: string;
}

/**
 * The whole-program variant of host-harness/program.ts: the mocks answer the bridged resources
 * with the given ids, and echo inputs as state for everything else.
 */
const RUNNER = `"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const registrations = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registrations.push({ name: args.name, type: args.type, inputs: args.inputs });
        if (args.type === ${JSON.stringify(PROJECT_TYPE)})
          return { id: input.ids.project, state: args.inputs };
        if (args.type === ${JSON.stringify(TEAM_TYPE)})
          return {
            id: args.inputs.orgId + "-" + input.ids.team,
            state: { ...args.inputs, teamId: input.ids.team },
          };
        return { id: args.name + "-id", state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    input.project,
    input.stack,
    false,
  );
  const program = require(input.program);
  const outputs = await new Promise((resolve) => pulumi.output({ ...program }).apply(resolve));
  const mongodbatlasFrom = fs.realpathSync(require.resolve("@pulumi/mongodbatlas"));
  process.stdout.write(
    ${JSON.stringify(MARKER)} + JSON.stringify({ registrations, outputs, mongodbatlasFrom }) + "\\n",
  );
}

main().catch((error) => {
  console.error((error && error.stack) || String(error));
  process.exit(1);
});
`;

/** Runs examples/with-teams/index.ts in the consumer under mocks; see the header for why so. */
async function runExample(
  consumer: Consumer,
  input: { orgId: string; ids: { project: string; team: string } },
): Promise<ProgramRun> {
  const source = await readFile(join(EXAMPLE_DIR, "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: "index.ts",
  });
  const programDir = join(consumer.dir, `.with-teams-${randomUUID()}`);
  const modules = await mkdtemp(join(tmpdir(), "with-teams-modules-"));
  try {
    await mkdir(programDir);
    await writeFile(join(programDir, "index.js"), outputText);
    await writeFile(join(programDir, "run.js"), RUNNER);
    await mkdir(join(modules, "@pulumi"));
    await symlink(
      await realpath(join(REPO_ROOT, "node_modules", "@pulumi", "mongodbatlas")),
      join(modules, "@pulumi", "mongodbatlas"),
      "dir",
    );
    const { stdout } = await run(process.execPath, [join(programDir, "run.js")], {
      cwd: consumer.dir,
      env: childEnv({
        NODE_PATH: modules,
        PULUMI_CONFIG: JSON.stringify({ [`${PROJECT_NAME}:orgId`]: input.orgId }),
      }),
      input: JSON.stringify({
        ...input,
        project: PROJECT_NAME,
        stack: "dev",
        program: join(programDir, "index.js"),
      }),
    });
    const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
    if (line === undefined) throw new Error(`the program printed no registrations:\n${stdout}`);
    return JSON.parse(line.slice(MARKER.length)) as ProgramRun;
  } finally {
    await rm(programDir, { recursive: true, force: true });
    await rm(modules, { recursive: true, force: true });
  }
}

const hex24 = (): string => randomBytes(12).toString("hex");

describe("examples/with-teams: invitations into a team and a project of the official provider, through the real host", () => {
  const consumer = useConsumer();
  const ids = { project: hex24(), team: hex24() };
  const roles = { alice: "GROUP_DATA_ACCESS_READ_WRITE", bob: "GROUP_READ_ONLY" };
  let emulator: TestEmulator;
  let program: ProgramRun;
  let template: Registration;
  let engine: Engine;
  let declared: Declared[];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    emulator.control.addTeam(emulator.orgId, { id: ids.team, name: "data-engineers" });
    emulator.control.addProject(emulator.orgId, { id: ids.project, name: "analytics" });
    [program, [template]] = (await Promise.all([
      runExample(consumer(), { orgId: emulator.orgId, ids }),
      serializeDeclarations(consumer(), [invitation("template", emulator.orgId)]),
    ])) as [ProgramRun, [Registration]];
    declared = program.registrations
      .filter((r) => isDynamic(r.type))
      .map((r) => ({ name: r.name, type: r.type, inputs: r.inputs }));
    const { config, secretKeys } = authConfig(emulator, "digest");
    engine = new Engine({
      startHost: () => startConfiguredHost(consumer(), { config, secretKeys }),
      project: PROJECT_NAME,
      stack: "dev",
    });
    takeLog(emulator);
  }, 120_000);

  afterEach(() => expectRequestsOnContract(emulator));
  afterAll(async () => {
    await emulator?.close();
  });

  const stored = (username: string) =>
    emulator.control.invitations(emulator.orgId).find((i) => i.username === username);

  it("declares the project and the team with the official provider, and two invitations whose inputs carry the ids the mocks gave them", () => {
    expect(program.registrations.map((r) => r.name).sort()).toEqual([
      "alice",
      "analytics",
      "bob",
      "data-engineers",
    ]);
    expect(program.registrations.find((r) => r.name === "analytics")?.type).toBe(PROJECT_TYPE);
    expect(program.registrations.find((r) => r.name === "data-engineers")?.type).toBe(TEAM_TYPE);
    expect(declared.map((d) => d.name)).toEqual(["alice", "bob"]);
    expect(declared.map((d) => d.type)).toEqual([template.type, template.type]);
    for (const type of [PROJECT_TYPE, TEAM_TYPE]) {
      expect(program.registrations.find((r) => r.type === type)?.inputs).toMatchObject({
        orgId: emulator.orgId,
      });
    }
    expect(program.outputs).toMatchObject({ projectId: ids.project, teamId: ids.team });
    for (const [name, role] of Object.entries(roles)) {
      expect(declared.find((d) => d.name === name)?.inputs).toMatchObject({
        orgId: emulator.orgId,
        username: `${name}@example.com`,
        roles: ["ORG_MEMBER"],
        teamIds: [ids.team],
        groupRoleAssignments: [{ groupId: ids.project, roles: [role] }],
        onAccepted: "retain",
      });
    }
  });

  it("serializes the packed package's provider, the same require-only text a plain program gets, while @pulumi/mongodbatlas comes from the repo", async () => {
    expect(declared.map((d) => d.inputs["__provider"])).toEqual([
      template.inputs["__provider"],
      template.inputs["__provider"],
    ]);
    // Only the packed package is required, never its code inlined (the exact subpath is
    // test/host/hygiene.test.ts's business).
    const text = String(template.inputs["__provider"]);
    expect(requiredModules(text)).toEqual([
      expect.stringMatching(/^pulumi-atlas-org-invitations\//),
    ]);
    expect(Buffer.byteLength(text)).toBeLessThan(2048);
    expect(existsSync(join(consumer().dir, "node_modules", "@pulumi", "mongodbatlas"))).toBe(false);
    const repoCopy = await realpath(join(REPO_ROOT, "node_modules", "@pulumi", "mongodbatlas"));
    expect(program.mongodbatlasFrom.startsWith(repoCopy)).toBe(true);
  });

  it("up creates both invitations in Atlas with the team and the project of the mocks", async () => {
    expect(await engine.up(declared)).toEqual([
      { name: "alice", op: "create" },
      { name: "bob", op: "create" },
    ]);
    expect(apiCalls(takeLog(emulator)).filter((c) => c === "POST createOrgInvite")).toHaveLength(2);
    for (const [name, role] of Object.entries(roles)) {
      expect(stored(`${name}@example.com`)).toMatchObject({
        teamIds: [ids.team],
        groupRoleAssignments: [{ groupId: ids.project, roles: [role] }],
      });
      expect(engine.state.resources[name]?.outputs).toMatchObject({
        status: "PENDING",
        teamIds: [ids.team],
        groupRoleAssignments: [{ groupId: ids.project, roles: [role] }],
      });
    }
  });

  it("refresh reads them back from Atlas, still in that team and project", async () => {
    expect(await engine.refresh()).toEqual([
      { name: "alice", op: "refresh" },
      { name: "bob", op: "refresh" },
    ]);
    expect(apiCalls(takeLog(emulator)).every((c) => c.startsWith("GET "))).toBe(true);
    for (const [name, role] of Object.entries(roles)) {
      expect(engine.state.resources[name]?.outputs).toMatchObject({
        status: "PENDING",
        teamIds: [ids.team],
        groupRoleAssignments: [{ groupId: ids.project, roles: [role] }],
      });
    }
  });

  it("destroy cancels both invitations", async () => {
    expect(await engine.destroy()).toEqual([
      { name: "bob", op: "delete" },
      { name: "alice", op: "delete" },
    ]);
    expect(apiCalls(takeLog(emulator)).filter((c) => c === "DELETE deleteOrgInvite")).toHaveLength(
      2,
    );
    expect(emulator.control.invitations(emulator.orgId)).toEqual([]);
    expect(engine.state.resources).toEqual({});
  });
});

/**
 * THE ROUND TRIP: the reason `generate` exists. Declarations generated from an org's pending
 * invitations, read the way the stack program reads them (examples/stack), then created through
 * the provider: every create ADOPTS the person's pending invitation. No invitation is sent, none
 * is changed, and the resource ids are exactly the pre-existing ids. On both Atlas APIs, and for
 * the TypeScript form too.
 */
import ts from "typescript";
import { parse } from "yaml";
import { parseDeclaration } from "../../examples/stack/declarations";
import type { OrgInvitationOutputs } from "../../provider/model";
import { directApi, envFor, freshProcessState, makeProvider } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { runCli } from "./helpers";

const emulator = useEmulator();
freshProcessState();

/** N people, some with addresses in mixed case, some in teams, one onAccepted-worthy. */
async function seed(emu: TestEmulator): Promise<void> {
  const api = directApi(emu);
  const [platform, data] = emu.teamIds as [string, string];
  const people: { username: string; roles: string[]; teamIds?: string[] }[] = [
    { username: "alice@example.com", roles: ["ORG_MEMBER"], teamIds: [platform] },
    { username: "Bob@Example.COM", roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"] },
    { username: "carol@example.com", roles: ["ORG_READ_ONLY"], teamIds: [data, platform] },
    { username: "DAVE@EXAMPLE.ORG", roles: ["ORG_GROUP_CREATOR", "ORG_MEMBER"] },
    { username: "erin.o'neil+atlas@example.com", roles: ["ORG_MEMBER"], teamIds: [data] },
    { username: "Frank@example.com", roles: ["ORG_OWNER"] },
  ];
  for (const p of people) await api.createOrgInvite(emu.orgId, p);
}

/** The ids a create adopting each pending invitation must return, on each API. */
const preExisting = {
  invites: (emu: TestEmulator): string[] => emu.control.invitations(emu.orgId).map((i) => i.id),
  users: (emu: TestEmulator): string[] =>
    emu.control
      .users(emu.orgId)
      .filter((u) => u.orgMembershipStatus === "PENDING")
      .map((u) => u.id),
};

describe.each([
  { api: "invites" as const, sunset: false },
  { api: "users" as const, sunset: true },
])("on the $api API", ({ api, sunset }) => {
  it.each([[[] as string[]], [["--on-accepted", "retain"]]])(
    "generate %j, then a create for every declaration adopts every pending invitation and sends none",
    async (extra) => {
      const emu = emulator();
      await seed(emu);
      if (sunset) emu.control.sunsetNow();
      const before = preExisting[api](emu);
      const invitationsBefore = emu.control.invitations(emu.orgId);
      expect(before).toHaveLength(6);

      const generated = await runCli(["generate", "--org", emu.orgId, ...extra], envFor(emu));
      expect(generated.code).toBe(0);
      const config = (parse(generated.stdout) as { config: Record<string, unknown> }).config;
      const declaration = parseDeclaration(
        String(config["atlas-org-invitations:orgId"]),
        config["atlas-org-invitations:invitations"],
      );
      expect(declaration.invitations).toHaveLength(6);

      emu.log.clear();
      const { provider } = await makeProvider(emu);
      // As examples/stack/index.ts builds each resource's inputs, created in parallel as the
      // engine does.
      const created = await Promise.all(
        declaration.invitations.map((entry) =>
          provider.create({
            orgId: declaration.orgId,
            username: entry.username,
            roles: entry.roles,
            ...(entry.teamIds ? { teamIds: entry.teamIds } : {}),
            ...(entry.onAccepted ? { onAccepted: entry.onAccepted } : {}),
          }),
        ),
      );

      for (const operationId of [
        "createOrgInvite",
        "createOrgUser",
        "updateOrgInviteById",
        "updateOrgUser",
        "deleteOrgInvite",
        "removeOrgUser",
      ]) {
        expect([operationId, emu.log.count({ operationId })]).toEqual([operationId, 0]);
      }
      expect(created.map((c) => c.id).sort()).toEqual([...before].sort());
      // Atlas holds exactly the invitations it held before, unchanged.
      expect(emu.control.invitations(emu.orgId)).toEqual(invitationsBefore);
      const outs = created.map((c) => c.outs as OrgInvitationOutputs);
      expect(outs.every((o) => o.status === "PENDING")).toBe(true);
      if (extra.length > 0) expect(outs.every((o) => o.onAccepted === "retain")).toBe(true);
    },
  );
});

/**
 * Runs the generated TypeScript with `OrgInvitation` replaced by a recorder, so each declaration's
 * arguments reach the provider exactly as the program would pass them.
 */
function declaredBy(source: string): { name: string; args: Record<string, unknown> }[] {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const declared: { name: string; args: Record<string, unknown> }[] = [];
  class OrgInvitation {
    constructor(name: string, args: Record<string, unknown>) {
      declared.push({ name, args });
    }
  }
  const fakeRequire = (id: string): unknown => {
    if (id !== "pulumi-atlas-org-invitations") throw new Error(`unexpected require ${id}`);
    return { OrgInvitation };
  };
  new Function("require", "exports", outputText)(fakeRequire, {});
  return declared;
}

describe("with project roles", () => {
  async function seedWithProjectRoles(emu: TestEmulator): Promise<void> {
    await seed(emu);
    await directApi(emu).createOrgInvite(emu.orgId, {
      username: "Grace@Example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [emu.teamIds[1] as string],
      groupRoleAssignments: [
        { groupId: emu.projectId, roles: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"] },
      ],
    });
  }

  it("the TypeScript form declares them: every create adopts, unchanged, with the pre-existing ids", async () => {
    const emu = emulator();
    await seedWithProjectRoles(emu);
    const before = preExisting.invites(emu);
    const invitationsBefore = emu.control.invitations(emu.orgId);

    const generated = await runCli(["generate", "--org", emu.orgId, "--format", "ts"], envFor(emu));
    expect(generated.code).toBe(0);
    const declared = declaredBy(generated.stdout);
    expect(declared).toHaveLength(7);
    expect(new Set(declared.map((d) => d.name)).size).toBe(7);

    emu.log.clear();
    const { provider } = await makeProvider(emu);
    const created = await Promise.all(declared.map((d) => provider.create(d.args)));

    for (const operationId of ["createOrgInvite", "updateOrgInviteById", "deleteOrgInvite"]) {
      expect([operationId, emu.log.count({ operationId })]).toEqual([operationId, 0]);
    }
    expect(created.map((c) => c.id).sort()).toEqual([...before].sort());
    expect(emu.control.invitations(emu.orgId)).toEqual(invitationsBefore);
  });

  it("the YAML form declares them too: the create adopts with no call at all, project roles kept", async () => {
    const emu = emulator();
    await seedWithProjectRoles(emu);
    const before = preExisting.invites(emu);

    const generated = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    expect(generated.code).toBe(0);
    expect(generated.stderr).not.toContain("warning");
    const config = (parse(generated.stdout) as { config: Record<string, unknown> }).config;
    const grace = parseDeclaration(
      emu.orgId,
      config["atlas-org-invitations:invitations"],
    ).invitations.find((i) => i.username === "Grace@Example.com");
    if (!grace) throw new Error("Grace is not declared");

    emu.log.clear();
    const { provider } = await makeProvider(emu);
    const created = await provider.create({ orgId: emu.orgId, ...grace });
    expect(emu.log.count({ operationId: "createOrgInvite" })).toBe(0);
    expect(emu.log.count({ operationId: "updateOrgInviteById" })).toBe(0);
    expect(before).toContain(created.id);
    const stored = emu.control.invitations(emu.orgId).find((i) => i.id === created.id);
    expect(stored?.groupRoleAssignments.map((g) => ({ ...g, roles: [...g.roles].sort() }))).toEqual(
      [{ groupId: emu.projectId, roles: ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"] }],
    );
  });
});

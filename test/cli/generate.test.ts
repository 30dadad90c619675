/**
 * `pulumi-atlas-org-invitations generate` in-process against the test emulator: the YAML and
 * TypeScript it prints, the stderr it writes, the fallback to the org users API after the invites
 * API's sunset, and that no secret is ever printed.
 */
import { parse } from "yaml";
import { parseDeclaration } from "../../examples/stack/declarations";
import { directApi, envFor, freshProcessState } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { runCli, typeCheck } from "./helpers";

const SENTINEL_KEY = "SENTINEL-private-key-7f3a9c";
const SENTINEL_SECRET = "SENTINEL-client-secret-41d2e8";

const emulator = useEmulator({ privateKey: SENTINEL_KEY, clientSecret: SENTINEL_SECRET });
freshProcessState();

/** Three people, made through the API as another Atlas user would; Alice's address in mixed case. */
async function seed(emu: TestEmulator): Promise<void> {
  const api = directApi(emu);
  const [platform, data] = emu.teamIds as [string, string];
  await api.createOrgInvite(emu.orgId, { username: "carol@example.com", roles: ["ORG_READ_ONLY"] });
  await api.createOrgInvite(emu.orgId, {
    username: "Alice@Example.com",
    roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
    teamIds: [data, platform],
  });
  await api.createOrgInvite(emu.orgId, {
    username: "bob@example.com",
    roles: ["ORG_MEMBER"],
    groupRoleAssignments: [
      { groupId: emu.projectId, roles: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"] },
    ],
  });
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SENTINEL_KEY);
    expect(text).not.toContain(SENTINEL_SECRET);
  }
}

const lines = (text: string): string[] => text.split("\n").filter((l) => l !== "");

describe("generate --format yaml", () => {
  it("prints the stack config of examples/stack, sorted by username, with a progress line and a count on stderr", async () => {
    const emu = emulator();
    await seed(emu);
    const [platform, data] = emu.teamIds as [string, string];
    const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], envFor(emu));

    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `# 3 pending invitations of Atlas organization ${emu.orgId}, written by`,
        "# `pulumi-atlas-org-invitations generate` for the stack program of examples/stack.",
        "# The first `pulumi up` adopts each of them: no new invitation is sent.",
        "",
        "config:",
        `  atlas-org-invitations:orgId: ${emu.orgId}`,
        "  atlas-org-invitations:invitations:",
        "    - username: Alice@Example.com",
        "      roles: [ORG_BILLING_READ_ONLY, ORG_MEMBER]",
        `      teamIds: [${[platform, data].sort().join(", ")}]`,
        "    - username: bob@example.com",
        "      roles: [ORG_MEMBER]",
        "      groupRoleAssignments:",
        `        - groupId: ${emu.projectId}`,
        "          roles: [GROUP_DATA_ACCESS_READ_ONLY, GROUP_READ_ONLY]",
        "    - username: carol@example.com",
        "      roles: [ORG_READ_ONLY]",
        "",
      ].join("\n"),
    );
    expect(lines(stderr)).toEqual([
      `reading the pending invitations of organization ${emu.orgId}...`,
      "3 pending invitations written as YAML",
    ]);
    expectNoSecret(stdout, stderr);
    // What the stack program reads accepts it as is.
    const config = (parse(stdout) as { config: Record<string, unknown> }).config;
    const declaration = parseDeclaration(
      String(config["atlas-org-invitations:orgId"]),
      config["atlas-org-invitations:invitations"],
    );
    expect(declaration.orgId).toBe(emu.orgId);
    expect(declaration.invitations.map((i) => i.username)).toEqual([
      "Alice@Example.com",
      "bob@example.com",
      "carol@example.com",
    ]);
  });

  it("writes --on-accepted into every declaration", async () => {
    const emu = emulator();
    await seed(emu);
    const { code, stdout } = await runCli(
      ["generate", "--org", emu.orgId, "--on-accepted", "retain"],
      envFor(emu),
    );
    expect(code).toBe(0);
    const config = (parse(stdout) as { config: Record<string, unknown> }).config;
    const { invitations } = parseDeclaration(
      emu.orgId,
      config["atlas-org-invitations:invitations"],
    );
    expect(invitations.map((i) => i.onAccepted)).toEqual(["retain", "retain", "retain"]);
  });

  it("prints an empty list for an organization without pending invitations", async () => {
    const emu = emulator();
    const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    expect(code).toBe(0);
    const config = (parse(stdout) as { config: Record<string, unknown> }).config;
    expect(config["atlas-org-invitations:invitations"]).toEqual([]);
    expect(lines(stderr).at(-1)).toBe("0 pending invitations written as YAML");
  });
});

describe("addresses that make one resource name", () => {
  /** Three addresses the stack program would all name invite-a-b-example-com, and one other. */
  async function seedClashing(emu: TestEmulator): Promise<void> {
    const api = directApi(emu);
    for (const username of [
      "a.b@example.com",
      "a-b@example.com",
      "a+b@example.com",
      "c@example.com",
    ])
      await api.createOrgInvite(emu.orgId, { username, roles: ["ORG_MEMBER"] });
  }

  it("the YAML gives the later people a name of their own, which the stack program accepts, and says so on stderr", async () => {
    const emu = emulator();
    await seedClashing(emu);
    const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], envFor(emu));

    expect(code).toBe(0);
    const config = (parse(stdout) as { config: Record<string, unknown> }).config;
    const { resources } = parseDeclaration(emu.orgId, config["atlas-org-invitations:invitations"]);
    expect(resources.map((r) => [r.inputs.username, r.name])).toEqual([
      ["a+b@example.com", "invite-a-b-example-com"],
      ["a-b@example.com", "invite-a-b-example-com-2"],
      ["a.b@example.com", "invite-a-b-example-com-3"],
      ["c@example.com", "invite-c-example-com"],
    ]);
    expect(stdout).toContain(
      "    - username: a-b@example.com\n      name: invite-a-b-example-com-2\n",
    );
    expect(stdout.match(/^ +name: /gm)).toHaveLength(2);
    expect(lines(stderr)).toContain(
      "warning: a-b@example.com would get the resource name invite-a-b-example-com of a+b@example.com; " +
        "declared with name: invite-a-b-example-com-2 instead. If the stack already manages " +
        "a-b@example.com under invite-a-b-example-com, swap the two names before `pulumi up`.",
    );
  });

  it("the TypeScript form names each person as the YAML does", async () => {
    const emu = emulator();
    await seedClashing(emu);
    const yaml = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    const tsForm = await runCli(["generate", "--org", emu.orgId, "--format", "ts"], envFor(emu));
    expect(tsForm.code).toBe(0);
    const config = (parse(yaml.stdout) as { config: Record<string, unknown> }).config;
    const { resources } = parseDeclaration(emu.orgId, config["atlas-org-invitations:invitations"]);
    const tsNames = [...tsForm.stdout.matchAll(/new OrgInvitation\("([^"]+)"/g)].map((m) => m[1]);
    expect(tsNames).toEqual(resources.map((r) => r.name));
  });
});

describe("generate --format ts", () => {
  it("prints one OrgInvitation per person, project roles included, that type-checks against the package", async () => {
    const emu = emulator();
    await seed(emu);
    const { code, stdout, stderr } = await runCli(
      ["generate", "--org", emu.orgId, "--format", "ts", "--on-accepted", "fail"],
      envFor(emu, "serviceAccount"),
    );

    expect(code).toBe(0);
    expect(stdout).toContain('import { OrgInvitation } from "pulumi-atlas-org-invitations";');
    expect(stdout).toContain(`const orgId = "${emu.orgId}";`);
    expect(stdout).toContain('new OrgInvitation("invite-alice-example-com", {');
    expect(stdout).toContain(
      `    { groupId: "${emu.projectId}", roles: ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"] },`,
    );
    expect(stdout.match(/new OrgInvitation\(/g)).toHaveLength(3);
    expect(stdout.match(/onAccepted: "fail",/g)).toHaveLength(3);
    // Sorted by username, whatever the letter case.
    const names = [...stdout.matchAll(/new OrgInvitation\("([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual([
      "invite-alice-example-com",
      "invite-bob-example-com",
      "invite-carol-example-com",
    ]);
    // The TypeScript form declares project roles, so nothing is reported about them.
    expect(lines(stderr)).toEqual([
      `reading the pending invitations of organization ${emu.orgId}...`,
      "3 pending invitations written as TypeScript",
    ]);
    expectNoSecret(stdout, stderr);
    expect(typeCheck(stdout)).toEqual([]);
  }, 60_000);
});

describe("after the invites API's sunset", () => {
  it.each(["yaml", "ts"])(
    "prints the same %s from the org users API, and says where it read them",
    async (format) => {
      const emu = emulator();
      await seed(emu);
      const args = ["generate", "--org", emu.orgId, "--format", format];
      const before = await runCli(args, envFor(emu));
      emu.control.sunsetNow();
      emu.log.clear();
      const after = await runCli(args, envFor(emu));

      expect(after.code).toBe(0);
      expect(after.stdout).toBe(before.stdout);
      expect(emu.log.count({ operationId: "listOrgInvites", status: 410 })).toBe(1);
      expect(emu.log.count({ operationId: "listOrgUsers", status: 200 })).toBeGreaterThanOrEqual(1);
      const name = format === "yaml" ? "YAML" : "TypeScript";
      expect(lines(after.stderr)).toContain(
        "the invitations API answered 410 Gone (retired); reading the pending users of the org users API instead",
      );
      expect(lines(after.stderr).at(-1)).toBe(
        `3 pending invitations written as ${name} (read from the org users API)`,
      );
      expectNoSecret(before.stdout, before.stderr, after.stdout, after.stderr);
    },
  );

  it("leaves out ACTIVE members: only pending invitations are declared", async () => {
    const emu = emulator();
    await seed(emu);
    emu.control.addMember(emu.orgId, { username: "dave@example.com", roles: ["ORG_MEMBER"] });
    emu.control.acceptInvitation(emu.orgId, "carol@example.com");
    emu.control.sunsetNow();
    const { code, stdout } = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    expect(code).toBe(0);
    expect(stdout).not.toContain("dave@example.com");
    expect(stdout).not.toContain("carol@example.com");
    expect(stdout).toContain("Alice@Example.com");
  });
});

describe("lapsed invitations", () => {
  it.each(["listed", "dropped"] as const)(
    "declares none, with a warning naming it, whether Atlas still lists it (lapsedInvitations=%s)",
    async (lapsedInvitations) => {
      const emu = emulator();
      emu.control.setKnobs({ lapsedInvitations });
      await seed(emu);
      const lapsed = emu.control.lapseInvitation(emu.orgId, "bob@example.com");
      const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], envFor(emu));
      expect(code).toBe(0);
      expect(stdout).not.toMatch(/bob@example\.com/i);
      expect(stdout).toContain("Alice@Example.com");
      const warned = lines(stderr).filter((l) => l.includes(lapsed.id));
      expect(warned).toHaveLength(lapsedInvitations === "listed" ? 1 : 0);
      if (lapsedInvitations === "listed") expect(warned[0]).toMatch(/lapsed at .* is not declared/);
      expect(lines(stderr).at(-1)).toBe("2 pending invitations written as YAML");
    },
  );
});

describe("failures", () => {
  it("an Atlas error: its message on stderr, exit 1, nothing on stdout", async () => {
    const emu = emulator();
    const unknown = "0123456789abcdef01234567";
    const { code, stdout, stderr } = await runCli(["generate", "--org", unknown], envFor(emu));
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(lines(stderr)).toEqual([
      `reading the pending invitations of organization ${unknown}...`,
      expect.stringMatching(new RegExp(`^error: Atlas answered 404 ORG_NOT_FOUND .*${unknown}`)),
    ]);
  });

  it.each(["digest", "serviceAccount"] as const)(
    "wrong %s credentials fail with exit 1 and print no secret",
    async (kind) => {
      const emu = emulator();
      const env = {
        ...envFor(emu, kind),
        ...(kind === "digest"
          ? { MONGODB_ATLAS_PRIVATE_KEY: `${SENTINEL_KEY}-wrong` }
          : { MONGODB_ATLAS_CLIENT_SECRET: `${SENTINEL_SECRET}-wrong` }),
      };
      const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], env);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(lines(stderr).at(-1)).toMatch(/^error: /);
      expectNoSecret(stdout, stderr);
      // A runtime error is worded for a shell user too: the variables, never Pulumi config.
      const names =
        kind === "digest"
          ? "publicKey, privateKey come from MONGODB_ATLAS_PUBLIC_KEY; MONGODB_ATLAS_PRIVATE_KEY."
          : "clientId, clientSecret come from MONGODB_ATLAS_CLIENT_ID; MONGODB_ATLAS_CLIENT_SECRET.";
      expect(stderr).toContain(names);
      expect(stderr).not.toMatch(/pulumi|mongodbatlas:|config `/);
    },
  );

  it("a spent budget names the variable that raises it, and no Pulumi config", async () => {
    const emu = emulator();
    emu.control.injectFault({
      match: { operationId: "listOrgInvites" },
      status: 503,
      times: Infinity,
    });
    const env = { ...envFor(emu), ATLAS_INVITATIONS_DEADLINE_MS: "300" };
    const { code, stderr } = await runCli(["generate", "--org", emu.orgId], env);
    expect(code).toBe(1);
    expect(lines(stderr).at(-1)).toMatch(
      /^error: .*budget of 300 ms \(deadlineMs\).*To change deadlineMs: ATLAS_INVITATIONS_DEADLINE_MS=<milliseconds> in the environment\.$/,
    );
    expect(stderr).not.toMatch(/pulumi|atlasInvitations:/);
  });
});

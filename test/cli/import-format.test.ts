/**
 * `generate --format import` in-process against the test emulator: the file `pulumi import --file`
 * takes (the fields of the Pulumi CLI's importFile/importSpec, v3.276.0: `type`, `name`, `id`),
 * with the plugin's type token, the resource names the other formats give, and the id form of the
 * API the invitations were read from; what the other formats leave out (accepted, lapsed) is left
 * out here too; nothing is written to Atlas and no secret is printed.
 */
import { parse } from "yaml";
import { parseDeclaration } from "../../examples/stack/declarations";
import type { ImportFile } from "../../provider/cli/format";
import { directApi, envFor, freshProcessState } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { runCli } from "./helpers";

const SENTINEL_KEY = "SENTINEL-private-key-5c1e0b";
const SENTINEL_SECRET = "SENTINEL-client-secret-9a7f24";

const emulator = useEmulator({ privateKey: SENTINEL_KEY, clientSecret: SENTINEL_SECRET });
freshProcessState();

const TYPE = "atlasorginvitations:index:OrgInvitation";

const lines = (text: string): string[] => text.split("\n").filter((l) => l !== "");

/**
 * Four people invited through the API as another Atlas user would: Alice (address in mixed case),
 * Bob, Carol, who then accepts, and Dave, whose invitation then lapses while Atlas still lists it.
 */
async function seed(emu: TestEmulator): Promise<{ lapsedId: string }> {
  emu.control.setKnobs({ lapsedInvitations: "listed" });
  const api = directApi(emu);
  await api.createOrgInvite(emu.orgId, { username: "carol@example.com", roles: ["ORG_MEMBER"] });
  await api.createOrgInvite(emu.orgId, {
    username: "Alice@Example.com",
    roles: ["ORG_MEMBER"],
    teamIds: [emu.teamIds[0] as string],
  });
  await api.createOrgInvite(emu.orgId, { username: "bob@example.com", roles: ["ORG_READ_ONLY"] });
  await api.createOrgInvite(emu.orgId, { username: "dave@example.com", roles: ["ORG_MEMBER"] });
  emu.control.acceptInvitation(emu.orgId, "carol@example.com");
  const lapsed = emu.control.lapseInvitation(emu.orgId, "dave@example.com");
  return { lapsedId: lapsed.id };
}

/** The id Atlas holds for `username`'s pending invitation (invites API). */
function invitationIdOf(emu: TestEmulator, username: string): string {
  const found = emu.control.invitations(emu.orgId).find((i) => i.username === username);
  if (!found) throw new Error(`no invitation for ${username}`);
  return found.id;
}

/** The id of `username`'s pending org user (org users API). */
function userIdOf(emu: TestEmulator, username: string): string {
  const found = emu.control
    .users(emu.orgId)
    .find((u) => u.username === username && u.orgMembershipStatus === "PENDING");
  if (!found) throw new Error(`no pending org user for ${username}`);
  return found.id;
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SENTINEL_KEY);
    expect(text).not.toContain(SENTINEL_SECRET);
  }
}

describe("generate --format import", () => {
  it("prints the pulumi import file: each pending person once, by <orgId>/<invitationId>, accepted and lapsed invitations left out", async () => {
    const emu = emulator();
    const { lapsedId } = await seed(emu);
    emu.log.clear();
    const { code, stdout, stderr } = await runCli(
      ["generate", "--org", emu.orgId, "--format", "import"],
      envFor(emu),
    );

    expect(code).toBe(0);
    const expected: ImportFile = {
      resources: [
        {
          type: TYPE,
          name: "invite-alice-example-com",
          id: `${emu.orgId}/${invitationIdOf(emu, "Alice@Example.com")}`,
        },
        {
          type: TYPE,
          name: "invite-bob-example-com",
          id: `${emu.orgId}/${invitationIdOf(emu, "bob@example.com")}`,
        },
      ],
    };
    // The exact text: two-space JSON and a final newline, so it can be redirected into a file.
    expect(stdout).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(lines(stderr)).toEqual([
      `reading the pending invitations of organization ${emu.orgId}...`,
      expect.stringMatching(
        new RegExp(
          `^warning: the invitation ${lapsedId} of dave@example\\.com lapsed at .* is not declared`,
        ),
      ),
      "2 pending invitations written as a pulumi import file",
    ]);
    // One read, nothing written.
    expect(emu.log.count({ operationId: "listOrgInvites" })).toBe(1);
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      expect(emu.log.count({ method })).toBe(0);
    }
    expectNoSecret(stdout, stderr);
  });

  it("after the invites API's sunset, names the same people by <orgId>/<userId>, the id the plugin reads on the org users API", async () => {
    const emu = emulator();
    await seed(emu);
    const args = ["generate", "--org", emu.orgId, "--format", "import"];
    const before = JSON.parse((await runCli(args, envFor(emu))).stdout) as ImportFile;
    emu.control.sunsetNow();
    const { code, stdout, stderr } = await runCli(args, envFor(emu, "serviceAccount"));

    expect(code).toBe(0);
    const after = JSON.parse(stdout) as ImportFile;
    expect(after).toEqual({
      resources: [
        {
          type: TYPE,
          name: "invite-alice-example-com",
          id: `${emu.orgId}/${userIdOf(emu, "Alice@Example.com")}`,
        },
        {
          type: TYPE,
          name: "invite-bob-example-com",
          id: `${emu.orgId}/${userIdOf(emu, "bob@example.com")}`,
        },
      ],
    });
    // The same people under the same names; only the ids are the other API's (never equal).
    expect(after.resources.map((r) => r.name)).toEqual(before.resources.map((r) => r.name));
    for (const [i, r] of after.resources.entries()) expect(r.id).not.toBe(before.resources[i]?.id);
    expect(lines(stderr).at(-1)).toBe(
      "2 pending invitations written as a pulumi import file (read from the org users API)",
    );
    expectNoSecret(stdout, stderr);
  });

  it("gives people whose addresses make one resource name the names the YAML gives them", async () => {
    const emu = emulator();
    const api = directApi(emu);
    for (const username of ["a.b@example.com", "a-b@example.com", "c@example.com"]) {
      await api.createOrgInvite(emu.orgId, { username, roles: ["ORG_MEMBER"] });
    }
    const yaml = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    const imported = await runCli(
      ["generate", "--org", emu.orgId, "--format", "import"],
      envFor(emu),
    );

    expect(imported.code).toBe(0);
    const config = (parse(yaml.stdout) as { config: Record<string, unknown> }).config;
    const { resources } = parseDeclaration(emu.orgId, config["atlas-org-invitations:invitations"]);
    const file = JSON.parse(imported.stdout) as ImportFile;
    expect(file.resources.map((r) => r.name)).toEqual(resources.map((r) => r.name));
    expect(file.resources.map((r) => r.name)).toEqual([
      "invite-a-b-example-com",
      "invite-a-b-example-com-2",
      "invite-c-example-com",
    ]);
    expect(lines(imported.stderr)).toContain(
      "warning: a.b@example.com would get the resource name invite-a-b-example-com of a-b@example.com; " +
        "declared with the name invite-a-b-example-com-2 instead. If the stack already manages " +
        "a.b@example.com under invite-a-b-example-com, swap the two names before `pulumi up`.",
    );
  });

  it("prints a file with no resources for an organization without pending invitations", async () => {
    const emu = emulator();
    const { code, stdout, stderr } = await runCli(
      ["generate", "--org", emu.orgId, "--format", "import"],
      envFor(emu),
    );
    expect(code).toBe(0);
    expect(stdout).toBe('{\n  "resources": []\n}\n');
    expect(lines(stderr).at(-1)).toBe("0 pending invitations written as a pulumi import file");
  });
});

/**
 * `generate` honours ATLAS_INVITATIONS_API as the provider does (backends/select.ts): `users` reads
 * the org users API alone and names people by `<orgId>/<userId>`, `invites` reads the invites API
 * alone and refuses its 410 by naming the variable, `auto` (the default) falls back after a 410.
 * Every case counts the requests in the emulator's log.
 */
import type { ImportFile } from "../../provider/cli/format";
import { directApi, envFor, freshProcessState } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import { runCli } from "./helpers";

const SENTINEL_KEY = "SENTINEL-private-key-0d4b71";
const emulator = useEmulator({ privateKey: SENTINEL_KEY });
freshProcessState();

const TYPE = "atlasorginvitations:index:OrgInvitation";
const FALLBACK_NOTE =
  "the invitations API answered 410 Gone (retired); reading the pending users of the org users API instead";

const lines = (text: string): string[] => text.split("\n").filter((l) => l !== "");

/** Two pending people, invited through the API as another Atlas user would. */
async function seed(emu: TestEmulator): Promise<void> {
  const api = directApi(emu);
  await api.createOrgInvite(emu.orgId, { username: "bob@example.com", roles: ["ORG_MEMBER"] });
  await api.createOrgInvite(emu.orgId, { username: "amy@example.com", roles: ["ORG_READ_ONLY"] });
}

const invitationIdOf = (emu: TestEmulator, username: string): string | undefined =>
  emu.control.invitations(emu.orgId).find((i) => i.username === username)?.id;

const userIdOf = (emu: TestEmulator, username: string): string | undefined =>
  emu.control
    .users(emu.orgId)
    .find((u) => u.username === username && u.orgMembershipStatus === "PENDING")?.id;

/** The requests of one run, by operation: what the assertions compare. */
function calls(emu: TestEmulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of emu.log.entries()) {
    const key = `${e.method} ${e.operationId ?? e.path} ${e.status}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function generateImport(emu: TestEmulator, api: string | undefined) {
  emu.log.clear();
  const env = { ...envFor(emu), ...(api !== undefined ? { ATLAS_INVITATIONS_API: api } : {}) };
  return runCli(["generate", "--org", emu.orgId, "--format", "import"], env);
}

describe("generate with ATLAS_INVITATIONS_API", () => {
  it("users: reads only the org users API and names each person by <orgId>/<userId>, while the invites API still answers", async () => {
    const emu = emulator();
    await seed(emu);
    const { code, stdout, stderr } = await generateImport(emu, "users");

    expect(code).toBe(0);
    const expected: ImportFile = {
      resources: [
        {
          type: TYPE,
          name: "invite-amy-example-com",
          id: `${emu.orgId}/${userIdOf(emu, "amy@example.com")}`,
        },
        {
          type: TYPE,
          name: "invite-bob-example-com",
          id: `${emu.orgId}/${userIdOf(emu, "bob@example.com")}`,
        },
      ],
    };
    expect(JSON.parse(stdout)).toEqual(expected);
    // Not the invitation ids, which the plugin under `api users` would not find.
    expect(stdout).not.toContain(invitationIdOf(emu, "amy@example.com"));
    expect(emu.log.count({ operationId: "listOrgInvites" })).toBe(0);
    expect(calls(emu)).toEqual({ "GET listOrgUsers 200": 1 });
    expect(lines(stderr)).not.toContain(FALLBACK_NOTE);
    expect(lines(stderr).at(-1)).toBe(
      "2 pending invitations written as a pulumi import file (read from the org users API)",
    );
  });

  it("users: the YAML declares the same people as the invites API gives", async () => {
    const emu = emulator();
    await seed(emu);
    const viaInvites = await runCli(["generate", "--org", emu.orgId], envFor(emu));
    emu.log.clear();
    const viaUsers = await runCli(["generate", "--org", emu.orgId], {
      ...envFor(emu),
      ATLAS_INVITATIONS_API: "users",
    });
    expect(viaUsers.code).toBe(0);
    expect(viaUsers.stdout).toBe(viaInvites.stdout);
    expect(calls(emu)).toEqual({ "GET listOrgUsers 200": 1 });
  });

  it("invites: reads only the invites API and names each person by <orgId>/<invitationId>", async () => {
    const emu = emulator();
    await seed(emu);
    const { code, stdout } = await generateImport(emu, "invites");

    expect(code).toBe(0);
    const file = JSON.parse(stdout) as ImportFile;
    expect(file.resources.map((r) => r.id)).toEqual([
      `${emu.orgId}/${invitationIdOf(emu, "amy@example.com")}`,
      `${emu.orgId}/${invitationIdOf(emu, "bob@example.com")}`,
    ]);
    expect(calls(emu)).toEqual({ "GET listOrgInvites 200": 1 });
  });

  it("invites: after the sunset, a 410 is an error naming ATLAS_INVITATIONS_API, with no read of the org users API and nothing on stdout", async () => {
    const emu = emulator();
    await seed(emu);
    emu.control.sunsetNow();
    const { code, stdout, stderr } = await generateImport(emu, "invites");

    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(calls(emu)).toEqual({ "GET listOrgInvites 410": 1 });
    expect(lines(stderr)).not.toContain(FALLBACK_NOTE);
    expect(lines(stderr).at(-1)).toBe(
      'error: Atlas answered 410 Gone for the invitations API: it has been retired, and ATLAS_INVITATIONS_API is "invites". ' +
        "Set ATLAS_INVITATIONS_API=auto in the environment (or `users`) and run the command again: the pending " +
        "invitations are then read from the org users API.",
    );
    expect(stderr).not.toMatch(/pulumi config|atlasInvitations:/);
    expect(stderr).not.toContain(SENTINEL_KEY);
  });

  it.each([["auto"], [undefined]])(
    "auto (ATLAS_INVITATIONS_API=%s): the invites API alone while it answers",
    async (api) => {
      const emu = emulator();
      await seed(emu);
      const { code, stdout, stderr } = await generateImport(emu, api);
      expect(code).toBe(0);
      expect((JSON.parse(stdout) as ImportFile).resources.map((r) => r.id)).toEqual([
        `${emu.orgId}/${invitationIdOf(emu, "amy@example.com")}`,
        `${emu.orgId}/${invitationIdOf(emu, "bob@example.com")}`,
      ]);
      expect(calls(emu)).toEqual({ "GET listOrgInvites 200": 1 });
      expect(lines(stderr)).not.toContain(FALLBACK_NOTE);
    },
  );

  it("auto: after the sunset, one 410 from the invites API, then the org users API, with the note", async () => {
    const emu = emulator();
    await seed(emu);
    emu.control.sunsetNow();
    const { code, stdout, stderr } = await generateImport(emu, "auto");
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ImportFile).resources.map((r) => r.id)).toEqual([
      `${emu.orgId}/${userIdOf(emu, "amy@example.com")}`,
      `${emu.orgId}/${userIdOf(emu, "bob@example.com")}`,
    ]);
    expect(calls(emu)).toEqual({ "GET listOrgInvites 410": 1, "GET listOrgUsers 200": 1 });
    expect(lines(stderr)).toContain(FALLBACK_NOTE);
  });

  it("an unknown value is refused before any request, naming the variable", async () => {
    const emu = emulator();
    const { code, stdout, stderr } = await generateImport(emu, "bogus");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(emu.log.count()).toBe(0);
    expect(lines(stderr).at(-1)).toMatch(
      /^error: ATLAS_INVITATIONS_API .*"auto", "invites", "users"/,
    );
  });
});

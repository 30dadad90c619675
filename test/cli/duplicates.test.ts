/**
 * Several pending invitations for one person (Atlas can hold them: the emulator's
 * `duplicateInvitePolicy: "duplicate"`): `generate` declares the person once, keeping the newest
 * invitation, the one the provider's create adopts, and says so on stderr. The emulator's clock is
 * moved between invitations so "newest" is well defined (Atlas stamps them to the second).
 */
import { parse } from "yaml";
import { parseDeclaration } from "../../examples/stack/declarations";
import { directApi, envFor, freshProcessState, makeProvider } from "../provider/helpers";
import { useEmulator } from "../support/emulator";
import { runCli } from "./helpers";

let skewMs = 0;
const emulator = useEmulator({ now: () => Date.now() + skewMs });
freshProcessState();
beforeEach(() => {
  skewMs = 0;
});

it("keeps the newest of a person's pending invitations, reports the others, and the provider adopts that one", async () => {
  const emu = emulator();
  emu.control.setKnobs({ duplicateInvitePolicy: "duplicate" });
  const api = directApi(emu);
  const oldest = await api.createOrgInvite(emu.orgId, {
    username: "dave@example.com",
    roles: ["ORG_READ_ONLY"],
  });
  skewMs += 5_000;
  const newest = await api.createOrgInvite(emu.orgId, {
    username: "Dave@Example.com",
    roles: ["ORG_MEMBER"],
    teamIds: [emu.teamIds[0] as string],
  });
  skewMs += 5_000;
  await api.createOrgInvite(emu.orgId, { username: "erin@example.com", roles: ["ORG_MEMBER"] });
  expect(emu.control.invitations(emu.orgId)).toHaveLength(3);

  const { code, stdout, stderr } = await runCli(["generate", "--org", emu.orgId], envFor(emu));
  expect(code).toBe(0);
  const config = (parse(stdout) as { config: Record<string, unknown> }).config;
  const { invitations } = parseDeclaration(emu.orgId, config["atlas-org-invitations:invitations"]);
  expect(invitations).toEqual([
    { username: "Dave@Example.com", roles: ["ORG_MEMBER"], teamIds: [emu.teamIds[0]] },
    { username: "erin@example.com", roles: ["ORG_MEMBER"] },
  ]);
  expect(stderr).toContain(
    `warning: Dave@Example.com has 2 pending invitations in organization ${emu.orgId}: ` +
      `keeping the newest, ${newest.id} (sent ${newest.createdAt}), which the provider adopts; ` +
      `${oldest.id} stays pending and unmanaged`,
  );
  expect(stderr).toContain("2 pending invitations written as YAML");

  const dave = invitations[0];
  if (!dave) throw new Error("Dave is not declared");
  emu.log.clear();
  const { provider } = await makeProvider(emu);
  const created = await provider.create({ orgId: emu.orgId, ...dave });
  expect(created.id).toBe(newest.id);
  expect(emu.log.count({ operationId: "createOrgInvite" })).toBe(0);
  expect(emu.log.count({ operationId: "updateOrgInviteById" })).toBe(0);
});

/**
 * Every request the provider's client sends, for each AtlasApi method and with both
 * authentication strategies, goes through useEmulator: the request side is validated against
 * the slice after each test, and so is what the emulator answered.
 */
import type { AtlasClient } from "../../provider/atlas/api";
import { createAtlasClient } from "../../provider/atlas/client";
import { Secret } from "../../provider/atlas/secret";
import type { AtlasSettings } from "../../provider/atlas/settings";
import type { Exchange } from "../../emulator";
import { useEmulator } from "../support/emulator";

const exchanges: Exchange[] = [];
const emu = useEmulator({ onExchange: (ex) => exchanges.push(ex) });
const UNKNOWN_ID = "0123456789abcdef01234567";

const strategies: [string, () => AtlasSettings][] = [
  [
    "HTTP Digest",
    () => ({
      baseUrl: emu().baseUrl,
      credentials: {
        kind: "digest",
        publicKey: emu().credentials.publicKey,
        privateKey: new Secret(emu().credentials.privateKey),
      },
    }),
  ],
  [
    "service account",
    () => ({
      baseUrl: emu().baseUrl,
      credentials: {
        kind: "serviceAccount",
        clientId: emu().credentials.clientId,
        clientSecret: new Secret(emu().credentials.clientSecret),
      },
    }),
  ],
];

/**
 * Operation ids of the slice exchanges since the last call, in order, without digest challenges
 * (a 401 that the client answers by signing the same request again).
 */
function operations(): (string | undefined)[] {
  return exchanges
    .splice(0)
    .filter((ex) => ex.path.startsWith("/api/atlas/") && ex.status !== 401)
    .map((ex) => ex.operationId);
}

describe.each(strategies)("client requests with %s", (_name, settings) => {
  let api: AtlasClient;
  beforeEach(() => {
    // No retries: each call maps to the requests asserted below.
    api = createAtlasClient(settings(), { retry: { limit: 0 } });
    exchanges.length = 0;
  });

  it("sends in-contract requests for every invitation method", async () => {
    const orgId = emu().orgId;
    const body = {
      username: "ada@example.com",
      roles: ["ORG_MEMBER"],
      teamIds: [emu().teamIds[0] ?? ""],
    };
    const created = await api.createOrgInvite(orgId, body);
    expect(await api.listOrgInvites(orgId)).toHaveLength(1);
    expect(await api.listOrgInvites(orgId, { username: "ada@example.com" })).toHaveLength(1);
    expect((await api.getOrgInvite(orgId, created.id ?? "")).id).toBe(created.id);
    await api.updateOrgInviteById(orgId, created.id ?? "", {
      roles: ["ORG_READ_ONLY"],
      teamIds: [],
    });
    await api.deleteOrgInvite(orgId, created.id ?? "");
    expect(new Set(operations())).toEqual(
      new Set([
        "createOrgInvite",
        "listOrgInvites",
        "getOrgInvite",
        "updateOrgInviteById",
        "deleteOrgInvite",
      ]),
    );
  });

  it("sends in-contract requests for every org user method", async () => {
    const orgId = emu().orgId;
    const member = emu().control.addMember(orgId, { username: "grace@example.com" });
    const found = await api.listOrgUsers(orgId, { username: "grace@example.com" });
    expect(found.results.map((u) => u.id)).toEqual([member.id]);
    const nobody = await api.listOrgUsers(orgId, { username: "nobody@example.com" });
    expect(nobody.results).toEqual([]);
    expect((await api.getOrgUser(orgId, member.id)).orgMembershipStatus).toBe("ACTIVE");
    expect(new Set(operations())).toEqual(new Set(["listOrgUsers", "getOrgUser"]));
  });

  it("sends in-contract requests when Atlas answers with errors", async () => {
    const orgId = emu().orgId;
    // An unknown invitation id answers 400 INVALID_INVITATION_ID by default (knob
    // missingInvitationAnswer), 404 with "404".
    await expect(api.getOrgInvite(orgId, UNKNOWN_ID)).rejects.toMatchObject({ status: 400 });
    emu().control.setMissingInvitationAnswer("404");
    await expect(api.deleteOrgInvite(orgId, UNKNOWN_ID)).rejects.toMatchObject({ status: 404 });
    await expect(api.getOrgUser(orgId, UNKNOWN_ID)).rejects.toMatchObject({ status: 404 });
    expect(operations()).toEqual(["getOrgInvite", "deleteOrgInvite", "getOrgUser"]);
  });
});

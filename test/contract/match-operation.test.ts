import { matchOperation, sliceOperations } from "../support/contract";

const ORG = "5f1a2b3c4d5e6f7a8b9c0d1e";
const ID = "6a1b2c3d4e5f6a7b8c9d0e1f";

const OPERATIONS: [string, string, string, Record<string, string>][] = [
  ["GET", `/api/atlas/v2/orgs/${ORG}/invites`, "listOrgInvites", { orgId: ORG }],
  ["POST", `/api/atlas/v2/orgs/${ORG}/invites`, "createOrgInvite", { orgId: ORG }],
  ["PATCH", `/api/atlas/v2/orgs/${ORG}/invites`, "updateOrgInvites", { orgId: ORG }],
  [
    "GET",
    `/api/atlas/v2/orgs/${ORG}/invites/${ID}`,
    "getOrgInvite",
    { orgId: ORG, invitationId: ID },
  ],
  [
    "PATCH",
    `/api/atlas/v2/orgs/${ORG}/invites/${ID}`,
    "updateOrgInviteById",
    { orgId: ORG, invitationId: ID },
  ],
  [
    "DELETE",
    `/api/atlas/v2/orgs/${ORG}/invites/${ID}`,
    "deleteOrgInvite",
    { orgId: ORG, invitationId: ID },
  ],
  ["GET", `/api/atlas/v2/orgs/${ORG}/users`, "listOrgUsers", { orgId: ORG }],
  ["POST", `/api/atlas/v2/orgs/${ORG}/users`, "createOrgUser", { orgId: ORG }],
  ["GET", `/api/atlas/v2/orgs/${ORG}/users/${ID}`, "getOrgUser", { orgId: ORG, userId: ID }],
  ["PATCH", `/api/atlas/v2/orgs/${ORG}/users/${ID}`, "updateOrgUser", { orgId: ORG, userId: ID }],
  ["DELETE", `/api/atlas/v2/orgs/${ORG}/users/${ID}`, "removeOrgUser", { orgId: ORG, userId: ID }],
];

describe("matchOperation", () => {
  it("knows exactly the 11 operations of the slice", () => {
    const ids = sliceOperations().map((o) => o.operationId);
    expect(new Set(ids).size).toBe(11);
    expect([...ids].sort()).toEqual(OPERATIONS.map(([, , id]) => id).sort());
  });

  it.each(OPERATIONS)(
    "matches %s %s to %s with its path parameters",
    (method, path, id, params) => {
      expect(matchOperation(method, path)).toEqual({
        operationId: id,
        pathTemplate: expect.stringMatching(/^\/api\/atlas\/v2\/orgs\/\{orgId\}\//),
        params,
      });
    },
  );

  it("matches methods case-insensitively, ignores a query string and decodes parameters", () => {
    expect(matchOperation("get", `/api/atlas/v2/orgs/${ORG}/invites?username=a`)?.operationId).toBe(
      "listOrgInvites",
    );
    expect(matchOperation("DELETE", `/api/atlas/v2/orgs/${ORG}/invites/a%20b`)?.params).toEqual({
      orgId: ORG,
      invitationId: "a b",
    });
  });

  it.each([
    ["POST", "/api/oauth/token"],
    ["POST", "/api/oauth/revoke"],
    ["POST", "/__emulator/reset"],
    ["GET", "/__emulator/invitations"],
    ["PUT", `/api/atlas/v2/orgs/${ORG}/invites`],
    ["DELETE", `/api/atlas/v2/orgs/${ORG}/invites`],
    ["POST", `/api/atlas/v2/orgs/${ORG}/invites/${ID}`],
    ["GET", `/api/atlas/v2/orgs/${ORG}/invites/`],
    ["GET", `/api/atlas/v2/orgs/${ORG}/invites/${ID}/extra`],
    ["GET", "/api/atlas/v2/orgs"],
    ["GET", `/api/atlas/v2/groups/${ORG}/invites`],
    ["GET", `/api/atlas/v1.0/orgs/${ORG}/invites`],
  ])("does not match %s %s", (method, path) => {
    expect(matchOperation(method, path)).toBeUndefined();
  });
});

import { diffInvitation } from "../../provider/diff";
import { UNKNOWN } from "../../provider/model";
import { parseState } from "../../provider/property-codec";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const TEAM_A = "64b7f1e2a3c4d5e6f7a8b9d1";
const TEAM_B = "64b7f1e2a3c4d5e6f7a8b9d2";
const PROJECT = "64b7f1e2a3c4d5e6f7a8b9e1";

const ID = "aaaaaaaaaaaaaaaaaaaaaaaa";
/** Stored outputs as the engine hands them to diff; the provider parses them with parseState. */
const stored = {
  orgId: ORG,
  username: "jane@example.com",
  roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
  teamIds: [TEAM_A, TEAM_B],
  groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_READ_ONLY", "GROUP_OWNER"] }],
  onAccepted: "fail",
  invitationId: ID,
  status: "PENDING",
  __provider: "exports.handler = function() { /* v1 */ }",
};
const state = parseState(ID, stored);
const inputs = {
  orgId: ORG,
  username: "jane@example.com",
  roles: ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"],
  teamIds: [TEAM_A, TEAM_B],
  groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_READ_ONLY", "GROUP_OWNER"] }],
  onAccepted: "fail",
  __provider: "exports.handler = function() { /* v1 */ }",
};

describe("diff", () => {
  it("reports no change when nothing declared changed", () => {
    expect(diffInvitation(state, inputs)).toEqual({ changes: false });
  });

  it("compares with what was declared, not with what Atlas reported alongside it", () => {
    const withReport = parseState(ID, {
      ...stored,
      orgName: "Org",
      inviterUsername: "someone-else",
      status: "ACCEPTED",
    });
    expect(diffInvitation(withReport, inputs)).toEqual({ changes: false });
  });

  it("reports no change when lists are reordered or the serialized provider changed", () => {
    expect(
      diffInvitation(state, {
        ...inputs,
        roles: ["ORG_BILLING_READ_ONLY", "ORG_MEMBER"],
        teamIds: [TEAM_B, TEAM_A],
        groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_OWNER", "GROUP_READ_ONLY"] }],
        __provider: "exports.handler = function() { /* v2 */ }",
      }),
    ).toEqual({ changes: false });
  });

  it("reports no change when only the username's case differs (Atlas matches emails case-insensitively)", () => {
    expect(diffInvitation(state, { ...inputs, username: "Jane@Example.com" })).toEqual({
      changes: false,
    });
  });

  it("treats writing the default onAccepted explicitly as no change", () => {
    const { onAccepted: _omit, ...withoutPolicy } = stored;
    expect(diffInvitation(parseState(ID, withoutPolicy), inputs)).toEqual({ changes: false });
  });

  it.each([
    ["orgId", { orgId: "64b7f1e2a3c4d5e6f7a8b9ff" }],
    ["username", { username: "john@example.com" }],
  ])("replaces the invitation when %s changes", (property, patch) => {
    expect(diffInvitation(state, { ...inputs, ...patch })).toEqual({
      changes: true,
      replaces: [property],
    });
  });

  it.each([
    ["roles", { roles: ["ORG_MEMBER"] }],
    ["teamIds", { teamIds: [TEAM_A] }],
    ["teamIds removed entirely", { teamIds: undefined }],
    [
      "groupRoleAssignments",
      { groupRoleAssignments: [{ groupId: PROJECT, roles: ["GROUP_OWNER"] }] },
    ],
    ["onAccepted", { onAccepted: "retain" }],
  ])("updates in place when %s changes", (_name, patch) => {
    expect(diffInvitation(state, { ...inputs, ...patch })).toEqual({ changes: true });
  });

  it("replaces when orgId is unknown during preview, and updates when roles are unknown", () => {
    expect(diffInvitation(state, { ...inputs, orgId: UNKNOWN })).toEqual({
      changes: true,
      replaces: ["orgId"],
    });
    expect(diffInvitation(state, { ...inputs, roles: UNKNOWN })).toEqual({ changes: true });
    expect(diffInvitation(state, { ...inputs, teamIds: [UNKNOWN] })).toEqual({ changes: true });
    expect(
      diffInvitation(state, {
        ...inputs,
        groupRoleAssignments: [{ groupId: UNKNOWN, roles: ["GROUP_OWNER"] }],
      }),
    ).toEqual({ changes: true });
  });
});

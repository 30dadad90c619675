import { UNKNOWN } from "../../provider/model";
import { normalizeInputs } from "../../provider/property-codec";
import { validateInputs } from "../../provider/validate";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const TEAM = "64b7f1e2a3c4d5e6f7a8b9d1";
const valid = { orgId: ORG, username: "jane@example.com", roles: ["ORG_MEMBER"] };

function failuresFor(patch: Record<string, unknown>) {
  return validateInputs({ ...valid, ...patch });
}

describe("check: input validation", () => {
  it("accepts a minimal valid invitation and one with every input", () => {
    expect(validateInputs(valid)).toEqual([]);
    expect(
      validateInputs({
        ...valid,
        teamIds: [TEAM],
        groupRoleAssignments: [
          { groupId: ORG, roles: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"] },
        ],
        onAccepted: "retain",
        __provider: "exports.handler = ...",
      }),
    ).toEqual([]);
  });

  it("accepts an organization role Atlas may add later (roles are an open set)", () => {
    expect(failuresFor({ roles: ["ORG_FUTURE_ROLE"] })).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "an upper-case org id, suggesting the lower-case one",
      { orgId: ORG.toUpperCase() },
      "orgId",
      new RegExp(`use "${ORG}"`),
    ],
    ["a short org id", { orgId: "abc" }, "orgId", /24-character hex id of the organization/],
    ["a missing org id", { orgId: undefined }, "orgId", /orgId is required/],
    ["a numeric org id", { orgId: 42 }, "orgId", /must be a string/],
    ["a username that is not an email", { username: "jane" }, "username", /email address such as/],
    [
      "a username with spaces around it",
      { username: " jane@example.com " },
      "username",
      /leading or trailing spaces/,
    ],
    [
      "a username longer than an email can be",
      { username: `${"a".repeat(250)}@example.com` },
      "username",
      /at most 254/,
    ],
    ["a missing username", { username: undefined }, "username", /username is required/],
    ["missing roles", { roles: undefined }, "roles", /roles is required/],
    ["empty roles", { roles: [] }, "roles", /at least one organization role/],
    ["roles that are not a list", { roles: "ORG_MEMBER" }, "roles", /must be a list/],
    ["a duplicated role", { roles: ["ORG_MEMBER", "ORG_MEMBER"] }, "roles", /twice/],
    ["a non-string role", { roles: [7] }, "roles", /roles\[0\] must be a string/],
    [
      "a project role among org roles, pointing at groupRoleAssignments",
      { roles: ["GROUP_OWNER"] },
      "roles",
      /groupRoleAssignments/,
    ],
    [
      "a lower-case role",
      { roles: ["org_member"] },
      "roles",
      /"org_member" must be upper case, as Atlas writes roles: use ORG_MEMBER\./,
    ],
    [
      "a lower-case project role with a typo",
      { groupRoleAssignments: [{ groupId: ORG, roles: ["group_read_onyl"] }] },
      "groupRoleAssignments",
      /must be upper case, as Atlas writes roles: use GROUP_READ_ONLY\./,
    ],
    [
      "a bad team id",
      { teamIds: ["nope"] },
      "teamIds",
      /teamIds\[0\] must be the 24-character hex id of the team/,
    ],
    ["a duplicated team id", { teamIds: [TEAM, TEAM] }, "teamIds", /twice/],
    [
      "a project assignment without roles",
      { groupRoleAssignments: [{ groupId: ORG }] },
      "groupRoleAssignments",
      /roles is required/,
    ],
    [
      "a project assignment with a bad group id",
      { groupRoleAssignments: [{ groupId: "x", roles: ["GROUP_OWNER"] }] },
      "groupRoleAssignments",
      /groupId must be the 24-character hex id of the project/,
    ],
    [
      "a project assigned twice",
      {
        groupRoleAssignments: [
          { groupId: ORG, roles: ["GROUP_OWNER"] },
          { groupId: ORG, roles: ["GROUP_READ_ONLY"] },
        ],
      },
      "groupRoleAssignments",
      /twice/,
    ],
    [
      "an org role in a project assignment",
      { groupRoleAssignments: [{ groupId: ORG, roles: ["ORG_OWNER"] }] },
      "groupRoleAssignments",
      /ORG_OWNER is an organization role: list it in roles, not in groupRoleAssignments\./,
    ],
    ["an unknown onAccepted policy", { onAccepted: "ignore" }, "onAccepted", /"fail".*"retain"/],
    [
      "a misspelt input, suggesting the right one",
      { role: ["ORG_MEMBER"] },
      "role",
      /did you mean roles\?/,
    ],
  ];

  it.each(cases)(
    "rejects %s, naming the property and the fix",
    (_name, patch, property, reason) => {
      const failures = failuresFor(patch);
      expect(failures).toHaveLength(1);
      expect(failures[0]?.property).toBe(property);
      expect(failures[0]?.reason).toMatch(reason);
    },
  );

  it.each([
    ["email", "username"],
    ["teams", "teamIds"],
    ["onAcceptd", "onAccepted"],
  ])("names an input that is not one, %s, with the input meant: %s", (key, meant) => {
    const base = { orgId: ORG, username: "jane@example.com", roles: ["ORG_MEMBER"] };
    expect(validateInputs({ ...base, [key]: "x" })).toEqual([
      {
        property: key,
        reason:
          `${key} is not an OrgInvitation input (did you mean ${meant}?). ` +
          "Inputs are: orgId, username, roles, teamIds, groupRoleAssignments, onAccepted.",
      },
    ]);
  });

  it("reports one failure per bad property", () => {
    const failures = validateInputs({ orgId: "x", username: "y", roles: [] });
    expect(failures.map((f) => f.property)).toEqual(["orgId", "username", "roles"]);
  });

  it("lets values that are unknown during preview pass through", () => {
    expect(
      validateInputs({
        orgId: UNKNOWN,
        username: UNKNOWN,
        roles: [UNKNOWN, "ORG_MEMBER"],
        teamIds: UNKNOWN,
        onAccepted: UNKNOWN,
      }),
    ).toEqual([]);
  });

  it("makes the default onAccepted explicit and drops nulls in normalized inputs", () => {
    expect(normalizeInputs({ ...valid, teamIds: null })).toEqual({ ...valid, onAccepted: "fail" });
    expect(normalizeInputs({ ...valid, onAccepted: "retain" })["onAccepted"]).toBe("retain");
  });
});

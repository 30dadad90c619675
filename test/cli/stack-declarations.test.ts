/**
 * The stack-config format of examples/stack, the format `generate --format yaml` writes: what
 * `parseDeclaration` refuses (misspelt keys, two entries with one resource name) and the names it
 * gives. No emulator: nothing here reaches Atlas.
 */
import { parseDeclaration, resourceName } from "../../examples/stack/declarations";

const ORG = "64b7f1e2a3c4d5e6f7a8b9c0";
const TEAM = "64b7f1e2a3c4d5e6f7a8b9d1";
const PROJECT = "64b7f1e2a3c4d5e6f7a8b9e1";

/** The message `parseDeclaration` throws for `raw`, or a failure if it throws none. */
function refusal(raw: unknown): string {
  try {
    parseDeclaration(ORG, raw);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`parseDeclaration accepted ${JSON.stringify(raw)}`);
}

describe("unknown keys", () => {
  it("a misspelt teamIds and onAccepted are refused, naming the position, the person and the nearest key, instead of being dropped", () => {
    const message = refusal([
      {
        username: "alice@example.com",
        roles: ["ORG_MEMBER"],
        teamID: [TEAM],
        onaccepted: "retain",
      },
    ]);
    expect(message.split("\n")).toEqual([
      "Stack config invitations[0].teamID (alice@example.com) is not a key of an invitation; did you mean teamIds?",
      "Stack config invitations[0].onaccepted (alice@example.com) is not a key of an invitation; did you mean onAccepted?",
    ]);
  });

  it("the same entry spelt right gives the person the teams and the policy (a control for the test above)", () => {
    const { invitations } = parseDeclaration(ORG, [
      {
        username: "alice@example.com",
        roles: ["ORG_MEMBER"],
        teamIds: [TEAM],
        onAccepted: "retain",
      },
    ]);
    expect(invitations).toEqual([
      {
        username: "alice@example.com",
        roles: ["ORG_MEMBER"],
        teamIds: [TEAM],
        onAccepted: "retain",
      },
    ]);
  });

  it.each([
    ["role", "roles"],
    ["Roles", "roles"],
    ["usernme", "username"],
    ["team_ids", "teamIds"],
    ["teams", "teamIds"],
    ["groupRoleAssigments", "groupRoleAssignments"],
    ["on_accepted", "onAccepted"],
    ["Name", "name"],
  ])("%s is refused with: did you mean %s?", (key, near) => {
    const message = refusal([
      { username: "bob@example.com", roles: ["ORG_MEMBER"], [key]: key === "Name" ? "x" : [] },
    ]);
    expect(message).toBe(
      `Stack config invitations[0].${key} (bob@example.com) is not a key of an invitation; did you mean ${near}?`,
    );
  });

  it("a key near no known one is refused with the list of the keys", () => {
    expect(refusal([{ username: "bob@example.com", roles: ["ORG_MEMBER"], email: "x" }])).toBe(
      "Stack config invitations[0].email (bob@example.com) is not a key of an invitation; " +
        "the keys of an invitation are username, roles, teamIds, groupRoleAssignments, onAccepted and name.",
    );
  });

  it("a misspelt key of a project role assignment is refused too, with its path", () => {
    expect(
      refusal([
        {
          username: "carol@example.com",
          roles: ["ORG_MEMBER"],
          groupRoleAssignments: [
            { groupId: PROJECT, roles: ["GROUP_READ_ONLY"] },
            { groupID: PROJECT, roles: [] },
          ],
        },
      ]),
    ).toBe(
      "Stack config invitations[0].groupRoleAssignments[1].groupID (carol@example.com) is not a key of " +
        "a project role assignment; did you mean groupId?",
    );
  });

  it("every unknown key of the list is named at once, one line each, also where the username itself is misspelt", () => {
    const lines = refusal([
      { username: "alice@example.com", roles: ["ORG_MEMBER"] },
      { usernam: "bob@example.com", roles: ["ORG_MEMBER"] },
      { username: "carol@example.com", role: ["ORG_MEMBER"], teamID: [TEAM] },
    ]).split("\n");
    expect(lines).toEqual([
      "Stack config invitations[1].usernam is not a key of an invitation; did you mean username?",
      "Stack config invitations[2].role (carol@example.com) is not a key of an invitation; did you mean roles?",
      "Stack config invitations[2].teamID (carol@example.com) is not a key of an invitation; did you mean teamIds?",
    ]);
  });
});

describe("resource names", () => {
  it("each person keeps the name made from the address, so existing stacks see no change", () => {
    const { resources } = parseDeclaration(ORG, [
      { username: "alice@example.com", roles: ["ORG_MEMBER"] },
      { username: "Bob.Smith+atlas@Example.COM", roles: ["ORG_MEMBER"] },
    ]);
    expect(resources.map((r) => r.name)).toEqual([
      "invite-alice-example-com",
      "invite-bob-smith-atlas-example-com",
    ]);
    expect(resources.map((r) => r.name)).toEqual(
      ["alice@example.com", "Bob.Smith+atlas@Example.COM"].map(resourceName),
    );
  });

  it("two addresses that make one name are refused, naming both entries and a name to give one of them", () => {
    const message = refusal([
      { username: "a.b@example.com", roles: ["ORG_MEMBER"] },
      { username: "c@example.com", roles: ["ORG_MEMBER"] },
      { username: "a-b@example.com", roles: ["ORG_MEMBER"] },
    ]);
    expect(message).toBe(
      "Stack config invitations[0] (a.b@example.com, from its username) and invitations[2] " +
        "(a-b@example.com, from its username) both get the resource name invite-a-b-example-com; " +
        "Pulumi needs one name per resource. Keep that name on the person the stack already manages, " +
        "and give the other entry a name of its own, such as name: invite-a-b-example-com-2",
    );
  });

  it("the name suggested for a clash is nobody's name", () => {
    const message = refusal([
      { username: "a.b@example.com", roles: ["ORG_MEMBER"] },
      { username: "a+b@example.com", roles: ["ORG_MEMBER"] },
      { username: "x@example.com", name: "invite-a-b-example-com-2", roles: ["ORG_MEMBER"] },
    ]);
    expect(message).toMatch(/such as name: invite-a-b-example-com-3$/);
  });

  it("an entry's name settles a clash: the others keep the names made from their addresses", () => {
    const { resources, invitations } = parseDeclaration(ORG, [
      { username: "a.b@example.com", roles: ["ORG_MEMBER"] },
      { username: "a-b@example.com", name: "invite-a-b-example-com-2", roles: ["ORG_MEMBER"] },
      { username: "a+b@example.com", name: "ab-plus", roles: ["ORG_READ_ONLY"] },
    ]);
    expect(resources.map((r) => r.name)).toEqual([
      "invite-a-b-example-com",
      "invite-a-b-example-com-2",
      "ab-plus",
    ]);
    // The name is the resource's, not an input of the invitation.
    expect(resources.map((r) => r.inputs)).toEqual(invitations);
    expect(invitations[1]).toEqual({ username: "a-b@example.com", roles: ["ORG_MEMBER"] });
  });

  it("a name that is another person's name is refused, saying which comes from a name", () => {
    expect(
      refusal([
        { username: "alice@example.com", roles: ["ORG_MEMBER"] },
        { username: "bob@example.com", name: "invite-alice-example-com", roles: ["ORG_MEMBER"] },
      ]),
    ).toMatch(
      /^Stack config invitations\[0\] \(alice@example\.com, from its username\) and invitations\[1\] \(bob@example\.com, its name\) both get the resource name invite-alice-example-com;/,
    );
  });

  it.each([[""], ["two words"], [42], [["x"]]])("a name %j is refused", (name) => {
    expect(refusal([{ username: "alice@example.com", name, roles: ["ORG_MEMBER"] }])).toBe(
      "Stack config invitations[0].name must be a Pulumi resource name: a string without spaces.",
    );
  });
});

describe("one person listed twice", () => {
  it.each([
    ["in another letter case", "rene@example.com", "Rene@Example.com"],
    ["in another Unicode form (NFD after NFC)", "r\u00e9ne@example.com", "re\u0301ne@example.com"],
  ])("is refused %s, naming the repeat", (_label, first, repeat) => {
    const message = refusal([
      { username: first, roles: ["ORG_MEMBER"] },
      { username: repeat, roles: ["ORG_MEMBER"] },
    ]);
    expect(message).toMatch(/invitations\[1\]\.username .*repeats .*list each person once/);
  });
});

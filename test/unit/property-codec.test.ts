import type { DeclaredInvitation, PendingInvitation } from "../../provider/model";
import { parseState, stateFromPending, toInputs, toOutputs } from "../../provider/property-codec";

const DECLARED: DeclaredInvitation = {
  orgId: "64b7f1e2a3c4d5e6f7a8b9c0",
  username: "Dana@Example.com",
  roles: ["ORG_MEMBER"],
  teamIds: [],
  groupRoleAssignments: [],
  onAccepted: "fail",
};
const pending = (username: string): PendingInvitation => ({
  invitationId: "6a1e2d3c4b5a69788776655b",
  orgId: DECLARED.orgId,
  username,
  roles: ["ORG_MEMBER"],
  teamIds: [],
  groupRoleAssignments: [],
});

describe("the state written from an invitation Atlas reported", () => {
  it("keeps the declared address when the answer has no username, and reads back", () => {
    const state = stateFromPending(pending(""), DECLARED);
    expect(state.declared.username).toBe("Dana@Example.com");
    const outputs = toOutputs(state);
    expect(parseState(state.id, { ...outputs }).declared.username).toBe("Dana@Example.com");
  });

  it("keeps the program's spelling of the same address, and Atlas's address when it is another", () => {
    expect(stateFromPending(pending("dana@example.com"), DECLARED).declared.username).toBe(
      "Dana@Example.com",
    );
    expect(stateFromPending(pending("erin@example.com"), DECLARED).declared.username).toBe(
      "erin@example.com",
    );
  });

  it("hands a refresh's inputs back as the declared properties with Atlas's roles", () => {
    const drifted = { ...pending("dana@example.com"), roles: ["ORG_READ_ONLY" as const] };
    expect(toInputs(stateFromPending(drifted, DECLARED))).toEqual({
      orgId: DECLARED.orgId,
      username: "Dana@Example.com",
      roles: ["ORG_READ_ONLY"],
      teamIds: [],
      groupRoleAssignments: [],
      onAccepted: "fail",
    });
  });
});
